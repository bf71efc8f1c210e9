"""Incoming pages: confirm-and-register beside the preview, the list, the document page, files, access."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from vanphong.accounts.models import Role
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.registry.models import IncomingDocument, IncomingStatus
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.storage.services import blob_put
from vanphong.testing.factories import login, make_province, make_user


def _pdf_bytes(text: str = "ĐẢNG CỘNG SẢN VIỆT NAM") -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def ready_intake(clerk, office):
    return Intake.objects.create(
        unit=office, created_by=clerk, source=IntakeSource.UPLOAD, filename="cv-15.pdf", kind="pdf",
        blob=blob_put(actor=clerk, data=_pdf_bytes()), status=IntakeStatus.READY, page_count=1,
        text="Số 15-CV/BTCTW", proposed={"number_symbol": "15-CV/BTCTW", "issuer": "Ban Tổ chức Trung ương",
        "issued_date": "2026-03-05", "subject": "V/v báo cáo sơ kết", "doc_type": "Công văn"},
    )  # fmt: skip


def test_confirm_page_shows_proposals_beside_the_page_preview(client, clerk, ready_intake):
    login(client, clerk)
    response = client.get(reverse("registry:intake_confirm", args=[ready_intake.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="15-CV/BTCTW"' in html and 'value="05/03/2026"' in html
    assert reverse("registry:intake_page", args=[ready_intake.pk, 0]) in html
    png = client.get(reverse("registry:intake_page", args=[ready_intake.pk, 0]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"


def test_confirm_registers_and_redirects_to_the_document(client, clerk, ready_intake):
    login(client, clerk)
    data = {"number_symbol": "15-CV/BTCTW", "issued_date": "05/03/2026", "issuer_name": "Ban Tổ chức Trung ương",
            "subject": "V/v báo cáo sơ kết", "medium": "electronic"}  # fmt: skip
    response = client.post(reverse("registry:intake_confirm", args=[ready_intake.pk]), data)
    doc = IncomingDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:incoming_detail", args=[doc.pk]
    )
    assert doc.arrival_number == 1 and doc.blob_id == ready_intake.blob_id
    again = client.post(reverse("registry:intake_confirm", args=[ready_intake.pk]), data)  # a double click
    assert again.status_code == 302 and IncomingDocument.objects.count() == 1


def test_wrong_date_gets_a_vietnamese_message_and_nothing_is_written(client, clerk, ready_intake):
    login(client, clerk)
    data = {"number_symbol": "15-CV/BTCTW", "issued_date": "31/02/2026", "issuer_name": "Ban Tổ chức Trung ương",
            "subject": "V/v báo cáo", "medium": "paper"}  # fmt: skip
    response = client.post(reverse("registry:intake_confirm", args=[ready_intake.pk]), data)
    assert response.status_code == 200
    assert "Ngày không hợp lệ" in response.content.decode()
    assert not IncomingDocument.objects.exists()


def test_duplicate_asks_for_confirmation_then_registers(client, clerk, office, ready_intake):
    incoming_document_register(actor=clerk, unit=office, medium="paper", subject="V/v báo cáo sơ kết",
                               issuer_name="Ban Tổ chức Trung ương", number_symbol="15-CV/BTCTW")  # fmt: skip
    login(client, clerk)
    data = {"number_symbol": "15-CV/BTCTW", "issuer_name": "Ban Tổ chức Trung ương",
            "subject": "V/v báo cáo sơ kết", "medium": "paper"}  # fmt: skip
    response = client.post(reverse("registry:intake_confirm", args=[ready_intake.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "Có thể trùng" in html and "Vẫn vào sổ" in html
    assert IncomingDocument.objects.count() == 1
    response = client.post(
        reverse("registry:intake_confirm", args=[ready_intake.pk]), {**data, "acknowledge_duplicate": "on"}
    )
    assert response.status_code == 302 and IncomingDocument.objects.count() == 2


def test_list_filters_and_query_count(client, clerk, office, django_assert_max_num_queries):
    for i in range(35):
        incoming_document_register(actor=clerk, unit=office, medium="paper", subject=f"Trích yếu {i}",
                                   issuer_name="Ban Tổ chức", number_symbol=f"{i + 1}-CV/BTC")  # fmt: skip
    login(client, clerk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:incoming_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/van-ban/den/') >= 30
    response = client.get(reverse("registry:incoming_list"), {"q": "17-CV"})
    assert "Trích yếu 16" in response.content.decode() and "Trích yếu 3<" not in response.content.decode()


def test_detail_access_other_province_gets_404(client, clerk, office):
    doc = incoming_document_register(actor=clerk, unit=office, medium="paper", subject="Trích yếu",
                                     issuer_name="Ban Tổ chức")  # fmt: skip
    login(client, clerk)
    assert client.get(reverse("registry:incoming_detail", args=[doc.pk])).status_code == 200
    stranger = make_user(make_province(), roles=[Role.CLERK, Role.OFFICE_LEADER])
    login(client, stranger)
    response = client.get(reverse("registry:incoming_detail", args=[doc.pk]))
    assert response.status_code == 404 and "Không tìm thấy văn bản đến" in response.content.decode()
    assert client.get(reverse("registry:incoming_file", args=[doc.pk])).status_code == 404


def test_return_from_the_page(client, clerk, office):
    doc = incoming_document_register(actor=clerk, unit=office, medium="paper", subject="Trích yếu",
                                     issuer_name="Ban Tổ chức")  # fmt: skip
    login(client, clerk)
    client.post(reverse("registry:incoming_return", args=[doc.pk]), {"reason": "Gửi nhầm"})
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.RETURNED


def test_specialist_cannot_open_the_intake_desk(client, office):
    specialist = make_user(office, roles=[Role.SPECIALIST])
    login(client, specialist)
    response = client.get(reverse("registry:intake"))
    assert response.status_code == 302


def test_upload_several_files_and_a_bad_one(client, clerk, office):
    """Good files become intakes read inline (born-digital); a corrupt one is refused in Vietnamese and leaves
    nothing behind."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vanphong.storage.models import Blob

    login(client, clerk)
    blobs = Blob.objects.count()
    bad = SimpleUploadedFile("hong.pdf", b"%PDF-1.7 not really a pdf", content_type="application/pdf")
    response = client.post(reverse("registry:intake"), {"uploads": [bad]}, headers={"X-Upload": "1"})
    assert response.status_code == 400
    assert response.json()["errors"] and "hong.pdf" in response.json()["errors"][0]
    assert not Intake.objects.exists() and Blob.objects.count() == blobs
    good = [
        SimpleUploadedFile(f"cv-{i}.pdf", _pdf_bytes() + bytes([i]), content_type="application/pdf")
        for i in range(2)
    ]
    response = client.post(reverse("registry:intake"), {"uploads": good})
    assert response.status_code == 302
    assert Intake.objects.filter(unit=office).count() == 2
    page = client.get(reverse("registry:intake"))
    assert "cv-0.pdf" in page.content.decode()
