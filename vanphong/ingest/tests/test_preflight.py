"""Preflight: every bad file is refused with a Vietnamese message, and refusing stores nothing at all."""

from __future__ import annotations

import io
import zipfile

import pytest

from vanphong.core.exceptions import ValidationError
from vanphong.ingest.models import IntakeSource
from vanphong.ingest.preflight import preflight
from vanphong.ingest.services import intake_create

from .conftest import (
    SAMPLES,
    docx_bytes,
    encrypted_pdf,
    huge_png_header,
    noisy_png,
    pdf_with_bad_page,
    pdf_without_pages,
    png_bytes,
    sample_docx,
    scanned_pdf,
    stored_files,
)


def zip_bomb(zeros: int = 20 * 1024 * 1024) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"0" * zeros)
    return buf.getvalue()


BAD_CASES = [
    ("empty.pdf", lambda pdfs: b"", "rỗng (0 byte)"),
    ("hong.pdf", lambda pdfs: b"%PDF-1.7\n" + b"rac rac rac " * 50, "bị hỏng, không mở được"),
    ("cat-doi.pdf", lambda pdfs: pdfs[0][: len(pdfs[0]) // 2], "bị hỏng"),
    ("trang-hong.pdf", lambda pdfs: pdf_with_bad_page(), "không đọc được trang 3"),
    ("khong-trang.pdf", lambda pdfs: pdf_without_pages(), "không có trang nào"),
    ("mat-khau.pdf", lambda pdfs: encrypted_pdf(), "được đặt mật khẩu"),
    ("anh.pdf", lambda pdfs: png_bytes(), "không phải PDF mà là ảnh PNG"),
    ("van-ban.txt", lambda pdfs: "Công văn số 1".encode(), "không thuộc định dạng được hỗ trợ"),
    ("cu.doc", lambda pdfs: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "tệp Word cũ (.doc)"),
    ("bom.docx", lambda pdfs: zip_bomb(), "bom nén"),
    ("hong.docx", lambda pdfs: docx_bytes("<w:document><w:body><w:p>"), "không đúng định dạng XML"),
    ("dtd.docx", lambda pdfs: docx_bytes('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), "không an toàn"),
    ("bom.png", lambda pdfs: huge_png_header(), "quá lớn"),
    ("cat-doi.png", lambda pdfs: noisy_png()[:40_000], "bị hỏng hoặc không đọc được"),
    ("rac.png", lambda pdfs: b"\x89PNG\r\n\x1a\n" + b"rac" * 100, "bị hỏng hoặc không đọc được"),
    ("rac.jpg", lambda pdfs: b"\xff\xd8\xff\xe0" + b"rac" * 100, "Ảnh JPEG “rac.jpg” bị hỏng"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "make", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_is_refused_and_nothing_is_stored(
    filename, make, message, sample_pdfs, storage, unit, clerk, counts, django_capture_on_commit_callbacks
):
    """The refusal names the problem in Vietnamese; no intake, no blob row, no stored file, no job."""
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as exc:
        intake_create(
            actor=clerk, unit=unit, source=IntakeSource.UPLOAD, filename=filename, data=make(sample_pdfs)
        )
    assert message in exc.value.message
    assert filename in exc.value.message
    assert counts() == before
    assert stored_files(storage) == []
    assert callbacks == []


@pytest.mark.django_db
def test_oversized_file_names_the_limit_in_mb(settings, storage, unit, clerk, counts, sample_pdfs):
    """Above VANPHONG_INGEST_MAX_BYTES the file is refused before it is read to the end; the message says the
    limit in MB."""
    settings.VANPHONG_INGEST_MAX_BYTES = 1024 * 1024
    data = sample_pdfs[0] + b"%" + b"0" * (2 * 1024 * 1024)
    with pytest.raises(ValidationError, match="vượt giới hạn 1 MB") as exc:
        intake_create(
            actor=clerk, unit=unit, source=IntakeSource.UPLOAD, filename="lon.pdf", data=io.BytesIO(data)
        )
    assert exc.value.code == "too_large"
    assert counts() == (0, 0) and stored_files(storage) == []


def test_docx_limits_come_from_settings(settings):
    """Too many entries, and a total over the (lowered) uncompressed limit, are refused without extracting."""
    settings.VANPHONG_INGEST_DOCX_MAX_ENTRIES = 3
    many = docx_bytes("<w:document/>", {f"word/media/a{i}.xml": b"<a/>" for i in range(5)})
    with pytest.raises(ValidationError, match="chứa 7 phần, vượt giới hạn 3"):
        preflight(data=many, filename="nhieu.docx")
    settings.VANPHONG_INGEST_DOCX_MAX_ENTRIES = 2000
    settings.VANPHONG_INGEST_DOCX_MAX_UNCOMPRESSED = 1024 * 1024
    with pytest.raises(ValidationError, match="vượt giới hạn 1 MB"):
        preflight(data=zip_bomb(2 * 1024 * 1024), filename="bom.docx")


def test_pixel_limit_comes_from_settings(settings):
    settings.VANPHONG_INGEST_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError, match=r"200×100 điểm ảnh, vượt giới hạn 0,01 triệu"):
        preflight(data=png_bytes((200, 100)), filename="to.png")


def test_kind_comes_from_the_bytes_not_the_name(sample_pdfs):
    """A file without an extension is accepted by its content; a PDF, a DOCX and an image are told apart."""
    pdf = preflight(data=sample_pdfs[0], filename="scan0001")
    assert (pdf.kind, pdf.format, pdf.page_count, pdf.has_text_layer, pdf.needs_ocr) == (
        "pdf",
        "pdf",
        1,
        True,
        False,
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pdf.text
    docx = preflight(data=sample_docx(SAMPLES[0]), filename="cong-van.docx")
    assert (docx.kind, docx.page_count, docx.needs_ocr) == ("docx", 1, False)
    image = preflight(data=png_bytes(), filename="trang-1.PNG")
    assert (image.kind, image.format, image.content_type, image.needs_ocr) == (
        "image",
        "png",
        "image/png",
        True,
    )


def test_scan_is_recognised_by_its_tiny_text_layer(sample_pdfs):
    checked = preflight(data=scanned_pdf(sample_pdfs[0]), filename="quet.pdf")
    assert checked.needs_ocr and not checked.has_text_layer and checked.text == ""


def test_encrypted_pdf_opens_with_its_password():
    """The hand-written test file really is encrypted (it opens with the password), not merely damaged."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(encrypted_pdf(), password="mat-khau")
    try:
        assert doc[0].get_textpage().get_text_range().strip() == "Mat"
    finally:
        doc.close()


def test_mismatch_message_suggests_the_right_extension():
    with pytest.raises(ValidationError) as exc:
        preflight(data=png_bytes(), filename="x.pdf")
    assert exc.value.message.startswith("Tệp “x.pdf” không phải PDF mà là ảnh PNG")
    assert ".png" in exc.value.message
