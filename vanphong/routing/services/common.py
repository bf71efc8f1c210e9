"""What the routing services share: the line of a bút phê, deadlines in working days, validation of recipients,
the register label of recipients, and who gets told."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.access import has_role, role_holders, role_holders_over
from vanphong.accounts.models import Role, User
from vanphong.catalogs.holidays import working_calendar
from vanphong.core.exceptions import NotFound, ValidationError
from vanphong.org.models import Unit
from vanphong.registry.models import IncomingDocument

from .. import access
from ..models import ACTIVE_STATUSES, Assignment, AssignmentKind, AssignmentStatus

MAX_DEADLINE_DAYS = 365
KIND_ORDER = (AssignmentKind.LEAD, AssignmentKind.SUPPORT, AssignmentKind.INFO)
# Top-level assignments in these statuses are listed in the register's "Đơn vị hoặc người nhận".
LISTED_STATUSES = (*ACTIVE_STATUSES, AssignmentStatus.DONE)


def today() -> date:
    """The local day deadlines count from (a function so that tests can move it)."""
    return timezone.localdate()


def deadline_from_days(days: int, start: date | None = None) -> date:
    """The ``days``-th working day after ``start`` (today by default); the day itself does not count."""
    return working_calendar().add_working_days(start or today(), days)


@dataclass(frozen=True)
class Line:
    """One recipient of a bút phê or đề xuất: chủ trì / phối hợp / để biết, a unit or a person, and a deadline
    given either as a number of working days (``days``) or as a date (``deadline``), not both."""

    kind: str
    unit: Unit | None = None
    user: User | None = None
    days: int | None = None
    deadline: date | None = None
    note: str = ""


@dataclass(frozen=True)
class ResolvedLine:
    kind: str
    unit: Unit
    user: User | None
    deadline: date | None
    note: str
    days: int | None = None

    @property
    def target_key(self) -> tuple[int, int | None]:
        return (self.unit.pk, self.user.pk if self.user else None)

    @property
    def target_label(self) -> str:
        return f"{self.user} ({self.unit})" if self.user else str(self.unit)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit_id": self.unit.pk,
            "user_id": self.user.pk if self.user else None,
            "days": self.days,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "note": self.note,
        }


def kind_label(kind: str) -> str:
    return str(AssignmentKind(kind).label)


def resolve_line(line: Line, *, scope: Unit, document: IncomingDocument, start: date) -> ResolvedLine:
    """Check one line (recipient inside ``scope``, active, cleared for the document; deadline not in the past)
    and compute its deadline. Raises ``ValidationError`` with a message naming the recipient."""
    if line.kind not in AssignmentKind.values:
        raise ValidationError("Vai trò phải là chủ trì, phối hợp hoặc để biết.")
    user, unit = line.user, line.unit
    if user is None and unit is None:
        raise ValidationError("Mỗi dòng phân phối cần một đơn vị hoặc một cá nhân.")
    if user is not None:
        if not user.is_active:
            raise ValidationError(f"Tài khoản của {user} đã ngừng hoạt động.")
        if user.unit is None:
            raise ValidationError(f"{user} chưa thuộc đơn vị nào, không giao được.")
        if unit is not None and not user.unit.is_within(unit):
            raise ValidationError(f"{user} không thuộc {unit}.")
        unit = user.unit
        if document.secrecy_rank > user.clearance:
            raise ValidationError(f"{user} không được tiếp cận văn bản có độ mật này.")
    assert unit is not None
    label = f"{user} ({unit})" if user else str(unit)
    if not unit.is_within(scope):
        raise ValidationError(f"{label} không thuộc {scope}, không nhận văn bản này được.")
    if not unit.is_active:
        raise ValidationError(f"{unit} đã giải thể hoặc sáp nhập, không giao được.")
    deadline: date | None = None
    if line.kind != AssignmentKind.INFO:
        if line.days is not None and line.deadline is not None:
            raise ValidationError(f"{label}: chỉ nhập một trong hai — số ngày làm việc hoặc ngày hết hạn.")
        if line.days is not None:
            if not 0 <= line.days <= MAX_DEADLINE_DAYS:
                raise ValidationError(f"{label}: số ngày làm việc phải từ 0 đến {MAX_DEADLINE_DAYS}.")
            deadline = deadline_from_days(line.days, start)
        elif line.deadline is not None:
            deadline = line.deadline
        if deadline is not None and deadline < start:
            raise ValidationError(f"{label}: thời hạn {deadline:%d/%m/%Y} đã qua (trước hôm nay).")
    return ResolvedLine(
        kind=line.kind, unit=unit, user=user, deadline=deadline, note=line.note.strip()[:500],
        days=line.days if line.kind != AssignmentKind.INFO else None,
    )  # fmt: skip


def resolve_lines(*, document: IncomingDocument, lines: Sequence[Line], start: date) -> list[ResolvedLine]:
    """All lines checked together: every error is reported at once; the same recipient twice is refused."""
    scope = access.routing_scope(document.unit)
    errors: list[str] = []
    resolved: list[ResolvedLine] = []
    seen: set[tuple[int, int | None]] = set()
    for line in lines:
        try:
            r = resolve_line(line, scope=scope, document=document, start=start)
        except ValidationError as exc:
            errors.append(exc.message)
            continue
        if r.target_key in seen:
            errors.append(f"{r.target_label} được chọn hai lần.")
            continue
        seen.add(r.target_key)
        resolved.append(r)
    if errors:
        raise ValidationError(" ".join(errors), details=errors)
    return sorted(resolved, key=lambda r: KIND_ORDER.index(AssignmentKind(r.kind)))


def require_visible(actor: User, document: IncomingDocument) -> None:
    """A person who cannot read the document learns nothing about it (``NotFound``, as the page would say)."""
    if not access.can_see_document(actor, document):
        raise NotFound("Không tìm thấy văn bản đến hoặc bạn không có quyền xem.")


def lock_document(document: IncomingDocument) -> IncomingDocument:
    return IncomingDocument.objects.select_for_update(of=("self",)).select_related("unit").get(pk=document.pk)


def lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("document", "document__unit", "unit", "user", "instruction", "parent")
        .get(pk=assignment.pk)
    )


def active_lead(document: IncomingDocument) -> Assignment | None:
    return (
        Assignment.objects.filter(
            document=document, kind=AssignmentKind.LEAD, parent__isnull=True, status__in=ACTIVE_STATUSES
        )
        .select_related("unit", "user")
        .first()
    )


def root_of(assignment: Assignment) -> Assignment:
    node = assignment
    while node.parent_id is not None:
        node = Assignment.objects.select_related("unit", "user", "parent").get(pk=node.parent_id)
    return node


def recipients_label(document: IncomingDocument) -> str:
    """ "Chủ trì: Ban Tổ chức; Phối hợp: Ban Tuyên giáo, Văn phòng; Để biết: …" from the top-level assignments."""
    rows = (
        Assignment.objects.filter(document=document, parent__isnull=True, status__in=LISTED_STATUSES)
        .select_related("unit", "user")
        .order_by("assigned_at", "pk")
    )
    groups: dict[str, list[str]] = {k: [] for k in KIND_ORDER}
    for a in rows:
        label = f"{a.user} ({a.unit.short_name or a.unit})" if a.user_id else str(a.unit)
        if label not in groups[a.kind]:
            groups[a.kind].append(label)
    return "; ".join(f"{kind_label(k)}: {', '.join(v)}" for k, v in groups.items() if v)


def document_url(document: IncomingDocument) -> str:
    return reverse("registry:incoming_detail", args=[document.pk])


def document_label(document: IncomingDocument) -> str:
    """ "văn bản đến số 15/2026 (57-NQ/TW)"."""
    symbol = f" ({document.number_symbol})" if document.number_symbol else ""
    return f"văn bản đến số {document.arrival_number}/{document.arrival_year}{symbol}"


def document_subject(document: IncomingDocument) -> str:
    """The trích yếu for a notice, withheld for secret documents (a notice may travel by e-mail)."""
    return "" if document.secrecy_rank > 0 else f": {document.subject[:200]}"


def leaders_over(unit: Unit, roles: Iterable[str]) -> list[User]:
    """Holders (direct or delegated today) of ``roles`` over ``unit``: on the unit itself or an ancestor."""
    return role_holders_over(unit, roles)


def unit_handlers(unit: Unit) -> list[User]:
    """Who receives a unit's assignment: its lãnh đạo đơn vị, else its văn thư."""
    return role_holders([Role.UNIT_LEADER], [unit.pk]) or role_holders([Role.CLERK], [unit.pk])


def assignees(assignment: Assignment) -> list[User]:
    if assignment.user is not None:
        return [assignment.user]
    return unit_handlers(assignment.unit)


def is_office_leader(actor: User, document: IncomingDocument) -> bool:
    return has_role(actor, Role.OFFICE_LEADER, document.unit)
