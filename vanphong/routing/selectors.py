"""Reads of the routing app: the inbox tabs, documents waiting for a bút phê, overdue figures, one document's
routing history and the choices offered by its forms. Every list is scoped through ``access``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.org.models import Unit
from vanphong.registry.access import incoming_visible_to, outgoing_visible_to
from vanphong.registry.models import IncomingDocument, IncomingStatus, OutgoingDocument, OutgoingStatus

from . import access
from .models import (
    ACTIVE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Instruction,
    InstructionKind,
    ProgressNote,
)

DUE_SOON_DAYS = 2
TABS = ("mine", "unit", "waiting", "done")
FINISHED_STATUSES = (AssignmentStatus.DONE, AssignmentStatus.RETURNED, AssignmentStatus.REDIRECTED)


def _overdue_q(today: date) -> Q:
    return Q(status__in=ACTIVE_STATUSES, deadline__lt=today)


def _due_soon_q(today: date) -> Q:
    return Q(
        status__in=ACTIVE_STATUSES, deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS)
    )


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def inbox_for(
    user: User, *, tab: str = "", q: str = "", kind: str = "", state: str = ""
) -> QuerySet[Assignment]:
    """Assignments of the person and of the units they lead, flagged ``is_overdue`` / ``is_due_soon``.

    ``tab``: ``mine`` (active, to me), ``unit`` (active, to units I lead, hand-overs included), ``done``
    (finished, mine or my units'); empty = every active one. ``kind`` filters chủ trì / phối hợp / để biết,
    ``state`` = ``overdue`` | ``due_soon``, ``q`` searches trích yếu, số ký hiệu, cơ quan ban hành.
    """
    today = timezone.localdate()
    qs = access.assignments_visible_in_inbox(user)
    if tab == "mine":
        qs = qs.filter(access.assignments_for_person(user), status__in=ACTIVE_STATUSES)
    elif tab == "unit":
        qs = qs.filter(access.assignments_for_led_units(user), status__in=ACTIVE_STATUSES)
    elif tab == "done":
        qs = qs.filter(status__in=FINISHED_STATUSES)
    else:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if kind in AssignmentKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(document__subject__icontains=q)
            | Q(document__number_symbol__icontains=q)
            | Q(document__issuer_name__icontains=q)
        )
    if state == "overdue":
        qs = qs.filter(_overdue_q(today))
    elif state == "due_soon":
        qs = qs.filter(_due_soon_q(today))
    qs = (
        qs.annotate(is_overdue=_flag(_overdue_q(today)), is_due_soon=_flag(_due_soon_q(today)))
        .select_related("document", "unit", "user")
        .defer("document__text")
    )
    if tab == "done":
        return qs.order_by("-done_at", "-pk")
    overdue_first = _flag(_overdue_q(today)).desc()
    return qs.order_by(
        overdue_first, F("deadline").asc(nulls_last=True), "-document__is_urgent", "-assigned_at", "-pk"
    )


def awaiting_instruction(user: User) -> QuerySet[IncomingDocument]:
    """Documents of the units the person routes (lãnh đạo văn phòng, lãnh đạo cấp ủy), registered or proposed,
    waiting for a bút phê; urgent and oldest first."""
    scopes = access.routing_units(user)
    qs = incoming_visible_to(user).filter(status__in=[IncomingStatus.REGISTERED, IncomingStatus.PROPOSED])
    if not user.is_superuser:
        q = Q(pk__in=[])
        for scope in scopes:
            q |= Q(unit__path__startswith=scope.path)
        qs = qs.filter(q)
    return qs.defer("text").order_by("-is_urgent", "arrived_at", "pk")


def is_router(user: User) -> bool:
    return user.is_superuser or bool(access.routing_units(user))


@dataclass(frozen=True)
class OverdueRow:
    unit: Unit
    active: int
    overdue: int
    due_soon: int


def overdue_summary(unit: Unit) -> list[OverdueRow]:
    """For each unit in ``unit``'s subtree with open assignments: how many are open, overdue, due soon."""
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    rows = (
        Assignment.objects.filter(unit__path__startswith=unit.path, status__in=ACTIVE_STATUSES)
        .exclude(kind=AssignmentKind.INFO)
        .values("unit")
        .annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
            due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon)),
        )
    )
    units = Unit.objects.in_bulk([r["unit"] for r in rows])
    result = [OverdueRow(units[r["unit"]], r["active"], r["overdue"], r["due_soon"]) for r in rows]
    return sorted(result, key=lambda r: (-r.overdue, -r.due_soon, r.unit.name))


# --- one document ------------------------------------------------------------------------------------------


@dataclass
class AssignmentView:
    assignment: Assignment
    notes: list[ProgressNote] = field(default_factory=list)
    children: list[AssignmentView] = field(default_factory=list)
    # What the viewer may do (filled by the panel).
    can_handle: bool = False
    can_hand_over: bool = False
    can_return: bool = False
    can_redirect: bool = False
    people: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class ProposedLine:
    kind: str
    target: str
    deadline: str


@dataclass
class InstructionView:
    instruction: Instruction
    assignments: list[AssignmentView] = field(default_factory=list)
    proposed: list[ProposedLine] = field(default_factory=list)


def _proposed_lines(instructions: list[Instruction]) -> dict[int, list[ProposedLine]]:
    """Readable lines of proposals (stored as ids) with two queries for all of them."""
    lines = [(i.pk, ln) for i in instructions if i.kind == InstructionKind.PROPOSAL for ln in i.lines or []]
    units = Unit.objects.in_bulk([ln.get("unit_id") for _, ln in lines if ln.get("unit_id")])
    users = User.objects.in_bulk([ln.get("user_id") for _, ln in lines if ln.get("user_id")])
    out: dict[int, list[ProposedLine]] = {}
    for pk, ln in lines:
        unit, user = units.get(ln.get("unit_id")), users.get(ln.get("user_id"))
        target = f"{user} ({unit})" if user else str(unit or "—")
        if ln.get("days") is not None:
            due = f"{ln['days']} ngày làm việc"
        elif ln.get("deadline"):
            due = f"{date.fromisoformat(ln['deadline']):%d/%m/%Y}"
        else:
            due = ""
        kind = str(AssignmentKind(ln["kind"]).label) if ln.get("kind") in AssignmentKind.values else ""
        out.setdefault(pk, []).append(ProposedLine(kind, target, due))
    return out


def routing_history(document: IncomingDocument) -> list[InstructionView]:
    """Đề xuất and bút phê in order, each with its assignments, their hand-overs and progress notes."""
    instructions = list(Instruction.objects.filter(document=document).select_related("author"))
    assignments = list(
        Assignment.objects.filter(document=document)
        .select_related("unit", "user", "assigned_by", "read_by", "closed_by", "reply")
        .order_by("assigned_at", "pk")
    )
    notes: dict[int, list[ProgressNote]] = {}
    for n in ProgressNote.objects.filter(assignment__document=document).select_related("author"):
        notes.setdefault(n.assignment_id, []).append(n)
    views = {a.pk: AssignmentView(a, notes.get(a.pk, [])) for a in assignments}
    by_instruction: dict[int, list[AssignmentView]] = {}
    for a in assignments:
        v = views[a.pk]
        if a.parent_id is not None and a.parent_id in views:
            views[a.parent_id].children.append(v)
        else:
            by_instruction.setdefault(a.instruction_id, []).append(v)
    order = {k: i for i, k in enumerate(AssignmentKind.values)}
    for vs in by_instruction.values():
        vs.sort(key=lambda v: (order[v.assignment.kind], v.assignment.pk))
    proposed = _proposed_lines(instructions)
    return [InstructionView(i, by_instruction.get(i.pk, []), proposed.get(i.pk, [])) for i in instructions]


def latest_proposal(document: IncomingDocument) -> Instruction | None:
    return (
        Instruction.objects.filter(document=document, kind=InstructionKind.PROPOSAL)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Target:
    value: str  # "u:<unit id>" or "p:<user id>"
    label: str


MAX_PEOPLE = 500


def target_choices(document: IncomingDocument) -> tuple[list[Target], list[Target]]:
    """Units and people inside the document's routing scope, for the bút phê and đề xuất forms."""
    scope = access.routing_scope(document.unit)
    units = [
        Target(f"u:{u.pk}", ("— " * max(0, u.depth - scope.depth)) + u.name)
        for u in Unit.objects.active().filter(path__startswith=scope.path).only("pk", "name", "depth", "path")
    ]
    people = [
        Target(f"p:{u.pk}", f"{u.get_full_name()} — {u.unit.short_name or u.unit.name}" if u.unit else str(u))
        for u in User.objects.filter(is_active=True, unit__path__startswith=scope.path)
        .select_related("unit")
        .order_by("unit__path", "full_name")[:MAX_PEOPLE]
    ]
    return units, people


def unit_people(unit: Unit) -> QuerySet[User]:
    """People a unit leader may hand an assignment to: active members of the unit's subtree."""
    return (
        User.objects.filter(is_active=True, unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("full_name")
    )


def reply_choices(user: User, document: IncomingDocument, limit: int = 30) -> list[OutgoingDocument]:
    """Issued văn bản đi the person may see: first those answering this document, then recent others of the
    same cấp ủy."""
    scope = access.routing_scope(document.unit)
    qs = outgoing_visible_to(user).filter(status=OutgoingStatus.ISSUED).defer("text")
    first = list(qs.filter(in_reply_to=document).order_by("-issued_date", "-pk")[:limit])
    others = list(
        qs.filter(unit__path__startswith=scope.path)
        .exclude(pk__in=[d.pk for d in first])
        .order_by("-issued_date", "-pk")[: max(0, limit - len(first))]
    )
    return first + others


def tab_counts(user: User) -> dict[str, int]:
    """Open items per tab, for the tab labels (three COUNT queries)."""
    base = access.assignments_visible_in_inbox(user).filter(status__in=ACTIVE_STATUSES)
    counts = {
        "mine": base.filter(access.assignments_for_person(user)).count(),
        "unit": base.filter(access.assignments_for_led_units(user)).count() if access.led_units(user) else 0,
        "waiting": awaiting_instruction(user).count() if is_router(user) else 0,
    }
    return counts


def panel_roles(user: User, document: IncomingDocument) -> dict[str, Any]:
    """What the person may do on this document's routing (drives which forms the panel shows)."""
    routable = document.status in (
        IncomingStatus.REGISTERED,
        IncomingStatus.PROPOSED,
        IncomingStatus.IN_PROGRESS,
    )
    return {
        "can_propose": document.status in (IncomingStatus.REGISTERED, IncomingStatus.PROPOSED)
        and access.can_propose(user, document),
        "can_instruct": routable and access.can_instruct(user, document),
    }
