from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.jobs.models import JobProgress
from vanphong.jobs.services import job_enqueue, job_progress_update
from vanphong.jobs.tasks import audit_verify_task, storage_verify_task
from vanphong.storage.backends import get_backend
from vanphong.storage.services import blob_put

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task()
def failing_task() -> None:
    """A task that always fails, to see how a failure is recorded."""
    raise RuntimeError("Không đọc được tệp")


def test_audit_verify_task_reports_progress_and_result() -> None:
    """The audit task verifies the chain, returns a summary and leaves a labelled progress record."""
    for i in range(3):
        audit_log(actor=None, action="test.event", object_type="test", object_id=i)
    result = audit_verify_task.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"ok": True, "count": 3, "bad_seq": None, "reason": ""}
    progress = JobProgress.objects.get(task_result_id=str(result.id))
    assert (progress.label, progress.done, progress.total) == ("Kiểm tra toàn vẹn nhật ký", 3, 3)


def test_audit_verify_task_finds_tampering() -> None:
    """An altered audit record makes the task return ok=False with the record's sequence number."""
    for i in range(3):
        audit_log(actor=None, action="test.event", object_type="test", object_id=i)
    with connection.cursor() as cursor:  # the model refuses updates; a forger would go around it
        cursor.execute(f"UPDATE {AuditRecord._meta.db_table} SET action = %s WHERE seq = 2", ["test.forged"])
    result = audit_verify_task.enqueue()
    assert result.return_value["ok"] is False
    assert result.return_value["bad_seq"] == 2


def test_storage_verify_task_counts_problems(settings) -> None:
    """The storage task returns counts and the first problems; a lost file shows up as missing."""
    settings.VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.MemoryBackend"}
    good = blob_put(actor=None, data=b"good")
    lost = blob_put(actor=None, data=b"lost")
    get_backend().delete(lost.pk)
    result = storage_verify_task.enqueue()
    value = result.return_value
    assert value["ok"] is False
    assert (value["checked"], value["missing_count"], value["missing"]) == (2, 1, [lost.pk])
    assert good.pk not in value["missing"]
    progress = JobProgress.objects.get(task_result_id=str(result.id))
    assert progress.label == "Kiểm tra toàn vẹn tệp lưu trữ"
    assert "1 tệp thiếu" in progress.message


def test_enqueue_runs_after_commit_and_is_audited(admin_user, django_capture_on_commit_callbacks) -> None:
    """job_enqueue audits the request and queues the task only when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        spec = job_enqueue(actor=admin_user, name="audit_verify")
        assert JobProgress.objects.count() == 0
    assert spec.label == "Kiểm tra toàn vẹn nhật ký"
    assert len(callbacks) == 1
    callbacks[0]()
    assert JobProgress.objects.get().label == "Kiểm tra toàn vẹn nhật ký"
    record = AuditRecord.objects.get(action="jobs.job.enqueue")
    assert (record.object_id, record.actor_id) == ("audit_verify", admin_user.pk)


def test_enqueue_refuses_unknown_jobs_and_unauthorised_people(make_user, admin_user) -> None:
    """Only whitelisted jobs, and only for admins, security officers and superusers."""
    with pytest.raises(ValidationError):
        job_enqueue(actor=admin_user, name="os.system")
    with pytest.raises(PermissionDenied):
        job_enqueue(actor=make_user("chuyenvien"), name="audit_verify")
    assert not AuditRecord.objects.filter(action="jobs.job.enqueue").exists()


def test_progress_update_is_idempotent() -> None:
    """Repeated updates change one row; a later update without a label keeps the label."""
    job_progress_update("abc", 1, 10, "một", label="Nhãn")
    job_progress_update("abc", 5, 10, "năm")
    progress = JobProgress.objects.get()
    assert (progress.label, progress.done, progress.message, progress.percent) == ("Nhãn", 5, "năm", 50)


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the worker closes and reopens connections between tasks
def test_worker_runs_queued_jobs_from_the_database(settings, admin_user, django_capture_on_commit_callbacks):
    """With the database backend, `vanphong worker --batch` runs queued jobs and records success and failure."""
    settings.TASKS = DB_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(actor=admin_user, name="audit_verify")
    failing_task.enqueue()
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    call_command("worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

    ok = DBTaskResult.objects.get(task_path="vanphong.jobs.tasks.audit_verify_task")
    assert ok.status == "SUCCESSFUL" and ok.return_value["ok"] is True
    assert JobProgress.objects.get(task_result_id=str(ok.pk)).label == "Kiểm tra toàn vẹn nhật ký"
    bad = DBTaskResult.objects.get(task_path=f"{__name__}.failing_task")
    assert bad.status == "FAILED"
    assert bad.exception_class_path == "builtins.RuntimeError"
    assert "Không đọc được tệp" in bad.traceback


def test_worker_refuses_without_database_backend() -> None:
    """Under the immediate backend the worker explains that it needs the database backend."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DatabaseBackend"):
        call_command("worker", "--batch")
