"""Registering incoming documents (NĐ 30/2020 Điều 20–22) and recording how they are handled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.access import role_holders_over
from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import DocumentType, SecrecyLevel, Urgency
from vanphong.catalogs.secrecy import ensure_storable, may_digitise, must_encrypt
from vanphong.core.actions import register_action_labels
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, ValidationError
from vanphong.core.notify import notify, subject_of
from vanphong.ingest.models import FieldCorrection, Intake, IntakeStatus
from vanphong.org.models import Unit
from vanphong.storage.models import Blob
from vanphong.storage.services import blob_encrypt

from ..models import (
    ArrivalSequence,
    IncomingDocument,
    IncomingGrant,
    IncomingStatus,
    Medium,
    OutgoingDocument,
    OutgoingRecipient,
    ResultKind,
)
from ..search import index_incoming

register_action_labels(
    {
        "registry.incoming.register": "Vào sổ văn bản đến",
        "registry.incoming.handling": "Cập nhật giải quyết văn bản đến",
        "registry.incoming.return": "Trả lại văn bản đến",
        "registry.incoming.recalled": "Văn bản đến bị nơi gửi thu hồi",
    }
)

AUDIT_FIELDS = [
    "arrival_year", "arrival_number", "arrived_at", "medium", "number_symbol", "issued_date", "issuer_name",
    "document_type_id", "subject", "signer_name", "urgency_id", "secrecy_id", "page_count", "notes", "blob_id",
    "status", "recipients_label", "forwarded_at", "due_date", "progress_label", "result_kind", "result_note",
    "reply_id", "closed_at", "duplicate_of_id",
]  # fmt: skip

# Số, ký hiệu: Party "57-NQ/TW", State "30/2020/NĐ-CP" or "123/QĐ-BNV"; loose on purpose (old and odd forms
# exist), strict only on what cannot be a number at all.
NUMBER_SYMBOL_RE = re.compile(r"^\d{1,6}[A-Za-zĐđ]?([-/][\wĐđ.&]+)+$")


class DuplicateWarning(ConflictError):  # noqa: N818 - it is a warning the clerk may override
    """The document looks already registered; ``details`` lists the earlier arrivals."""

    code = "duplicate"


@dataclass(frozen=True)
class Duplicate:
    document: IncomingDocument
    reason: str


def incoming_duplicates(
    *,
    unit: Unit,
    number_symbol: str,
    issuer_name: str,
    issued_date: date | None,
    sha256: str | None,
    exclude_pk: int | None = None,
) -> list[Duplicate]:
    """Earlier arrivals in the same register with the same file, or the same (số ký hiệu, cơ quan, ngày)
    (NĐ 30 Phụ lục VI Phần I: warn on duplicate identifier)."""
    found: dict[int, Duplicate] = {}
    base = IncomingDocument.objects.filter(unit=unit).exclude(status=IncomingStatus.RETURNED)
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    if sha256:
        for doc in base.filter(blob_id=sha256)[:5]:
            found[doc.pk] = Duplicate(doc, "cùng nội dung tệp")
    if number_symbol:
        q = Q(number_symbol__iexact=number_symbol.strip(), issuer_name__iexact=issuer_name.strip())
        q &= Q(issued_date=issued_date) if issued_date else Q()
        for doc in base.filter(q)[:5]:
            found.setdefault(doc.pk, Duplicate(doc, "cùng số ký hiệu, cơ quan ban hành và ngày"))
    return list(found.values())


def _next_arrival_number(unit: Unit, year: int) -> int:
    """Lock the (unit, year) sequence row and take the next số đến. Creation races are retried once."""
    seq = ArrivalSequence.objects.select_for_update().filter(unit=unit, year=year).first()
    if seq is None:  # the first arrival of the year
        try:
            with transaction.atomic():
                ArrivalSequence.objects.create(unit=unit, year=year)
        except IntegrityError:
            pass  # another clerk created it at the same moment; it exists now
        seq = ArrivalSequence.objects.select_for_update().get(unit=unit, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


def _clean_fields(
    *, subject: str, issuer_name: str, number_symbol: str, issued_date: date | None, arrived: date
) -> None:
    errors = []
    if not subject.strip():
        errors.append("Chưa có trích yếu văn bản.")
    if not issuer_name.strip():
        errors.append("Chưa có cơ quan ban hành (tác giả).")
    if number_symbol and not NUMBER_SYMBOL_RE.match(number_symbol.strip()):
        errors.append(
            f"Số, ký hiệu “{number_symbol}” không đúng dạng (ví dụ 57-NQ/TW, 30/2020/NĐ-CP, 123/QĐ-BNV)."
        )
    if issued_date and issued_date > arrived:
        errors.append(
            f"Ngày văn bản {issued_date:%d/%m/%Y} sau ngày đến {arrived:%d/%m/%Y}: đề nghị kiểm tra lại."
        )
    if issued_date and issued_date.year < 1930:
        errors.append(f"Ngày văn bản {issued_date:%d/%m/%Y} không hợp lệ.")
    if errors:
        raise ValidationError(" ".join(errors), details=errors)


def incoming_document_register(
    *,
    actor: User | None,
    unit: Unit,
    medium: str,
    subject: str,
    issuer_name: str,
    number_symbol: str = "",
    issued_date: date | None = None,
    document_type: DocumentType | None = None,
    signer_name: str = "",
    urgency: Urgency | None = None,
    secrecy: SecrecyLevel | None = None,
    page_count: int | None = None,
    copies: int = 1,
    notes: str = "",
    intake: Intake | None = None,
    blob: Blob | None = None,
    filename: str = "",
    text: str = "",
    ocr_used: bool = False,
    issuer_unit: Unit | None = None,
    source_recipient: OutgoingRecipient | None = None,
    acknowledge_duplicate: bool = False,
    arrived_at: datetime | None = None,
) -> IncomingDocument:
    """Give the next số đến of ``unit`` for this year and write the register row.

    From an intake the file, text and page count come from the intake, and each confirmed field is compared
    with what the extractor proposed (``FieldCorrection``). A second click on the same intake is refused.
    A probable duplicate raises ``DuplicateWarning`` unless the clerk confirms with ``acknowledge_duplicate``.
    """
    ensure_storable(secrecy)  # before anything is written (internet mode refuses Mật and above)
    arrived_at = arrived_at or timezone.now()
    arrived_day = timezone.localtime(arrived_at).date()
    number_symbol = number_symbol.strip()
    _clean_fields(
        subject=subject, issuer_name=issuer_name, number_symbol=number_symbol, issued_date=issued_date,
        arrived=arrived_day,
    )  # fmt: skip
    if medium not in Medium.values:
        raise ValidationError("Hình thức văn bản đến không hợp lệ.")
    if must_encrypt(secrecy):  # before the register row: a crash-safe rewrite per file, reads stay the same
        shas = [blob.pk if blob is not None else None]
        if intake is not None:
            shas += [intake.blob_id, intake.ocr_blob_id]
        for file_sha in dict.fromkeys(s for s in shas if s):
            blob_encrypt(file_sha, actor=actor)
    with transaction.atomic():
        if intake is not None:
            intake = Intake.objects.select_for_update().get(pk=intake.pk)
            if intake.status == IntakeStatus.REGISTERED:
                done = intake.documents.first()
                label = f" (số đến {done.arrival_number}/{done.arrival_year})" if done else ""
                raise ConflictError(f"Tệp “{intake.filename}” đã được vào sổ{label}.")
            if intake.status != IntakeStatus.READY:
                raise ConflictError(
                    f"Tệp “{intake.filename}” chưa sẵn sàng để vào sổ ({intake.get_status_display()})."
                )
            if intake.unit_id != unit.pk:
                raise ValidationError("Tệp này được tiếp nhận cho đơn vị khác.")
            blob_id: str | None = intake.ocr_blob_id or intake.blob_id
            filename = filename or intake.filename
            text = text or intake.text
            ocr_used = intake.ocr_used
            if not may_digitise(secrecy):  # Tuyệt mật: the original file only, no OCR layer or text
                blob_id, text, ocr_used = intake.blob_id, "", False
            page_count = page_count or intake.page_count
        else:
            blob_id = blob.pk if blob is not None else None
        sha = intake.blob_id if intake is not None else blob_id
        duplicates = incoming_duplicates(
            unit=unit,
            number_symbol=number_symbol,
            issuer_name=issuer_name,
            issued_date=issued_date,
            sha256=sha,
        )
        if duplicates and not acknowledge_duplicate:
            raise DuplicateWarning(
                "Văn bản này có thể đã vào sổ: "
                + "; ".join(
                    f"số đến {d.document.arrival_number}/{d.document.arrival_year} ({d.reason})" for d in duplicates
                )
                + ". Kiểm tra lại, nếu đúng là văn bản khác thì xác nhận vào sổ.",
                details=[{"id": d.document.pk, "arrival_number": d.document.arrival_number,
                          "arrival_year": d.document.arrival_year, "reason": d.reason} for d in duplicates],
            )  # fmt: skip
        year = arrived_day.year
        number = _next_arrival_number(unit, year)
        is_urgent = bool(urgency and urgency.edxml_priority > 0)
        doc = IncomingDocument.objects.create(
            unit=unit, arrival_year=year, arrival_number=number, arrived_at=arrived_at, medium=medium,
            number=number_symbol.split("-")[0].split("/")[0] if number_symbol else "",
            number_symbol=number_symbol, issued_date=issued_date, issuer_name=issuer_name.strip(),
            issuer_unit=issuer_unit, document_type=document_type, subject=subject.strip(),
            signer_name=signer_name.strip(), urgency=urgency, secrecy=secrecy,
            secrecy_rank=secrecy.rank if secrecy else 0, is_urgent=is_urgent, page_count=page_count,
            copies=copies, notes=notes.strip(), intake=intake, blob_id=blob_id, filename=filename, text=text,
            ocr_used=ocr_used, source_recipient=source_recipient,
            duplicate_of=duplicates[0].document if duplicates else None, registered_by=actor,
        )  # fmt: skip
        if intake is not None:
            _record_corrections(intake, doc)
            intake.status = IntakeStatus.REGISTERED
            intake.save(update_fields=["status", "updated_at"])
        if source_recipient is not None:
            OutgoingRecipient.objects.filter(pk=source_recipient.pk).update(received_at=timezone.now())
        index_incoming([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.incoming.register", obj=doc, after=snapshot(doc, AUDIT_FIELDS),
                  unit=unit)  # fmt: skip
        url = reverse("registry:incoming_detail", args=[doc.pk])
        leaders = role_holders_over(unit, [Role.OFFICE_LEADER])
        about = subject_of(doc)  # a notification inherits the document's độ mật (core.notify)
        if is_urgent:
            notify(users=leaders, kind="incoming.urgent", urgent=True, url=url, secrecy_rank=doc.secrecy_rank,
                   text=f"Văn bản đến {urgency.name.upper() if urgency else 'KHẨN'} số {number}: {about}")  # fmt: skip
        else:
            notify(users=leaders, kind="incoming.registered", url=url, secrecy_rank=doc.secrecy_rank,
                   text=f"Văn bản đến số {number} chờ trình: {about}")  # fmt: skip
    return doc


CORRECTION_FIELDS = {
    "number_symbol": lambda d: d.number_symbol,
    "issued_date": lambda d: d.issued_date.isoformat() if d.issued_date else "",
    "issuer": lambda d: d.issuer_name,
    "doc_type": lambda d: d.document_type.name if d.document_type else "",
    "subject": lambda d: d.subject,
    "signer": lambda d: d.signer_name,
    "urgency": lambda d: d.urgency.name if d.urgency else "",
    "secrecy": lambda d: d.secrecy.name if d.secrecy else "",
}


def _norm(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _record_corrections(intake: Intake, doc: IncomingDocument) -> None:
    proposed = intake.proposed or {}
    rows = []
    for field, get in CORRECTION_FIELDS.items():
        before = proposed.get(field) or ""
        after = get(doc)
        rows.append(
            FieldCorrection(
                intake=intake,
                field=field,
                proposed=str(before),
                final=after,
                changed=_norm(before) != _norm(after),
            )
        )
    FieldCorrection.objects.bulk_create(rows)


def incoming_grant(*, document: IncomingDocument, unit: Unit | None = None, user: User | None = None) -> None:
    """Let a unit or a person read the document (need-to-know), idempotently. Called by routing."""
    if unit is None and user is None:
        raise ValueError("unit or user required")
    _grant, created = IncomingGrant.objects.get_or_create(document=document, unit=unit, user=user)
    if created:
        index_incoming([document.pk])  # who may read it changed


_UNSET: Any = object()


def incoming_handling_update(
    *,
    actor: User | None,
    document: IncomingDocument,
    status: str = _UNSET,
    recipients_label: str = _UNSET,
    forwarded_at: datetime | None = _UNSET,
    due_date: date | None = _UNSET,
    progress_label: str = _UNSET,
    result_kind: str = _UNSET,
    result_note: str = _UNSET,
    reply: OutgoingDocument | None = _UNSET,
    closed_at: datetime | None = _UNSET,
    action: str = "registry.incoming.handling",
) -> IncomingDocument:
    """Write the handling columns of the registers (routing calls this). Only the given fields change."""
    changes = {
        k: v
        for k, v in {
            "status": status, "recipients_label": recipients_label, "forwarded_at": forwarded_at,
            "due_date": due_date, "progress_label": progress_label, "result_kind": result_kind,
            "result_note": result_note, "reply": reply, "closed_at": closed_at,
        }.items()
        if v is not _UNSET
    }  # fmt: skip
    if "status" in changes and changes["status"] not in IncomingStatus.values:
        raise ValueError(f"unknown status {changes['status']}")
    if (
        "result_kind" in changes
        and changes["result_kind"]
        and changes["result_kind"] not in ResultKind.values
    ):
        raise ValueError(f"unknown result kind {changes['result_kind']}")
    for key in ("recipients_label", "progress_label"):
        if isinstance(changes.get(key), str):
            changes[key] = str(changes[key])[:500]
    with transaction.atomic():
        doc = IncomingDocument.objects.select_for_update().get(pk=document.pk)
        before = snapshot(doc, AUDIT_FIELDS)
        for k, v in changes.items():
            setattr(doc, k, v)
        doc.save()
        index_incoming([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action=action, obj=doc, before=before, after=snapshot(doc, AUDIT_FIELDS),
                  unit=doc.unit)  # fmt: skip
    return doc


def incoming_return(*, actor: User, document: IncomingDocument, reason: str) -> IncomingDocument:
    """Trả lại văn bản (misaddressed or invalid, NĐ 30 Điều 21); an internal sender is told at once."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do trả lại văn bản.")
    if document.status not in (IncomingStatus.REGISTERED, IncomingStatus.PROPOSED):
        raise ConflictError("Văn bản đã được phân phối giải quyết, không trả lại được.")
    with transaction.atomic():
        doc = incoming_handling_update(
            actor=actor, document=document, status=IncomingStatus.RETURNED, result_note=reason.strip(),
            closed_at=timezone.now(), action="registry.incoming.return",
        )  # fmt: skip
        if doc.source_recipient_id:
            sender = doc.source_recipient.document if doc.source_recipient else None
            if sender is not None and sender.drafted_by is not None:
                notify(users=[sender.drafted_by], kind="outgoing.returned", secrecy_rank=doc.secrecy_rank,
                       url=reverse("registry:outgoing_detail", args=[sender.pk]),
                       text=f"{doc.unit} trả lại văn bản {sender.number_symbol}: {reason.strip()[:200]}")  # fmt: skip
    return doc
