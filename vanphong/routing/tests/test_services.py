"""Routing services: bút phê with one chủ trì, deadlines in working days, need-to-know grants, hand-over,
return/redirect, results written to the register columns, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanphong.accounts.models import Role
from vanphong.core.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord, Notification
from vanphong.registry.access import access_incoming
from vanphong.registry.models import IncomingStatus, OutgoingDocument, ResultKind
from vanphong.routing import selectors
from vanphong.routing.models import Assignment, AssignmentStatus, Instruction, ProgressNote
from vanphong.routing.services import (
    Line,
    assignment_close,
    assignment_handover,
    assignment_mark_read,
    assignment_progress,
    assignment_redirect,
    assignment_return,
    routing_instruct,
    routing_propose,
)
from vanphong.testing.factories import make_province, make_unit, make_user

pytestmark = pytest.mark.django_db


def _lead(doc) -> Assignment:
    return Assignment.objects.get(
        document=doc, kind="lead", parent__isnull=True, status__in=["new", "read", "in_progress"]
    )


def _issued_reply(unit, doc=None, status="issued", symbol="27-CV/VPTU") -> OutgoingDocument:
    from vanphong.catalogs.models import DocumentType

    doc_type = DocumentType.objects.first()
    return OutgoingDocument.objects.create(
        unit=unit, document_type=doc_type, number_symbol=symbol, subject="Trả lời góp ý dự thảo quy chế",
        status=status, issued_date=timezone.localdate() if status == "issued" else None, in_reply_to=doc,
    )  # fmt: skip


# --- bút phê -----------------------------------------------------------------------------------------------


def test_instruct_creates_assignments_and_writes_register_columns(
    routed, doc, leader, btc, btc_leader, btg_leader
):
    """One chủ trì, one phối hợp, one để biết; the document is in progress with the chủ trì's deadline."""
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.IN_PROGRESS
    assert doc.recipients_label == (
        "Chủ trì: Ban Tổ chức Tỉnh ủy; Phối hợp: Ban Tuyên giáo và Dân vận Tỉnh ủy; Để biết: Văn phòng Tỉnh ủy"
    )
    lead = _lead(doc)
    assert lead.unit == btc and lead.instruction == routed and lead.assigned_by == leader
    assert doc.due_date == lead.deadline and doc.forwarded_at is not None
    assert Notification.objects.filter(user=btc_leader, kind="routing.assigned.lead").exists()
    assert Notification.objects.filter(user=btg_leader, kind="routing.assigned.support").exists()
    assert AuditRecord.objects.filter(action="routing.instruct", object_id=str(routed.pk)).exists()


def test_exactly_one_lead(doc, leader, btc, btg):
    """Two chủ trì, or phối hợp without a chủ trì, are refused; a second chủ trì later is a conflict."""
    with pytest.raises(ValidationError, match="một đơn vị hoặc cá nhân chủ trì"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc), Line("lead", btg)])
    with pytest.raises(ValidationError, match="Cần giao một đơn vị hoặc cá nhân chủ trì"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("support", btc)])
    assert not Assignment.objects.exists() and not Instruction.objects.exists()
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=3)])
    with pytest.raises(ConflictError, match="Chuyển lại"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btg, days=3)])
    # More phối hợp may be added while the chủ trì works.
    routing_instruct(actor=leader, document=doc, text="Thêm phối hợp", lines=[Line("support", btg, days=2)])
    assert Assignment.objects.filter(document=doc, kind="lead").count() == 1


def test_database_keeps_one_active_lead(routed, doc, btg, leader):
    """The unique constraint backs the rule even if a service were bypassed."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(document=doc, instruction=routed, kind="lead", unit=btg, assigned_by=leader)


def test_all_info_lines_file_the_document(doc, leader, btc, btg):
    """Only để biết: nothing to handle, the document is closed as filed."""
    routing_instruct(
        actor=leader, document=doc, text="Để biết.", lines=[Line("info", btc), Line("info", btg)]
    )
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.DONE and doc.result_kind == ResultKind.FILED
    assert doc.closed_at is not None and doc.recipients_label.startswith("Để biết:")


def test_deadline_in_working_days_skips_weekend_and_tet(doc, leader, btc, btg, today):
    """From Friday 13/2/2026, 1 working day is Monday 23/2 (Tết 16–20/2); 2 working days from Friday 6/3 is
    Tuesday 10/3 (the weekend does not count). A date given directly is kept."""
    today(date(2026, 2, 13))
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=1),
                                                                  Line("support", btg, deadline=date(2026, 2, 27))])  # fmt: skip
    lead = _lead(doc)
    assert lead.deadline == date(2026, 2, 23)
    assert Assignment.objects.get(document=doc, unit=btg).deadline == date(2026, 2, 27)
    doc.refresh_from_db()
    assert doc.due_date == date(2026, 2, 23)
    from vanphong.routing.services import deadline_from_days

    assert deadline_from_days(2, date(2026, 3, 6)) == date(2026, 3, 10)


def test_deadline_in_the_past_duplicate_and_outside_recipients_are_refused(doc, leader, btc, today):
    today(date(2026, 11, 23))
    other = make_unit(make_province("Thành ủy Hà Nội"), "Ban Tổ chức Thành ủy")
    with pytest.raises(ValidationError) as exc:
        routing_instruct(
            actor=leader, document=doc, text="",
            lines=[Line("lead", btc, deadline=date(2026, 11, 20)), Line("support", other), Line("info", btc)],
        )  # fmt: skip
    message = exc.value.message
    assert "đã qua" in message and "không thuộc Tỉnh ủy Tây Ninh" in message
    with pytest.raises(ValidationError, match="được chọn hai lần"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc), Line("info", btc)])
    with pytest.raises(ValidationError, match="chỉ nhập một trong hai"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=2,
                                                                           deadline=date(2026, 12, 1))])  # fmt: skip


def test_person_without_clearance_cannot_receive_a_secret_document(register, leader, btc):
    from vanphong.catalogs.models import SecrecyLevel

    secret = SecrecyLevel.objects.filter(rank=1).first()  # Mật: the leader (cleared Mật) may read it
    assert secret is not None
    doc = register(subject="Tài liệu mật", secrecy=secret)
    person = make_user(btc, [Role.SPECIALIST], full_name="Không Đủ Độ Mật")
    with pytest.raises(ValidationError, match="không được tiếp cận"):
        routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", user=person)])


# --- who may ----------------------------------------------------------------------------------------------


def test_specialist_and_clerk_cannot_instruct(doc, clerk, btc, btc_specialist, routed, btc_leader):
    """A clerk sees the document but may not give a bút phê; a specialist who was handed it may not either."""
    with pytest.raises(PermissionDenied):
        routing_instruct(actor=clerk, document=doc, text="", lines=[Line("support", btc)])
    assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist)
    with pytest.raises(PermissionDenied):
        routing_instruct(actor=btc_specialist, document=doc, text="", lines=[Line("info", btc)])


def test_other_provinces_leader_gets_not_found(doc, btc):
    hanoi = make_province("Thành ủy Hà Nội")
    stranger = make_user(hanoi, [Role.COMMITTEE_LEADER])
    with pytest.raises(NotFound):
        routing_instruct(actor=stranger, document=doc, text="", lines=[Line("lead", btc)])
    with pytest.raises(NotFound):
        access_incoming(stranger, doc.pk)


def test_delegate_of_the_leader_may_instruct(doc, leader, btc, province):
    from vanphong.accounts.services import delegation_create

    deputy = make_user(province, [], full_name="Phó Chánh Văn Phòng")
    today_ = timezone.localdate()
    delegation_create(actor=leader, grantee=deputy, role=Role.COMMITTEE_LEADER, unit=province, start=today_,
                      end=today_ + timedelta(days=3), reason="Đi công tác")  # fmt: skip
    routing_instruct(actor=deputy, document=doc, text="", lines=[Line("lead", btc, days=2)])
    assert _lead(doc).assigned_by == deputy


# --- need-to-know --------------------------------------------------------------------------------------------


def test_grants_let_routed_unit_leader_and_person_read(
    doc, leader, btc, btc_leader, btc_specialist, btg_leader, btg
):
    """Before routing neither the unit leader nor the specialist can open the document; after, the routed unit's
    leader can, the specialist once it is handed to them, and an unrelated unit's leader never."""
    for person in (btc_leader, btc_specialist, btg_leader):
        with pytest.raises(NotFound):
            access_incoming(person, doc.pk)
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=5)])
    assert access_incoming(btc_leader, doc.pk) == doc
    with pytest.raises(NotFound):
        access_incoming(btc_specialist, doc.pk)
    with pytest.raises(NotFound):
        access_incoming(btg_leader, doc.pk)
    assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist)
    assert access_incoming(btc_specialist, doc.pk) == doc


def test_routing_to_a_person_grants_that_person(doc, leader, btc_specialist):
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", user=btc_specialist, days=2)])
    assert access_incoming(btc_specialist, doc.pk) == doc
    lead = _lead(doc)
    assert lead.user == btc_specialist and lead.unit == btc_specialist.unit


# --- đề xuất -----------------------------------------------------------------------------------------------


def test_office_leader_proposes_to_the_committee_leader(doc, office_leader, leader, btc):
    ins = routing_propose(actor=office_leader, document=doc, text="Đề nghị giao Ban Tổ chức.",
                          lines=[Line("lead", btc, days=5)])  # fmt: skip
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.PROPOSED
    assert ins.lines[0]["unit_id"] == btc.pk and ins.lines[0]["days"] == 5
    assert Notification.objects.filter(user=leader, kind="routing.proposed").exists()
    assert not Assignment.objects.exists()
    assert doc in selectors.awaiting_instruction(leader)


def test_clerks_proposal_goes_to_the_office_leader(doc, clerk, office_leader, leader):
    routing_propose(actor=clerk, document=doc, text="Kính trình Chánh Văn phòng.", lines=[])
    assert Notification.objects.filter(user=office_leader, kind="routing.proposed").exists()
    assert not Notification.objects.filter(user=leader, kind="routing.proposed").exists()


def test_proposal_needs_text_or_lines_and_a_routable_document(doc, office_leader, routed):
    with pytest.raises(ConflictError):
        routing_propose(actor=office_leader, document=doc, text="Muộn rồi", lines=[])


# --- giao cá nhân ------------------------------------------------------------------------------------------


def test_handover_to_a_specialist(routed, doc, btc_leader, btc_specialist, btg_leader, today):
    lead = _lead(doc)
    child = assignment_handover(
        actor=btc_leader, assignment=lead, user=btc_specialist, note="Đ/c Lan dự thảo"
    )
    assert child.parent == lead and child.kind == "lead" and child.deadline == lead.deadline
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.IN_PROGRESS and lead.read_at is not None
    assert Notification.objects.filter(user=btc_specialist, kind="routing.assigned.lead").exists()
    doc.refresh_from_db()
    assert "Võ Thị Lan" in doc.progress_label
    with pytest.raises(ConflictError):
        assignment_handover(actor=btc_leader, assignment=lead, user=btc_specialist)
    with pytest.raises(ValidationError, match="không được sau thời hạn"):
        other = make_user(lead.unit, [Role.SPECIALIST])
        assignment_handover(
            actor=btc_leader, assignment=lead, user=other, deadline=lead.deadline + timedelta(days=9)
        )
    with pytest.raises(ValidationError, match="không thuộc"):
        assignment_handover(actor=btc_leader, assignment=lead, user=btg_leader)
    with pytest.raises(PermissionDenied):
        assignment_handover(actor=btg_leader, assignment=lead, user=btc_specialist)


# --- đã xem, tiến độ ---------------------------------------------------------------------------------------


def test_mark_read_is_idempotent_and_completes_info(routed, doc, btc_leader, clerk, office):
    lead = _lead(doc)
    first = assignment_mark_read(actor=btc_leader, assignment=lead)
    again = assignment_mark_read(actor=btc_leader, assignment=lead)
    assert (
        first.read_at == again.read_at
        and again.status == AssignmentStatus.READ
        and again.read_by == btc_leader
    )
    assert AuditRecord.objects.filter(action="routing.assignment.read", object_id=str(lead.pk)).count() == 1
    office_leader = make_user(office, [Role.UNIT_LEADER])
    info = Assignment.objects.get(document=doc, kind="info")
    assert assignment_mark_read(actor=office_leader, assignment=info).status == AssignmentStatus.DONE
    with pytest.raises(PermissionDenied):
        assignment_mark_read(actor=clerk, assignment=lead)


def test_progress_updates_the_register_for_the_lead(routed, doc, btc_leader, btg_leader, leader):
    assignment_progress(
        actor=btc_leader, assignment=_lead(doc), text="Đã dự thảo văn bản trả lời", percent=60
    )
    doc.refresh_from_db()
    assert "60% — Đã dự thảo văn bản trả lời" in doc.progress_label
    support = Assignment.objects.get(document=doc, kind="support")
    assignment_progress(actor=btg_leader, assignment=support, text="Đã góp ý")
    doc.refresh_from_db()
    assert "Đã góp ý" not in doc.progress_label
    assert ProgressNote.objects.count() == 2
    assert Notification.objects.filter(user=leader, kind="routing.progress").count() == 2
    with pytest.raises(ValidationError):
        assignment_progress(actor=btc_leader, assignment=_lead(doc), text="x", percent=120)


# --- trả lại, chuyển lại -------------------------------------------------------------------------------------


def test_return_then_redirect(routed, doc, btc_leader, leader, btg, btg_leader, province):
    """Ban Tổ chức returns the chủ trì; the document waits for the leader, who moves it to another unit."""
    lead = _lead(doc)
    assignment_return(actor=btc_leader, assignment=lead, reason="Không thuộc chức năng của Ban")
    lead.refresh_from_db()
    doc.refresh_from_db()
    assert lead.status == AssignmentStatus.RETURNED and lead.reason == "Không thuộc chức năng của Ban"
    assert doc.status == IncomingStatus.PROPOSED and "Ban Tổ chức" not in doc.recipients_label
    assert Notification.objects.filter(user=leader, kind="routing.returned").exists()
    assert doc in selectors.awaiting_instruction(leader)
    dept = make_unit(province, "Ban Nội chính Tỉnh ủy")
    dept_leader = make_user(dept, [Role.UNIT_LEADER])
    new = assignment_redirect(actor=leader, assignment=lead, unit=dept, reason="Giao Ban Nội chính", days=4)
    doc.refresh_from_db()
    lead.refresh_from_db()
    assert new.kind == "lead" and new.unit == dept and lead.status == AssignmentStatus.REDIRECTED
    assert doc.status == IncomingStatus.IN_PROGRESS and doc.due_date == new.deadline
    assert doc.recipients_label.startswith("Chủ trì: Ban Nội chính Tỉnh ủy")
    assert Notification.objects.filter(user=dept_leader, kind="routing.assigned.lead").exists()
    with pytest.raises(PermissionDenied):
        assignment_redirect(actor=btg_leader, assignment=new, unit=btg, reason="x")
    with pytest.raises(ConflictError):
        assignment_redirect(actor=leader, assignment=new, unit=dept, reason="Trùng")


def test_specialist_return_goes_back_to_the_unit_leader(routed, doc, btc_leader, btc_specialist):
    lead = _lead(doc)
    child = assignment_handover(actor=btc_leader, assignment=lead, user=btc_specialist)
    assignment_return(actor=btc_specialist, assignment=child, reason="Đang nghỉ phép")
    lead.refresh_from_db()
    doc.refresh_from_db()
    assert lead.status == AssignmentStatus.IN_PROGRESS and doc.status == IncomingStatus.IN_PROGRESS
    assert Notification.objects.filter(user=btc_leader, kind="routing.returned").exists()


# --- hoàn thành ----------------------------------------------------------------------------------------------


def test_close_lead_with_reply_closes_the_document(routed, doc, btc, btc_leader, leader, clerk, office):
    reply = _issued_reply(office, doc)
    assignment_close(
        actor=btc_leader, assignment=_lead(doc), result_kind="reply", reply=reply, note="Đã trả lời"
    )
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.DONE and doc.result_kind == ResultKind.REPLY and doc.reply == reply
    assert doc.closed_at is not None and doc.result_note == "Đã trả lời"
    assert "Đã giải quyết ngày" in doc.progress_label and "27-CV/VPTU" in doc.progress_label
    assert Notification.objects.filter(user=leader, kind="routing.done").exists()
    assert Notification.objects.filter(user=clerk, kind="routing.done").exists()
    # The phối hợp is still open: it closes on its own.
    assert Assignment.objects.get(document=doc, kind="support").status == AssignmentStatus.NEW


def test_double_close_and_unissued_reply_are_refused(routed, doc, btc_leader, office):
    lead = _lead(doc)
    draft = _issued_reply(office, doc, status="draft", symbol="")
    with pytest.raises(ValidationError, match="chưa phát hành"):
        assignment_close(actor=btc_leader, assignment=lead, result_kind="reply", reply=draft)
    with pytest.raises(ValidationError, match="Cần ghi nội dung"):
        assignment_close(actor=btc_leader, assignment=lead, result_kind="note")
    assignment_close(actor=btc_leader, assignment=lead, result_kind="note", note="Đã báo cáo miệng")
    with pytest.raises(ConflictError, match="đã hoàn thành"):
        assignment_close(actor=btc_leader, assignment=lead, result_kind="note", note="Lần hai")


def test_reply_of_another_province_is_refused(routed, doc, btc_leader):
    other = make_unit(make_province("Thành ủy Hà Nội"), "Văn phòng Thành ủy")
    with pytest.raises(ValidationError, match="trong cấp ủy này"):
        assignment_close(
            actor=btc_leader, assignment=_lead(doc), result_kind="reply", reply=_issued_reply(other)
        )


def test_support_closes_independently(routed, doc, btg_leader):
    support = Assignment.objects.get(document=doc, kind="support")
    assignment_close(actor=btg_leader, assignment=support, result_kind="note", note="Đã góp ý bằng văn bản")
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.IN_PROGRESS


def test_specialists_result_closes_the_unit_and_the_document(routed, doc, btc_leader, btc_specialist):
    lead = _lead(doc)
    child = assignment_handover(actor=btc_leader, assignment=lead, user=btc_specialist)
    assignment_close(actor=btc_specialist, assignment=child, result_kind="filed")
    lead.refresh_from_db()
    doc.refresh_from_db()
    assert lead.status == AssignmentStatus.DONE and doc.status == IncomingStatus.DONE
    assert doc.result_kind == ResultKind.FILED
    assert Notification.objects.filter(user=btc_leader, kind="routing.done").exists()


# --- selectors ---------------------------------------------------------------------------------------------


def test_inbox_flags_and_overdue_summary(
    doc, register, leader, btc, btc_leader, btc_specialist, province, today
):
    """A deadline in the past is overdue, one within two days is due soon; the summary counts them per unit."""
    today(timezone.localdate())
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=1)])
    second = register(subject="Văn bản thứ hai", number_symbol="16-CV/BTCTW")
    routing_instruct(actor=leader, document=second, text="", lines=[Line("lead", btc, days=30)])
    Assignment.objects.filter(document=second).update(deadline=timezone.localdate() - timedelta(days=3))
    rows = list(selectors.inbox_for(btc_leader, tab="unit"))
    assert [r.document_id for r in rows] == [second.pk, doc.pk]  # overdue first
    assert rows[0].is_overdue and not rows[0].is_due_soon
    assert list(selectors.inbox_for(btc_leader, tab="unit", state="overdue")) == [rows[0]]
    assert list(selectors.inbox_for(btc_specialist, tab="mine")) == []
    summary = selectors.overdue_summary(province)
    assert summary[0].unit == btc and summary[0].overdue == 1 and summary[0].active == 2


def test_urgent_document_gives_urgent_notices(register, leader, btc, btc_leader):
    from vanphong.catalogs.models import Urgency

    urgency = Urgency.objects.filter(edxml_priority__gt=0).first()
    assert urgency is not None
    doc = register(subject="Hỏa tốc: báo cáo tình hình", urgency=urgency)
    routing_instruct(actor=leader, document=doc, text="Giải quyết ngay", lines=[Line("lead", btc, days=0)])
    notice = Notification.objects.get(user=btc_leader, kind="routing.assigned.lead")
    assert notice.urgent and notice.url.endswith(f"/{doc.pk}/")


def test_unit_leader_opening_does_not_confirm_the_specialists_reading(
    routed, doc, btc_leader, btc_specialist
):
    """The read receipt of a person's assignment is that person's; their unit leader cannot give it."""
    child = assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist)
    with pytest.raises(PermissionDenied):
        assignment_mark_read(actor=btc_leader, assignment=child)
    assert assignment_mark_read(actor=btc_specialist, assignment=child).read_by == btc_specialist
