"""Văn bản đi (NĐ 30/2020 Điều 14–19; 36-HD/VPTW): drafts, review and approval along the flow declared in the
catalogue (``catalogs.ReviewStep``), the signed file, numbering and issue with delivery into the incoming queue
of internal recipients, number reservations (lấy số trước), recall (thu hồi), cancel, and the format check.

Every write is one transaction with its audit record and notifications. A recalled document is frozen: every
service here refuses to change it. Files are checked (magic bytes, size, readability) before anything is
stored, so a refused upload leaves no blob behind.

The ``can_*`` helpers and the review/issue queues at the end extend ``registry.access`` for the outgoing side.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.access import effective_roles, has_role, role_holders, role_scopes
from vanphong.accounts.models import Role, RoleAssignment, User
from vanphong.catalogs.models import (
    AuthorityRule,
    DocumentType,
    IssuerKind,
    IssuerSymbol,
    NumberBook,
    NumberStyle,
    SecrecyLevel,
    Urgency,
)
from vanphong.catalogs.selectors import authority_allows, number_books_for_unit, review_flow
from vanphong.catalogs.services import format_symbol, number_allocate
from vanphong.core.actions import register_action_labels
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.core.notify import notify
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.ingest.preflight import detect_format, preflight, read_pdf
from vanphong.ingest.services import intake_create, intake_discard
from vanphong.ingest.text import join_pages
from vanphong.org.models import Unit, UnitLevel, validate_organ_id
from vanphong.storage.services import blob_put, blob_read

from ..access import access_outgoing, can_issue_outgoing, outgoing_visible_to
from ..models import (
    IncomingDocument,
    IncomingGrant,
    IncomingStatus,
    NumberReservation,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingReview,
    OutgoingStatus,
    ReservationStatus,
    ReviewDecision,
)
from .incoming import incoming_handling_update

ACTION_LABELS = {
    "registry.outgoing": "Văn bản đi",
    "registry.outgoing.draft_create": "Tạo dự thảo văn bản đi",
    "registry.outgoing.draft_update": "Sửa dự thảo văn bản đi",
    "registry.outgoing.submit": "Trình thẩm định, duyệt văn bản đi",
    "registry.outgoing.review": "Cho ý kiến dự thảo văn bản đi",
    "registry.outgoing.sign": "Tải lên bản văn bản đi đã ký",
    "registry.outgoing.issue": "Cấp số, phát hành văn bản đi",
    "registry.outgoing.recall": "Thu hồi văn bản đi",
    "registry.outgoing.cancel": "Hủy dự thảo văn bản đi",
    "registry.number.reserve": "Giữ số văn bản đi (lấy số trước)",
    "registry.number.reservation_cancel": "Hủy số đã giữ",
    "registry.incoming.recalled": "Văn bản đến bị nơi gửi thu hồi",
    "registry.incoming.replied": "Ghi văn bản trả lời cho văn bản đến",
}
# Registered on import (the views import this module when the URLs load); the registry AppConfig may take it.
register_action_labels(ACTION_LABELS)

AUDIT_FIELDS = [
    "unit_id", "document_type_id", "number_book_id", "number", "number_symbol", "issued_date", "subject",
    "signer_id", "signer_name", "signer_title", "urgency_id", "secrecy_id", "copies", "file_copy_holder",
    "reply_due_date", "notes", "in_reply_to_id", "draft_blob_id", "draft_filename", "signed_blob_id",
    "signed_filename", "status", "issued_by_id", "issued_at", "recalled_at", "recall_reason",
]  # fmt: skip

EDITABLE = (OutgoingStatus.DRAFT, OutgoingStatus.RETURNED)
BEFORE_ISSUE = (
    OutgoingStatus.DRAFT, OutgoingStatus.RETURNED, OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED,
    OutgoingStatus.SIGNED,
)  # fmt: skip
ISSUABLE = (OutgoingStatus.APPROVED, OutgoingStatus.SIGNED)
FROZEN_MESSAGE = "Văn bản đã bị thu hồi, không sửa được."
CANCELLED_MESSAGE = "Văn bản đã bị hủy, không sửa được."
ORIGIN_PREFIX = "registry.outgoingrecipient:"

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_TEXT_PAGES = 300
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 .doc
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SRC_HD36 = "HD 36-HD/VPTW (thể thức văn bản của Đảng)"
SRC_NĐ30 = "NĐ 30/2020/NĐ-CP Điều 15–16"
SRC_AUTHORITY_DEFAULT = "66-QĐ/TW Điều 7; 399-QĐ/TW"


# --- value types ---------------------------------------------------------------------------------------


class FileIn(NamedTuple):
    """An uploaded file: its bytes and the name the user gave it."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class RecipientIn:
    """One nơi nhận: an internal unit, or an external organisation by mã định danh (``organ_id``) and name."""

    name: str = ""
    unit: Unit | None = None
    organ_id: str = ""


@dataclass(frozen=True)
class FormatWarning:
    """One finding of the format check. ``blocking`` findings stop the submission for review."""

    code: str
    message: str
    field: str = ""
    blocking: bool = False
    source: str = ""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    filename: str
    kind: str
    text: str
    pages: int | None


# --- files -----------------------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    """Largest accepted draft or signed file (setting ``VANPHONG_OUTGOING_MAX_BYTES``, 50 MB by default)."""
    return int(getattr(settings, "VANPHONG_OUTGOING_MAX_BYTES", DEFAULT_MAX_BYTES))


def safe_filename(name: str, kind: str) -> str:
    """The base name without folders or control characters, at most 200 characters, with the right extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if ext.lower() != kind:
        stem = base
    stem = stem[:190] or ("van-ban-da-ky" if kind == "pdf" else "du-thao")
    return f"{stem}.{kind}"


def check_file(data: bytes, filename: str, *, pdf_only: bool = False) -> CheckedFile:
    """Check an uploaded draft or signed file by its bytes (never by its name) and read its text.

    Only PDF (and DOCX for drafts) are accepted here; reading them — corrupt or encrypted PDFs, DOCX zip bombs
    and malformed XML — is the ingest preflight, the same check every received file goes through.
    """
    name = (filename or "").strip() or "tệp"
    if not data:
        raise ValidationError(f"Tệp “{name}” rỗng (0 byte), hãy chọn lại tệp.", code="empty_file")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ValidationError(
            f"Tệp “{name}” dung lượng {len(data) / 1048576:.1f} MB, vượt giới hạn {limit / 1048576:g} MB.",
            code="too_big",
        )
    fmt = detect_format(data)
    wanted = "tệp PDF" if pdf_only else "tệp DOCX hoặc PDF"
    if fmt == "doc":
        raise ValidationError(
            f"Tệp “{name}” là định dạng Word cũ (.doc). Hãy lưu lại thành {wanted} rồi tải lên.",
            code="bad_type",
        )
    if fmt == "zip" and not pdf_only and not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(f"Tệp DOCX “{name}” bị hỏng, không đọc được.", code="docx_broken")
    if fmt != "pdf" and (pdf_only or fmt != "docx"):
        if pdf_only:
            raise ValidationError(f"Bản đã ký phải là tệp PDF; “{name}” không phải tệp PDF.", code="bad_type")
        raise ValidationError(
            f"Tệp “{name}” không phải {wanted}. Dự thảo chỉ nhận tệp .docx hoặc .pdf.", code="bad_type"
        )
    kind = str(fmt)
    clean_name = safe_filename(name, kind)
    if kind == "pdf":  # the text layer however thin: a draft is not sent to OCR
        pages, _encrypted = read_pdf(data, clean_name)
        return CheckedFile(data, clean_name, kind, join_pages(pages).strip(), len(pages))
    checked = preflight(data=data, filename=clean_name)
    return CheckedFile(data, clean_name, kind, checked.text, checked.page_count)


# --- who may do what --------------------------------------------------------------------------------------


def _own_bodies(unit: Unit) -> list[Unit]:
    """``unit`` and the units above it up to its cấp ủy or đảng ủy (the first unit that is not a phòng, ban,
    văn phòng or chi bộ), nearest first: Phòng Tổng hợp → Văn phòng Tỉnh ủy → Tỉnh ủy; a commune stops at itself."""
    chain = sorted(Unit.objects.filter(pk__in=unit.ancestor_ids), key=lambda u: -u.depth)
    out: list[Unit] = []
    for u in chain:
        if u.level == UnitLevel.CENTRAL:
            break
        out.append(u)
        if u.level not in (UnitLevel.DEPARTMENT, UnitLevel.CELL):
            break
    return out


def draft_units(user: User) -> list[Unit]:
    """Units in whose name the user may draft: their own unit and the bodies above it up to their cấp ủy (a
    specialist of the Văn phòng drafts for the Văn phòng or the Tỉnh ủy), plus the units where they are văn thư
    or lead the office; nearest first."""
    units = _own_bodies(user.unit) if user.unit is not None else []
    for scope in role_scopes(user, Role.CLERK, Role.OFFICE_LEADER):
        if scope.pk not in {u.pk for u in units}:
            units.append(scope)
    return units


def can_draft_outgoing(user: User, unit: Unit) -> bool:
    if user.is_superuser:
        return True
    if user.unit is not None and unit.pk in {u.pk for u in _own_bodies(user.unit)}:
        return True
    return has_role(user, Role.CLERK, unit) or has_role(user, Role.OFFICE_LEADER, unit)


def _is_manager(user: User, unit: Unit) -> bool:
    return (
        user.is_superuser
        or can_issue_outgoing(user, unit)
        or has_role(user, Role.OFFICE_LEADER, unit)
        or has_role(user, Role.COMMITTEE_LEADER, unit)
    )


def _drafter_or_clerk(user: User, document: OutgoingDocument) -> bool:
    return user.is_superuser or document.drafted_by_id == user.pk or can_issue_outgoing(user, document.unit)


def can_edit_outgoing(user: User, document: OutgoingDocument) -> bool:
    """The drafter, văn thư of the issuing unit, or a superuser — while the draft is open (edit and trình)."""
    return document.status in EDITABLE and _drafter_or_clerk(user, document)


def _review_units(document: OutgoingDocument) -> list[Unit]:
    """Units over which a reviewer must hold the step's role: the issuing unit, and the drafter's own
    department when it lies inside the issuing unit (thẩm định by the head of the drafting phòng/ban)."""
    units = [document.unit]
    drafter_unit = document.drafted_by.unit if document.drafted_by_id and document.drafted_by else None
    if (
        drafter_unit is not None
        and drafter_unit.pk != document.unit_id
        and drafter_unit.is_within(document.unit)
    ):
        units.append(drafter_unit)
    return units


def can_decide_review(user: User, document: OutgoingDocument, role: str) -> bool:
    if user.is_superuser:
        return True
    if user.clearance < document.secrecy_rank:
        return False
    return any(has_role(user, role, u) for u in _review_units(document))


def can_upload_signed(user: User, document: OutgoingDocument) -> bool:
    if document.status not in ISSUABLE:
        return False
    return (
        user.is_superuser
        or document.signer_id == user.pk
        or document.drafted_by_id == user.pk
        or can_issue_outgoing(user, document.unit)
    )


def can_recall_outgoing(user: User, document: OutgoingDocument) -> bool:
    return document.status == OutgoingStatus.ISSUED and _is_manager(user, document.unit)


def can_cancel_outgoing(user: User, document: OutgoingDocument) -> bool:
    if document.status not in BEFORE_ISSUE:
        return False
    return document.drafted_by_id == user.pk or _is_manager(user, document.unit)


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _labelled(reviews: list[OutgoingReview]) -> list[OutgoingReview]:
    for r in reviews:
        r.role_label = role_label(r.role)  # type: ignore[attr-defined]
    return reviews


def current_stage(document: OutgoingDocument) -> list[OutgoingReview]:
    """The pending steps of the lowest order in the current round (several when steps run in parallel)."""
    pending = list(document.reviews.filter(decision=ReviewDecision.PENDING).order_by("order", "pk"))
    if not pending:
        return []
    first = pending[0].order
    return _labelled([r for r in pending if r.order == first])


def reviews_for(user: User, document: OutgoingDocument) -> list[OutgoingReview]:
    """The pending steps this user may decide now."""
    if document.status != OutgoingStatus.IN_REVIEW:
        return []
    return [r for r in current_stage(document) if can_decide_review(user, document, r.role)]


def access_outgoing_for_user(user: User, pk: int) -> OutgoingDocument:
    """``access_outgoing``, widened to a reviewer whose step is waiting (the head of the drafting department
    is not always visible through ``outgoing_visible_to``)."""
    try:
        return access_outgoing(user, pk)
    except NotFound:
        if not user.is_authenticated:
            raise
        doc = (
            OutgoingDocument.objects.select_related(
                "unit", "document_type", "urgency", "secrecy", "signer", "drafted_by__unit"
            )
            .filter(pk=pk, status=OutgoingStatus.IN_REVIEW, secrecy_rank__lte=user.clearance)
            .first()
        )
        if doc is not None and reviews_for(user, doc):
            return doc
        raise


# --- helpers ----------------------------------------------------------------------------------------------


def _detail_url(document: OutgoingDocument) -> str:
    return reverse("registry:outgoing_detail", args=[document.pk])


def _role_holders(role: str, units: Iterable[Unit], *, min_clearance: int = 0) -> list[User]:
    """Active users holding ``role`` (directly or by delegation today) over any of ``units``."""
    ids = {i for u in units for i in u.ancestor_ids}
    return role_holders([role], ids, min_clearance=min_clearance)


def _clerks_of(unit: Unit) -> list[User]:
    """Văn thư of ``unit``: those assigned at the nearest level of the unit's chain that has any."""
    chain = unit.ancestor_ids
    rows = list(
        RoleAssignment.objects.filter(role=Role.CLERK, unit_id__in=chain).values_list("unit_id", "user_id")
    )
    if not rows:
        return []
    nearest = max(rows, key=lambda r: chain.index(r[0]))[0]
    ids = [uid for unit_id, uid in rows if unit_id == nearest]
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _guard_open(document: OutgoingDocument) -> None:
    if document.status == OutgoingStatus.RECALLED:
        raise ConflictError(FROZEN_MESSAGE, code="recalled")
    if document.status == OutgoingStatus.CANCELLED:
        raise ConflictError(CANCELLED_MESSAGE, code="cancelled")


def _lock(document: OutgoingDocument) -> OutgoingDocument:
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("unit", "document_type", "drafted_by__unit", "signer", "urgency", "secrecy")
        .get(pk=document.pk)
    )


def _clean_recipients(recipients: Sequence[RecipientIn | Unit]) -> list[RecipientIn]:
    out: list[RecipientIn] = []
    seen: set[tuple[Any, ...]] = set()
    errors: list[str] = []
    for r in recipients:
        spec = RecipientIn(name=r.name, unit=r) if isinstance(r, Unit) else r
        name = (spec.name or (spec.unit.name if spec.unit else "")).strip()[:300]
        organ_id = spec.organ_id.strip()
        if spec.unit is None and not name:
            errors.append("Nơi nhận bên ngoài cần có tên.")
            continue
        if organ_id:
            try:
                validate_organ_id(organ_id)
            except DjangoValidationError:
                errors.append(f"Mã định danh “{organ_id}” của “{name}” phải có dạng 000.00.00.A00.")
                continue
        key = ("unit", spec.unit.pk) if spec.unit else ("ext", organ_id or name.casefold())
        if key in seen:
            continue
        seen.add(key)
        out.append(RecipientIn(name=name, unit=spec.unit, organ_id="" if spec.unit else organ_id))
    if errors:
        raise ValidationError(" ".join(errors), details=errors)
    return out


def _write_recipients(document: OutgoingDocument, recipients: list[RecipientIn]) -> None:
    document.recipients.all().delete()
    OutgoingRecipient.objects.bulk_create(
        [
            OutgoingRecipient(document=document, unit=r.unit, organ_id=r.organ_id, name=r.name)
            for r in recipients
        ]
    )


def _recipients_snapshot(document: OutgoingDocument) -> list[dict[str, Any]]:
    return [{"unit": r.unit_id, "organ_id": r.organ_id, "name": r.name} for r in document.recipients.all()]


def _apply_signer(
    document: OutgoingDocument, signer: User | None, signer_name: str, signer_title: str
) -> None:
    document.signer = signer
    document.signer_name = (signer_name or (signer.get_full_name() if signer else "")).strip()[:120]
    title = signer_title or (
        signer.position.name if signer and signer.position_id and signer.position else ""
    )
    document.signer_title = title.strip()[:200]


def _check_secrecy(actor: User, secrecy: SecrecyLevel | None) -> None:
    if secrecy is not None and not actor.is_superuser and actor.clearance < secrecy.rank:
        raise PermissionDenied(
            f"Bạn chỉ được tiếp cận đến độ mật thấp hơn “{secrecy.name}”, không soạn được văn bản độ mật này."
        )


# --- drafts -----------------------------------------------------------------------------------------------


def outgoing_draft_create(
    *,
    actor: User,
    unit: Unit,
    document_type: DocumentType,
    subject: str,
    file: tuple[bytes, str] | None = None,
    urgency: Urgency | None = None,
    secrecy: SecrecyLevel | None = None,
    signer: User | None = None,
    signer_name: str = "",
    signer_title: str = "",
    in_reply_to: IncomingDocument | None = None,
    recipients: Sequence[RecipientIn | Unit] = (),
    copies: int = 1,
    file_copy_holder: str = "",
    reply_due_date: date | None = None,
    notes: str = "",
) -> OutgoingDocument:
    """Create a draft văn bản đi of ``unit`` (status DRAFT) with its recipients and, optionally, the draft
    file (DOCX or PDF, checked before it is stored)."""
    if not can_draft_outgoing(actor, unit):
        raise PermissionDenied(f"Bạn không soạn thảo văn bản nhân danh {unit.name}.")
    if not document_type.active:
        raise ValidationError(f"Thể loại “{document_type.name}” đã ngừng sử dụng.")
    if not subject.strip():
        raise ValidationError("Chưa có trích yếu nội dung văn bản.")
    if copies < 1:
        raise ValidationError("Số lượng bản phải từ 1 trở lên.")
    _check_secrecy(actor, secrecy)
    cleaned = _clean_recipients(recipients)
    checked = check_file(file[0], file[1]) if file is not None else None
    with transaction.atomic():
        doc = OutgoingDocument(
            unit=unit, document_type=document_type, subject=subject.strip(), urgency=urgency, secrecy=secrecy,
            secrecy_rank=secrecy.rank if secrecy else 0, in_reply_to=in_reply_to, copies=copies,
            file_copy_holder=file_copy_holder.strip()[:200], reply_due_date=reply_due_date,
            notes=notes.strip()[:500], drafted_by=actor, status=OutgoingStatus.DRAFT,
        )  # fmt: skip
        _apply_signer(doc, signer, signer_name, signer_title)
        if checked is not None:
            blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES[checked.kind])
            doc.draft_blob, doc.draft_filename, doc.text = blob, checked.filename, checked.text
        doc.save()
        _write_recipients(doc, cleaned)
        audit_log(actor=actor, action="registry.outgoing.draft_create", obj=doc, unit=unit,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)})  # fmt: skip
    return doc


_UNSET: Any = object()


def outgoing_draft_update(
    *,
    actor: User,
    document: OutgoingDocument,
    document_type: DocumentType = _UNSET,
    subject: str = _UNSET,
    file: tuple[bytes, str] | None = _UNSET,
    urgency: Urgency | None = _UNSET,
    secrecy: SecrecyLevel | None = _UNSET,
    signer: User | None = _UNSET,
    signer_name: str = _UNSET,
    signer_title: str = _UNSET,
    in_reply_to: IncomingDocument | None = _UNSET,
    recipients: Sequence[RecipientIn | Unit] = _UNSET,
    copies: int = _UNSET,
    file_copy_holder: str = _UNSET,
    reply_due_date: date | None = _UNSET,
    notes: str = _UNSET,
) -> OutgoingDocument:
    """Change a draft (only while DRAFT or RETURNED). Only the given fields change; ``file=None`` keeps the
    current draft file, a new file replaces it; ``recipients`` replaces the whole list."""
    _guard_open(document)
    if document.status not in EDITABLE:
        raise ConflictError(
            f"Văn bản đang ở trạng thái “{document.get_status_display()}”, chỉ sửa được khi là dự thảo "
            "hoặc đã bị trả lại.",
            code="not_editable",
        )
    if not _drafter_or_clerk(actor, document):
        raise PermissionDenied("Chỉ người soạn thảo hoặc văn thư của đơn vị được sửa dự thảo này.")
    if subject is not _UNSET and not subject.strip():
        raise ValidationError("Chưa có trích yếu nội dung văn bản.")
    if copies is not _UNSET and copies < 1:
        raise ValidationError("Số lượng bản phải từ 1 trở lên.")
    if document_type is not _UNSET and not document_type.active:
        raise ValidationError(f"Thể loại “{document_type.name}” đã ngừng sử dụng.")
    if secrecy is not _UNSET:
        _check_secrecy(actor, secrecy)
    cleaned = _clean_recipients(recipients) if recipients is not _UNSET else None
    checked = check_file(file[0], file[1]) if file is not _UNSET and file is not None else None
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status not in EDITABLE:
            raise ConflictError("Văn bản vừa được trình hoặc thay đổi trạng thái, không sửa được nữa.")
        before = {**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)}
        simple = {"document_type": document_type, "urgency": urgency, "in_reply_to": in_reply_to,
                  "copies": copies, "reply_due_date": reply_due_date}  # fmt: skip
        for name, value in simple.items():
            if value is not _UNSET:
                setattr(doc, name, value)
        if subject is not _UNSET:
            doc.subject = subject.strip()
        if file_copy_holder is not _UNSET:
            doc.file_copy_holder = file_copy_holder.strip()[:200]
        if notes is not _UNSET:
            doc.notes = notes.strip()[:500]
        if secrecy is not _UNSET:
            doc.secrecy, doc.secrecy_rank = secrecy, (secrecy.rank if secrecy else 0)
        if signer is not _UNSET or signer_name is not _UNSET or signer_title is not _UNSET:
            new_signer = doc.signer if signer is _UNSET else signer
            changed = signer is not _UNSET and getattr(signer, "pk", None) != doc.signer_id
            name = signer_name if signer_name is not _UNSET else ("" if changed else doc.signer_name)
            title = signer_title if signer_title is not _UNSET else ("" if changed else doc.signer_title)
            _apply_signer(doc, new_signer, name, title)
        if checked is not None:
            blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES[checked.kind])
            doc.draft_blob, doc.draft_filename, doc.text = blob, checked.filename, checked.text
        doc.save()
        if cleaned is not None:
            _write_recipients(doc, cleaned)
        audit_log(actor=actor, action="registry.outgoing.draft_update", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)})  # fmt: skip
    return doc


# --- review and approval ------------------------------------------------------------------------------------


def _notify_stage(document: OutgoingDocument, stage: list[OutgoingReview]) -> None:
    units = _review_units(document)
    users: list[User] = []
    for review in stage:
        users += _role_holders(review.role, units, min_clearance=document.secrecy_rank)
    names = ", ".join(sorted({r.name for r in stage}))
    notify(users=users, kind="outgoing.review", url=_detail_url(document),
           urgent=bool(document.urgency and document.urgency.edxml_priority > 0),
           text=f"Dự thảo chờ cho ý kiến ({names}): {document.subject[:200]}")  # fmt: skip


def outgoing_submit(*, actor: User, document: OutgoingDocument) -> OutgoingDocument:
    """Trình: copy the review flow of the catalogue (for this type and unit) into a new round of review steps
    and tell the first reviewers. A blocking format finding (type outside the body's authority) refuses it.
    A flow with no active step approves the draft at once."""
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.IN_REVIEW:
            raise ConflictError("Văn bản đã được trình, đang chờ ý kiến.", code="already_submitted")
        if doc.status not in EDITABLE:
            raise ConflictError(
                f"Văn bản đang ở trạng thái “{doc.get_status_display()}”, không trình lại được."
            )
        if not _drafter_or_clerk(actor, doc):
            raise PermissionDenied("Chỉ người soạn thảo hoặc văn thư của đơn vị được trình dự thảo.")
        blocking = [w for w in outgoing_format_check(doc) if w.blocking]
        if blocking:
            raise ValidationError(
                "Chưa trình được: " + " ".join(w.message for w in blocking),
                details=[w.code for w in blocking],
            )
        before = snapshot(doc, ["status"])
        last_round = doc.reviews.order_by("-round").values_list("round", flat=True).first() or 0
        flow = review_flow(doc.document_type, doc.unit)
        rows = OutgoingReview.objects.bulk_create(
            [OutgoingReview(document=doc, round=last_round + 1, order=s.order, name=s.name, role=s.role)
             for s in flow]
        )  # fmt: skip
        doc.status = OutgoingStatus.IN_REVIEW if rows else OutgoingStatus.APPROVED
        doc.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="registry.outgoing.submit", obj=doc, before=before,
                  after={"status": doc.status, "round": last_round + 1,
                         "flow": [{"order": s.order, "name": s.name, "role": s.role, "step": s.pk} for s in flow]})  # fmt: skip
        if rows:
            _notify_stage(doc, current_stage(doc))
        else:
            _notify_approved(doc)
    return doc


def _notify_approved(document: OutgoingDocument) -> None:
    users = [u for u in (document.drafted_by, document.signer) if u is not None]
    notify(users=users, kind="outgoing.approved", url=_detail_url(document),
           text=f"Dự thảo đã được duyệt, chờ ký: {document.subject[:200]}")  # fmt: skip


def outgoing_review_decide(
    *, actor: User, review: OutgoingReview, decision: str, comment: str = ""
) -> OutgoingReview:
    """Cho ý kiến on one step: ``approved`` (đồng ý) or ``rejected`` (trả lại, with a comment). Only a holder of
    the step's role over the document's unit (or the drafting department), and only for the current step.
    Returning sends the draft back to the drafter (RETURNED); the last approval makes it APPROVED."""
    if decision not in (ReviewDecision.APPROVED, ReviewDecision.REJECTED):
        raise ValidationError("Ý kiến phải là đồng ý hoặc trả lại.")
    comment = comment.strip()
    if decision == ReviewDecision.REJECTED and not comment:
        raise ValidationError("Khi trả lại dự thảo cần ghi nhận xét để người soạn thảo sửa.")
    with transaction.atomic():
        doc = _lock(review.document)
        _guard_open(doc)
        step = OutgoingReview.objects.select_for_update().get(pk=review.pk)
        if step.decision != ReviewDecision.PENDING:
            who = step.reviewer.get_full_name() if step.reviewer else "người khác"
            raise ConflictError(
                f"Bước “{step.name}” đã có ý kiến “{step.get_decision_display()}” của {who}.", code="decided"
            )
        if doc.status != OutgoingStatus.IN_REVIEW:
            raise ConflictError("Văn bản không còn ở bước thẩm định, duyệt.")
        stage = current_stage(doc)
        if step.pk not in {r.pk for r in stage}:
            raise ConflictError(f"Chưa đến lượt bước “{step.name}”: các bước trước chưa cho ý kiến.")
        if not can_decide_review(actor, doc, step.role):
            raise PermissionDenied(
                f"Bước “{step.name}” do {role_label(step.role).lower()} của {doc.unit.name} cho ý kiến; "
                "bạn không giữ vai trò này."
            )
        step.reviewer, step.decision, step.comment, step.decided_at = actor, decision, comment, timezone.now()
        step.save(update_fields=["reviewer", "decision", "comment", "decided_at"])
        before_status = doc.status
        if decision == ReviewDecision.REJECTED:
            doc.reviews.filter(round=step.round, decision=ReviewDecision.PENDING).update(
                decision=ReviewDecision.SKIPPED
            )
            doc.status = OutgoingStatus.RETURNED
            doc.save(update_fields=["status", "updated_at"])
            if doc.drafted_by is not None:
                notify(users=[doc.drafted_by], kind="outgoing.returned", url=_detail_url(doc),
                       text=f"{actor.get_full_name()} trả lại dự thảo ({step.name}): {comment[:300]}")  # fmt: skip
        else:
            remaining = current_stage(doc)
            if not remaining:
                doc.status = OutgoingStatus.APPROVED
                doc.save(update_fields=["status", "updated_at"])
                _notify_approved(doc)
            elif remaining[0].order != step.order:
                _notify_stage(doc, remaining)
                if doc.drafted_by is not None:
                    notify(users=[doc.drafted_by], kind="outgoing.progress", url=_detail_url(doc),
                           text=f"{actor.get_full_name()} đồng ý ({step.name}); dự thảo chuyển bước "
                                f"“{remaining[0].name}”.")  # fmt: skip
        audit_log(actor=actor, action="registry.outgoing.review", obj=doc, before={"status": before_status},
                  after={"status": doc.status, "review": step.pk, "round": step.round, "step": step.name,
                         "role": step.role, "decision": decision, "comment": comment})  # fmt: skip
    return step


# --- signed file ------------------------------------------------------------------------------------------


def outgoing_signed_upload(
    *, actor: User, document: OutgoingDocument, data: bytes, filename: str
) -> OutgoingDocument:
    """Attach the signed PDF (approved → SIGNED; uploading again before issue replaces it). The PDF must open.

    The signer stays the one chosen on the draft; when none was chosen, a leader uploading it is recorded as
    the signer, anyone else is asked to name the signer first.
    """
    _guard_open(document)
    checked = check_file(data, filename, pdf_only=True)
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.ISSUED:
            raise ConflictError("Văn bản đã phát hành, không thay bản đã ký được.", code="issued")
        if doc.status not in ISSUABLE:
            raise ConflictError("Chỉ tải bản đã ký lên sau khi dự thảo được duyệt.", code="not_approved")
        if not can_upload_signed(actor, doc):
            raise PermissionDenied(
                "Chỉ người ký, người soạn thảo hoặc văn thư của đơn vị được tải lên bản đã ký."
            )
        if doc.signer_id is None and not doc.signer_name:
            leader = any(
                has_role(actor, r, doc.unit)
                for r in (Role.COMMITTEE_LEADER, Role.OFFICE_LEADER, Role.UNIT_LEADER)
            )
            if not leader:
                raise ValidationError(
                    "Chưa ghi người ký văn bản: đề nghị người soạn thảo bổ sung trước khi tải lên."
                )
            _apply_signer(doc, actor, "", "")
        before = snapshot(doc, AUDIT_FIELDS)
        blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES["pdf"])
        doc.signed_blob, doc.signed_filename = blob, checked.filename
        doc.text = checked.text or doc.text
        doc.status = OutgoingStatus.SIGNED
        doc.save()
        audit_log(actor=actor, action="registry.outgoing.sign", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "pages": checked.pages,
                         "signer": doc.signer_name, "uploaded_by": actor.pk})  # fmt: skip
        notify(users=_clerks_of(doc.unit), kind="outgoing.signed", url=_detail_url(doc),
               text=f"Văn bản đã ký, chờ cấp số và phát hành: {doc.subject[:200]}")  # fmt: skip
    return doc


# --- numbering and issue ------------------------------------------------------------------------------------


def books_for(document: OutgoingDocument) -> list[NumberBook]:
    """Active number books of the issuing unit that take this document type."""
    return [
        b
        for b in number_books_for_unit(document.unit_id).select_related("issuer_symbol", "unit")
        if document.document_type_id in {t.pk for t in b.document_types.all()}
    ]


def _no_book_message(document: OutgoingDocument) -> str:
    return (
        f"Chưa có sổ văn bản cho thể loại “{document.document_type.name}” của đơn vị {document.unit.name}, "
        "đề nghị quản trị khai báo."
    )


def _pick_book(document: OutgoingDocument, book: NumberBook | None) -> NumberBook:
    candidates = books_for(document)
    if book is not None:
        if book.pk not in {b.pk for b in candidates}:
            raise ValidationError(
                f"Sổ “{book.name}” không dùng cho thể loại “{document.document_type.name}” của "
                f"{document.unit.name} hoặc đã ngừng sử dụng."
            )
        return next(b for b in candidates if b.pk == book.pk)
    if not candidates:
        raise ValidationError(_no_book_message(document), code="no_book")
    if len(candidates) > 1:
        raise ValidationError(
            "Có nhiều sổ văn bản cho thể loại này ("
            + ", ".join(f"“{b.name}”" for b in candidates)
            + "): chọn sổ để cấp số.",
            code="choose_book",
        )
    return candidates[0]


def signed_on(document: OutgoingDocument) -> date | None:
    """The day the signed file was uploaded (from the audit trail), in Vietnam time."""
    record = (
        AuditRecord.objects.filter(
            action="registry.outgoing.sign",
            object_type="registry.outgoingdocument",
            object_id=str(document.pk),
        )
        .order_by("-seq")
        .only("at")
        .first()
    )
    return timezone.localtime(record.at).date() if record else None


def issue_date_warnings(document: OutgoingDocument, issued_date: date) -> list[FormatWarning]:
    """NĐ 30 Điều 16: issue on the signing day, at the latest the next working day; urgent ones at once."""
    signed = signed_on(document)
    if signed is None:
        return []
    from vanphong.catalogs.holidays import working_calendar

    latest = working_calendar().next_working_day(signed)
    if issued_date > latest:
        return [FormatWarning(
            "late_issue",
            f"Văn bản ký ngày {signed:%d/%m/%Y}, phát hành ngày {issued_date:%d/%m/%Y} là chậm: phải phát hành "
            f"trong ngày ký, chậm nhất ngày làm việc tiếp theo ({latest:%d/%m/%Y}).",
            "issued_date", source=SRC_NĐ30,
        )]  # fmt: skip
    if issued_date < signed:
        return [FormatWarning("before_signing", f"Ngày văn bản {issued_date:%d/%m/%Y} trước ngày ký "
                              f"{signed:%d/%m/%Y}.", "issued_date", source=SRC_NĐ30)]  # fmt: skip
    return []


def _proposed(document: OutgoingDocument) -> dict[str, Any]:
    issuer = document.unit.name
    symbol = document.number_book.issuer_symbol if document.number_book else None
    if symbol is not None and symbol.name:
        issuer = symbol.name
    return {
        "number_symbol": document.number_symbol,
        "issued_date": document.issued_date.isoformat() if document.issued_date else "",
        "issuer": issuer,
        "doc_type": document.document_type.name,
        "subject": document.subject,
        "signer": document.signer_name,
        "urgency": document.urgency.name if document.urgency else "",
        "secrecy": document.secrecy.name if document.secrecy and document.secrecy.rank else "",
    }


def _deliver(actor: User, document: OutgoingDocument) -> int:
    """Put the issued file into the incoming queue of every internal recipient not yet served."""
    pending = list(
        document.recipients.filter(unit__isnull=False, delivered_at__isnull=True).select_related("unit")
    )
    if not pending:
        return 0
    sha = document.signed_blob_id or document.draft_blob_id
    filename = document.signed_filename if document.signed_blob_id else document.draft_filename
    if not sha:
        raise ValidationError(
            "Văn bản chưa có tệp (bản đã ký hoặc dự thảo) để chuyển cho nơi nhận trong hệ thống."
        )
    data = blob_read(sha)
    content_type = CONTENT_TYPES["pdf"] if filename.lower().endswith(".pdf") else CONTENT_TYPES["docx"]
    proposed = _proposed(document)
    now = timezone.now()
    for recipient in pending:
        assert recipient.unit is not None
        intake_create(
            actor=actor, unit=recipient.unit, source=IntakeSource.INTERNAL, filename=filename, data=data,
            content_type=content_type, proposed=proposed, origin=f"{ORIGIN_PREFIX}{recipient.pk}",
        )  # fmt: skip
        recipient.delivered_at = now
        recipient.save(update_fields=["delivered_at"])
        notify(users=_clerks_of(recipient.unit), kind="incoming.internal", url=reverse("registry:intake"),
               urgent=bool(document.urgency and document.urgency.edxml_priority > 0),
               text=f"{proposed['issuer']} gửi văn bản {document.number_symbol}: {document.subject[:200]}")  # fmt: skip
    return len(pending)


def outgoing_issue(
    *,
    actor: User,
    document: OutgoingDocument,
    book: NumberBook | None = None,
    issued_date: date | None = None,
    reservation: NumberReservation | None = None,
) -> OutgoingDocument:
    """Cấp số và phát hành (văn thư): take the next number of the right book (or a reserved number), date the
    document (today by default), mark it ISSUED and deliver it to internal recipients' incoming queues.
    External recipients wait for the exchange (trục liên thông). Issuing twice is refused."""
    if not can_issue_outgoing(actor, document.unit):
        raise PermissionDenied("Chỉ văn thư của đơn vị ban hành được cấp số và phát hành văn bản.")
    today = timezone.localdate()
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.ISSUED:
            raise ConflictError(
                f"Văn bản đã được phát hành số {doc.number_symbol} ngày {doc.issued_date:%d/%m/%Y}.",
                code="already_issued",
            )
        if doc.status not in ISSUABLE:
            raise ConflictError("Văn bản chưa được duyệt, chưa cấp số được.", code="not_approved")
        secret = doc.secrecy_rank > 0
        if reservation is not None:
            res = (
                NumberReservation.objects.select_for_update(of=("self",))
                .select_related("book")
                .get(pk=reservation.pk)
            )
            if res.status != ReservationStatus.RESERVED:
                raise ConflictError(
                    f"Số {res.number_symbol} {res.get_status_display().lower()}, không dùng được."
                )
            chosen = _pick_book(doc, res.book)
            if book is not None and book.pk != chosen.pk:
                raise ValidationError("Số giữ trước thuộc sổ khác với sổ đã chọn.")
            on = issued_date or min(res.for_date, today)
            number, symbol = res.number, res.number_symbol
        else:
            chosen = _pick_book(doc, book)
            on = issued_date or today
        if on > today:
            raise ValidationError(
                f"Ngày văn bản {on:%d/%m/%Y} ở tương lai: chỉ cấp số cho ngày hôm nay trở về trước."
            )
        if reservation is None:
            number, symbol = number_allocate(
                actor=actor, book=chosen, on_date=on, secret=secret, document_type=doc.document_type
            )
        before = snapshot(doc, AUDIT_FIELDS)
        doc.number_book, doc.number, doc.number_symbol, doc.issued_date = chosen, number, symbol, on
        doc.issued_by, doc.issued_at, doc.status = actor, timezone.now(), OutgoingStatus.ISSUED
        doc.save()
        if reservation is not None:
            NumberReservation.objects.filter(pk=reservation.pk).update(
                status=ReservationStatus.USED, document=doc, updated_at=timezone.now()
            )
        delivered = _deliver(actor, doc)
        external = doc.recipients.filter(unit__isnull=True).count()
        audit_log(actor=actor, action="registry.outgoing.issue", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "reservation": reservation.pk if reservation else None,
                         "delivered_internal": delivered, "external_waiting": external})  # fmt: skip
        if doc.in_reply_to_id and doc.in_reply_to and doc.in_reply_to.reply_id is None:
            incoming_handling_update(actor=actor, document=doc.in_reply_to, reply=doc,
                                     action="registry.incoming.replied")  # fmt: skip
        watchers = [u for u in (doc.drafted_by, doc.signer) if u is not None and u.pk != actor.pk]
        notify(users=watchers, kind="outgoing.issued", url=_detail_url(doc),
               text=f"Đã phát hành văn bản số {symbol} ngày {on:%d/%m/%Y}: {doc.subject[:200]}")  # fmt: skip
    return doc


# --- reservations -------------------------------------------------------------------------------------------


def number_reserve(
    *,
    actor: User,
    book: NumberBook,
    for_date: date,
    reason: str,
    document_type: DocumentType | None = None,
) -> NumberReservation:
    """Lấy số trước: take the next number of ``book`` now for a document to be issued on ``for_date``."""
    if not can_issue_outgoing(actor, book.unit):
        raise PermissionDenied("Chỉ văn thư của đơn vị được giữ số văn bản.")
    if not reason.strip():
        raise ValidationError("Cần ghi lý do giữ số (văn bản nào, ai đề nghị).")
    with transaction.atomic():
        number, symbol = number_allocate(
            actor=actor, book=book, on_date=for_date, document_type=document_type
        )
        res = NumberReservation.objects.create(
            book=book, number=number, number_symbol=symbol, for_date=for_date, reason=reason.strip()[:300],
            reserved_by=actor,
        )  # fmt: skip
        audit_log(actor=actor, action="registry.number.reserve", obj=res, unit=book.unit,
                  after={"book": book.pk, "number": number, "number_symbol": symbol, "for_date": for_date,
                         "reason": res.reason})  # fmt: skip
    return res


def number_reservation_cancel(
    *, actor: User, reservation: NumberReservation, reason: str
) -> NumberReservation:
    """Hủy số đã giữ: the number is never given again and shows as “số hủy” in the register."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do hủy số.")
    with transaction.atomic():
        res = (
            NumberReservation.objects.select_for_update(of=("self",))
            .select_related("book__unit")
            .get(pk=reservation.pk)
        )
        if not can_issue_outgoing(actor, res.book.unit):
            raise PermissionDenied("Chỉ văn thư của đơn vị được hủy số đã giữ.")
        if res.status == ReservationStatus.CANCELLED:
            raise ConflictError(f"Số {res.number_symbol} đã được hủy trước đó.", code="already_cancelled")
        if res.status == ReservationStatus.USED:
            raise ConflictError(f"Số {res.number_symbol} đã dùng cho văn bản, không hủy được.", code="used")
        res.status, res.cancel_reason = ReservationStatus.CANCELLED, reason.strip()[:300]
        res.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_log(actor=actor, action="registry.number.reservation_cancel", obj=res, unit=res.book.unit,
                  before={"status": ReservationStatus.RESERVED},
                  after={"status": res.status, "number_symbol": res.number_symbol, "reason": res.cancel_reason})  # fmt: skip
    return res


def reservations_visible_to(user: User) -> QuerySet[NumberReservation]:
    """Reservations (held, used and cancelled) of the books of units where the user is văn thư or leads the
    office. Cancelled numbers stay here for the register (“số hủy”)."""
    qs = NumberReservation.objects.select_related("book__unit", "document", "reserved_by")
    if user.is_superuser:
        return qs
    scopes = role_scopes(user, Role.CLERK, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER)
    q = Q(pk__in=[])
    for scope in scopes:
        q |= Q(book__unit__path__startswith=scope.path)
    return qs.filter(q)


def cancelled_numbers(book: NumberBook) -> QuerySet[NumberReservation]:
    """The “số hủy” of one book, for the outgoing register."""
    return NumberReservation.objects.filter(book=book, status=ReservationStatus.CANCELLED).order_by("number")


def books_for_clerk(user: User) -> QuerySet[NumberBook]:
    qs = NumberBook.objects.filter(active=True).select_related("unit").prefetch_related("document_types")
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for scope in role_scopes(user, Role.CLERK):
        q |= Q(unit__path__startswith=scope.path)
    return qs.filter(q)


# --- recall and cancel -------------------------------------------------------------------------------------


def _incoming_handlers(incoming: IncomingDocument) -> list[User]:
    grants = list(IncomingGrant.objects.filter(document=incoming).select_related("user", "unit"))
    users = [g.user for g in grants if g.user is not None]
    for g in grants:
        if g.unit is not None:
            users += _role_holders(Role.UNIT_LEADER, [g.unit])
    if incoming.registered_by is not None:
        users.append(incoming.registered_by)
    return users


def outgoing_recall(*, actor: User, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Thu hồi: freeze the issued document; in each internal recipient, discard the intake not yet registered
    or mark the registered incoming document RECALLED, and tell its văn thư and handlers."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do thu hồi văn bản.")
    reason = reason.strip()[:500]
    with transaction.atomic():
        doc = _lock(document)
        if doc.status == OutgoingStatus.RECALLED:
            raise ConflictError("Văn bản đã được thu hồi trước đó.", code="already_recalled")
        if doc.status != OutgoingStatus.ISSUED:
            raise ConflictError("Chỉ thu hồi được văn bản đã phát hành; dự thảo thì dùng chức năng hủy.")
        if not _is_manager(actor, doc.unit):
            raise PermissionDenied("Chỉ văn thư hoặc lãnh đạo của đơn vị ban hành được thu hồi văn bản.")
        before = snapshot(doc, AUDIT_FIELDS)
        now = timezone.now()
        doc.status, doc.recalled_at, doc.recall_reason = OutgoingStatus.RECALLED, now, reason
        doc.save()
        text = f"{doc.unit.name} thu hồi văn bản {doc.number_symbol}: {reason[:200]}"
        outcome: list[dict[str, Any]] = []
        for r in doc.recipients.select_related("unit"):
            if r.unit is None:
                if r.delivered_at is None:  # never sent: nothing to call back
                    r.recalled_at = now
                    r.save(update_fields=["recalled_at"])
                outcome.append({"recipient": r.pk, "external": True, "sent": r.delivered_at is not None})
                continue
            users = _clerks_of(r.unit)
            incoming = IncomingDocument.objects.filter(source_recipient=r).first()
            intakes = list(Intake.objects.filter(origin=f"{ORIGIN_PREFIX}{r.pk}"))
            if incoming is None:
                incoming = next((d for i in intakes for d in i.documents.all()), None)
            url = reverse("registry:intake")
            if incoming is not None:
                incoming_handling_update(actor=actor, document=incoming, status=IncomingStatus.RECALLED,
                                         progress_label=f"Nơi gửi thu hồi: {reason}"[:500],
                                         action="registry.incoming.recalled")  # fmt: skip
                users += _incoming_handlers(incoming)
                url = reverse("registry:incoming_detail", args=[incoming.pk])
            for intake in intakes:
                if intake.status not in (IntakeStatus.REGISTERED, IntakeStatus.DISCARDED):
                    intake_discard(actor=actor, intake=intake, reason=f"Nơi gửi thu hồi văn bản: {reason}")
            r.recalled_at = now
            r.save(update_fields=["recalled_at"])
            notify(users=users, kind="incoming.recalled", url=url, urgent=True, text=text)
            outcome.append({"recipient": r.pk, "incoming": incoming.pk if incoming else None,
                            "intakes": [i.pk for i in intakes]})  # fmt: skip
        audit_log(actor=actor, action="registry.outgoing.recall", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": outcome})  # fmt: skip
    return doc


def outgoing_cancel(*, actor: User, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Hủy a document before issue (the drafter, văn thư or leaders of the unit); pending steps are skipped."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do hủy.")
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.ISSUED:
            raise ConflictError("Văn bản đã phát hành: dùng chức năng thu hồi thay vì hủy.", code="issued")
        if not can_cancel_outgoing(actor, doc):
            raise PermissionDenied(
                "Chỉ người soạn thảo, văn thư hoặc lãnh đạo của đơn vị được hủy văn bản này."
            )
        before = snapshot(doc, AUDIT_FIELDS)
        doc.reviews.filter(decision=ReviewDecision.PENDING).update(decision=ReviewDecision.SKIPPED)
        doc.status = OutgoingStatus.CANCELLED
        doc.notes = f"Hủy: {reason.strip()}"[:500]
        doc.save()
        audit_log(actor=actor, action="registry.outgoing.cancel", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "reason": reason.strip()})  # fmt: skip
        if doc.drafted_by is not None and doc.drafted_by.pk != actor.pk:
            notify(users=[doc.drafted_by], kind="outgoing.cancelled", url=_detail_url(doc),
                   text=f"{actor.get_full_name()} đã hủy dự thảo “{doc.subject[:150]}”: {reason.strip()[:200]}")  # fmt: skip
    return doc


# --- format check -------------------------------------------------------------------------------------------

PARTY_SYMBOL_RE = re.compile(r"^\d{2,}-[^\s/-]+/[^\s/]+$")  # 01-NQ/TU, 14-QĐ/UBKTTW
STATE_SYMBOL_RE = re.compile(r"^\d{2,}/(\d{4}/)?[^\s/]+$")  # 01/QĐ-UBND, 30/2020/NĐ-CP, 12/UBND-VP
STATE_SIGNATURE_RE = re.compile(r"(^|\s)(TM|KT|TL|TUQ)\.", re.IGNORECASE)
SECRET_MARK_RE = re.compile(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT)\s*$", re.MULTILINE)


def _issuer_kinds(document: OutgoingDocument, book: NumberBook | None) -> list[IssuerSymbol]:
    if book is not None and book.issuer_symbol is not None and book.issuer_symbol.active:
        return [book.issuer_symbol]
    return list(IssuerSymbol.objects.filter(unit_id=document.unit_id, active=True))


def _authority_warnings(document: OutgoingDocument, book: NumberBook | None) -> list[FormatWarning]:
    doc_type = document.document_type
    symbols = _issuer_kinds(document, book)
    if not symbols:
        return [FormatWarning(
            "issuer_kind_missing",
            f"{document.unit.name} chưa khai báo ký hiệu và loại chủ thể ban hành (danh mục “Ký hiệu cơ quan "
            "ban hành”), nên chưa kiểm tra được thẩm quyền ban hành thể loại này.",
            "document_type", source=SRC_AUTHORITY_DEFAULT,
        )]  # fmt: skip
    kinds = {s.issuer_kind for s in symbols}
    declared = set(
        AuthorityRule.objects.filter(issuer_kind__in=kinds, active=True).values_list("issuer_kind", flat=True)
    )
    if any(authority_allows(k, doc_type) for k in kinds & declared):
        return []
    undeclared = kinds - declared
    if undeclared:
        labels = ", ".join(str(IssuerKind(k).label) for k in sorted(undeclared))
        return [FormatWarning(
            "authority_undeclared",
            f"Chưa khai báo thẩm quyền ban hành cho “{labels}”: chưa kiểm tra được thể loại "
            f"“{doc_type.name}”.", "document_type", source=SRC_AUTHORITY_DEFAULT,
        )]  # fmt: skip
    source = (
        AuthorityRule.objects.filter(issuer_kind__in=kinds, active=True)
        .values_list("source", flat=True)
        .first()
        or SRC_AUTHORITY_DEFAULT
    )
    who = "; ".join(f"{s.name or s.get_issuer_kind_display()} ({s.symbol})" for s in symbols)
    return [FormatWarning(
        "type_not_allowed",
        f"Thể loại “{doc_type.name}” không thuộc thẩm quyền ban hành của {who} theo ma trận thẩm quyền. "
        "Chọn thể loại khác hoặc chủ thể ban hành khác.",
        "document_type", blocking=True, source=source,
    )]  # fmt: skip


def _book_warnings(document: OutgoingDocument, books: list[NumberBook]) -> list[FormatWarning]:
    if not books:
        return [FormatWarning("no_book", _no_book_message(document), "number_book", source=SRC_NĐ30)]
    out: list[FormatWarning] = []
    doc_type = document.document_type
    for book in books:
        party = book.style == NumberStyle.PARTY
        abbr = book.type_abbr or (doc_type.party_abbr if party else doc_type.state_abbr)
        issuer = book.issuer_symbol.symbol if book.issuer_symbol else book.unit.short_name
        try:
            sample = format_symbol(
                book.template(), n=1, type_abbr=abbr, issuer=issuer, year=timezone.localdate().year
            )
        except (KeyError, IndexError, ValueError):
            out.append(FormatWarning("book_template", f"Mẫu số, ký hiệu của sổ “{book.name}” không hợp lệ.",
                                     "number_book"))  # fmt: skip
            continue
        if party and abbr and abbr == doc_type.state_abbr and abbr != doc_type.party_abbr:
            out.append(FormatWarning(
                "state_abbr_in_party_book",
                f"Sổ “{book.name}” dùng chữ viết tắt kiểu nhà nước “{abbr}” (ví dụ “{sample}”); văn bản Đảng "
                f"viết tắt “{doc_type.party_abbr or '…'}” theo 36-HD/VPTW.", "number_book", source=SRC_HD36,
            ))  # fmt: skip
        if party and not PARTY_SYMBOL_RE.match(sample):
            out.append(FormatWarning(
                "party_symbol_form",
                f"Sổ “{book.name}” cho số, ký hiệu “{sample}” — văn bản Đảng viết dạng “01-NQ/TU” (gạch nối giữa "
                "số và tên loại, gạch chéo trước cơ quan ban hành), không theo kiểu nhà nước “01/QĐ-UBND”.",
                "number_book", source=SRC_HD36,
            ))  # fmt: skip
        elif not party and not STATE_SYMBOL_RE.match(sample):
            out.append(FormatWarning(
                "state_symbol_form",
                f"Sổ “{book.name}” cho số, ký hiệu “{sample}” — văn bản nhà nước viết dạng “01/QĐ-UBND”.",
                "number_book", source="NĐ 30/2020/NĐ-CP Phụ lục I",
            ))  # fmt: skip
    return out


def outgoing_format_check(document: OutgoingDocument) -> list[FormatWarning]:
    """What the draft lacks or gets wrong against the format rules (36-HD/VPTW, NĐ 30/2020). Only a type outside
    the issuing body's authority blocks; everything else is advice the drafter can read and fix."""
    warnings: list[FormatWarning] = []
    doc_type = document.document_type
    books = books_for(document)
    party = not books or any(b.style == NumberStyle.PARTY for b in books)
    warnings += _authority_warnings(document, books[0] if len(books) == 1 else None)
    warnings += _book_warnings(document, books)
    if not document.subject.strip():
        warnings.append(
            FormatWarning("subject_missing", "Chưa có trích yếu nội dung.", "subject", True, SRC_HD36)
        )
    if doc_type.code == "cong-van" and not document.subject.lstrip().startswith("V/v"):
        warnings.append(FormatWarning(
            "cong_van_vv", "Trích yếu công văn bắt đầu bằng “V/v” (về việc), ví dụ “V/v tổ chức hội nghị …”.",
            "subject", source=f"{SRC_HD36} mục thể thức (5b)",
        ))  # fmt: skip
    if not document.signer_id and not document.signer_name:
        warnings.append(FormatWarning("signer_missing", "Chưa chọn người ký (họ tên, chức vụ, chữ ký).",
                                      "signer", source=f"{SRC_HD36} mục 1.7"))  # fmt: skip
    if not document.signer_title:
        warnings.append(FormatWarning(
            "signer_title_missing",
            "Chưa ghi quyền hạn, chức vụ người ký (ví dụ “T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ”, “K/T CHÁNH VĂN PHÒNG”).",
            "signer_title", source=f"{SRC_HD36} mục 1.7.1",
        ))  # fmt: skip
    elif party and STATE_SIGNATURE_RE.search(document.signer_title):
        warnings.append(FormatWarning(
            "signer_title_state_form",
            f"“{document.signer_title}” viết kiểu nhà nước (TM., KT., TL.); văn bản Đảng viết T/M, K/T, T/L.",
            "signer_title", source=f"{SRC_HD36} mục 1.7.1",
        ))  # fmt: skip
    if not document.pk or not document.recipients.exists():
        warnings.append(FormatWarning("recipients_missing", "Chưa có nơi nhận.", "recipients",
                                      source=f"{SRC_HD36} mục thể thức (9)"))  # fmt: skip
    holder = document.file_copy_holder.strip().lstrip("-– ").strip()
    if not holder:
        warnings.append(FormatWarning(
            "file_copy_missing", "Chưa ghi nơi lưu bản chính (dòng cuối nơi nhận, ví dụ “Lưu Văn phòng Tỉnh ủy”).",
            "file_copy_holder", source=f"{SRC_HD36} mục thể thức (9)",
        ))  # fmt: skip
    elif not holder.casefold().startswith("lưu"):
        warnings.append(FormatWarning("file_copy_form", f"Dòng lưu “{holder}” nên bắt đầu bằng “Lưu”.",
                                      "file_copy_holder", source=f"{SRC_HD36} mục thể thức (9)"))  # fmt: skip
    text = document.text or ""
    upper = text.upper()
    if document.secrecy is not None and document.secrecy.rank != document.secrecy_rank:
        warnings.append(FormatWarning("secrecy_inconsistent", "Cấp độ mật không khớp với độ mật đã chọn.",
                                      "secrecy", True))  # fmt: skip
    if document.secrecy is not None and document.secrecy.rank > 0:
        if text and document.secrecy.name.upper() not in upper:
            warnings.append(FormatWarning(
                "secrecy_mark_missing",
                f"Văn bản độ mật “{document.secrecy.name}” nhưng tệp chưa có dấu “{document.secrecy.name.upper()}”.",
                "secrecy", source="Luật BVBMNN; 36-HD/VPTW mục thể thức (10a)",
            ))  # fmt: skip
    elif text and (mark := SECRET_MARK_RE.search(upper)):
        warnings.append(FormatWarning(
            "secrecy_not_set",
            f"Tệp có dấu “{mark.group(1)}” nhưng văn bản chưa chọn độ mật: chọn độ mật hoặc bỏ dấu trong tệp.",
            "secrecy", source="Luật BVBMNN; 36-HD/VPTW mục thể thức (10a)",
        ))  # fmt: skip
    urgency = document.urgency
    if urgency is not None and urgency.edxml_priority > 0 and text and urgency.name.upper() not in upper:
        warnings.append(FormatWarning(
            "urgency_mark_missing",
            f"Văn bản “{urgency.name}” nhưng tệp chưa có dấu “{urgency.name.upper()}”.",
            "urgency", source="NĐ 30/2020/NĐ-CP Phụ lục I; 36-HD/VPTW mục thể thức (10b)",
        ))  # fmt: skip
    if text and party and "ĐẢNG CỘNG SẢN VIỆT NAM" not in upper:
        warnings.append(FormatWarning("party_header_missing", "Tệp chưa có tiêu đề “ĐẢNG CỘNG SẢN VIỆT NAM”.",
                                      "file", source=f"{SRC_HD36} mục thể thức (1)"))  # fmt: skip
    if not document.draft_blob_id and not document.signed_blob_id:
        warnings.append(FormatWarning("file_missing", "Chưa có tệp dự thảo để người duyệt đọc.", "file"))
    if (
        document.reply_due_date
        and document.status in BEFORE_ISSUE
        and document.reply_due_date < timezone.localdate()
    ):
        warnings.append(FormatWarning("reply_due_past", f"Hạn trả lời {document.reply_due_date:%d/%m/%Y} đã qua.",
                                      "reply_due_date"))  # fmt: skip
    return warnings


# --- queues (user-scoped reads) --------------------------------------------------------------------------------


def outgoing_review_queue(user: User) -> QuerySet[OutgoingDocument]:
    """Documents in review whose current step waits for a role this user holds over the issuing unit or the
    drafting department (the tab “Chờ tôi cho ý kiến”)."""
    stage = (
        OutgoingReview.objects.filter(document=OuterRef("pk"), decision=ReviewDecision.PENDING)
        .order_by("order")
        .values("order")[:1]
    )
    qs = (
        OutgoingDocument.objects.select_related("unit", "document_type", "urgency", "secrecy", "signer")
        .filter(status=OutgoingStatus.IN_REVIEW)
        .annotate(stage=Subquery(stage))
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for role, scope in effective_roles(user):
        q |= Q(reviews__role=role) & (
            Q(unit__path__startswith=scope.path)
            | (Q(drafted_by__unit__path__startswith=scope.path)
               & Q(drafted_by__unit__path__startswith=F("unit__path")))
        )  # fmt: skip
    return qs.filter(
        q,
        reviews__decision=ReviewDecision.PENDING,
        reviews__order=F("stage"),
        secrecy_rank__lte=user.clearance,
    ).distinct()


def outgoing_issue_queue(user: User) -> QuerySet[OutgoingDocument]:
    """Approved or signed documents of units where the user is văn thư (the tab “Chờ phát hành”)."""
    qs = outgoing_visible_to(user).filter(status__in=ISSUABLE)
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for scope in role_scopes(user, Role.CLERK):
        q |= Q(unit__path__startswith=scope.path)
    return qs.filter(q)


def outgoing_recipients_label(document: OutgoingDocument) -> str:
    """Nơi nhận as one line for registers and lists."""
    names = [r.name for r in document.recipients.all()]
    if document.file_copy_holder:
        names.append(document.file_copy_holder)
    return "; ".join(names)


def review_rounds(document: OutgoingDocument) -> list[tuple[int, list[OutgoingReview]]]:
    """Every review step grouped by round, newest round first (the timeline on the document page)."""
    rounds: dict[int, list[OutgoingReview]] = {}
    for r in _labelled(list(document.reviews.select_related("reviewer").order_by("round", "order", "pk"))):
        rounds.setdefault(r.round, []).append(r)
    return sorted(rounds.items(), reverse=True)
