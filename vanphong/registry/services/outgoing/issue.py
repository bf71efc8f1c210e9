"""Numbering and issue (with delivery into internal recipients' incoming queues) and number reservations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.access import role_scopes
from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import (
    DocumentType,
    NumberBook,
)
from vanphong.catalogs.selectors import number_books_for_unit
from vanphong.catalogs.services import number_allocate
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.core.notify import notify, subject_of
from vanphong.ingest.models import IntakeSource
from vanphong.ingest.services import intake_create
from vanphong.storage.services import blob_read

from ...access import can_issue_outgoing
from ...models import (
    NumberReservation,
    OutgoingDocument,
    OutgoingStatus,
    ReservationStatus,
)
from ...search import index_outgoing
from ..incoming import incoming_handling_update
from ._base import (
    AUDIT_FIELDS,
    CONTENT_TYPES,
    ISSUABLE,
    ORIGIN_PREFIX,
    SRC_NĐ30,
    FormatWarning,
    _clerks_of,
    _detail_url,
    _guard_open,
    _lock,
)

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
               secrecy_rank=document.secrecy_rank,
               urgent=bool(document.urgency and document.urgency.edxml_priority > 0),
               text=f"{proposed['issuer']} gửi văn bản {document.number_symbol}: {subject_of(document)}")  # fmt: skip
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
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.issue", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "reservation": reservation.pk if reservation else None,
                         "delivered_internal": delivered, "external_waiting": external})  # fmt: skip
        if doc.in_reply_to_id and doc.in_reply_to and doc.in_reply_to.reply_id is None:
            incoming_handling_update(actor=actor, document=doc.in_reply_to, reply=doc,
                                     action="registry.incoming.replied")  # fmt: skip
        watchers = [u for u in (doc.drafted_by, doc.signer) if u is not None and u.pk != actor.pk]
        notify(users=watchers, kind="outgoing.issued", url=_detail_url(doc), secrecy_rank=doc.secrecy_rank,
               text=f"Đã phát hành văn bản số {symbol} ngày {on:%d/%m/%Y}: {subject_of(doc)}")  # fmt: skip
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
