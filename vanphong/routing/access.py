"""Who may route, hand over and handle incoming documents. One rule per line.

Reading a document (and with it its routing history) is decided by ``registry.access`` alone: routing adds
need-to-know grants through ``incoming_grant`` and never widens reads by itself.

- routing scope: the cấp ủy whose office registered the document (the nearest ancestor-or-self that is a
  tỉnh ủy/thành ủy, đảng ủy trực thuộc, đảng ủy xã/phường or Trung ương); recipients must lie inside it;
- đề xuất (propose): lãnh đạo văn phòng or văn thư over the document's unit;
- bút phê, chuyển lại (instruct, redirect): lãnh đạo cấp ủy or lãnh đạo văn phòng over the document's unit
  (delegations included: ``has_role`` counts them);
- giao cá nhân (hand over): lãnh đạo đơn vị over the assignment's unit, for a unit assignment;
- xử lý (mark read, progress, return, close): the assigned person, or a lãnh đạo đơn vị over the assigned unit;
  the leaders who may instruct may also close (e.g. decide to file it).
A superuser may do everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanphong.accounts.access import has_role, role_scopes
from vanphong.accounts.models import Role, User
from vanphong.core.exceptions import NotFound
from vanphong.org.models import Unit, UnitLevel
from vanphong.registry.access import incoming_visible_to
from vanphong.registry.models import IncomingDocument

from .models import ACTIVE_STATUSES, Assignment

PROPOSE_ROLES = (Role.OFFICE_LEADER, Role.CLERK)
INSTRUCT_ROLES = (Role.COMMITTEE_LEADER, Role.OFFICE_LEADER)
COMMITTEE_LEVELS = (UnitLevel.CENTRAL, UnitLevel.PROVINCE, UnitLevel.AFFILIATED, UnitLevel.COMMUNE)


def routing_scope(unit: Unit) -> Unit:
    """The cấp ủy served by the office of ``unit``: recipients of its documents must lie in this subtree."""
    for candidate in reversed(list(unit.ancestors())):
        if candidate.level in COMMITTEE_LEVELS:
            return candidate
    return unit


def _any_role(user: User, roles: tuple[str, ...], unit: Unit) -> bool:
    return user.is_superuser or any(has_role(user, r, unit) for r in roles)


def can_propose(user: User, document: IncomingDocument) -> bool:
    return _any_role(user, PROPOSE_ROLES, document.unit)


def can_instruct(user: User, document: IncomingDocument) -> bool:
    return _any_role(user, INSTRUCT_ROLES, document.unit)


def is_unit_leader_of(user: User, unit: Unit) -> bool:
    return has_role(user, Role.UNIT_LEADER, unit)


def can_hand_over(user: User, assignment: Assignment) -> bool:
    return assignment.user_id is None and (user.is_superuser or is_unit_leader_of(user, assignment.unit))


def is_assignee(user: User, assignment: Assignment) -> bool:
    """The person the assignment names, or a leader of the unit it names (who answers for the unit)."""
    if assignment.user_id is not None and assignment.user_id == user.pk:
        return True
    return is_unit_leader_of(user, assignment.unit)


def confirms_reading(user: User, assignment: Assignment) -> bool:
    """Whose opening of the document is the read receipt: the named person, or for a unit its leader."""
    if assignment.user_id is not None:
        return assignment.user_id == user.pk
    return is_unit_leader_of(user, assignment.unit)


def can_handle(user: User, assignment: Assignment) -> bool:
    return user.is_superuser or is_assignee(user, assignment) or can_instruct(user, assignment.document)


def can_see_document(user: User, document: IncomingDocument) -> bool:
    return incoming_visible_to(user).filter(pk=document.pk).exists()


def access_assignment(user: User, pk: int) -> Assignment:
    """An assignment of a document the user may read; otherwise ``NotFound`` (no hint that it exists)."""
    qs = Assignment.objects.select_related("document", "document__unit", "unit", "user", "instruction")
    assignment = qs.filter(pk=pk, document__in=incoming_visible_to(user).values("pk")).first()
    if assignment is None:
        raise NotFound("Không tìm thấy phân công giải quyết hoặc bạn không có quyền xem.")
    return assignment


def _subtree(units: list[Unit], field: str) -> Q:
    q = Q(pk__in=[])
    for u in units:
        q |= Q(**{f"{field}__startswith": u.path})
    return q


def led_units(user: User) -> list[Unit]:
    """Units whose work the user answers for as lãnh đạo đơn vị (the "Của đơn vị" tab)."""
    return role_scopes(user, Role.UNIT_LEADER)


def assignments_for_person(user: User) -> Q:
    return Q(user=user)


def assignments_for_led_units(user: User) -> Q:
    units = led_units(user)
    return _subtree(units, "unit__path") if units else Q(pk__in=[])


def routing_units(user: User) -> list[Unit]:
    """Units whose documents the user may route (bút phê)."""
    return role_scopes(user, *INSTRUCT_ROLES)


def assignments_visible_in_inbox(user: User) -> QuerySet[Assignment]:
    """Assignments to the user or to the units they lead, of documents within their clearance."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    q = assignments_for_person(user) | assignments_for_led_units(user)
    return Assignment.objects.filter(q, document__secrecy_rank__lte=user.clearance)


def active_assignment_q() -> Q:
    return Q(status__in=ACTIVE_STATUSES)
