"""Content of the phiếu giải quyết văn bản đến (NĐ 30/2020 Phụ lục IV mục VII), in its three parts:

1. Ý kiến của lãnh đạo cơ quan — chủ trì, phối hợp, thời hạn của từng đơn vị, ngày, người cho ý kiến;
2. Ý kiến của lãnh đạo đơn vị — giao cá nhân, thời hạn, ngày;
3. Ý kiến đề xuất của người giải quyết — tiến độ, kết quả, ngày.

Party header (36-HD/VPTW): the cấp ủy above the office, then "ĐẢNG CỘNG SẢN VIỆT NAM" on the right; no
Quốc hiệu. Parts with nothing recorded keep dotted lines so the sheet still serves as a paper form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from vanphong.registry.models import IncomingDocument, ResultKind

from . import access
from .models import Assignment, AssignmentKind, AssignmentStatus, InstructionKind
from .selectors import AssignmentView, routing_history

BLANK_LINES = 4


@dataclass
class SlipLine:
    kind: str
    target: str
    deadline: date | None


@dataclass
class LeaderOpinion:
    at: datetime
    author: str
    text: str
    proposal: bool = False
    lines: list[SlipLine] = field(default_factory=list)


@dataclass
class UnitOpinion:
    at: datetime
    author: str
    target: str
    deadline: date | None
    note: str


@dataclass
class HandlerOpinion:
    at: datetime
    author: str
    text: str


def _walk(views: list[AssignmentView]) -> list[AssignmentView]:
    out: list[AssignmentView] = []
    for v in views:
        out.append(v)
        out += _walk(v.children)
    return out


def _result_text(v: AssignmentView) -> str:
    a = v.assignment
    if a.status == AssignmentStatus.RETURNED:
        return f"Trả lại: {a.reason}"
    if a.status != AssignmentStatus.DONE or (a.kind == AssignmentKind.INFO and not a.result_kind):
        return ""
    label = str(ResultKind(a.result_kind).label) if a.result_kind in ResultKind.values else "Hoàn thành"
    text = f"Hoàn thành — {label.lower()}"
    if a.reply is not None:
        text += f": văn bản số {a.reply.number_symbol}"
    if a.result_note:
        text += f". {a.result_note}"
    return text


def _who(person: Any, a: Assignment) -> str:
    """The handler as the phiếu names them: "Võ Thị Lan (Ban Tổ chức)", or "X — Ban Tổ chức" for a unit."""
    if a.user_id is not None and person is not None and person.pk == a.user_id:
        return a.target_label
    return f"{person} — {a.target_label}"


def slip_context(document: IncomingDocument) -> dict[str, Any]:
    history = routing_history(document)
    leaders: list[LeaderOpinion] = []
    units: list[UnitOpinion] = []
    handlers: list[HandlerOpinion] = []
    for iv in history:
        ins = iv.instruction
        opinion = LeaderOpinion(
            at=ins.created_at,
            author=str(ins.author),
            text=ins.text,
            proposal=ins.kind == InstructionKind.PROPOSAL,
        )
        for v in iv.assignments:
            a = v.assignment
            opinion.lines.append(SlipLine(a.get_kind_display(), a.target_label, a.deadline))
        leaders.append(opinion)
        for v in _walk(iv.assignments):
            a = v.assignment
            if a.parent_id is not None:
                units.append(
                    UnitOpinion(a.assigned_at, str(a.assigned_by), a.target_label, a.deadline, a.note)
                )
            for n in v.notes:
                share = f" ({n.percent}%)" if n.percent is not None else ""
                handlers.append(HandlerOpinion(n.created_at, _who(n.author, a), f"{n.text}{share}"))
            result = _result_text(v)
            if result and a.done_at is not None:
                handlers.append(
                    HandlerOpinion(a.done_at, _who(a.closed_by or a.read_by or a.assigned_by, a), result)
                )
    handlers.sort(key=lambda h: h.at)
    scope = access.routing_scope(document.unit)
    return {
        "document": document,
        "superior": scope.name.upper() if scope.pk != document.unit_id else "",
        "office": document.unit.name.upper(),
        "leaders": [o for o in leaders if not o.proposal],
        "proposals": [o for o in leaders if o.proposal],
        "units": units,
        "handlers": handlers,
        "blank": range(BLANK_LINES),
        "printed_at": timezone.localtime(),
    }
