"""Who may read and edit the catalogues, one condition per line.

- everyone logged in reads every catalogue (the rules are not secret);
- a superuser edits;
- a holder of the role quản trị (``Role.ADMIN``, anywhere in the unit tree) edits;
- nobody else edits.
"""

from __future__ import annotations

from typing import Any

from vanphong.accounts.access import has_role
from vanphong.accounts.models import Role
from vanphong.core.exceptions import PermissionDenied


def can_read_catalogs(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def can_edit_catalogs(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.ADMIN)


def require_catalog_editor(user: Any) -> None:
    if not can_edit_catalogs(user):
        raise PermissionDenied("Chỉ quản trị hệ thống được sửa danh mục.")
