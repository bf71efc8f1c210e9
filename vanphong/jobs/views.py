"""The job page: recent background tasks with progress and failures, buttons to start whitelisted jobs."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanphong.core.exceptions import VanphongError

from . import selectors, services
from .access import can_manage_jobs
from .registry import JOBS

PAGE_SIZE = 25


def _require_access(request: HttpRequest) -> None:
    if not can_manage_jobs(request.user):
        raise Http404


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """Tác vụ nền. Filter by status; an HTMX request gets only the table, polled every 3 s while jobs are active."""
    _require_access(request)
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_LABELS:
        status = ""
    page = Paginator(selectors.recent_jobs(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_obj": page,
        "rows": selectors.job_rows(page.object_list),
        "status": status,
        "statuses": list(selectors.STATUS_LABELS.items()),
        "active": selectors.jobs_active(),
        "querystring": request.GET.urlencode(),
        "querystring_without_page": query.urlencode(),
        "jobs": list(JOBS.values()),
    }
    template = "jobs/_table.html" if getattr(request, "htmx", False) else "jobs/list.html"
    return render(request, template, context)


@login_required
def job_detail(request: HttpRequest, task_id: UUID) -> HttpResponse:
    _require_access(request)
    detail = selectors.job_detail(str(task_id))
    if detail is None:
        raise Http404
    return render(request, "jobs/detail.html", {"d": detail, "r": detail.row})


@login_required
@require_POST
def job_enqueue(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    try:
        spec = services.job_enqueue(actor=request.user, name=request.POST.get("name", ""))
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã đưa tác vụ «{spec.label}» vào hàng đợi.")
    return redirect("jobs:list")
