"""Files of classified documents: every view of the page and every file served is traced
(``security.record_access``); a classified PDF leaves the server watermarked with the reader's name, unit and time;
an unclassified file is served unchanged."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from django.test import override_settings
from django.urls import reverse

from vanphong.accounts.models import Role
from vanphong.catalogs.models import SecrecyLevel
from vanphong.core.models import AuditRecord
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.registry.tests.test_outgoing_support import draft, make_pdf, make_world, signed
from vanphong.security.models import SecurityAlert
from vanphong.storage.services import blob_put
from vanphong.testing.factories import login, make_user


@pytest.fixture
def world(db):
    return make_world("Tỉnh ủy Thử nghiệm Bảo mật")


def _text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def _incoming(world, *, rank: int, data: bytes | None = None):
    return incoming_document_register(
        actor=world.clerk, unit=world.office, medium="electronic", subject="V/v bảo vệ bí mật nhà nước",
        issuer_name="Ban Tổ chức Trung ương", blob=blob_put(actor=world.clerk, data=data or make_pdf()),
        filename="cong-van.pdf", secrecy=SecrecyLevel.objects.get(rank=rank) if rank else None,
    )  # fmt: skip


def test_classified_incoming_download_is_watermarked_and_audited(client, world):
    original = make_pdf()
    doc = _incoming(world, rank=1, data=original)
    login(client, world.clerk)
    assert client.get(reverse("registry:incoming_detail", args=[doc.pk])).status_code == 200
    response = client.get(reverse("registry:incoming_file", args=[doc.pk]), {"tai": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content
    assert body != original
    text = _text(body)
    assert "Đặng Văn Thư — Văn phòng Tỉnh ủy — " in text and "DANG CONG SAN VIET NAM" in text
    actions = list(AuditRecord.objects.filter(object_id=str(doc.pk), action__startswith="security.access.")
                   .order_by("seq").values_list("action", flat=True))  # fmt: skip
    assert actions == ["security.access.view", "security.access.download"]
    inline = client.get(reverse("registry:incoming_file", args=[doc.pk]))
    assert inline["Content-Disposition"].startswith("inline;") and "Đặng Văn Thư" in _text(inline.content)
    assert AuditRecord.objects.filter(action="security.access.preview", object_id=str(doc.pk)).count() == 1


def test_unclassified_incoming_download_is_served_unchanged_and_not_traced(client, world):
    original = make_pdf("THUONG")
    doc = _incoming(world, rank=0, data=original)
    login(client, world.clerk)
    response = client.get(reverse("registry:incoming_file", args=[doc.pk]), {"tai": "1"})
    assert b"".join(response.streaming_content) == original
    client.get(reverse("registry:incoming_detail", args=[doc.pk]))
    assert not AuditRecord.objects.filter(action__startswith="security.access.").exists()


def test_classified_signed_outgoing_pdf_is_watermarked_and_the_stored_copy_kept(client, world):
    doc = signed(world, draft(world, secrecy=SecrecyLevel.objects.get(rank=1)))
    login(client, world.specialist)
    client.get(reverse("registry:outgoing_detail", args=[doc.pk]))
    response = client.get(reverse("registry:outgoing_file", args=[doc.pk, "ban-ky"]))
    assert response.status_code == 200 and "Võ Chuyên Viên — Phòng Tổng hợp — " in _text(response.content)
    assert bytes(response.content) != make_pdf()
    draft_file = client.get(
        reverse("registry:outgoing_file", args=[doc.pk, "du-thao"])
    )  # a DOCX: traced only
    assert draft_file.status_code == 200
    actions = set(AuditRecord.objects.filter(object_id=str(doc.pk), object_type="registry.outgoingdocument",
                                             action__startswith="security.access.").values_list("action", flat=True))  # fmt: skip
    assert actions == {"security.access.view", "security.access.download"}


@override_settings(VANPHONG_BULK_ACCESS={"count": 2, "minutes": 10})
def test_many_downloads_raise_an_alert_the_officer_sees(client, world):
    officer = make_user(world.province, [Role.SECURITY], full_name="Phạm An Ninh", clearance=3)
    doc = _incoming(world, rank=1)
    login(client, world.clerk)
    for _ in range(3):
        client.get(reverse("registry:incoming_file", args=[doc.pk]), {"tai": "1"})
    assert SecurityAlert.objects.count() == 1
    login(client, officer)
    assert "Truy cập hàng loạt" in client.get(reverse("security:desk")).content.decode()


def test_a_corrupt_classified_pdf_is_refused_not_served_unmarked(client, world):
    doc = _incoming(world, rank=1, data=b"%PDF-1.4 broken")
    login(client, world.clerk)
    response = client.get(reverse("registry:incoming_file", args=[doc.pk]), {"tai": "1"})
    assert response.status_code == 422 and b"broken" not in response.content
    assert "Tệp PDF bị hỏng" in response.content.decode()
