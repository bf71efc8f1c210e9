"""REST: ``GET /api/routing/inbox``, ``POST /api/routing/documents/{id}/instruct``,
``POST /api/routing/assignments/{id}/close``. A personal API token or the session; the same access funnel and services as
the pages. Errors keep the shape the other routers return (``{"detail": "<Vietnamese message>"}``) and add
the stable ``code`` of the error (invalid, forbidden, not_found, conflict), with its HTTP status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vanphong.accounts.api_auth import api_auth
from vanphong.accounts.models import User
from vanphong.core.exceptions import NotFound, ValidationError, VanphongError
from vanphong.core.pagination import Pages
from vanphong.org.models import Unit
from vanphong.registry.access import access_incoming, outgoing_visible_to
from vanphong.registry.models import OutgoingDocument

from . import access, selectors, services
from .models import Assignment, Instruction

router = Router(tags=["routing"], auth=api_auth)


class ErrorOut(Schema):
    detail: str
    code: str


def _error(exc: VanphongError) -> Status[dict[str, str]]:
    return Status(exc.status, {"detail": exc.message, "code": exc.code})


ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class AssignmentOut(Schema):
    id: int
    document_id: int
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    user_id: int | None
    user_name: str
    deadline: date | None
    status: str
    status_label: str
    read_at: datetime | None
    done_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: Assignment) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Assignment) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_unit_name(obj: Assignment) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_user_name(obj: Assignment) -> str:
        return obj.user.get_full_name() if obj.user else ""


class InboxRow(AssignmentOut):
    arrival_number: int
    arrival_year: int
    number_symbol: str
    subject: str
    is_urgent: bool
    is_overdue: bool
    is_due_soon: bool

    @staticmethod
    def resolve_arrival_number(obj: Assignment) -> int:
        return obj.document.arrival_number

    @staticmethod
    def resolve_arrival_year(obj: Assignment) -> int:
        return obj.document.arrival_year

    @staticmethod
    def resolve_number_symbol(obj: Assignment) -> str:
        return obj.document.number_symbol

    @staticmethod
    def resolve_subject(obj: Assignment) -> str:
        return obj.document.subject

    @staticmethod
    def resolve_is_urgent(obj: Assignment) -> bool:
        return obj.document.is_urgent


@router.get("/inbox", response=list[InboxRow], summary="My inbox")
@paginate(Pages, page_size=25)
def inbox(request: HttpRequest, tab: str = "", q: str = "", kind: str = "", state: str = "") -> Any:
    """Assignments to me and to the units I lead. ``tab``: mine, unit, done (empty: every open one);
    ``kind``: lead, support, info; ``state``: overdue, due_soon; ``q`` searches trích yếu and số ký hiệu."""
    tab = tab if tab in ("mine", "unit", "done") else ""
    return selectors.inbox_for(_user(request), tab=tab, q=q.strip()[:100], kind=kind, state=state)


class LineIn(Schema):
    kind: str
    unit_id: int | None = None
    user_id: int | None = None
    days: int | None = None
    deadline: date | None = None
    note: str = ""


class InstructIn(Schema):
    text: str = ""
    lines: list[LineIn]


class InstructionOut(Schema):
    id: int
    document_id: int
    kind: str
    text: str
    created_at: datetime
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj: Instruction) -> list[Assignment]:
        return list(obj.assignments.select_related("unit", "user"))


def _line(data: LineIn) -> services.Line:
    unit = Unit.objects.filter(pk=data.unit_id).first() if data.unit_id else None
    user = User.objects.filter(pk=data.user_id).select_related("unit").first() if data.user_id else None
    if (data.unit_id and unit is None) or (data.user_id and user is None):
        raise ValidationError("Không tìm thấy đơn vị hoặc cá nhân đã chọn.")
    return services.Line(
        kind=data.kind, unit=unit, user=user, days=data.days, deadline=data.deadline, note=data.note
    )


@router.post("/documents/{document_id}/instruct", response={201: InstructionOut, **ERRORS}, summary="Bút phê")
def instruct(request: HttpRequest, document_id: int, payload: InstructIn) -> Any:
    """Route an incoming document: one ``lead`` (unless every line is ``info``), any ``support`` and ``info``;
    each line names ``unit_id`` or ``user_id`` and a deadline as ``days`` (working days) or ``deadline``."""
    user = _user(request)
    try:
        document = access_incoming(user, document_id)
        instruction = services.routing_instruct(
            actor=user, document=document, lines=[_line(x) for x in payload.lines], text=payload.text
        )
    except VanphongError as exc:
        return _error(exc)
    return Status(201, instruction)


class CloseIn(Schema):
    result_kind: str
    note: str = ""
    reply_id: int | None = None


@router.post(
    "/assignments/{assignment_id}/close", response={200: AssignmentOut, **ERRORS}, summary="Hoàn thành"
)
def close(request: HttpRequest, assignment_id: int, payload: CloseIn) -> Any:
    """Close an assignment with ``result_kind`` reply (``reply_id`` of an issued văn bản đi), note or filed.
    Closing twice answers 409."""
    user = _user(request)
    try:
        assignment = access.access_assignment(user, assignment_id)
        reply: OutgoingDocument | None = None
        if payload.reply_id is not None:
            reply = outgoing_visible_to(user).filter(pk=payload.reply_id).first()
            if reply is None:
                raise NotFound("Không tìm thấy văn bản trả lời hoặc bạn không có quyền xem văn bản đó.")
        return services.assignment_close(
            actor=user, assignment=assignment, result_kind=payload.result_kind, note=payload.note, reply=reply
        )
    except VanphongError as exc:
        return _error(exc)
