"""Registration of incoming documents: số đến per unit and year, duplicates, double clicks, access."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from vanphong.accounts.models import Role
from vanphong.catalogs.models import Urgency
from vanphong.core.exceptions import ConflictError, NotFound, ValidationError
from vanphong.core.models import AuditRecord, Notification
from vanphong.ingest.models import FieldCorrection, Intake, IntakeSource, IntakeStatus
from vanphong.registry.access import access_incoming, incoming_visible_to
from vanphong.registry.models import ArrivalSequence, IncomingDocument, IncomingStatus
from vanphong.registry.services.incoming import (
    DuplicateWarning,
    incoming_document_register,
    incoming_grant,
    incoming_return,
)
from vanphong.storage.services import blob_put
from vanphong.testing.factories import make_province, make_unit, make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _register(clerk, unit, **kw):
    kw.setdefault("medium", "paper")
    kw.setdefault("subject", "Về việc tổ chức hội nghị sơ kết")
    kw.setdefault("issuer_name", "Ban Tổ chức Trung ương")
    return incoming_document_register(actor=clerk, unit=unit, **kw)


def test_arrival_numbers_follow_receipt_order_and_restart_each_year(clerk, office):
    """Số đến runs 1, 2, 3 in the year whatever the medium, and starts again from 1 on 1 January."""
    a = _register(
        clerk, office, number_symbol="01-CV/BTCTW", arrived_at=datetime(2025, 12, 31, 16, 0, tzinfo=VN)
    )
    b = _register(clerk, office, number_symbol="02-CV/BTCTW", medium="electronic",
                  arrived_at=datetime(2026, 1, 2, 8, 0, tzinfo=VN))  # fmt: skip
    c = _register(
        clerk, office, number_symbol="03-CV/BTCTW", arrived_at=datetime(2026, 1, 2, 9, 0, tzinfo=VN)
    )
    assert (a.arrival_year, a.arrival_number) == (2025, 1)
    assert [(d.arrival_year, d.arrival_number) for d in (b, c)] == [(2026, 1), (2026, 2)]
    assert AuditRecord.objects.filter(action="registry.incoming.register").count() == 3


def test_year_boundary_uses_vietnam_time(clerk, office):
    """23:30 on 31/12 in Hà Nội is already 1 January? No: 31/12 16:30 UTC is 23:30 local, still the old year."""
    doc = _register(clerk, office, arrived_at=datetime(2025, 12, 31, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert doc.arrival_year == 2025
    doc2 = _register(
        clerk,
        office,
        number_symbol="9-CV/TW",
        arrived_at=datetime(2025, 12, 31, 17, 30, tzinfo=ZoneInfo("UTC")),
    )
    assert doc2.arrival_year == 2026


def test_each_unit_has_its_own_register(clerk, office, province):
    other = make_unit(province, "Ban Tổ chức Tỉnh ủy")
    other_clerk = make_user(other, roles=[Role.CLERK])
    _register(clerk, office)
    doc = _register(other_clerk, other)
    assert doc.arrival_number == 1


def test_duplicate_warning_and_override(clerk, office):
    """Same (số ký hiệu, cơ quan, ngày) warns with the earlier số đến; confirming registers it anyway."""
    first = _register(clerk, office, number_symbol="57-NQ/TW", issued_date=date(2024, 12, 22))
    with pytest.raises(DuplicateWarning) as info:
        _register(clerk, office, number_symbol="57-nq/tw", issued_date=date(2024, 12, 22))
    assert f"số đến {first.arrival_number}/{first.arrival_year}" in info.value.message
    assert IncomingDocument.objects.count() == 1
    assert ArrivalSequence.objects.get().last_number == 1  # the refused attempt took no number
    second = _register(
        clerk, office, number_symbol="57-NQ/TW", issued_date=date(2024, 12, 22), acknowledge_duplicate=True
    )
    assert second.duplicate_of == first and second.arrival_number == 2


def test_duplicate_by_file_hash(clerk, office):
    i1 = _intake(clerk, office, "a.pdf", b"%PDF-1.4 same")
    _register(clerk, office, number_symbol="1-CV/A", intake=i1)
    i2 = _intake(clerk, office, "b.pdf", b"%PDF-1.4 same")
    with pytest.raises(DuplicateWarning, match="cùng nội dung tệp"):
        _register(clerk, office, number_symbol="2-CV/B", issuer_name="Khác", intake=i2)


def _intake(clerk, unit, filename, data, proposed=None):
    """A received file already read by the pipeline (the pipeline itself is tested in ingest)."""
    return Intake.objects.create(
        unit=unit, created_by=clerk, source=IntakeSource.UPLOAD, filename=filename, kind="pdf",
        blob=blob_put(actor=clerk, data=data), status=IntakeStatus.READY, proposed=proposed or {},
        page_count=2, text="nội dung",
    )  # fmt: skip


def test_register_from_intake_records_corrections_and_refuses_a_second_click(clerk, office):
    intake = _intake(
        clerk, office, "nq.pdf", b"%PDF-1.4 x",
        {"number_symbol": "57-NQ/TW", "issuer": "Ban Chấp hành Trung ương", "subject": "Về đột phá",
         "issued_date": "2024-12-22", "doc_type": "Nghị quyết", "signer": None},
    )  # fmt: skip
    doc = _register(clerk, office, intake=intake, number_symbol="57-NQ/TW", issuer_name="Bộ Chính trị",
                    subject="Về đột phá", issued_date=date(2024, 12, 22))  # fmt: skip
    assert doc.blob_id == intake.blob_id and doc.page_count == 2 and doc.text == "nội dung"
    changed = dict(FieldCorrection.objects.filter(intake=intake).values_list("field", "changed"))
    assert changed["number_symbol"] is False and changed["issuer"] is True and changed["subject"] is False
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.REGISTERED
    with pytest.raises(ConflictError, match="đã được vào sổ"):
        _register(clerk, office, intake=intake, number_symbol="57-NQ/TW")
    assert IncomingDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"subject": "  "}, "Chưa có trích yếu"),
        ({"issuer_name": ""}, "Chưa có cơ quan ban hành"),
        ({"number_symbol": "abc"}, "không đúng dạng"),
        ({"issued_date": date(2099, 1, 1)}, "sau ngày đến"),
    ],
)
def test_bad_fields_refused_and_nothing_written(clerk, office, kw, message):
    with pytest.raises(ValidationError, match=message):
        _register(clerk, office, **kw)
    assert not IncomingDocument.objects.exists() and not ArrivalSequence.objects.exists()


def test_urgent_document_notifies_office_leaders_at_once(clerk, office, office_leader):
    urgent = Urgency.objects.filter(edxml_priority__gt=0).order_by("edxml_priority").first()
    doc = _register(clerk, office, urgency=urgent)
    assert doc.is_urgent
    note = Notification.objects.get(user=office_leader)
    assert note.urgent and str(doc.arrival_number) in note.text


def test_access_by_role_grant_and_clearance(clerk, office, office_leader, province):
    doc = _register(clerk, office)
    assert access_incoming(office_leader, doc.pk) == doc
    specialist = make_user(office, roles=[Role.SPECIALIST])
    with pytest.raises(NotFound):
        access_incoming(specialist, doc.pk)
    incoming_grant(document=doc, user=specialist)
    assert access_incoming(specialist, doc.pk) == doc
    dept = make_unit(province, "Ban Tuyên giáo")
    dept_leader = make_user(dept, roles=[Role.UNIT_LEADER])
    assert not incoming_visible_to(dept_leader).exists()
    incoming_grant(document=doc, unit=dept)
    assert list(incoming_visible_to(dept_leader)) == [doc]
    other_clerk = make_user(make_province(), roles=[Role.CLERK])
    with pytest.raises(NotFound):
        access_incoming(other_clerk, doc.pk)


def test_secret_document_hidden_below_clearance(clerk, office):
    from vanphong.catalogs.models import SecrecyLevel

    clerk.clearance = 1
    clerk.save()
    doc = _register(clerk, office, secrecy=SecrecyLevel.objects.get(rank=1))
    leader = make_user(office, roles=[Role.OFFICE_LEADER])  # clearance 0
    with pytest.raises(NotFound):
        access_incoming(leader, doc.pk)


def test_return_needs_a_reason_and_closes(clerk, office):
    doc = _register(clerk, office)
    with pytest.raises(ValidationError):
        incoming_return(actor=clerk, document=doc, reason=" ")
    doc = incoming_return(actor=clerk, document=doc, reason="Gửi nhầm đơn vị")
    assert doc.status == IncomingStatus.RETURNED and doc.closed_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_at_the_same_moment_never_share_a_number():
    """Eight registrations at once get eight different consecutive numbers (row lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite)."""
    province = make_province()
    office = make_unit(province, "Văn phòng")
    clerks = [make_user(office, roles=[Role.CLERK]) for _ in range(2)]
    numbers: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            numbers.append(_register(clerks[i % 2], office, number_symbol=f"{i + 1}-CV/X").arrival_number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 9))
