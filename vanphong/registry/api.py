"""REST API of the registry (văn bản đi): ``GET /api/registry/outgoing``, ``GET /api/registry/outgoing/{id}``,
``POST /api/registry/outgoing/{id}/issue``.

A personal API token or the session (accounts.api_auth); the same access functions and services as the web pages. Errors come back as
``{"code": ..., "message": ...}`` with the Vietnamese message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from vanphong.accounts.api_auth import api_auth
from vanphong.catalogs.models import NumberBook
from vanphong.core.exceptions import VanphongError
from vanphong.core.pagination import Pages

from .access import outgoing_visible_to
from .models import OutgoingDocument, OutgoingRecipient, OutgoingReview, OutgoingStatus
from .services import outgoing as svc

router = Router(tags=["registry"], auth=api_auth)


class ErrorOut(Schema):
    code: str
    message: str


class OutgoingOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    document_type: str
    number: int | None
    number_symbol: str
    issued_date: date | None
    subject: str
    signer_name: str
    signer_title: str
    urgency: str
    secrecy: str
    status: str
    status_label: str
    created_at: datetime
    issued_at: datetime | None

    @staticmethod
    def resolve_unit_name(obj: OutgoingDocument) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_document_type(obj: OutgoingDocument) -> str:
        return obj.document_type.name

    @staticmethod
    def resolve_urgency(obj: OutgoingDocument) -> str:
        return obj.urgency.name if obj.urgency else ""

    @staticmethod
    def resolve_secrecy(obj: OutgoingDocument) -> str:
        return obj.secrecy.name if obj.secrecy else ""

    @staticmethod
    def resolve_status_label(obj: OutgoingDocument) -> str:
        return str(obj.get_status_display())


class RecipientOut(Schema):
    name: str
    unit_id: int | None
    organ_id: str
    delivered_at: datetime | None
    received_at: datetime | None
    recalled_at: datetime | None


class ReviewOut(Schema):
    round: int
    order: int
    name: str
    role: str
    decision: str
    reviewer: str
    comment: str
    decided_at: datetime | None

    @staticmethod
    def resolve_reviewer(obj: OutgoingReview) -> str:
        return obj.reviewer.get_full_name() if obj.reviewer else ""


class WarningOut(Schema):
    code: str
    message: str
    field: str
    blocking: bool
    source: str


class OutgoingDetailOut(OutgoingOut):
    copies: int
    file_copy_holder: str
    reply_due_date: date | None
    in_reply_to_id: int | None
    has_draft_file: bool
    has_signed_file: bool
    recall_reason: str
    recipients: list[RecipientOut]
    reviews: list[ReviewOut]
    warnings: list[WarningOut]

    @staticmethod
    def resolve_has_draft_file(obj: OutgoingDocument) -> bool:
        return bool(obj.draft_blob_id)

    @staticmethod
    def resolve_has_signed_file(obj: OutgoingDocument) -> bool:
        return bool(obj.signed_blob_id)

    @staticmethod
    def resolve_recipients(obj: OutgoingDocument) -> list[OutgoingRecipient]:
        return list(obj.recipients.all())

    @staticmethod
    def resolve_reviews(obj: OutgoingDocument) -> list[OutgoingReview]:
        return list(obj.reviews.select_related("reviewer").order_by("round", "order", "pk"))

    @staticmethod
    def resolve_warnings(obj: OutgoingDocument) -> list[dict[str, Any]]:
        if obj.status not in svc.BEFORE_ISSUE:
            return []
        return [w.__dict__ for w in svc.outgoing_format_check(obj)]


class IssueIn(Schema):
    book_id: int | None = None
    reservation_id: int | None = None
    issued_date: date | None = None


def _error(exc: VanphongError) -> Status[dict[str, str]]:
    return Status(exc.status, {"code": exc.code, "message": exc.message})


@router.get("/outgoing", response=list[OutgoingOut])
@paginate(Pages, page_size=50)
def outgoing_list(
    request: HttpRequest, status: str = "", q: str = "", year: int | None = Query(None, ge=1, le=9999)
) -> Any:
    """Outgoing documents the user may see, newest first; filter by ``status``, ``year`` and ``q``."""
    qs = outgoing_visible_to(request.user).defer("text")  # type: ignore[arg-type]
    if status in OutgoingStatus.values:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(issued_date__year=year)
    if q.strip():
        qs = qs.filter(Q(subject__icontains=q.strip()) | Q(number_symbol__icontains=q.strip()))
    return qs.order_by("-created_at", "-pk")


@router.get("/outgoing/{doc_id}", response={200: OutgoingDetailOut, 403: ErrorOut, 404: ErrorOut})
def outgoing_detail(request: HttpRequest, doc_id: int) -> Any:
    """One document with recipients, review steps and (before issue) the format-check warnings."""
    try:
        doc = svc.access_outgoing_for_user(request.user, doc_id)  # type: ignore[arg-type]
    except VanphongError as exc:
        return _error(exc)
    return doc


@router.post(
    "/outgoing/{doc_id}/issue",
    response={200: OutgoingDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def outgoing_issue(request: HttpRequest, doc_id: int, payload: IssueIn) -> Any:
    """Cấp số và phát hành (văn thư): optional book, reservation and date; issuing twice answers 409."""
    user: Any = request.user
    try:
        doc = svc.access_outgoing_for_user(user, doc_id)
        book = NumberBook.objects.filter(pk=payload.book_id).first() if payload.book_id else None
        if payload.book_id and book is None:
            return Status(400, {"code": "invalid", "message": "Không có sổ văn bản này."})
        reservation = None
        if payload.reservation_id:
            reservation = svc.reservations_visible_to(user).filter(pk=payload.reservation_id).first()
            if reservation is None:
                return Status(400, {"code": "invalid", "message": "Không có số đã giữ này."})
        doc = svc.outgoing_issue(
            actor=user, document=doc, book=book, issued_date=payload.issued_date, reservation=reservation
        )
    except VanphongError as exc:
        return _error(exc)
    return doc
