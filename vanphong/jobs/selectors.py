"""Reads of task results (``django_tasks_db.DBTaskResult``) joined with their progress, for pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Right
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import JobProgress
from .registry import label_for_task_path

STATUS_LABELS: dict[str, str] = {
    TaskResultStatus.READY: "Đang chờ",
    TaskResultStatus.RUNNING: "Đang chạy",
    TaskResultStatus.SUCCESSFUL: "Thành công",
    TaskResultStatus.FAILED: "Lỗi",
}
STATUS_BADGES: dict[str, str] = {
    TaskResultStatus.READY: "",
    TaskResultStatus.RUNNING: "warn",
    TaskResultStatus.SUCCESSFUL: "ok",
    TaskResultStatus.FAILED: "bad",
}
ACTIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
FAILED_WINDOW = timedelta(days=7)
TRACEBACK_TAIL = 1000  # characters of the traceback a list row needs for the error line


def job_counts() -> dict[str, int]:
    """For the home page: ``failed`` in the last 7 days, ``pending`` (waiting or running) now. One query."""
    since = timezone.now() - FAILED_WINDOW
    counts = DBTaskResult.objects.aggregate(
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=since)),
        pending=Count("pk", filter=Q(status__in=ACTIVE)),
    )
    return {"failed": counts["failed"] or 0, "pending": counts["pending"] or 0}


def jobs_active() -> bool:
    """Whether anything is waiting or running (the list page keeps refreshing while so)."""
    return DBTaskResult.objects.filter(status__in=ACTIVE).exists()


def recent_jobs(*, status: str = "") -> QuerySet[DBTaskResult]:
    """Newest first, without arguments or full tracebacks (only the tail, for the error line)."""
    qs = (
        DBTaskResult.objects.defer("args_kwargs", "traceback")
        .annotate(traceback_tail=Right("traceback", TRACEBACK_TAIL))
        .order_by("-enqueued_at", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def error_line(traceback: str) -> str:
    """The line naming the exception and its message: the last non-blank line of a Python traceback."""
    lines = [line.strip() for line in (traceback or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass
class JobRow:
    """One task result as the job page and the API show it."""

    id: str
    status: str
    status_label: str
    badge: str
    label: str
    task_path: str
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

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _row(result: DBTaskResult, progress: JobProgress | None, traceback: str) -> JobRow:
    value: Any = result.return_value
    result_ok = value.get("ok") if isinstance(value, dict) and isinstance(value.get("ok"), bool) else None
    failed = result.status == TaskResultStatus.FAILED
    return JobRow(
        id=str(result.pk),
        status=result.status,
        status_label=STATUS_LABELS.get(result.status, result.status),
        badge=STATUS_BADGES.get(result.status, ""),
        label=(progress.label if progress and progress.label else label_for_task_path(result.task_path)),
        task_path=result.task_path,
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
        done=progress.done if progress else None,
        total=progress.total if progress else None,
        percent=progress.percent if progress else None,
        message=progress.message if progress else "",
        error_class=result.exception_class_path.rsplit(".", 1)[-1] if failed else "",
        error_line=error_line(traceback) if failed else "",
        result_ok=result_ok,
    )


def job_rows(results: Iterable[DBTaskResult]) -> list[JobRow]:
    """Rows for a page of results from ``recent_jobs``; progress for all of them in one query."""
    results = list(results)
    ids = [str(r.pk) for r in results]
    progress = {p.task_result_id: p for p in JobProgress.objects.filter(task_result_id__in=ids)}
    return [_row(r, progress.get(str(r.pk)), getattr(r, "traceback_tail", "")) for r in results]


@dataclass
class JobDetail:
    row: JobRow
    traceback: str
    exception_class_path: str
    args_kwargs: Any
    return_value: Any
    worker_ids: list[str]
    queue_name: str
    backend_name: str


def job_detail(task_id: str) -> JobDetail | None:
    """Everything about one task result, including its full traceback; ``None`` when there is no such task."""
    result = DBTaskResult.objects.filter(pk=task_id).first()
    if result is None:
        return None
    progress = JobProgress.objects.filter(task_result_id=str(result.pk)).first()
    return JobDetail(
        row=_row(result, progress, result.traceback),
        traceback=result.traceback,
        exception_class_path=result.exception_class_path,
        args_kwargs=result.args_kwargs,
        return_value=result.return_value,
        worker_ids=list(result.worker_ids or []),
        queue_name=result.queue_name,
        backend_name=result.backend_name,
    )
