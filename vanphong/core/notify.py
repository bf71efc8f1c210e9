"""In-app notifications. Services call ``notify`` inside their transaction; the row commits with the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Notification


def notify(*, users: Iterable[Any], kind: str, text: str, url: str = "", urgent: bool = False) -> int:
    """Create one notification per distinct active user; returns how many were created."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, text=text[:500], url=url[:300], urgent=urgent))
    Notification.objects.bulk_create(rows)
    return len(rows)
