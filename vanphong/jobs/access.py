"""Who may see and start background jobs: superusers, administrators (quản trị) and security officers."""

from __future__ import annotations

from typing import Any

from vanphong.accounts.access import role_codes
from vanphong.accounts.models import Role

JOB_ROLES = frozenset({Role.ADMIN, Role.SECURITY})


def can_manage_jobs(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(role_codes(user) & JOB_ROLES)
