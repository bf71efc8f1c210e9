"""Background tasks of the routing app. They take plain arguments and call one service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django_tasks import task

from .services import digest_send


@task()
def digest_send_task(day: str = "") -> dict[str, Any]:
    """Send the daily digest e-mails of ``day`` (ISO date, today by default); safe to run twice."""
    on = date.fromisoformat(day) if day else timezone.localdate()
    result = digest_send(day=on)
    return {"day": on.isoformat(), "sent": result.sent, "failed": result.failed}
