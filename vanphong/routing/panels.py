"""The routing panel of the incoming-document page (registered with ``registry.panels`` in ``apps.py``).

It shows the routing history (đề xuất, bút phê, assignments with deadline chips, read receipts, progress,
results) and only the forms the viewer may use. Opening the page as an assignee records the read receipt.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from vanphong.accounts.models import User
from vanphong.core.exceptions import VanphongError
from vanphong.registry.models import IncomingDocument, ResultKind

from . import access, selectors, services
from .forms import lines_initial
from .models import ACTIVE_STATUSES, AssignmentKind, AssignmentStatus
from .selectors import AssignmentView, InstructionView

BLANK_ROWS = 3
MAX_PEOPLE = 200


def blank_rows(n: int, *, with_lead: bool) -> list[dict[str, Any]]:
    """``n`` empty recipient rows (at least one); the first is chủ trì when none is chosen yet."""
    rows: list[dict[str, Any]] = [{"kind": AssignmentKind.SUPPORT} for _ in range(max(1, n))]
    if with_lead:
        rows[0] = {"kind": AssignmentKind.LEAD}
    return rows


def _walk(views: list[AssignmentView]) -> list[AssignmentView]:
    out: list[AssignmentView] = []
    for v in views:
        out.append(v)
        out += _walk(v.children)
    return out


def _mark_read(user: User, history: list[InstructionView]) -> bool:
    marked = False
    for iv in history:
        for v in _walk(iv.assignments):
            a = v.assignment
            if a.read_at is None and a.status in ACTIVE_STATUSES and access.confirms_reading(user, a):
                try:
                    services.assignment_mark_read(actor=user, assignment=a)
                except VanphongError:
                    continue
                marked = True
    return marked


def routing_panel(request: Any, document: IncomingDocument) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    history = selectors.routing_history(document)
    if request.method == "GET" and _mark_read(user, history):
        history = selectors.routing_history(document)
    roles = selectors.panel_roles(user, document)
    any_handle = any_redirect = False
    for iv in history:
        for v in _walk(iv.assignments):
            a = v.assignment
            a.document = document  # already loaded; the access helpers read it
            active = a.status in ACTIVE_STATUSES
            v.can_handle = active and a.kind != AssignmentKind.INFO and access.can_handle(user, a)
            v.can_hand_over = v.can_handle and access.can_hand_over(user, a)
            v.can_return = active and (user.is_superuser or access.is_assignee(user, a))
            v.can_redirect = (
                roles["can_instruct"]
                and a.parent_id is None
                and (active or a.status == AssignmentStatus.RETURNED)
            )
            if v.can_hand_over:
                v.people = list(selectors.unit_people(a.unit)[:MAX_PEOPLE])
            any_handle = any_handle or v.can_handle
            any_redirect = any_redirect or v.can_redirect
    needs_targets = roles["can_propose"] or roles["can_instruct"] or any_redirect
    units, people = selectors.target_choices(document) if needs_targets else ([], [])
    proposal = selectors.latest_proposal(document) if roles["can_instruct"] else None
    has_lead = any(
        v.assignment.kind == AssignmentKind.LEAD and v.assignment.status in ACTIVE_STATUSES
        for iv in history
        for v in iv.assignments
    )
    rows = lines_initial(proposal.lines) if proposal is not None and proposal.lines and not has_lead else []
    rows += blank_rows(BLANK_ROWS - len(rows), with_lead=not rows and not has_lead)
    context = {
        "document": document,
        "history": history,
        "can_propose": roles["can_propose"],
        "can_instruct": roles["can_instruct"],
        "units": units,
        "people": people,
        "rows": rows,
        "blank_rows": blank_rows(BLANK_ROWS, with_lead=True),
        "proposal": proposal,
        "replies": selectors.reply_choices(user, document) if any_handle else [],
        "result_kinds": ResultKind.choices,
        "kinds": AssignmentKind.choices,
    }
    return render_to_string("routing/panel.html", context, request=request)
