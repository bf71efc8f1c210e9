"""Đề xuất and bút phê: the office proposes, the leader decides who handles an incoming document and by when
(NĐ 30/2020 Điều 22–24); the leader may also move an assignment to another recipient (chuyển lại)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanphong.accounts.models import Role, User
from vanphong.core.audit import audit_log
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.core.notify import notify
from vanphong.org.models import Unit
from vanphong.registry.models import IncomingDocument, IncomingStatus, ResultKind
from vanphong.registry.services.incoming import incoming_grant, incoming_handling_update

from .. import access
from ..models import (
    ACTIVE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Instruction,
    InstructionKind,
)
from . import common
from .common import Line, ResolvedLine

PROPOSABLE = (IncomingStatus.REGISTERED, IncomingStatus.PROPOSED)
ROUTABLE = (IncomingStatus.REGISTERED, IncomingStatus.PROPOSED, IncomingStatus.IN_PROGRESS)

NOTICE = {
    AssignmentKind.LEAD: "Chủ trì giải quyết",
    AssignmentKind.SUPPORT: "Phối hợp giải quyết",
    AssignmentKind.INFO: "Để biết",
}


def _status_label(document: IncomingDocument) -> str:
    return str(IncomingStatus(document.status).label)


def _grant(assignment: Assignment) -> None:
    if assignment.user is not None:
        incoming_grant(document=assignment.document, user=assignment.user)
    else:
        incoming_grant(document=assignment.document, unit=assignment.unit)


def notify_assigned(assignment: Assignment) -> None:
    doc = assignment.document
    due = f", hạn {assignment.deadline:%d/%m/%Y}" if assignment.deadline else ""
    notify(
        users=common.assignees(assignment),
        kind=f"routing.assigned.{assignment.kind}",
        secrecy_rank=doc.secrecy_rank,
        text=f"{NOTICE[AssignmentKind(assignment.kind)]} {common.document_label(doc)}{due}"
        f"{common.document_subject(doc)}",
        url=common.document_url(doc),
        urgent=doc.is_urgent,
    )


def _create_assignment(
    *, document: IncomingDocument, instruction: Instruction, line: ResolvedLine, actor: User
) -> Assignment:
    assignment = Assignment.objects.create(
        document=document, instruction=instruction, kind=line.kind, unit=line.unit, user=line.user,
        deadline=line.deadline, note=line.note, assigned_by=actor,
    )  # fmt: skip
    _grant(assignment)
    return assignment


def _active_targets(document: IncomingDocument) -> dict[tuple[int, int | None], Assignment]:
    rows = Assignment.objects.filter(document=document, parent__isnull=True, status__in=ACTIVE_STATUSES)
    return {(a.unit_id, a.user_id): a for a in rows.select_related("unit", "user")}


def routing_propose(
    *, actor: User, document: IncomingDocument, lines: Sequence[Line], text: str
) -> Instruction:
    """Ý kiến đề xuất of the office (lãnh đạo văn phòng or văn thư) to the leader who decides.

    The document waits for the leader (PROPOSED); proposed lines are checked like a bút phê and kept so the
    leader can accept them. A clerk's proposal goes to the lãnh đạo văn phòng, an office leader's to the
    lãnh đạo cấp ủy over the document's unit.
    """
    with transaction.atomic():
        doc = common.lock_document(document)
        common.require_visible(actor, doc)
        if not access.can_propose(actor, doc):
            raise PermissionDenied("Chỉ lãnh đạo văn phòng hoặc văn thư mới được đề xuất phân phối văn bản.")
        if doc.status not in PROPOSABLE:
            raise ConflictError(f"Văn bản đang ở trạng thái “{_status_label(doc)}”, không đề xuất được nữa.")
        resolved = common.resolve_lines(document=doc, lines=lines, start=common.today())
        if not text.strip() and not resolved:
            raise ValidationError("Cần ghi ý kiến đề xuất hoặc chọn đơn vị, cá nhân đề xuất giao.")
        if sum(1 for r in resolved if r.kind == AssignmentKind.LEAD) > 1:
            raise ValidationError("Chỉ đề xuất một đơn vị hoặc cá nhân chủ trì.")
        instruction = Instruction.objects.create(
            document=doc, author=actor, kind=InstructionKind.PROPOSAL, text=text.strip(),
            lines=[r.as_json() for r in resolved],
        )  # fmt: skip
        incoming_handling_update(actor=actor, document=doc, status=IncomingStatus.PROPOSED)
        audit_log(
            actor=actor, action="routing.propose", obj=instruction, unit=doc.unit,
            after={"document": doc.pk, "text": instruction.text, "lines": instruction.lines},
        )  # fmt: skip
        if actor.is_superuser or common.is_office_leader(actor, doc):
            to = common.leaders_over(doc.unit, [Role.COMMITTEE_LEADER])
        else:
            to = common.leaders_over(doc.unit, [Role.OFFICE_LEADER])
        notify(
            users=[u for u in to if u.pk != actor.pk],
            kind="routing.proposed",
            secrecy_rank=doc.secrecy_rank,
            text=f"{actor} đề xuất phân phối {common.document_label(doc)}{common.document_subject(doc)}",
            url=common.document_url(doc),
            urgent=doc.is_urgent,
        )
    return instruction


def routing_instruct(
    *, actor: User, document: IncomingDocument, lines: Sequence[Line], text: str
) -> Instruction:
    """Bút phê: give the document to one chủ trì, any number of phối hợp and để biết, each with its deadline.

    Exactly one chủ trì is required unless every line is để biết — then the document is filed (DONE, FILED).
    A document already in progress keeps its chủ trì: further bút phê may only add phối hợp or để biết (the
    chủ trì is changed with ``assignment_redirect``). Recipients get need-to-know access and a notice (urgent
    for urgent documents); the register columns (recipients, ngày chuyển, thời hạn) are updated.
    """
    with transaction.atomic():
        doc = common.lock_document(document)
        common.require_visible(actor, doc)
        if not access.can_instruct(actor, doc):
            raise PermissionDenied(
                "Chỉ lãnh đạo cấp ủy hoặc lãnh đạo văn phòng mới được cho ý kiến phân phối văn bản này."
            )
        if doc.status not in ROUTABLE:
            raise ConflictError(f"Văn bản đang ở trạng thái “{_status_label(doc)}”, không phân phối được.")
        resolved = common.resolve_lines(document=doc, lines=lines, start=common.today())
        if not resolved:
            raise ValidationError("Cần chọn ít nhất một đơn vị hoặc cá nhân nhận văn bản.")
        leads = [r for r in resolved if r.kind == AssignmentKind.LEAD]
        all_info = all(r.kind == AssignmentKind.INFO for r in resolved)
        current_lead = common.active_lead(doc)
        if len(leads) > 1:
            raise ValidationError("Chỉ được giao một đơn vị hoặc cá nhân chủ trì.")
        if current_lead is not None and leads:
            raise ConflictError(
                f"Văn bản đã có {current_lead.target_label} chủ trì giải quyết; muốn đổi, dùng “Chuyển lại”."
            )
        if current_lead is None and not leads and not all_info:
            raise ValidationError("Cần giao một đơn vị hoặc cá nhân chủ trì (trừ khi tất cả chỉ để biết).")
        existing = _active_targets(doc)
        taken = [r.target_label for r in resolved if r.target_key in existing]
        if taken:
            raise ConflictError(f"Đã giao văn bản này cho {', '.join(taken)}.")
        now = timezone.now()
        instruction = Instruction.objects.create(
            document=doc, author=actor, kind=InstructionKind.INSTRUCTION, text=text.strip(),
            lines=[r.as_json() for r in resolved],
        )  # fmt: skip
        try:
            with transaction.atomic():
                created = [
                    _create_assignment(document=doc, instruction=instruction, line=r, actor=actor)
                    for r in resolved
                ]
        except IntegrityError as exc:  # a concurrent bút phê gave a chủ trì first
            raise ConflictError("Văn bản vừa được giao đơn vị chủ trì khác; tải lại trang để xem.") from exc
        label = common.recipients_label(doc)
        if leads:
            doc = incoming_handling_update(
                actor=actor, document=doc, status=IncomingStatus.IN_PROGRESS, recipients_label=label,
                forwarded_at=doc.forwarded_at or now, due_date=leads[0].deadline,
                progress_label="Đang giải quyết",
            )  # fmt: skip
        elif current_lead is None:  # every line để biết: nothing to handle, the document is filed
            doc = incoming_handling_update(
                actor=actor, document=doc, status=IncomingStatus.DONE, recipients_label=label,
                forwarded_at=doc.forwarded_at or now, due_date=None, result_kind=ResultKind.FILED,
                result_note=text.strip(), closed_at=now, progress_label="Để biết, lưu hồ sơ",
            )  # fmt: skip
        else:
            doc = incoming_handling_update(actor=actor, document=doc, recipients_label=label)
        audit_log(
            actor=actor, action="routing.instruct", obj=instruction, unit=doc.unit,
            after={"document": doc.pk, "text": instruction.text, "lines": instruction.lines,
                   "assignments": [a.pk for a in created], "status": doc.status},
        )  # fmt: skip
        for a in created:
            notify_assigned(a)
    return instruction


def assignment_redirect(
    *,
    actor: User,
    assignment: Assignment,
    reason: str,
    unit: Unit | None = None,
    user: User | None = None,
    days: int | None = None,
    deadline: date | None = None,
) -> Assignment:
    """Chuyển lại: the leader gives a top-level assignment (usually one the unit returned) to another unit or
    person, same role. The deadline is kept unless a new one is given (a past one must be replaced)."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do chuyển lại.")
    with transaction.atomic():
        doc = common.lock_document(assignment.document)
        old = common.lock_assignment(assignment)
        common.require_visible(actor, doc)
        if not access.can_instruct(actor, doc):
            raise PermissionDenied("Chỉ lãnh đạo cho ý kiến phân phối mới được chuyển lại.")
        if old.parent_id is not None:
            raise ValidationError("Phân công cho cá nhân do lãnh đạo đơn vị giao lại, không chuyển ở đây.")
        if doc.status not in ROUTABLE:
            raise ConflictError(f"Văn bản đang ở trạng thái “{_status_label(doc)}”, không chuyển được.")
        if old.status not in (*ACTIVE_STATUSES, AssignmentStatus.RETURNED):
            raise ConflictError(f"Phân công này đã ở trạng thái “{old.get_status_display()}”.")
        start = common.today()
        keep_deadline = days is None and deadline is None and old.kind != AssignmentKind.INFO
        if keep_deadline and old.deadline is not None and old.deadline < start:
            raise ValidationError(f"Thời hạn cũ {old.deadline:%d/%m/%Y} đã qua; cần đặt thời hạn mới.")
        line = common.resolve_line(
            Line(kind=old.kind, unit=unit, user=user, days=days,
                 deadline=old.deadline if keep_deadline else deadline, note=reason),
            scope=access.routing_scope(doc.unit), document=doc, start=start,
        )  # fmt: skip
        existing = _active_targets(doc)
        if line.target_key == (old.unit_id, old.user_id) or line.target_key in existing:
            raise ConflictError(f"{line.target_label} đang được giao văn bản này.")
        was_active = old.status in ACTIVE_STATUSES
        if was_active:
            old.reason = reason.strip()[:500]
            old.done_at = timezone.now()
        old.status = AssignmentStatus.REDIRECTED  # a returned one keeps its return reason
        old.save(update_fields=["status", "reason", "done_at", "updated_at"])
        for child in old.children.filter(status__in=ACTIVE_STATUSES):
            child.status = AssignmentStatus.CANCELLED
            child.reason = "Văn bản đã được chuyển cho nơi khác."
            child.save(update_fields=["status", "reason", "updated_at"])
        kind_text = common.kind_label(old.kind).lower()
        instruction = Instruction.objects.create(
            document=doc, author=actor, kind=InstructionKind.INSTRUCTION,
            text=f"Chuyển {kind_text} từ {old.target_label} sang {line.target_label}: {reason.strip()}",
            lines=[line.as_json()],
        )  # fmt: skip
        try:
            with transaction.atomic():
                new = _create_assignment(document=doc, instruction=instruction, line=line, actor=actor)
        except IntegrityError as exc:
            raise ConflictError("Văn bản vừa được giao đơn vị chủ trì khác; tải lại trang để xem.") from exc
        label = common.recipients_label(doc)
        if new.kind == AssignmentKind.LEAD:
            incoming_handling_update(
                actor=actor, document=doc, status=IncomingStatus.IN_PROGRESS, recipients_label=label,
                due_date=new.deadline, forwarded_at=doc.forwarded_at or timezone.now(),
                progress_label=f"Chuyển {line.target_label} chủ trì",
            )  # fmt: skip
        else:
            incoming_handling_update(actor=actor, document=doc, recipients_label=label)
        audit_log(
            actor=actor, action="routing.assignment.redirect", obj=new, unit=doc.unit,
            before={"assignment": old.pk, "unit": old.unit_id, "user": old.user_id, "status": old.status},
            after={"assignment": new.pk, "unit": new.unit_id, "user": new.user_id, "reason": reason.strip(),
                   "deadline": new.deadline},
        )  # fmt: skip
        notify_assigned(new)
        if was_active:
            notify(
                users=common.assignees(old),
                kind="routing.redirected",
                secrecy_rank=doc.secrecy_rank,
                text=f"{common.document_label(doc).capitalize()} đã được chuyển cho {line.target_label}: "
                f"{reason.strip()[:200]}",
                url=common.document_url(doc),
            )
    return new
