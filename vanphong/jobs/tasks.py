"""Background tasks. They take plain arguments only, re-read what they need, and report progress.

Run them with the database worker (``vanphong worker``); tests use the immediate backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_tasks import TaskContext, task

from vanphong.core.audit import audit_verify
from vanphong.core.models import AuditRecord
from vanphong.storage.models import Blob
from vanphong.storage.services import storage_verify

from .registry import JOBS
from .services import job_progress_update

REPORT_LIMIT = 50  # problems listed in a result; the full list comes from ``vanphong storage verify``


def _reporter(context: TaskContext, name: str, total: int) -> Callable[[int, str], None]:
    task_result_id = str(context.task_result.id)
    label = JOBS[name].label

    def report(done: int, message: str) -> None:
        job_progress_update(task_result_id, done, total, message, label=label)

    return report


@task(takes_context=True)
def audit_verify_task(context: TaskContext) -> dict[str, Any]:
    """Re-compute the audit hash chain; the result says whether it is intact and where it first breaks."""
    report = _reporter(context, "audit_verify", AuditRecord.objects.count())
    report(0, "Bắt đầu kiểm tra chuỗi nhật ký")
    result = audit_verify(progress=lambda n: report(n, f"Đã kiểm tra {n} bản ghi"))
    if result.ok:
        report(result.count, f"Chuỗi nhật ký toàn vẹn ({result.count} bản ghi)")
    else:
        report(result.count, f"Phát hiện sai lệch tại bản ghi #{result.bad_seq}")
    return {"ok": result.ok, "count": result.count, "bad_seq": result.bad_seq, "reason": result.reason}


@task(takes_context=True)
def storage_verify_task(context: TaskContext) -> dict[str, Any]:
    """Re-hash every stored blob; the result counts missing, mismatched and orphan files (first 50 of each)."""
    report = _reporter(context, "storage_verify", Blob.objects.count())
    report(0, "Bắt đầu kiểm tra tệp lưu trữ")
    result = storage_verify(progress=lambda n: report(n, f"Đã kiểm tra {n} tệp"))
    if result.ok:
        report(result.checked, f"Mọi tệp lưu trữ toàn vẹn ({result.checked} tệp)")
    else:
        report(
            result.checked,
            f"Phát hiện {len(result.missing)} tệp thiếu, {len(result.mismatched)} tệp sai lệch, "
            f"{len(result.orphans)} tệp mồ côi",
        )
    return {
        "ok": result.ok,
        "checked": result.checked,
        "missing_count": len(result.missing),
        "mismatched_count": len(result.mismatched),
        "orphans_count": len(result.orphans),
        "missing": result.missing[:REPORT_LIMIT],
        "mismatched": result.mismatched[:REPORT_LIMIT],
        "orphans": result.orphans[:REPORT_LIMIT],
    }
