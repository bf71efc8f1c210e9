from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from vanphong.accounts.middleware import OTP_OK
from vanphong.accounts.models import Role, RoleAssignment, User
from vanphong.org.services import central_unit_ensure


@pytest.fixture
def make_user(db):
    def make(username: str, *roles: str, superuser: bool = False) -> User:
        unit = central_unit_ensure()
        user = User.objects.create_user(
            username=username,
            password="x" * 12,
            full_name=username,
            unit=unit,
            is_superuser=superuser,
            is_staff=superuser,
        )
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
        return user

    return make


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("quantri", Role.ADMIN)


def login(client: Client, user: User) -> Client:
    """Log in as if the two-factor step had passed."""
    client.force_login(user, backend="vanphong.accounts.backends.LockoutModelBackend")
    session = client.session
    session[OTP_OK] = True
    session.save()
    return client


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    return login(client, admin_user)


def make_result(
    status: str = "SUCCESSFUL",
    *,
    task_path: str = "vanphong.jobs.tasks.audit_verify_task",
    enqueued_at: datetime | None = None,
    finished_at: datetime | None = None,
    traceback: str = "",
    exception_class_path: str = "",
    return_value: Any = None,
) -> DBTaskResult:
    """A task result row as the database backend writes it (the immediate backend used in tests stores none)."""
    now = timezone.now()
    result = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        started_at=None if status == "READY" else now - timedelta(seconds=5),
        finished_at=finished_at if finished_at else (now if status in ("SUCCESSFUL", "FAILED") else None),
        return_value=return_value,
        exception_class_path=exception_class_path,
        traceback=traceback,
    )
    if enqueued_at is not None:  # auto_now_add ignores the value given to create()
        DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=enqueued_at)
        result.refresh_from_db()
    return result


FAIL_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/app/vanphong/jobs/tasks.py", line 40, in storage_verify_task\n'
    '    raise OSError("disk")\n'
    "OSError: [Errno 5] Input/output error: '/var/blobs/ab/cd'\n"
)
