"""Writes of the ingest app: receive a file, read it, retry or discard it.

``intake_create`` checks the file synchronously (``preflight``): a bad file raises ``ValidationError`` and nothing
is stored — no blob, no row, no job. A good file is stored by hash and gets an ``Intake``:

- born-digital files (a PDF with a text layer, DOCX) are read **inline** — the text is already in hand after
  preflight and metadata extraction takes milliseconds — so the intake is ``READY`` when the call returns
  (``VANPHONG_INGEST_INLINE = False`` sends them to the background like scans);
- scans and images are ``QUEUED`` and ``intake_process_task(intake_id)`` is enqueued after commit; OCR never
  runs in a request.

``intake_process`` (the task's body) claims a queued intake, reads it outside any transaction (OCR may take
minutes), then writes text, proposal and the OCR PDF in one transaction — or marks it ``FAILED`` with a
Vietnamese message and writes nothing else. Every change is audited in the same transaction.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, ValidationError, VanphongError
from vanphong.org.models import Unit
from vanphong.storage.services import blob_put, blob_read

from .models import Intake, IntakeSource, IntakeStatus
from .ocr import OcrBackend
from .pipeline import Document, read_document
from .preflight import PreflightResult, preflight, read_limited

logger = logging.getLogger(__name__)

AUDIT_FIELDS = [
    "unit", "source", "filename", "kind", "blob", "ocr_blob", "status", "error", "needs_ocr", "ocr_used",
    "page_count", "origin",
]  # fmt: skip
UNEXPECTED = "Lỗi không mong đợi khi đọc tệp. Hãy bấm “Thử lại”; nếu vẫn lỗi, báo quản trị hệ thống."
OPEN_FOR_DISCARD = (IntakeStatus.QUEUED, IntakeStatus.PROCESSING, IntakeStatus.READY, IntakeStatus.FAILED)


def _clean_filename(filename: str) -> str:
    name = PurePath(str(filename).replace("\\", "/")).name.strip() or "tep-khong-ten"
    if len(name) > 255:
        stem, suffix = PurePath(name).stem, PurePath(name).suffix[:20]
        name = stem[: 255 - len(suffix)] + suffix
    return name


def _inline(checked: PreflightResult) -> bool:
    return bool(getattr(settings, "VANPHONG_INGEST_INLINE", True)) and not checked.needs_ocr


def _apply(intake: Intake, doc: Document) -> None:
    intake.text = doc.text
    intake.page_count = doc.page_count or intake.page_count
    intake.ocr_used = doc.ocr_used
    intake.needs_ocr = doc.checked.needs_ocr
    intake.proposed = doc.metadata


def _enqueue(intake_id: int) -> None:
    """Queue the reading job (after commit). A queue that refuses leaves the intake QUEUED and logged: the file
    is stored and ``intake_process`` can be run for it later; the upload itself has succeeded."""
    from .tasks import intake_process_task  # the task module imports this one

    try:
        result = intake_process_task.enqueue(intake_id)
    except Exception:
        logger.exception("could not queue the reading of intake %s", intake_id)
        return
    Intake.objects.filter(pk=intake_id).update(task_result_id=str(result.id)[:64])


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
    """Check the file, store its bytes, create the intake and read it (inline when born-digital, otherwise
    the reading/OCR job is queued after commit). ``proposed`` (internal delivery: the sender's metadata) is kept;
    extraction only fills the keys it lacks. ``content_type`` as declared by the client is ignored in favour of
    the type found in the bytes."""
    if source not in IntakeSource.values:
        raise ValidationError("Nguồn tiếp nhận không hợp lệ.", code="invalid_source")
    filename = _clean_filename(filename)
    raw = read_limited(data, filename=filename)
    checked = preflight(data=raw, filename=filename)
    doc: Document | None = None
    if _inline(checked):
        try:
            doc = read_document(raw, filename=filename, checked=checked, given=proposed)
        except Exception:  # an extractor bug must not lose the upload: the background job records it
            logger.exception("inline reading of %s failed; queued instead", filename)
            doc = None
    with transaction.atomic():
        blob = blob_put(actor=actor, data=raw, content_type=checked.content_type)
        intake = Intake(
            unit=unit, created_by=actor, source=source, filename=filename, kind=checked.kind, blob=blob,
            needs_ocr=checked.needs_ocr, page_count=checked.page_count, proposed=dict(proposed or {}),
            origin=origin[:100], status=IntakeStatus.QUEUED,
        )  # fmt: skip
        if doc is not None:
            _apply(intake, doc)
            intake.status = IntakeStatus.READY
        intake.save()
        audit_log(
            actor=actor, action="ingest.intake.create", obj=intake, unit=unit,
            after={**snapshot(intake, AUDIT_FIELDS), "sha256": blob.pk, "inline": doc is not None},
        )  # fmt: skip
        if doc is None:
            transaction.on_commit(partial(_enqueue, intake.pk))
    if doc is None:
        intake.refresh_from_db()  # the job may already have run (immediate backend, or a fast worker)
    return intake


def _fail(intake_id: int, message: str) -> Intake | None:
    with transaction.atomic():
        intake = Intake.objects.select_for_update().filter(pk=intake_id).first()
        if intake is None or intake.status != IntakeStatus.PROCESSING:
            return intake
        before = snapshot(intake, AUDIT_FIELDS)
        intake.status = IntakeStatus.FAILED
        intake.error = message[:500]
        intake.save(update_fields=["status", "error", "updated_at"])
        audit_log(actor=None, action="ingest.intake.fail", obj=intake, before=before,
                  after=snapshot(intake, AUDIT_FIELDS))  # fmt: skip
    return intake


def intake_process(*, intake_id: int, ocr_backend: OcrBackend | None = None) -> Intake | None:
    """Read a queued intake (OCR when needed) and store text, proposal and the OCR PDF; ``READY`` or ``FAILED``.

    Idempotent: an intake that is not ``QUEUED`` (already read, discarded, taken by another worker) is returned
    untouched; ``None`` when it does not exist. Discarding while it is being read wins: the result is dropped."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().filter(pk=intake_id).first()
        if intake is None or intake.status != IntakeStatus.QUEUED:
            return intake
        intake.status = IntakeStatus.PROCESSING  # a claim, not office data: not audited
        intake.save(update_fields=["status", "updated_at"])
    try:
        data = blob_read(intake.blob_id)
        doc = read_document(data, filename=intake.filename, ocr_backend=ocr_backend, given=intake.proposed)
    except VanphongError as exc:
        return _fail(intake_id, exc.message)
    except Exception:
        logger.exception("reading intake %s failed", intake_id)
        return _fail(intake_id, UNEXPECTED)
    try:
        with transaction.atomic():
            intake = Intake.objects.select_for_update().get(pk=intake_id)
            if intake.status != IntakeStatus.PROCESSING:
                return intake
            before = snapshot(intake, AUDIT_FIELDS)
            if (
                doc.ocr_pdf is not None
            ):  # inside the transaction: a rollback leaves only an orphan file for gc
                intake.ocr_blob = blob_put(actor=None, data=doc.ocr_pdf, content_type="application/pdf")
            _apply(intake, doc)
            intake.status = IntakeStatus.READY
            intake.error = ""
            intake.save()
            audit_log(actor=None, action="ingest.intake.process", obj=intake, before=before,
                      after={**snapshot(intake, AUDIT_FIELDS), "ocr_engine": doc.ocr_engine})  # fmt: skip
    except Exception:
        logger.exception("storing the reading of intake %s failed", intake_id)
        return _fail(intake_id, UNEXPECTED)
    return intake


def intake_retry(*, actor: Any, intake: Intake) -> Intake:
    """Queue a ``FAILED`` intake again (after commit); anything else is refused."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status != IntakeStatus.FAILED:
            raise ConflictError(
                f"Chỉ thử lại được tệp đang lỗi; tệp “{locked.filename}” đang ở trạng thái "
                f"“{locked.get_status_display()}”.",
                code="not_failed",
            )
        before = snapshot(locked, AUDIT_FIELDS)
        locked.status = IntakeStatus.QUEUED
        locked.error = ""
        locked.save(update_fields=["status", "error", "updated_at"])
        audit_log(actor=actor, action="ingest.intake.retry", obj=locked, before=before,
                  after=snapshot(locked, AUDIT_FIELDS))  # fmt: skip
        transaction.on_commit(partial(_enqueue, locked.pk))
    locked.refresh_from_db()
    return locked


def intake_discard(*, actor: Any, intake: Intake, reason: str = "") -> Intake:
    """Hủy a received file that will not be registered; the stored bytes stay (the audit trail names them)."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status not in OPEN_FOR_DISCARD:
            raise ConflictError(
                f"Tệp “{locked.filename}” đã {locked.get_status_display().lower()}, không hủy được.",
                code="not_discardable",
            )
        before = snapshot(locked, AUDIT_FIELDS)
        locked.status = IntakeStatus.DISCARDED
        locked.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="ingest.intake.discard", obj=locked, before=before,
                  after={**snapshot(locked, AUDIT_FIELDS), "reason": reason.strip()[:500]})  # fmt: skip
    return locked
