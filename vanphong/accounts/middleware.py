"""Idle session expiry and the two-factor requirement for leaders, admins and the security officer."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .access import requires_two_factor

LAST_SEEN = "vp_last_seen"
OTP_OK = "vp_otp_ok"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.VANPHONG_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.warning(
                    request,
                    "Phiên làm việc đã hết hạn do không thao tác trong thời gian dài. "
                    "Vui lòng đăng nhập lại.",
                )
                return redirect(settings.LOGIN_URL)
            request.session[LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A session of a user who must use two-factor is valid only if it passed the code step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.session.get(OTP_OK) and requires_two_factor(user):
            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)
