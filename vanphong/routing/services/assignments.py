"""Work on one assignment: giao cá nhân, đã xem, tiến độ, trả lại, hoàn thành (NĐ 30/2020 Điều 24)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.core.audit import audit_log
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.core.notify import notify
from vanphong.registry.models import IncomingStatus, OutgoingDocument, OutgoingStatus, ResultKind
from vanphong.registry.services.incoming import incoming_grant, incoming_handling_update

from .. import access
from ..models import ACTIVE_STATUSES, Assignment, AssignmentKind, AssignmentStatus, ProgressNote
from . import common

RESULT_FIELDS = ["status", "done_at", "closed_by", "result_kind", "result_note", "reply", "updated_at"]


def _require_active(assignment: Assignment) -> None:
    if assignment.status == AssignmentStatus.DONE:
        done = timezone.localtime(assignment.done_at) if assignment.done_at else None
        when = f" lúc {done:%H:%M %d/%m/%Y}" if done else ""
        raise ConflictError(f"Phân công này đã hoàn thành{when}.")
    if assignment.status not in ACTIVE_STATUSES:
        raise ConflictError(f"Phân công này đã ở trạng thái “{assignment.get_status_display()}”.")


def _require_handler(actor: User, assignment: Assignment) -> None:
    common.require_visible(actor, assignment.document)
    if not access.can_handle(actor, assignment):
        raise PermissionDenied("Bạn không phải người được giao giải quyết văn bản này.")


def _touch_read(assignment: Assignment, actor: User, now: datetime) -> None:
    """Acting on an assignment implies having read it, when the actor is the one whose reading counts."""
    if assignment.read_at is None and access.confirms_reading(actor, assignment):
        assignment.read_at = now
        assignment.read_by = actor


def assignment_mark_read(*, actor: User, assignment: Assignment) -> Assignment:
    """Read receipt ("Đã xem lúc …"): the first time the assignee opens the document. Idempotent; a để biết
    assignment is complete once read."""
    with transaction.atomic():
        a = common.lock_assignment(assignment)
        if not access.confirms_reading(actor, a):
            raise PermissionDenied("Chỉ người được giao mới xác nhận đã xem.")
        if a.read_at is not None:
            return a
        now = timezone.now()
        a.read_at, a.read_by = now, actor
        fields = ["read_at", "read_by", "updated_at"]
        if a.status == AssignmentStatus.NEW:
            if a.kind == AssignmentKind.INFO:
                a.status, a.done_at = AssignmentStatus.DONE, now
                fields += ["done_at"]
            else:
                a.status = AssignmentStatus.READ
            fields.append("status")
        a.save(update_fields=fields)
        audit_log(actor=actor, action="routing.assignment.read", obj=a, unit=a.document.unit,
                  after={"read_at": now, "status": a.status})  # fmt: skip
    return a


def assignment_handover(
    *,
    actor: User,
    assignment: Assignment,
    user: User,
    deadline: date | None = None,
    days: int | None = None,
    note: str = "",
) -> Assignment:
    """Giao cá nhân: the unit leader gives the unit's assignment to a person of the unit (a child assignment,
    same role). The person's deadline defaults to the unit's and may not be later than it."""
    with transaction.atomic():
        common.lock_document(assignment.document)  # documents before assignments, always
        parent = common.lock_assignment(assignment)
        common.require_visible(actor, parent.document)
        if not access.can_hand_over(actor, parent):
            raise PermissionDenied("Chỉ lãnh đạo đơn vị được giao mới giao cá nhân giải quyết.")
        _require_active(parent)
        if parent.kind == AssignmentKind.INFO:
            raise ValidationError("Văn bản chỉ để biết, không cần giao cá nhân giải quyết.")
        if user.unit is None or not user.unit.is_within(parent.unit):
            raise ValidationError(f"{user} không thuộc {parent.unit}.")
        start = common.today()
        if days is not None and deadline is not None:
            raise ValidationError("Chỉ nhập một trong hai — số ngày làm việc hoặc ngày hết hạn.")
        if days is None and deadline is None:
            deadline = parent.deadline
            if deadline is not None and deadline < start:
                raise ValidationError(
                    f"Thời hạn của đơn vị {deadline:%d/%m/%Y} đã qua; cần đặt thời hạn mới."
                )
        line = common.resolve_line(
            common.Line(kind=parent.kind, user=user, days=days, deadline=deadline, note=note),
            scope=parent.unit, document=parent.document, start=start,
        )  # fmt: skip
        if parent.deadline is not None and line.deadline is not None and line.deadline > parent.deadline:
            raise ValidationError(
                f"Thời hạn giao cá nhân ({line.deadline:%d/%m/%Y}) không được sau thời hạn của đơn vị "
                f"({parent.deadline:%d/%m/%Y})."
            )
        if parent.children.filter(user=user, status__in=ACTIVE_STATUSES).exists():
            raise ConflictError(f"{user} đang được giao văn bản này.")
        child = Assignment.objects.create(
            document=parent.document, instruction=parent.instruction, kind=parent.kind, unit=line.unit,
            user=user, parent=parent, deadline=line.deadline, note=line.note, assigned_by=actor,
        )  # fmt: skip
        incoming_grant(document=parent.document, user=user)
        now = timezone.now()
        _touch_read(parent, actor, now)
        parent.status = AssignmentStatus.IN_PROGRESS
        parent.save(update_fields=["status", "read_at", "read_by", "updated_at"])
        if parent.parent_id is None and parent.kind == AssignmentKind.LEAD:
            incoming_handling_update(actor=actor, document=parent.document,
                                     progress_label=f"Đã giao {user} ({line.unit}) giải quyết")  # fmt: skip
        audit_log(
            actor=actor, action="routing.assignment.handover", obj=child, unit=parent.document.unit,
            after={"parent": parent.pk, "user": user.pk, "deadline": child.deadline, "note": child.note},
        )  # fmt: skip
        due = f", hạn {child.deadline:%d/%m/%Y}" if child.deadline else ""
        notify(
            users=[user],
            secrecy_rank=parent.document.secrecy_rank,
            kind=f"routing.assigned.{child.kind}",
            text=f"{actor} giao đồng chí {common.kind_label(child.kind).lower()} giải quyết "
            f"{common.document_label(parent.document)}{due}{common.document_subject(parent.document)}",
            url=common.document_url(parent.document),
            urgent=parent.document.is_urgent,
        )
    return child


def assignment_progress(
    *, actor: User, assignment: Assignment, text: str, percent: int | None = None
) -> ProgressNote:
    """Cập nhật tiến độ. For the chủ trì (or a person handling it) the register's "Tiến độ giải quyết" follows."""
    if not text.strip():
        raise ValidationError("Cần ghi nội dung tiến độ.")
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError("Phần trăm hoàn thành phải từ 0 đến 100.")
    with transaction.atomic():
        common.lock_document(assignment.document)
        a = common.lock_assignment(assignment)
        _require_handler(actor, a)
        _require_active(a)
        note = ProgressNote.objects.create(assignment=a, author=actor, text=text.strip(), percent=percent)
        now = timezone.now()
        _touch_read(a, actor, now)
        a.status = AssignmentStatus.IN_PROGRESS
        a.save(update_fields=["status", "read_at", "read_by", "updated_at"])
        root = common.root_of(a)
        if root.kind == AssignmentKind.LEAD:
            share = f"{percent}% — " if percent is not None else ""
            incoming_handling_update(
                actor=actor, document=a.document,
                progress_label=f"{timezone.localdate():%d/%m}: {share}{text.strip()}",
            )  # fmt: skip
        audit_log(actor=actor, action="routing.assignment.progress", obj=a, unit=a.document.unit,
                  after={"text": note.text, "percent": percent})  # fmt: skip
        notify(
            users=[u for u in [a.assigned_by] if u.pk != actor.pk],
            kind="routing.progress",
            secrecy_rank=a.document.secrecy_rank,
            text=f"{a.target_label} cập nhật tiến độ {common.document_label(a.document)}: {text.strip()[:200]}",
            url=common.document_url(a.document),
        )
    return note


def _cancel_open_children(a: Assignment, reason: str) -> None:
    for child in a.children.filter(status__in=ACTIVE_STATUSES):
        _cancel_open_children(child, reason)
        child.status = AssignmentStatus.CANCELLED
        child.reason = reason
        child.save(update_fields=["status", "reason", "updated_at"])


def assignment_return(*, actor: User, assignment: Assignment, reason: str) -> Assignment:
    """Trả lại: "this is not ours". A person's assignment goes back to the unit leader who gave it; a unit's
    goes back to the leader who gave the bút phê, and a returned chủ trì puts the document back in the queue
    waiting for a bút phê (PROPOSED)."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do trả lại.")
    with transaction.atomic():
        common.lock_document(assignment.document)
        a = common.lock_assignment(assignment)
        common.require_visible(actor, a.document)
        if not (actor.is_superuser or access.is_assignee(actor, a)):
            raise PermissionDenied("Chỉ đơn vị, cá nhân được giao mới trả lại được.")
        _require_active(a)
        a.status = AssignmentStatus.RETURNED
        a.reason = reason.strip()[:500]
        a.done_at = timezone.now()
        _touch_read(a, actor, a.done_at)
        a.save(update_fields=["status", "reason", "done_at", "read_at", "read_by", "updated_at"])
        _cancel_open_children(a, "Đơn vị đã trả lại văn bản.")
        doc = a.document
        if a.parent_id is None and a.kind == AssignmentKind.LEAD:
            incoming_handling_update(
                actor=actor, document=doc, status=IncomingStatus.PROPOSED,
                recipients_label=common.recipients_label(doc),
                progress_label=f"{a.target_label} trả lại, chờ lãnh đạo cho ý kiến",
            )  # fmt: skip
            to = [a.instruction.author]
        elif a.parent_id is None:
            incoming_handling_update(actor=actor, document=doc, recipients_label=common.recipients_label(doc))
            to = [a.instruction.author]
        else:
            to = [a.assigned_by]
        audit_log(actor=actor, action="routing.assignment.return", obj=a, unit=doc.unit,
                  after={"reason": a.reason})  # fmt: skip
        notify(
            users=[u for u in to if u.pk != actor.pk],
            kind="routing.returned",
            secrecy_rank=doc.secrecy_rank,
            text=f"{a.target_label} trả lại {common.document_label(doc)}: {a.reason[:200]}",
            url=common.document_url(doc),
            urgent=doc.is_urgent,
        )
    return a


def _check_result(*, result_kind: str, note: str, reply: OutgoingDocument | None) -> None:
    if result_kind not in ResultKind.values:
        raise ValidationError("Kết quả phải là trả lời bằng văn bản, ghi nhận kết quả hoặc lưu hồ sơ.")
    if result_kind == ResultKind.REPLY:
        if reply is None:
            raise ValidationError("Cần chọn văn bản trả lời.")
        if reply.status != OutgoingStatus.ISSUED:
            raise ValidationError(
                f"Văn bản “{reply.number_symbol or reply.subject[:60]}” chưa phát hành, chưa dùng làm văn bản "
                "trả lời được."
            )
    elif reply is not None:
        raise ValidationError("Chỉ chọn văn bản trả lời khi kết quả là trả lời bằng văn bản.")
    if result_kind == ResultKind.NOTE and not note.strip():
        raise ValidationError("Cần ghi nội dung kết quả giải quyết.")


def _finish(a: Assignment, *, actor: User, result_kind: str, note: str, reply: OutgoingDocument | None,
            now: datetime) -> None:  # fmt: skip
    a.status = AssignmentStatus.DONE
    a.done_at = now
    a.closed_by = actor
    a.result_kind = result_kind
    a.result_note = note
    a.reply = reply
    a.save(update_fields=RESULT_FIELDS)


def _finish_descendants(a: Assignment, **kw: object) -> list[Assignment]:
    done = []
    for child in a.children.filter(status__in=ACTIVE_STATUSES):
        _finish(child, **kw)  # type: ignore[arg-type]
        done.append(child)
        done += _finish_descendants(child, **kw)
    return done


def assignment_close(
    *,
    actor: User,
    assignment: Assignment,
    result_kind: str,
    note: str = "",
    reply: OutgoingDocument | None = None,
) -> Assignment:
    """Hoàn thành with a result: a reply (an issued văn bản đi of the office), a note, or filing.

    Open hand-overs under it close with it; a person's result closes the unit's assignment when nothing else of
    the unit is open. Closing the chủ trì closes the document (DONE, kết quả, văn bản trả lời, ngày hoàn
    thành); phối hợp close on their own. The leader who gave the bút phê and the văn thư are told.
    """
    note = note.strip()
    with transaction.atomic():
        doc = common.lock_document(assignment.document)
        a = common.lock_assignment(assignment)
        _require_handler(actor, a)
        _require_active(a)
        _check_result(result_kind=result_kind, note=note, reply=reply)
        if reply is not None:
            scope = access.routing_scope(doc.unit)
            if not reply.unit.is_within(scope):
                raise ValidationError("Văn bản trả lời phải do cơ quan, đơn vị trong cấp ủy này ban hành.")
        now = timezone.now()
        kw = {"actor": actor, "result_kind": result_kind, "note": note, "reply": reply, "now": now}
        _finish(a, **kw)  # type: ignore[arg-type]
        closed = [a, *_finish_descendants(a, **kw)]
        node = a
        while node.parent_id is not None:
            parent = (
                Assignment.objects.select_for_update(of=("self",))
                .select_related("unit", "user")
                .get(pk=node.parent_id)
            )
            if (
                parent.status not in ACTIVE_STATUSES
                or parent.children.filter(status__in=ACTIVE_STATUSES).exists()
            ):
                break
            _finish(parent, **kw)  # type: ignore[arg-type]
            closed.append(parent)
            node = parent
        lead_closed = any(c.parent_id is None and c.kind == AssignmentKind.LEAD for c in closed)
        if lead_closed:
            progress = f"Đã giải quyết ngày {timezone.localdate(now):%d/%m/%Y}"
            if reply is not None:
                progress += f", trả lời bằng văn bản {reply.number_symbol}"
            incoming_handling_update(
                actor=actor, document=doc, status=IncomingStatus.DONE, result_kind=result_kind,
                result_note=note, reply=reply, closed_at=now, progress_label=progress,
            )  # fmt: skip
        audit_log(
            actor=actor, action="routing.assignment.close", obj=a, unit=doc.unit,
            after={"result_kind": result_kind, "note": note, "reply": reply.pk if reply else None,
                   "closed": [c.pk for c in closed], "document_done": lead_closed},
        )  # fmt: skip
        to: list[User | None] = [a.assigned_by] if a.parent_id is not None else []
        if closed[-1].parent_id is None:  # the unit's (or person's) top-level assignment is complete
            to += [closed[-1].instruction.author, doc.registered_by]
        what = (
            "hoàn thành giải quyết" if lead_closed else f"hoàn thành phần {common.kind_label(a.kind).lower()}"
        )
        notify(
            users=[u for u in to if u is not None and u.pk != actor.pk],
            kind="routing.done",
            secrecy_rank=doc.secrecy_rank,
            text=f"{a.target_label} {what} {common.document_label(doc)}"
            + (f" (văn bản trả lời {reply.number_symbol})" if reply is not None else ""),
            url=common.document_url(doc),
        )
    return a
