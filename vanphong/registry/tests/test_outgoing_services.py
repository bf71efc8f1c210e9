"""Văn bản đi services: drafts and files, the review flow from the catalogue, signing, numbering from the right
book, reservations, internal delivery, recall and cancel — each with its refusals and its audit record."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from vanphong.accounts.models import Role
from vanphong.catalogs.models import NumberBook, ReviewStep
from vanphong.catalogs.services import catalog_entry_save
from vanphong.core.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord, Notification
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.registry.models import (
    IncomingStatus,
    NumberReservation,
    OutgoingRecipient,
    OutgoingStatus,
    ReservationStatus,
    ReviewDecision,
)
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.registry.services.outgoing import (
    RecipientIn,
    access_outgoing_for_user,
    number_reservation_cancel,
    number_reserve,
    outgoing_cancel,
    outgoing_draft_update,
    outgoing_issue,
    outgoing_recall,
    outgoing_review_decide,
    outgoing_review_queue,
    outgoing_signed_upload,
    outgoing_submit,
)
from vanphong.storage.models import Blob
from vanphong.testing.factories import make_province, make_unit, make_user

from .test_outgoing_support import DOCX, approve_all, draft, make_pdf, make_world, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _audited(action: str, obj) -> bool:
    return AuditRecord.objects.filter(action=action, object_id=str(obj.pk)).exists()


# --- drafts and files ------------------------------------------------------------------------------------


def test_draft_create_stores_file_text_and_recipients(w):
    """A DOCX draft is stored by hash, its text kept for search, recipients written, the creation audited."""
    doc = draft(w)
    assert doc.status == OutgoingStatus.DRAFT and doc.drafted_by == w.specialist
    assert doc.draft_blob_id and doc.draft_filename == "du-thao.docx" and "ĐẢNG CỘNG SẢN VIỆT NAM" in doc.text
    assert doc.signer_name == w.office_leader.full_name
    recipients = list(doc.recipients.order_by("pk"))
    assert [r.unit_id for r in recipients] == [w.board.pk, None]
    assert recipients[1].organ_id == "000.00.01.A01"
    assert _audited("registry.outgoing.draft_create", doc)


def test_draft_without_file_and_pdf_draft(w):
    """Only the main fields is enough; a PDF draft is read with pypdfium2."""
    doc = draft(w, file=None)
    assert not doc.draft_blob_id
    doc = draft(w, file=(make_pdf("Bao cao so ket"), "bao-cao.PDF"))
    assert doc.draft_filename == "bao-cao.pdf" and "Bao cao so ket" in doc.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "rỗng"),
        (b"GIF89a not a document", "không phải tệp DOCX hoặc PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old word", "Word cũ (.doc)"),
        (b"%PDF-1.7 this is not really a pdf", "bị hỏng"),
        (b"PK\x03\x04 broken zip", "DOCX “du-thao.docx” bị hỏng"),
    ],
)
def test_bad_uploads_are_refused_and_leave_no_blob(w, data, message):
    """Checked by magic bytes before storing: nothing is written when the file is refused."""
    blobs, docs = Blob.objects.count(), w.office.outgoing_documents.count()
    with pytest.raises(ValidationError) as exc:
        draft(w, file=(data, "du-thao.docx"))
    assert message in exc.value.message
    assert Blob.objects.count() == blobs and w.office.outgoing_documents.count() == docs


def test_zip_that_is_not_word_and_too_big_file_are_refused(w, settings):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    blobs = Blob.objects.count()
    with pytest.raises(ValidationError, match="không phải tệp DOCX hoặc PDF"):
        draft(w, file=(buf.getvalue(), "a.docx"))
    settings.VANPHONG_OUTGOING_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="vượt giới hạn"):
        draft(w, file=(DOCX, "du-thao.docx"))
    assert Blob.objects.count() == blobs


def test_draft_for_another_province_is_refused(w):
    stranger = make_user(make_province("Tỉnh ủy Khác"), [Role.SPECIALIST])
    with pytest.raises(PermissionDenied):
        draft(w, actor=stranger)


def test_secret_draft_needs_clearance(w):
    from vanphong.catalogs.models import SecrecyLevel

    with pytest.raises(PermissionDenied, match="độ mật"):
        draft(w, secrecy=SecrecyLevel.objects.get(code="toi-mat"))


def test_bad_external_organ_id_is_explained(w):
    with pytest.raises(ValidationError, match=r"000\.00\.00\.A00"):
        draft(w, recipients=[RecipientIn(name="Sai mã", organ_id="123")])


def test_update_only_while_draft_or_returned(w):
    """Edits are audited with before/after; once submitted the draft is closed to edits."""
    doc = draft(w)
    doc = outgoing_draft_update(actor=w.specialist, document=doc, subject="V/v sửa trích yếu",
                                recipients=[w.board], file=(make_pdf(), "moi.pdf"))  # fmt: skip
    assert doc.subject == "V/v sửa trích yếu" and doc.draft_filename == "moi.pdf"
    assert doc.recipients.count() == 1
    record = AuditRecord.objects.filter(action="registry.outgoing.draft_update", object_id=str(doc.pk)).get()
    assert (
        record.before["subject"].startswith("V/v tổ chức") and record.after["subject"] == "V/v sửa trích yếu"
    )
    outgoing_submit(actor=w.specialist, document=doc)
    doc.refresh_from_db()
    with pytest.raises(ConflictError, match="chỉ sửa được khi là dự thảo"):
        outgoing_draft_update(actor=w.specialist, document=doc, subject="V/v khác")


def test_update_by_someone_else_is_refused(w):
    doc = draft(w)
    other = make_user(w.room, [Role.SPECIALIST])
    with pytest.raises(PermissionDenied):
        outgoing_draft_update(actor=other, document=doc, subject="V/v chen ngang")


# --- review flow --------------------------------------------------------------------------------------------


def test_submit_copies_the_catalogue_flow_and_notifies_first_reviewer(w):
    """Công văn: Thẩm định (trưởng phòng) then Duyệt (chánh văn phòng); the first reviewer is told."""
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    steps = list(doc.reviews.values_list("round", "order", "name", "role", "decision"))
    assert steps == [
        (1, 10, "Thẩm định", Role.UNIT_LEADER, ReviewDecision.PENDING),
        (1, 20, "Duyệt", Role.OFFICE_LEADER, ReviewDecision.PENDING),
    ]
    assert doc.status == OutgoingStatus.IN_REVIEW
    assert Notification.objects.filter(user=w.room_leader, kind="outgoing.review").exists()
    assert not Notification.objects.filter(user=w.office_leader, kind="outgoing.review").exists()
    assert _audited("registry.outgoing.submit", doc)
    with pytest.raises(ConflictError, match="đã được trình"):
        outgoing_submit(actor=w.specialist, document=doc)


def test_weightier_types_add_the_committee_step(w):
    doc = outgoing_submit(actor=w.specialist, document=draft(w, code="nghi-quyet", unit=w.province,
                                                             subject="Nghị quyết về công tác văn thư"))  # fmt: skip
    assert list(doc.reviews.values_list("role", flat=True)) == [
        Role.UNIT_LEADER, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER,
    ]  # fmt: skip


def test_changing_the_catalogue_changes_the_flow(w):
    """An admin adds a step for công văn and switches off the office step: the next submission follows."""
    admin = make_user(w.province, [Role.ADMIN])
    catalog_entry_save(actor=admin, instance=ReviewStep(), data={
        "document_type": w.type("cong-van"), "order": 15, "name": "Kiểm tra thể thức", "role": Role.CLERK,
        "source": "Quy chế làm việc Văn phòng [U]",
    })  # fmt: skip
    office_step = ReviewStep.objects.get(
        document_type__isnull=True, unit__isnull=True, role=Role.OFFICE_LEADER
    )
    catalog_entry_save(actor=admin, instance=office_step, data={"active": False})
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    assert list(doc.reviews.values_list("name", "role")) == [
        ("Thẩm định", Role.UNIT_LEADER), ("Kiểm tra thể thức", Role.CLERK),
    ]  # fmt: skip


def test_unit_specific_flow_replaces_the_general_one(w):
    """Steps declared for the Văn phòng replace the general flow for its documents only."""
    ReviewStep.objects.create(
        unit=w.office, order=10, name="Duyệt", role=Role.OFFICE_LEADER, source="QCLV [U]"
    )
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    assert list(doc.reviews.values_list("role", flat=True)) == [Role.OFFICE_LEADER]
    other = outgoing_submit(actor=w.specialist, document=draft(w, code="nghi-quyet", unit=w.province))
    assert other.reviews.count() == 3


def test_empty_flow_approves_at_once(w):
    ReviewStep.objects.update(active=False)
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    assert doc.status == OutgoingStatus.APPROVED and not doc.reviews.exists()


def test_review_refusals(w):
    """Wrong role, wrong turn, return without a comment, a second decision: each refused in Vietnamese."""
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    first, second = doc.reviews.order_by("order")
    with pytest.raises(PermissionDenied, match="lãnh đạo đơn vị"):
        outgoing_review_decide(actor=w.clerk, review=first, decision="approved")
    with pytest.raises(ConflictError, match="Chưa đến lượt"):
        outgoing_review_decide(actor=w.office_leader, review=second, decision="approved")
    with pytest.raises(ValidationError, match="nhận xét"):
        outgoing_review_decide(actor=w.room_leader, review=first, decision="rejected", comment=" ")
    outgoing_review_decide(actor=w.room_leader, review=first, decision="approved")
    with pytest.raises(ConflictError, match="đã có ý kiến"):
        outgoing_review_decide(actor=w.room_leader, review=first, decision="approved")


def test_reject_returns_to_drafter_and_resubmit_opens_round_two(w):
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    first = doc.reviews.get(order=10)
    outgoing_review_decide(
        actor=w.room_leader, review=first, decision="rejected", comment="Sửa lại trích yếu"
    )
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.RETURNED
    assert doc.reviews.get(order=20).decision == ReviewDecision.SKIPPED
    note = Notification.objects.get(user=w.specialist, kind="outgoing.returned")
    assert "Sửa lại trích yếu" in note.text
    record = AuditRecord.objects.filter(action="registry.outgoing.review", object_id=str(doc.pk)).get()
    assert record.after["decision"] == "rejected" and record.after["status"] == OutgoingStatus.RETURNED
    outgoing_draft_update(actor=w.specialist, document=doc, subject="V/v trích yếu đã sửa")
    doc = outgoing_submit(actor=w.specialist, document=doc)
    assert doc.reviews.filter(round=2).count() == 2 and doc.status == OutgoingStatus.IN_REVIEW


def test_last_approval_makes_it_approved_and_tells_drafter_and_signer(w):
    doc = approve_all(w, draft(w))
    assert doc.status == OutgoingStatus.APPROVED
    assert Notification.objects.filter(user=w.specialist, kind="outgoing.approved").exists()
    assert Notification.objects.filter(user=w.office_leader, kind="outgoing.approved").exists()
    assert Notification.objects.filter(user=w.office_leader, kind="outgoing.review").exists()


def test_parallel_steps_all_needed(w):
    """Two steps with the same order are asked together; the draft moves on when both agree."""
    ReviewStep.objects.filter(document_type__isnull=True).update(order=10)
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    a, b = doc.reviews.order_by("role")
    outgoing_review_decide(actor=w.office_leader, review=a, decision="approved")
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.IN_REVIEW
    outgoing_review_decide(actor=w.room_leader, review=b, decision="approved")
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.APPROVED


def test_waiting_reviewer_sees_the_document_and_its_queue(w):
    """The head of the drafting room is not over the Văn phòng, yet sees the draft while his step waits."""
    doc = draft(w)
    with pytest.raises(NotFound):
        access_outgoing_for_user(w.room_leader, doc.pk)
    outgoing_submit(actor=w.specialist, document=doc)
    assert access_outgoing_for_user(w.room_leader, doc.pk) == doc
    assert list(outgoing_review_queue(w.room_leader)) == [doc]
    assert list(outgoing_review_queue(w.office_leader)) == []
    stranger = make_user(make_province("Tỉnh ủy Khác 2"), [Role.UNIT_LEADER])
    with pytest.raises(NotFound):
        access_outgoing_for_user(stranger, doc.pk)


# --- signing -----------------------------------------------------------------------------------------------


def test_signed_upload(w):
    """Only after approval, only a readable PDF; the status becomes SIGNED and the clerk is told."""
    doc = draft(w)
    with pytest.raises(ConflictError, match="sau khi dự thảo được duyệt"):
        outgoing_signed_upload(actor=w.office_leader, document=doc, data=make_pdf(), filename="a.pdf")
    doc = approve_all(w, doc)
    blobs = Blob.objects.count()
    with pytest.raises(ValidationError, match="phải là tệp PDF"):
        outgoing_signed_upload(actor=w.office_leader, document=doc, data=DOCX, filename="a.docx")
    with pytest.raises(ValidationError, match="bị hỏng"):
        outgoing_signed_upload(actor=w.office_leader, document=doc, data=b"%PDF-1.4 rac", filename="a.pdf")
    assert Blob.objects.count() == blobs
    outsider = make_user(w.board, [Role.SPECIALIST])
    with pytest.raises(PermissionDenied):
        outgoing_signed_upload(actor=outsider, document=doc, data=make_pdf(), filename="a.pdf")
    doc = outgoing_signed_upload(
        actor=w.office_leader, document=doc, data=make_pdf(), filename="../../ky.pdf"
    )
    assert doc.status == OutgoingStatus.SIGNED and doc.signed_filename == "ky.pdf" and doc.signed_blob_id
    assert Notification.objects.filter(user=w.clerk, kind="outgoing.signed").exists()
    assert _audited("registry.outgoing.sign", doc)


# --- numbering and issue --------------------------------------------------------------------------------------


def test_issue_numbers_from_the_party_term_book_consecutively(w):
    """Two công văn get 01-CV/VPTU and 02-CV/VPTU in the term's sequence, dated today by default."""
    a = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    b = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    assert (a.number, a.number_symbol) == (1, "01-CV/VPTU")
    assert (b.number, b.number_symbol) == (2, "02-CV/VPTU")
    assert a.issued_date == timezone.localdate() and a.status == OutgoingStatus.ISSUED
    assert a.number_book == w.cv_book and a.issued_by == w.clerk and a.issued_at
    record = AuditRecord.objects.filter(action="registry.outgoing.issue", object_id=str(a.pk)).get()
    assert record.after["number_symbol"] == "01-CV/VPTU" and record.after["delivered_internal"] == 1
    assert Notification.objects.filter(user=w.specialist, kind="outgoing.issued").exists()


def test_issue_refusals(w):
    """Only the clerk; only once; not before approval; not in the future."""
    doc = draft(w)
    with pytest.raises(ConflictError, match="chưa được duyệt"):
        outgoing_issue(actor=w.clerk, document=doc)
    doc = signed(w, doc)
    with pytest.raises(PermissionDenied, match="văn thư"):
        outgoing_issue(actor=w.specialist, document=doc)
    with pytest.raises(ValidationError, match="tương lai"):
        outgoing_issue(actor=w.clerk, document=doc, issued_date=timezone.localdate() + timedelta(days=3))
    outgoing_issue(actor=w.clerk, document=doc)
    with pytest.raises(ConflictError, match="đã được phát hành số 01-CV/VPTU"):
        outgoing_issue(actor=w.clerk, document=doc)


def test_issue_without_book_or_with_several_books(w):
    doc = signed(w, draft(w, code="ke-hoach", subject="Kế hoạch công tác năm"))
    with pytest.raises(
        ValidationError, match="Chưa có sổ văn bản cho thể loại “Kế hoạch” của đơn vị Văn phòng"
    ):
        outgoing_issue(actor=w.clerk, document=doc)
    first = NumberBook.objects.create(name="Sổ kế hoạch A", unit=w.office, issuer_symbol=w.office_symbol,
                                      source="Thử [U]")  # fmt: skip
    second = NumberBook.objects.create(name="Sổ kế hoạch B", unit=w.office, source="Thử [U]")
    for b in (first, second):
        b.document_types.set([w.type("ke-hoach")])
    with pytest.raises(ValidationError, match="chọn sổ"):
        outgoing_issue(actor=w.clerk, document=doc)
    doc = outgoing_issue(actor=w.clerk, document=doc, book=first)
    assert doc.number_symbol == "01-KH/VPTU"


def test_issue_accepts_an_earlier_date_and_keeps_the_term(w):
    doc = signed(w, draft(w))
    yesterday = timezone.localdate() - timedelta(days=1)
    doc = outgoing_issue(actor=w.clerk, document=doc, issued_date=yesterday)
    assert doc.issued_date == yesterday


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issue_of_one_document_numbers_it_once():
    """Two clerks pressing “phát hành” at once: one issues, the other is told it is already issued."""
    w = make_world("Tỉnh ủy Đồng thời")
    doc = signed(w, draft(w))
    clerk2 = make_user(w.office, [Role.CLERK])
    results: list[str] = []
    barrier = threading.Barrier(2)

    def worker(user) -> None:
        try:
            barrier.wait()
            results.append(outgoing_issue(actor=user, document=doc).number_symbol)
        except ConflictError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in (w.clerk, clerk2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["01-CV/VPTU", "already_issued"]
    assert w.cv_book.sequences.get().last_number == 1


# --- reservations -----------------------------------------------------------------------------------------


def test_reserved_number_used_then_cancelled_number_never_reused(w):
    """Lấy số trước: 01 reserved and used by a document, 02 reserved and cancelled (số hủy), the next gets 03."""
    today = timezone.localdate()
    r1 = number_reserve(actor=w.clerk, book=w.cv_book, for_date=today, reason="Công văn gấp của Thường trực",
                        document_type=w.type("cong-van"))  # fmt: skip
    r2 = number_reserve(actor=w.clerk, book=w.cv_book, for_date=today, reason="Dự phòng",
                        document_type=w.type("cong-van"))  # fmt: skip
    assert (r1.number_symbol, r2.number_symbol) == ("01-CV/VPTU", "02-CV/VPTU")
    doc = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)), reservation=r1)
    r1.refresh_from_db()
    assert doc.number_symbol == "01-CV/VPTU" and r1.status == ReservationStatus.USED and r1.document == doc
    number_reservation_cancel(actor=w.clerk, reservation=r2, reason="Không dùng đến")
    r2.refresh_from_db()
    assert r2.status == ReservationStatus.CANCELLED and r2.cancel_reason == "Không dùng đến"
    nxt = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    assert nxt.number_symbol == "03-CV/VPTU"
    cancelled = NumberReservation.objects.filter(book=w.cv_book, status=ReservationStatus.CANCELLED)
    assert list(cancelled.values_list("number", flat=True)) == [2]
    assert _audited("registry.number.reserve", r1) and _audited("registry.number.reservation_cancel", r2)


def test_reservation_refusals(w):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        number_reserve(actor=w.specialist, book=w.cv_book, for_date=today, reason="x")
    with pytest.raises(ValidationError, match="lý do"):
        number_reserve(actor=w.clerk, book=w.cv_book, for_date=today, reason=" ")
    res = number_reserve(actor=w.clerk, book=w.cv_book, for_date=today, reason="Giữ",
                         document_type=w.type("cong-van"))  # fmt: skip
    with pytest.raises(ValidationError, match="lý do hủy"):
        number_reservation_cancel(actor=w.clerk, reservation=res, reason="")
    number_reservation_cancel(actor=w.clerk, reservation=res, reason="Thôi")
    with pytest.raises(ConflictError, match="đã được hủy"):
        number_reservation_cancel(actor=w.clerk, reservation=res, reason="Lần nữa")
    with pytest.raises(ConflictError, match="không dùng được"):
        outgoing_issue(actor=w.clerk, document=signed(w, draft(w)), reservation=res)


# --- delivery, recall, cancel ----------------------------------------------------------------------------------


def test_internal_delivery_creates_an_intake_with_proposed_metadata(w):
    """The Ban Tổ chức receives the signed file in its incoming queue; its clerk is told; the external
    recipient waits for the exchange."""
    doc = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    internal = doc.recipients.get(unit=w.board)
    intake = Intake.objects.get(origin=f"registry.outgoingrecipient:{internal.pk}")
    assert (
        intake.unit == w.board and intake.source == IntakeSource.INTERNAL and intake.filename == "ban-ky.pdf"
    )
    assert intake.blob_id == doc.signed_blob_id
    assert {
        "number_symbol": "01-CV/VPTU", "issued_date": doc.issued_date.isoformat(), "issuer": "Văn phòng Tỉnh ủy",
        "doc_type": "Công văn", "subject": doc.subject, "signer": w.office_leader.full_name, "urgency": "",
        "secrecy": "",
    }.items() <= intake.proposed.items()  # fmt: skip
    internal.refresh_from_db()
    assert internal.delivered_at is not None
    assert doc.recipients.get(unit__isnull=True).delivered_at is None
    assert Notification.objects.filter(user=w.board_clerk, kind="incoming.internal").exists()
    assert not Notification.objects.filter(user=w.clerk, kind="incoming.internal").exists()


def test_recall_discards_unregistered_intake_and_freezes(w):
    doc = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    with pytest.raises(ValidationError, match="lý do"):
        outgoing_recall(actor=w.clerk, document=doc, reason="")
    with pytest.raises(PermissionDenied):
        outgoing_recall(actor=w.specialist, document=doc, reason="Sai nội dung")
    doc = outgoing_recall(actor=w.clerk, document=doc, reason="Sai nội dung")
    assert doc.status == OutgoingStatus.RECALLED and doc.recalled_at and doc.recall_reason == "Sai nội dung"
    internal = doc.recipients.get(unit=w.board)
    assert internal.recalled_at is not None
    assert (
        Intake.objects.get(origin=f"registry.outgoingrecipient:{internal.pk}").status
        == IntakeStatus.DISCARDED
    )
    assert Notification.objects.filter(user=w.board_clerk, kind="incoming.recalled", urgent=True).exists()
    assert _audited("registry.outgoing.recall", doc)
    for call in (
        lambda: outgoing_draft_update(actor=w.specialist, document=doc, subject="V/v x"),
        lambda: outgoing_issue(actor=w.clerk, document=doc),
        lambda: outgoing_signed_upload(
            actor=w.office_leader, document=doc, data=make_pdf(), filename="a.pdf"
        ),
        lambda: outgoing_cancel(actor=w.clerk, document=doc, reason="x"),
    ):
        with pytest.raises(ConflictError, match="Văn bản đã bị thu hồi, không sửa được"):
            call()
    with pytest.raises(ConflictError, match="đã được thu hồi"):
        outgoing_recall(actor=w.clerk, document=doc, reason="Lần hai")


def test_recall_marks_registered_incoming_as_recalled(w):
    """When the recipient already registered it, the incoming document becomes “Bị thu hồi”."""
    doc = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    internal = doc.recipients.get(unit=w.board)
    intake = Intake.objects.get(origin=f"registry.outgoingrecipient:{internal.pk}")
    Intake.objects.filter(pk=intake.pk).update(status=IntakeStatus.READY)  # as the reading job leaves it
    incoming = incoming_document_register(
        actor=w.board_clerk, unit=w.board, medium="internal", subject=doc.subject, issuer_name="Văn phòng Tỉnh ủy",
        number_symbol=doc.number_symbol, issued_date=doc.issued_date, intake=intake, source_recipient=internal,
    )  # fmt: skip
    outgoing_recall(actor=w.clerk, document=doc, reason="Ban hành nhầm")
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.RECALLED
    assert AuditRecord.objects.filter(
        action="registry.incoming.recalled", object_id=str(incoming.pk)
    ).exists()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.REGISTERED


def test_recall_only_issued(w):
    with pytest.raises(ConflictError, match="Chỉ thu hồi được văn bản đã phát hành"):
        outgoing_recall(actor=w.clerk, document=draft(w), reason="x")


def test_cancel_before_issue_only(w):
    doc = outgoing_submit(actor=w.specialist, document=draft(w))
    with pytest.raises(PermissionDenied):
        outgoing_cancel(actor=make_user(w.board, [Role.SPECIALIST]), document=doc, reason="x")
    doc = outgoing_cancel(actor=w.specialist, document=doc, reason="Không cần ban hành nữa")
    assert doc.status == OutgoingStatus.CANCELLED
    assert not doc.reviews.filter(decision=ReviewDecision.PENDING).exists()
    assert _audited("registry.outgoing.cancel", doc)
    with pytest.raises(ConflictError, match="đã bị hủy"):
        outgoing_submit(actor=w.specialist, document=doc)
    issued = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    with pytest.raises(ConflictError, match="thu hồi"):
        outgoing_cancel(actor=w.clerk, document=issued, reason="x")


def test_reply_links_back_to_the_incoming_document(w):
    """Issuing an answer writes it into the incoming document's “văn bản trả lời” column."""
    incoming = incoming_document_register(actor=w.clerk, unit=w.office, medium="paper", subject="Đề nghị báo cáo",
                                          issuer_name="Ban Tổ chức Trung ương")  # fmt: skip
    doc = outgoing_issue(actor=w.clerk, document=signed(w, draft(w, in_reply_to=incoming)))
    incoming.refresh_from_db()
    assert incoming.reply == doc


def test_recipient_rows_survive_as_given(w):
    doc = draft(w, recipients=[w.board, w.board, RecipientIn(name="Báo Tây Ninh")])
    assert OutgoingRecipient.objects.filter(document=doc).count() == 2


def test_late_issue_is_warned_not_refused(w, monkeypatch):
    """NĐ 30 Điều 16: issued later than the next working day after signing → a warning naming the latest day."""
    from vanphong.registry.services import outgoing as svc

    doc = signed(w, draft(w))
    assert svc.signed_on(doc) == timezone.localdate()
    assert svc.issue_date_warnings(doc, timezone.localdate()) == []
    monkeypatch.setattr(svc.issue, "signed_on", lambda document: timezone.localdate() - timedelta(days=10))
    warnings = svc.issue_date_warnings(doc, timezone.localdate())
    assert [x.code for x in warnings] == ["late_issue"] and "chậm nhất ngày làm việc tiếp theo" in warnings[
        0
    ].message
    assert outgoing_issue(actor=w.clerk, document=doc).status == OutgoingStatus.ISSUED


def test_drafting_units_stop_at_the_users_own_committee(w):
    """A specialist of a room drafts for the room, the Văn phòng or the Tỉnh ủy; a commune's staff only for the
    commune."""
    from vanphong.org.models import UnitLevel
    from vanphong.registry.services.outgoing import can_draft_outgoing, draft_units

    assert [u.pk for u in draft_units(w.specialist)] == [w.room.pk, w.office.pk, w.province.pk]
    commune = make_unit(w.province, "Đảng ủy xã Thử", level=UnitLevel.COMMUNE)
    staff = make_user(make_unit(commune, "Văn phòng Đảng ủy"), [Role.SPECIALIST])
    assert commune in draft_units(staff) and w.province not in draft_units(staff)
    assert not can_draft_outgoing(staff, w.province) and can_draft_outgoing(w.clerk, w.office)
