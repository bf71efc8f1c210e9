"""Who may see and act on incoming and outgoing documents. Every read that reaches a user goes through here.

Incoming documents — a user sees a document when, one rule per line:
- they are a superuser; or
- they hold văn thư, lãnh đạo văn phòng, lãnh đạo cấp ủy or lưu trữ over the receiving unit; or
- the document was routed to them (a personal grant); or
- it was routed to their unit and they lead or clerk that unit (unit leader, văn thư of the unit);
and in every case their clearance is at least the document's độ mật.

Outgoing documents — the drafter, the reviewers and signer of the draft, and văn thư / lãnh đạo over the
issuing unit; the same clearance rule.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanphong.accounts.access import has_role, role_scopes
from vanphong.accounts.models import Role, User
from vanphong.core.exceptions import NotFound, PermissionDenied
from vanphong.ingest.models import Intake
from vanphong.org.models import Unit

from .models import IncomingDocument, OutgoingDocument

REGISTER_ROLES = (Role.CLERK, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER, Role.ARCHIVIST)
ROUTE_ROLES = (Role.OFFICE_LEADER, Role.COMMITTEE_LEADER)
UNIT_HANDLER_ROLES = (Role.UNIT_LEADER, Role.CLERK)
ISSUE_ROLES = (Role.CLERK,)


def _subtree(units: list[Unit], field: str) -> Q:
    q = Q(pk__in=[])
    for u in units:
        q |= Q(**{f"{field}__startswith": u.path})
    return q


def incoming_visible_to(user: User) -> QuerySet[IncomingDocument]:
    qs = IncomingDocument.objects.select_related("unit", "document_type", "urgency", "secrecy")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = _subtree(role_scopes(user, *REGISTER_ROLES), "unit__path")
    q |= Q(grants__user=user)
    handler_units = role_scopes(user, *UNIT_HANDLER_ROLES)
    if handler_units:
        q |= _subtree(handler_units, "grants__unit__path")
    return qs.filter(q, secrecy_rank__lte=user.clearance).distinct()


def access_incoming(user: User, pk: int) -> IncomingDocument:
    try:
        return incoming_visible_to(user).get(pk=pk)
    except IncomingDocument.DoesNotExist as exc:
        raise NotFound("Không tìm thấy văn bản đến hoặc bạn không có quyền xem.") from exc


def can_register_incoming(user: User, unit: Unit) -> bool:
    return user.is_superuser or has_role(user, Role.CLERK, unit)


def intake_units(user: User) -> list[Unit]:
    """Units whose incoming register this user keeps (văn thư), own unit first."""
    units = role_scopes(user, Role.CLERK)
    if user.is_superuser and user.unit is not None and user.unit not in units:
        units.insert(0, user.unit)
    return units


def require_register(user: User, unit: Unit) -> None:
    if not can_register_incoming(user, unit):
        raise PermissionDenied("Chỉ văn thư của đơn vị mới được tiếp nhận và vào sổ văn bản đến.")


def outgoing_visible_to(user: User) -> QuerySet[OutgoingDocument]:
    qs = OutgoingDocument.objects.select_related("unit", "document_type", "urgency", "secrecy", "signer")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = _subtree(role_scopes(user, *REGISTER_ROLES), "unit__path")
    q |= Q(drafted_by=user) | Q(signer=user) | Q(reviews__reviewer=user)
    reviewer_units = role_scopes(user, Role.UNIT_LEADER)
    if reviewer_units:
        q |= _subtree(reviewer_units, "unit__path")
    return qs.filter(q, secrecy_rank__lte=user.clearance).distinct()


def access_outgoing(user: User, pk: int) -> OutgoingDocument:
    try:
        return outgoing_visible_to(user).get(pk=pk)
    except OutgoingDocument.DoesNotExist as exc:
        raise NotFound("Không tìm thấy văn bản đi hoặc bạn không có quyền xem.") from exc


def can_issue_outgoing(user: User, unit: Unit) -> bool:
    return user.is_superuser or has_role(user, Role.CLERK, unit)


def intakes_visible_to(user: User) -> QuerySet[Intake]:
    """Files waiting in the incoming queue of the units where the user is văn thư."""
    qs = Intake.objects.select_related("unit")
    if user.is_superuser:
        return qs
    units = role_scopes(user, Role.CLERK)
    return qs.filter(_subtree(units, "unit__path")) if units else qs.none()


def access_intake(user: User, pk: int) -> Intake:
    try:
        return intakes_visible_to(user).get(pk=pk)
    except Intake.DoesNotExist as exc:
        raise NotFound("Không tìm thấy tệp tiếp nhận hoặc bạn không phải văn thư của đơn vị nhận.") from exc


# --- registers (sổ): NĐ 30 Phụ lục IV --------------------------------------------------------------------


def can_read_register(user: User, unit: Unit) -> bool:
    """A register is read by a superuser, or by văn thư, lãnh đạo văn phòng, lãnh đạo cấp ủy or lưu trữ holding
    that role over the unit (directly or by delegation)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(has_role(user, role, unit) for role in REGISTER_ROLES)


def access_register_unit(user: User, unit_id: int | str | None) -> Unit:
    try:
        pk = int(unit_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pk = 0
    unit = Unit.objects.select_related("parent").filter(pk=pk).first() if pk > 0 else None
    if unit is None or not can_read_register(user, unit):
        raise NotFound("Không tìm thấy sổ của đơn vị này hoặc bạn không có quyền xem.")
    return unit


def register_units(user: User) -> list[Unit]:
    """Units whose registers the user may open: the units of their register roles, and units below them that
    have documents (a committee leader over the province opens the Văn phòng's books). A superuser: their own
    unit and every unit with documents."""
    if not user.is_authenticated:
        return []
    scopes = role_scopes(user, *REGISTER_ROLES)
    units: dict[int, Unit] = {u.pk: u for u in scopes}
    if user.is_superuser and user.unit is not None:
        units.setdefault(user.unit.pk, user.unit)
    if user.is_superuser or scopes:
        with_docs = Q(pk__in=IncomingDocument.objects.values("unit_id")) | Q(
            pk__in=OutgoingDocument.objects.values("unit_id")
        )
        below = Q()
        if not user.is_superuser:
            below = Q(pk__in=[])
            for scope in scopes:
                below |= Q(path__startswith=scope.path)
        for unit in Unit.objects.filter(below).filter(with_docs).select_related("parent"):
            units.setdefault(unit.pk, unit)
    return sorted(units.values(), key=lambda u: u.path)
