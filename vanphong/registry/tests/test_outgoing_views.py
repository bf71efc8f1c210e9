"""Văn bản đi pages and API: the list (tabs, filters, flat query count), the whole journey through the client
(soạn → trình → duyệt → tải bản ký → cấp số, phát hành), downloads, reservations, permissions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.models import Role
from vanphong.ingest.models import Intake
from vanphong.registry.models import NumberReservation, OutgoingDocument, OutgoingStatus, ReservationStatus
from vanphong.registry.services.outgoing import number_reserve, outgoing_issue
from vanphong.testing.factories import login, make_province, make_user

from .test_outgoing_support import DOCX, approve_all, draft, make_pdf, make_world, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _body(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_urls_others_link_to():
    assert reverse("registry:outgoing_list") == "/van-ban/di/"
    assert reverse("registry:outgoing_detail", args=[7]) == "/van-ban/di/7/"


@pytest.mark.parametrize("tab", ["", "cua-toi", "cho-y-kien", "cho-phat-hanh", "da-phat-hanh"])
def test_list_query_count_is_flat(client, w, django_assert_max_num_queries, tab):
    """Twelve documents or two: the same number of queries on every tab."""
    for _ in range(12):
        doc = draft(w)
    approve_all(w, doc)
    login(client, w.clerk)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("registry:outgoing_list"), {"tab": tab})
    assert r.status_code == 200


def test_list_tabs_and_filters(client, w):
    mine = draft(w, subject="V/v hội nghị tổng kết")
    other = outgoing_issue(actor=w.clerk, document=signed(w, draft(w, subject="V/v báo cáo quý")))
    login(client, w.specialist)
    body = _body(client.get(reverse("registry:outgoing_list"), {"tab": "cua-toi"}))
    assert "V/v hội nghị tổng kết" in body and "V/v báo cáo quý" not in body
    assert "Chờ phát hành" not in body  # not a clerk
    login(client, w.clerk)
    body = _body(client.get(reverse("registry:outgoing_list"), {"tab": "da-phat-hanh"}))
    assert other.number_symbol in body and "V/v hội nghị tổng kết" not in body
    body = _body(client.get(reverse("registry:outgoing_list"), {"q": "01-CV"}))
    assert "V/v báo cáo quý" in body and "V/v hội nghị tổng kết" not in body
    body = _body(client.get(reverse("registry:outgoing_list"), {"status": "draft"}))
    assert mine.subject in body and "V/v báo cáo quý" not in body
    login(client, w.room_leader)
    assert "V/v hội nghị tổng kết" not in _body(
        client.get(reverse("registry:outgoing_list"), {"tab": "cho-y-kien"})
    )


def test_whole_journey_through_the_pages(client, w):
    """Soạn thảo with a DOCX, trình, thẩm định, duyệt, tải bản ký, cấp số và phát hành — each by its person."""
    login(client, w.specialist)
    r = client.get(reverse("registry:outgoing_create"))
    assert r.status_code == 200 and "Soạn thảo văn bản đi" in _body(r)
    token = r.context["token"]
    data = {
        "token": token, "unit": w.office.pk, "document_type": w.type("cong-van").pk,
        "subject": "V/v tổ chức hội nghị", "signer": w.office_leader.pk, "signer_title": "K/T CHÁNH VĂN PHÒNG",
        "recipient_units": [w.board.pk], "external_recipients": "000.00.01.A01 – Văn phòng Trung ương Đảng",
        "file_copy_holder": "Lưu Văn phòng Tỉnh ủy", "copies": 3,
        "file": SimpleUploadedFile("du thao.docx", DOCX),
    }  # fmt: skip
    r = client.post(reverse("registry:outgoing_create"), data)
    assert r.status_code == 302, _body(r)
    doc = OutgoingDocument.objects.get(subject="V/v tổ chức hội nghị")
    assert doc.draft_filename == "du thao.docx" and doc.recipients.count() == 2 and doc.copies == 3
    # a second click on the same form does not make a second draft
    data["file"] = SimpleUploadedFile("du thao.docx", DOCX)
    r = client.post(reverse("registry:outgoing_create"), data, follow=True)
    assert OutgoingDocument.objects.filter(subject="V/v tổ chức hội nghị").count() == 1
    assert any("bấm gửi hai lần" in m for m in _messages(r))
    body = _body(client.get(reverse("registry:outgoing_detail", args=[doc.pk])))
    assert "Kiểm tra thể thức" in body and "Trình duyệt" in body
    r = client.post(reverse("registry:outgoing_submit", args=[doc.pk]), follow=True)
    assert any("Đã trình" in m for m in _messages(r))
    r = client.post(reverse("registry:outgoing_submit", args=[doc.pk]), follow=True)
    assert any("đã được trình" in m for m in _messages(r))
    for reviewer in (w.room_leader, w.office_leader):
        login(client, reviewer)
        page = client.get(reverse("registry:outgoing_detail", args=[doc.pk]))
        assert page.status_code == 200 and "Đồng ý" in _body(page)
        review = page.context["my_reviews"][0]
        r = client.post(reverse("registry:outgoing_review", args=[doc.pk]),
                        {"review": review.pk, "decision": "approved", "comment": "Được"})  # fmt: skip
        assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.APPROVED
    r = client.post(reverse("registry:outgoing_signed_upload", args=[doc.pk]),
                    {"file": SimpleUploadedFile("ky.pdf", make_pdf())})  # fmt: skip
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.SIGNED
    login(client, w.clerk)
    page = client.get(reverse("registry:outgoing_detail", args=[doc.pk]))
    assert "Cấp số và phát hành" in _body(page)
    r = client.post(reverse("registry:outgoing_issue", args=[doc.pk]), {"book": "", "reservation": "",
                                                                        "issued_date": ""}, follow=True)  # fmt: skip
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.ISSUED and doc.number_symbol == "01-CV/VPTU"
    assert any("Đã cấp số 01-CV/VPTU" in m for m in _messages(r))
    r = client.post(reverse("registry:outgoing_issue", args=[doc.pk]), {}, follow=True)
    assert any("đã được phát hành số 01-CV/VPTU" in m for m in _messages(r))
    assert Intake.objects.filter(unit=w.board, origin__startswith="registry.outgoingrecipient:").count() == 1
    body = _body(client.get(reverse("registry:outgoing_detail", args=[doc.pk])))
    assert "Chờ gửi qua trục liên thông" in body and "chờ nơi nhận vào sổ" in body


def test_form_errors_are_shown_in_vietnamese(client, w):
    login(client, w.specialist)
    r = client.post(reverse("registry:outgoing_create"), {
        "token": "t1", "unit": w.office.pk, "document_type": w.type("cong-van").pk, "subject": "V/v x",
        "copies": 1, "external_recipients": "123 – Sai mã\nLưu VT",
        "file": SimpleUploadedFile("a.docx", b"khong phai docx"),
    })  # fmt: skip
    body = _body(r)
    assert r.status_code == 200
    assert "phải có dạng 000.00.00.A00" in body and "ghi vào ô “Lưu”" in body
    r = client.post(reverse("registry:outgoing_create"), {
        "token": "t2", "unit": w.office.pk, "document_type": w.type("cong-van").pk, "subject": "V/v x",
        "copies": 1, "file": SimpleUploadedFile("a.docx", b"khong phai docx"),
    })  # fmt: skip
    assert "không phải tệp DOCX hoặc PDF" in _body(r)
    assert not OutgoingDocument.objects.filter(subject="V/v x").exists()


def test_reviewer_returns_with_comment_through_the_page(client, w):
    doc = draft(w)
    from vanphong.registry.services.outgoing import outgoing_submit

    outgoing_submit(actor=w.specialist, document=doc)
    login(client, w.room_leader)
    review = doc.reviews.get(order=10)
    r = client.post(reverse("registry:outgoing_review", args=[doc.pk]),
                    {"review": review.pk, "decision": "rejected", "comment": ""}, follow=True)  # fmt: skip
    assert any("nhận xét" in m for m in _messages(r))
    r = client.post(reverse("registry:outgoing_review", args=[doc.pk]),
                    {"review": review.pk, "decision": "rejected", "comment": "Bổ sung số liệu"}, follow=True)  # fmt: skip
    assert r.status_code == 200
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.RETURNED


def test_specialist_cannot_issue(client, w):
    doc = signed(w, draft(w))
    login(client, w.specialist)
    body = _body(client.get(reverse("registry:outgoing_detail", args=[doc.pk])))
    assert "Cấp số và phát hành" not in body
    r = client.post(reverse("registry:outgoing_issue", args=[doc.pk]), {}, follow=True)
    assert any("Chỉ văn thư" in m for m in _messages(r))
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.SIGNED and not doc.number_symbol


def test_another_province_gets_404(client, w):
    doc = signed(w, draft(w))
    stranger = make_user(make_province("Tỉnh ủy Xa"), [Role.CLERK, Role.OFFICE_LEADER])
    login(client, stranger)
    for url in (
        reverse("registry:outgoing_detail", args=[doc.pk]),
        reverse("registry:outgoing_file", args=[doc.pk, "ban-ky"]),
        reverse("registry:outgoing_edit", args=[doc.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("registry:outgoing_issue", args=[doc.pk]), {}).status_code == 404
    assert client.post(reverse("registry:outgoing_recall", args=[doc.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("registry:outgoing_list")).context["page_obj"].paginator.count == 0


def test_download_streams_with_safe_name(client, w):
    doc = signed(w, draft(w))
    login(client, w.clerk)
    r = client.get(reverse("registry:outgoing_file", args=[doc.pk, "ban-ky"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == "attachment; filename*=UTF-8''ban-ky.pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    r = client.get(reverse("registry:outgoing_file", args=[doc.pk, "du-thao"]))
    assert r.status_code == 200 and "du-thao.docx" in r["Content-Disposition"]
    assert client.get(reverse("registry:outgoing_file", args=[doc.pk, "khac"])).status_code == 404


def test_recall_and_cancel_through_the_page(client, w):
    issued = outgoing_issue(actor=w.clerk, document=signed(w, draft(w)))
    login(client, w.clerk)
    r = client.post(reverse("registry:outgoing_recall", args=[issued.pk]), {"reason": ""}, follow=True)
    assert any("Cần ghi lý do" in m for m in _messages(r))
    r = client.post(
        reverse("registry:outgoing_recall", args=[issued.pk]), {"reason": "Sai số liệu"}, follow=True
    )
    assert "Văn bản đã bị thu hồi" in _body(r)
    login(client, w.specialist)
    doc = draft(w)
    client.post(reverse("registry:outgoing_cancel", args=[doc.pk]), {"reason": "Không cần nữa"})
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.CANCELLED


def test_reservations_page(client, w):
    """The clerk reserves a number (a double click reserves once), cancels it with a reason."""
    login(client, w.clerk)
    r = client.get(reverse("registry:outgoing_reservations"))
    assert r.status_code == 200
    token = r.context["form"].initial["token"]
    data = {"book": w.cv_book.pk, "document_type": w.type("cong-van").pk, "for_date": "2026-03-05",
            "reason": "Công văn khẩn của Thường trực", "token": token}  # fmt: skip
    client.post(reverse("registry:outgoing_reservations"), data)
    r = client.post(reverse("registry:outgoing_reservations"), data, follow=True)
    assert any("hai lần" in m for m in _messages(r))
    res = NumberReservation.objects.get()
    assert res.number_symbol == "01-CV/VPTU" and "01-CV/VPTU" in _body(r)
    r = client.post(reverse("registry:outgoing_reservation_cancel", args=[res.pk]), {"reason": "Không dùng"},
                    follow=True)  # fmt: skip
    res.refresh_from_db()
    assert res.status == ReservationStatus.CANCELLED and "Số hủy" in _body(r)
    login(client, w.specialist)
    assert client.get(reverse("registry:outgoing_reservations")).status_code == 403


def test_reply_prefill_from_incoming(client, w):
    from vanphong.registry.services.incoming import incoming_document_register

    incoming = incoming_document_register(actor=w.clerk, unit=w.office, medium="paper", subject="Đề nghị báo cáo",
                                          issuer_name="Ban Tổ chức Trung ương", number_symbol="12-CV/BTCTW")  # fmt: skip
    login(client, w.clerk)
    r = client.get(reverse("registry:outgoing_create"), {"tra-loi": incoming.pk})
    assert r.status_code == 200 and "V/v trả lời văn bản số 12-CV/BTCTW" in _body(r)


# --- API ------------------------------------------------------------------------------------------------------


def test_api_needs_a_session(client):
    assert client.get("/api/registry/outgoing").status_code == 401


def test_api_list_detail_issue(client, w):
    doc = signed(w, draft(w))
    other = draft(w, subject="V/v khác")
    login(client, w.clerk)
    items = client.get("/api/registry/outgoing").json()["items"]
    assert {i["id"] for i in items} == {doc.pk, other.pk}
    detail = client.get(f"/api/registry/outgoing/{doc.pk}").json()
    assert detail["status"] == "signed" and detail["reviews"][0]["name"] == "Thẩm định"
    assert detail["recipients"][0]["unit_id"] == w.board.pk and detail["has_signed_file"] is True
    r = client.post(f"/api/registry/outgoing/{doc.pk}/issue", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["number_symbol"] == "01-CV/VPTU"
    r = client.post(f"/api/registry/outgoing/{doc.pk}/issue", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_issued"
    res = number_reserve(actor=w.clerk, book=w.cv_book, for_date=timezone.localdate(), reason="Giữ",
                         document_type=w.type("cong-van"))  # fmt: skip
    approve_all(w, other)
    r = client.post(f"/api/registry/outgoing/{other.pk}/issue", {"reservation_id": res.pk},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["number_symbol"] == "02-CV/VPTU"


def test_api_refusals(client, w):
    doc = signed(w, draft(w))
    login(client, w.specialist)
    r = client.post(f"/api/registry/outgoing/{doc.pk}/issue", {}, content_type="application/json")
    assert r.status_code == 403 and "văn thư" in r.json()["message"]
    login(client, make_user(make_province("Tỉnh ủy API"), [Role.CLERK]))
    assert client.get(f"/api/registry/outgoing/{doc.pk}").status_code == 404


def test_review_flow_is_edited_in_the_catalogue_pages(client, w):
    """The flow lives in “Quy trình thẩm định, duyệt”: seeded with its [U] source, editable by quản trị."""
    from vanphong.catalogs.models import ReviewStep

    admin = make_user(w.province, [Role.ADMIN])
    login(client, admin)
    body = _body(client.get(reverse("catalogs:list", args=["quy-trinh-duyet"])))
    assert "Thẩm định" in body and "Lãnh đạo cấp ủy" in body and "[U]" in body
    r = client.post(reverse("catalogs:create", args=["quy-trinh-duyet"]), {
        "document_type": w.type("to-trinh").pk, "unit": "", "order": 25, "name": "Ký nháy", "role": "unit_leader",
        "source": "Quy chế làm việc Văn phòng Tỉnh ủy [U]", "active": "on",
    })  # fmt: skip
    assert r.status_code == 302, _body(r)
    step = ReviewStep.objects.get(name="Ký nháy")
    from vanphong.catalogs.selectors import review_flow

    assert [s.name for s in review_flow(w.type("to-trinh"), w.office)] == ["Thẩm định", "Duyệt", "Ký nháy"]
    assert [s.name for s in review_flow(w.type("cong-van"), w.office)] == ["Thẩm định", "Duyệt"]
    assert step.source.endswith("[U]")
