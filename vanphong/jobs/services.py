"""Starting whitelisted jobs and recording the progress of running ones."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import PermissionDenied, ValidationError

from .access import can_manage_jobs
from .models import JobProgress
from .registry import JOBS, JobSpec


def job_enqueue(*, actor: Any, name: str) -> JobSpec:
    """Queue the whitelisted job ``name`` once the caller's transaction commits; audited as ``jobs.job.enqueue``.

    Returns the job's spec (its label is what the user sees). The task result id exists only after commit, so the
    audit record names the job, not the result.
    """
    if not can_manage_jobs(actor):
        raise PermissionDenied("Bạn không có quyền chạy tác vụ nền.")
    spec = JOBS.get(name)
    if spec is None:
        raise ValidationError("Tác vụ không có trong danh sách được phép chạy.", code="unknown_job")
    task = import_string(spec.task_path)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="jobs.job.enqueue",
            object_type="jobs.job",
            object_id=spec.name,
            object_label=spec.label,
            after={"name": spec.name, "task": spec.task_path},
        )
        transaction.on_commit(task.enqueue)
    return spec


def job_progress_update(
    task_result_id: str, done: int, total: int | None = None, message: str = "", *, label: str = ""
) -> None:
    """Record how far task ``task_result_id`` has got. Called by the task itself, outside any request.

    Not audited: progress is bookkeeping of the job, not a change to office data. Runs in autocommit so the job
    page sees it while the task is still running.
    """
    values: dict[str, Any] = {"done": max(0, done), "total": total, "message": message[:500]}
    if label:
        values["label"] = label[:200]
    key = str(task_result_id)
    try:
        JobProgress.objects.update_or_create(task_result_id=key, defaults=values)
    except IntegrityError:  # two writers created the row at once; the other one won, so update it
        JobProgress.objects.filter(task_result_id=key).update(**values)
