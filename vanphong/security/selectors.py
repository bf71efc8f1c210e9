"""Reads for the security officer's desk, each limited to the officer's units (``access.scope_*``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.core.models import AuditRecord
from vanphong.jobs.registry import JOBS
from vanphong.jobs.selectors import JobRow, job_rows, recent_jobs

from .access import scope_q, scope_unit_ids
from .models import Incident

FAILED_ACTIONS = ("auth.login.failed", "auth.login.lockout", "auth.totp.failed")  # a wrong password or code
LOGIN_ACTIONS = (*FAILED_ACTIONS, "auth.login.locked")  # … and attempts refused because the account is locked
LOGIN_WINDOW = timedelta(days=7)
CHECKS = ("audit_verify", "storage_verify")  # jobs of ``vanphong.jobs`` the desk starts and reports on


def _audit_in_scope(user: Any) -> QuerySet[AuditRecord]:
    qs = AuditRecord.objects.defer("before")
    ids = scope_unit_ids(user)
    return qs if ids is None else qs.filter(unit_id__in=ids)


def failed_logins(user: Any, *, limit: int = 30) -> list[AuditRecord]:
    """Failed passwords and codes, lockouts and refused locked logins of the last 7 days, newest first."""
    since = timezone.now() - LOGIN_WINDOW
    return list(
        _audit_in_scope(user)
        .filter(action__in=LOGIN_ACTIONS, at__gte=since)
        .defer("after")
        .order_by("-seq")[:limit]
    )


def failed_login_count(user: Any) -> int:
    since = timezone.now() - LOGIN_WINDOW
    return _audit_in_scope(user).filter(action__in=FAILED_ACTIONS, at__gte=since).count()


def locked_users(user: Any) -> list[User]:
    """People in the officer's units whose account is locked now."""
    return list(
        User.objects.filter(scope_q(user), locked_until__gt=timezone.now())
        .select_related("unit")
        .only("id", "username", "full_name", "locked_until", "failed_logins", "unit__name")
        .order_by("-locked_until")
    )


def access_events(user: Any, *, limit: int = 30) -> list[AuditRecord]:
    """The latest views, downloads, prints and exports of classified items, each with ``actor_name`` (one query)."""
    records = list(
        _audit_in_scope(user).filter(action__startswith="security.access.").order_by("-seq")[:limit]
    )
    names = dict(
        User.objects.filter(pk__in={r.actor_id for r in records if r.actor_id}).values_list("pk", "full_name")
    )
    for r in records:
        r.actor_name = (names.get(r.actor_id) if r.actor_id else None) or r.actor_label  # type: ignore[attr-defined]
    return records


@dataclass
class CheckStatus:
    name: str
    label: str
    description: str
    row: JobRow | None
    result: dict[str, Any] | None

    @property
    def active(self) -> bool:
        return bool(self.row and self.row.active)


def integrity_checks() -> list[CheckStatus]:
    """The last run of the audit-chain check and of the storage fixity check (one query each)."""
    out = []
    for name in CHECKS:
        spec = JOBS[name]
        latest = recent_jobs().filter(task_path=spec.task_path).first()
        rows = job_rows([latest]) if latest is not None else []
        value = latest.return_value if latest is not None else None
        out.append(
            CheckStatus(
                name=name,
                label=spec.label,
                description=spec.description,
                row=rows[0] if rows else None,
                result=value if isinstance(value, dict) else None,
            )
        )
    return out


def incident_history(incident: Incident) -> list[AuditRecord]:
    """The incident's own audit trail, oldest first."""
    return list(
        AuditRecord.objects.filter(
            object_type=incident._meta.label_lower, object_id=str(incident.pk)
        ).order_by("seq")
    )
