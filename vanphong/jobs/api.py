"""REST: recent background jobs, for administrators and security officers."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from vanphong.accounts.api_auth import api_auth

from . import selectors
from .access import can_manage_jobs

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: str
    label: str
    task_path: str
    status: str
    status_label: str
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    done: int | None
    total: int | None
    percent: int | None
    message: str
    error_class: str
    error_line: str
    result_ok: bool | None


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


@router.get("/", response=list[JobOut], auth=api_auth, summary="Recent background jobs")
def list_jobs(request: HttpRequest, status: str = "", limit: int = 50) -> list[JobOut]:
    """Newest first; ``status`` is READY, RUNNING, SUCCESSFUL or FAILED; at most 200."""
    if not can_manage_jobs(request.user):
        raise HttpError(403, "Bạn không có quyền xem tác vụ nền.")
    if status and status not in selectors.STATUS_LABELS:
        raise HttpError(400, "Trạng thái không hợp lệ.")
    limit = max(1, min(limit, 200))
    rows = selectors.job_rows(selectors.recent_jobs(status=status)[:limit])
    return [
        JobOut(
            id=r.id,
            label=r.label,
            task_path=r.task_path,
            status=r.status,
            status_label=r.status_label,
            enqueued_at=_local(r.enqueued_at),
            started_at=_local(r.started_at),
            finished_at=_local(r.finished_at),
            done=r.done,
            total=r.total,
            percent=r.percent,
            message=r.message,
            error_class=r.error_class,
            error_line=r.error_line,
            result_ok=r.result_ok,
        )
        for r in rows
    ]
