"""Trang chủ: a day's work for the person logged in, by role.

Later modules (registry, follow-up, reporting) add their own panels through ``panels.py``; the foundation
shows the person, their unit, today's working-day facts, and role-specific panels for admins and security.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .panels import home_panels


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/home.html", {"panels": home_panels(request.user)})  # type: ignore[arg-type]
