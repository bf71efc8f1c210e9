"""Intake of received files. (Provisional version: the ingest pipeline replaces the internals, keeping the
signature.)"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from vanphong.core.audit import audit_log
from vanphong.org.models import Unit
from vanphong.storage.services import blob_put

from .models import Intake, IntakeSource, IntakeStatus


def intake_create(
    *,
    actor: Any,
    unit: Unit,
    source: str,
    filename: str,
    data: bytes | IO[bytes],
    content_type: str = "",
    proposed: dict[str, Any] | None = None,
    origin: str = "",
) -> Intake:
    """Check the file, store its bytes, create the intake and queue the reading/OCR job (after commit).

    ``proposed`` (internal delivery: the sender's metadata) is kept as the proposal instead of extraction.
    """
    with transaction.atomic():
        blob = blob_put(actor=actor, data=data, content_type=content_type)
        intake = Intake.objects.create(
            unit=unit, created_by=actor, source=source, filename=filename, kind="pdf", blob=blob,
            status=IntakeStatus.READY, proposed=proposed or {}, origin=origin,
        )  # fmt: skip
        audit_log(actor=actor, action="ingest.intake.create", obj=intake, unit=unit,
                  after={"filename": filename, "source": source, "sha256": blob.pk})  # fmt: skip
    assert source in IntakeSource.values
    return intake
