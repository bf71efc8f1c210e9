from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vanphong.jobs.models import JobProgress
from vanphong.jobs.selectors import error_line, job_counts, job_detail, job_rows, recent_jobs

from .conftest import FAIL_TRACEBACK, make_result

pytestmark = pytest.mark.django_db


def test_job_counts_on_empty_table() -> None:
    """With no task results at all the home page still gets zeros."""
    assert job_counts() == {"failed": 0, "pending": 0}


def test_job_counts_failed_last_week_and_pending_now() -> None:
    """Failures count for 7 days; waiting and running tasks count as pending; successes count for neither."""
    make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    make_result("FAILED", finished_at=timezone.now() - timedelta(days=8))
    make_result("READY")
    make_result("RUNNING")
    make_result("SUCCESSFUL")
    assert job_counts() == {"failed": 1, "pending": 2}


def test_rows_carry_label_progress_and_error_line() -> None:
    """A row shows the Vietnamese label, progress percentage and, for failures, the class and message line."""
    running = make_result("RUNNING", task_path="vanphong.jobs.tasks.storage_verify_task")
    JobProgress.objects.create(
        task_result_id=str(running.pk), done=30, total=120, message="Đã kiểm tra 30 tệp"
    )
    make_result(
        "FAILED",
        traceback=FAIL_TRACEBACK,
        exception_class_path="builtins.OSError",
        enqueued_at=timezone.now() - timedelta(minutes=1),
    )
    make_result(
        "SUCCESSFUL",
        task_path="vanphong.other.tasks.reindex",
        return_value={"ok": False},
        enqueued_at=timezone.now() - timedelta(minutes=2),
    )
    rows = job_rows(recent_jobs())
    assert [r.label for r in rows] == [
        "Kiểm tra toàn vẹn tệp lưu trữ",
        "Kiểm tra toàn vẹn nhật ký",
        "reindex",
    ]
    assert (rows[0].status_label, rows[0].percent, rows[0].active) == ("Đang chạy", 25, True)
    assert rows[1].status_label == "Lỗi"
    assert rows[1].error_class == "OSError"
    assert rows[1].error_line.startswith("OSError: [Errno 5] Input/output error")
    assert rows[2].result_ok is False
    assert [r.status for r in job_rows(recent_jobs(status="FAILED"))] == ["FAILED"]


def test_detail_has_full_traceback_and_unknown_is_none() -> None:
    """The detail selector returns the whole traceback; an unknown id gives None."""
    failed = make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    detail = job_detail(str(failed.pk))
    assert detail is not None and detail.traceback == FAIL_TRACEBACK
    assert job_detail("00000000-0000-0000-0000-000000000000") is None


def test_error_line_of_empty_traceback() -> None:
    """An empty traceback gives an empty error line rather than failing."""
    assert error_line("") == ""


def test_audit_actions_have_vietnamese_labels() -> None:
    """The audit page can name storage and job actions in Vietnamese."""
    from vanphong.core.actions import action_label

    assert action_label("jobs.job.enqueue") == "Chạy tác vụ nền"
    assert action_label("storage.blob.put") == "Lưu tệp"
