"""In-app notifications. Services call ``notify`` inside their transaction; the row commits with the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Notification


def subject_of(document: Any, limit: int = 200) -> str:
    """What a notification, digest or e-mail may say about a document: its trích yếu, or for a classified one
    only its độ mật (derived material inherits the level of its source; the link leads to the access check)."""
    if getattr(document, "secrecy_rank", 0) > 0:
        level = getattr(getattr(document, "secrecy", None), "name", "") or "mật"
        return f"văn bản độ {level}" if not level.lower().startswith("độ") else f"văn bản {level}"
    return str(getattr(document, "subject", ""))[:limit]


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    text: str,
    url: str = "",
    urgent: bool = False,
    secrecy_rank: int = 0,
) -> int:
    """Create one notification per distinct active user; returns how many were created. About a classified item
    (``secrecy_rank`` > 0) only users cleared for it are notified, and ``text`` must not quote its content
    (``subject_of``)."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        if secrecy_rank > 0 and getattr(user, "clearance", 0) < secrecy_rank:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, text=text[:500], url=url[:300], urgent=urgent))
    Notification.objects.bulk_create(rows)
    return len(rows)
