"""Text normalisation, the DOCX reader and the scan rule."""

from __future__ import annotations

from defusedxml import ElementTree as SafeET

from vanphong.ingest.text import content_chars, docx_text, looks_scanned, normalise_text

from .conftest import W


def test_normalise_text():
    """CRLF and form feeds become newlines, NFD becomes NFC, PDFium's control marks and trailing spaces go."""
    raw = "Nghi\u0323 quyê\u0301t  \r\nsô\u0301 57\x02\fTrang hai\ufffe"
    assert normalise_text(raw) == "Nghị quyết\nsố 57\nTrang hai"


def test_docx_keeps_lines_tables_tabs_and_breaks():
    xml = (
        f"<w:document {W}><w:body>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>TỈNH ỦY TÂY NINH</w:t></w:r></w:p><w:p><w:r><w:t>*</w:t></w:r></w:p>"
        "</w:tc><w:tc><w:p><w:r><w:t>ĐẢNG CỘNG SẢN VIỆT NAM</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>Số</w:t></w:r><w:r><w:tab/><w:t>12-CV/TU</w:t><w:br/><w:t>dòng hai</w:t></w:r></w:p>"
        "<w:p><w:r><w:delText>đã xóa</w:delText><w:t>còn lại</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    text = docx_text(SafeET.fromstring(xml))
    assert text == "TỈNH ỦY TÂY NINH\n*\nĐẢNG CỘNG SẢN VIỆT NAM\nSố\t12-CV/TU\ndòng hai\ncòn lại\n"


def test_scan_rule_ignores_gazette_headers_stamps_and_page_numbers():
    stamp_only = "CÔNG BÁO/Số 271/Ngày 12-05-2026 86\nKý bởi: CÔNG BÁO\nCơ quan: VĂN PHÒNG CHÍNH PHỦ\n87\n"
    assert content_chars(stamp_only) == 0
    assert looks_scanned([stamp_only, "TM. CHÍNH PHỦ\nHồ Quốc Dũng"])
    assert not looks_scanned(["Nội dung văn bản " * 10])
    assert looks_scanned([])
