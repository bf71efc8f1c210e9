"""The watermark of downloaded copies: visible on every page, Vietnamese text intact, the original untouched."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter

from vanphong.core.exceptions import ValidationError
from vanphong.security.watermark import watermark_pdf

LINE = "Nguyễn Thị Hằng — Văn phòng Tỉnh ủy Đắk Lắk — 05/03/2026 14:30"


def make_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{text}</p>").write_pdf())


def _pages_text(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for page in doc:
            text = page.get_textpage()
            out.append(text.get_text_range())
            text.close()
            page.close()
        return out
    finally:
        doc.close()


def _three_pages() -> bytes:
    """Two A4 pages and one landscape A5 page rotated by 90°, so two overlays are drawn and one is turned."""
    writer = PdfWriter()
    for _ in range(2):
        writer.add_page(PdfReader(io.BytesIO(make_pdf("PAGE A4"))).pages[0])
    writer.add_blank_page(width=595, height=420)
    writer.pages[2].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_every_page_carries_the_vietnamese_line_and_the_page_count_is_kept():
    original = _three_pages()
    stamped = watermark_pdf(original, lines=[LINE])
    texts = _pages_text(stamped)
    assert len(texts) == 3
    for text in texts:
        assert LINE in text  # the small footer line is extractable as one run; the diagonal adds it again
        assert "Đắk Lắk" in text.replace("\r\n", " ")
    assert "PAGE A4" in texts[0]  # the page underneath is kept
    assert stamped != original and len(PdfReader(io.BytesIO(original)).pages) == 3


def test_corrupt_or_empty_input_is_refused_in_vietnamese():
    with pytest.raises(ValidationError) as exc:
        watermark_pdf(b"%PDF-1.4 not really a pdf", lines=[LINE])
    assert "Tệp PDF bị hỏng" in exc.value.message
    with pytest.raises(ValidationError):
        watermark_pdf(b"", lines=[LINE])
