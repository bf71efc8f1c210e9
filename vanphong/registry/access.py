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
