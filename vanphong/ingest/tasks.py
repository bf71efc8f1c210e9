"""Background work of the ingest app. Tasks take ids, re-read the intake and call one service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .models import IntakeStatus
from .services import intake_process


@task()
def intake_process_task(intake_id: int) -> dict[str, Any]:
    """Read (OCR when needed) the intake ``intake_id``; the result says where it ended up."""
    intake = intake_process(intake_id=intake_id)
    if intake is None:
        return {"ok": False, "status": "missing", "error": ""}
    return {"ok": intake.status == IntakeStatus.READY, "status": intake.status, "error": intake.error}
