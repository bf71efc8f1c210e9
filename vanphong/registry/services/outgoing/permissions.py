"""Who may do what on the outgoing side (extends ``registry.access``)."""

from __future__ import annotations

from vanphong.accounts.access import has_role, role_scopes
from vanphong.accounts.models import Role, User
from vanphong.core.exceptions import NotFound
from vanphong.org.models import Unit, UnitLevel

from ...access import access_outgoing, can_issue_outgoing
from ...models import (
    OutgoingDocument,
    OutgoingReview,
    OutgoingStatus,
    ReviewDecision,
)
from ._base import BEFORE_ISSUE, EDITABLE, ISSUABLE

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
