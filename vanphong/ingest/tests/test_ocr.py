"""OCR backends: the ocrmypdf command line (checked without running it), the fake, and one real run."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from vanphong.core.exceptions import ValidationError
from vanphong.ingest.evaluation import cer
from vanphong.ingest.extract import extract_metadata
from vanphong.ingest.ocr import FAKE_TEXT, FakeOcrBackend, OcrMyPdfBackend, get_ocr_backend, image_to_pdf
from vanphong.ingest.preflight import preflight

from .conftest import SAMPLES, page_png, png_bytes


def test_configured_backend_is_the_fake_in_tests(settings):
    backend = get_ocr_backend()
    assert isinstance(backend, FakeOcrBackend)
    settings.VANPHONG_OCR_OPTIONS = {"text": "Số 1-CV/TU"}
    assert get_ocr_backend().ocr_pdf(b"%PDF-1.4").text == "Số 1-CV/TU"
    assert isinstance(get_ocr_backend("vanphong.ingest.ocr.OcrMyPdfBackend", timeout=5), OcrMyPdfBackend)


def test_fake_returns_its_text_and_the_input():
    result = FakeOcrBackend().ocr(b"%PDF-1.4 x", kind="pdf", filename="a.pdf")
    assert result.pdf == b"%PDF-1.4 x" and result.text == FAKE_TEXT and result.engine == "fake"
    with pytest.raises(ValidationError, match="hỏng"):
        FakeOcrBackend(fail="Ảnh hỏng").ocr(png_bytes(), kind="image")


def test_image_to_pdf_keeps_every_tiff_page_and_the_resolution():
    frames = [Image.new("L", (850, 1100), 255), Image.new("RGBA", (850, 1100), (255, 255, 255, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], dpi=(100, 100))
    pdf = image_to_pdf(buf.getvalue())
    checked = preflight(data=pdf, filename="hai-trang.pdf")
    assert checked.page_count == 2 and checked.needs_ocr
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        width, height = doc[0].get_size()
    finally:
        doc.close()
    assert (round(width), round(height)) == (612, 792)  # 850×1100 px at 100 dpi = US Letter in points


def test_missing_ocrmypdf_is_a_clear_message():
    with pytest.raises(ValidationError, match="chưa cài chương trình nhận dạng chữ") as exc:
        OcrMyPdfBackend(binary="khong-co-ocrmypdf-o-day").ocr_pdf(b"%PDF-1.4")
    assert exc.value.code == "ocr_missing"


def test_ocrmypdf_command_line_and_environment(monkeypatch):
    """ocrmypdf runs with -l vie, PDF/A output, deskew, a sidecar and OMP_THREAD_LIMIT=1; the output PDF and the
    sidecar text are returned."""
    seen = {}

    def fake_run(cmd, *, capture_output, timeout, env, check):
        seen.update(cmd=cmd, env=env, timeout=timeout)
        Path(cmd[-1]).write_bytes(b"%PDF-1.7 pdfa")
        Path(cmd[cmd.index("--sidecar") + 1]).write_text("Số 7-CV/TU\fTrang hai\r\n", encoding="utf-8")
        return subprocess.CompletedProcess(cmd, 0, b"", b"")

    monkeypatch.setattr("vanphong.ingest.ocr.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("vanphong.ingest.ocr.subprocess.run", fake_run)
    result = OcrMyPdfBackend(timeout=42).ocr_pdf(b"%PDF-1.4 scan", filename="quet.pdf")
    assert result.pdf == b"%PDF-1.7 pdfa" and result.text == "Số 7-CV/TU\nTrang hai\n"
    cmd = seen["cmd"]
    assert cmd[:3] == ["/usr/bin/ocrmypdf", "-l", "vie"]
    assert {"--output-type", "pdfa", "--deskew", "--sidecar", "--force-ocr"} <= set(cmd)
    assert seen["env"]["OMP_THREAD_LIMIT"] == "1" and seen["timeout"] == 42


@pytest.mark.parametrize(("code", "message"), [(3, "tesseract-ocr-vie"), (8, "mã hóa"), (15, "mã lỗi 15")])
def test_ocrmypdf_failures_are_vietnamese(monkeypatch, code, message):
    monkeypatch.setattr("vanphong.ingest.ocr.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        "vanphong.ingest.ocr.subprocess.run",
        lambda cmd, **kw: subprocess.CompletedProcess(cmd, code, b"", b"traceback for developers"),
    )
    with pytest.raises(ValidationError, match=message) as exc:
        OcrMyPdfBackend().ocr_pdf(b"%PDF-1.4", filename="quet.pdf")
    assert "traceback" not in exc.value.message


def test_ocrmypdf_timeout(monkeypatch):
    def slow(cmd, **kw):
        raise subprocess.TimeoutExpired(cmd, kw["timeout"])

    monkeypatch.setattr("vanphong.ingest.ocr.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("vanphong.ingest.ocr.subprocess.run", slow)
    with pytest.raises(ValidationError, match=r"quá thời gian cho phép \(2 phút\)"):
        OcrMyPdfBackend(timeout=120).ocr_pdf(b"%PDF-1.4", filename="dai.pdf")


@pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason="ocrmypdf is not installed (apt-get install ocrmypdf "
                    "tesseract-ocr-vie): the real-OCR integration test needs it")  # fmt: skip
def test_real_ocr_reads_a_rendered_page(sample_pdfs):
    """Integration: a 300 dpi rendering of an invented document through ocrmypdf + tesseract vie gives a PDF/A
    and text from which the number, date, type, issuer and signer are found. (The CER bound is loose because
    tesseract reads the two header columns line by line, an order the reference text does not follow.)"""
    result = OcrMyPdfBackend(timeout=300).ocr_image(page_png(sample_pdfs[0]), filename="trang.png")
    assert result.pdf.startswith(b"%PDF-")
    assert b"pdfaid" in result.pdf
    assert cer(result.text, SAMPLES[0].text()) < 0.2
    found = extract_metadata(result.text)
    expected = SAMPLES[0].expected()
    for field in ("number_symbol", "issued_date", "doc_type", "issuer", "signer"):
        assert found[field] == expected[field], field
