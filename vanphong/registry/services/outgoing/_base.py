"""Shared pieces of the outgoing services: audit labels and fields, statuses, value types, file checks
and the small helpers every step uses."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse

from vanphong.accounts.access import role_holders
from vanphong.accounts.models import Role, RoleAssignment, User
from vanphong.catalogs.models import (
    SecrecyLevel,
)
from vanphong.catalogs.secrecy import ensure_storable
from vanphong.core.actions import register_action_labels
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.ingest.preflight import detect_format, preflight, read_pdf
from vanphong.ingest.text import join_pages
from vanphong.org.models import Unit, validate_organ_id

from ...models import (
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingStatus,
)

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
    ensure_storable(secrecy)  # the deployment may not hold it at all (internet mode)
    if secrecy is not None and not actor.is_superuser and actor.clearance < secrecy.rank:
        raise PermissionDenied(
            f"Bạn chỉ được tiếp cận đến độ mật thấp hơn “{secrecy.name}”, không soạn được văn bản độ mật này."
        )
