"""Fixtures of the ingest tests: a private storage folder, invented documents as PDF/DOCX/PNG, bad files."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from vanphong.accounts.models import Role
from vanphong.ingest.models import Intake
from vanphong.ingest.ocr import image_to_pdf
from vanphong.ingest.samples import SampleDocument, render_pdfs, sample_documents
from vanphong.org.models import UnitLevel
from vanphong.storage.backends import FileSystemBackend, get_backend
from vanphong.storage.models import Blob
from vanphong.testing.factories import make_province, make_unit, make_user

SAMPLES = sample_documents(6)


@pytest.fixture(scope="session")
def sample_pdfs() -> list[bytes]:
    """Six invented born-digital Party documents, one page each (rendered once per test session)."""
    return render_pdfs(SAMPLES)


@pytest.fixture
def storage(settings, tmp_path: Path) -> FileSystemBackend:
    """A fresh filesystem blob store per test, so stored files can be counted."""
    settings.VANPHONG_STORAGE = {
        "BACKEND": "vanphong.storage.backends.FileSystemBackend",
        "OPTIONS": {"root": str(tmp_path / "blobs")},
    }
    backend = get_backend()
    assert isinstance(backend, FileSystemBackend)
    return backend


def stored_files(backend: FileSystemBackend) -> list[str]:
    return sorted(p.name for p in backend.root.rglob("*") if p.is_file()) if backend.root.exists() else []


@pytest.fixture
def unit(db):
    province = make_province("Tỉnh ủy Tây Ninh")
    return make_unit(province, "Văn phòng Tỉnh ủy", level=UnitLevel.DEPARTMENT, short_name="VPTU")


@pytest.fixture
def clerk(unit):
    return make_user(unit, roles=[Role.CLERK], full_name="Lê Thị Văn Thư")


@pytest.fixture
def counts() -> Callable[[], tuple[int, int]]:
    """(intakes, blobs) in the database."""
    return lambda: (Intake.objects.count(), Blob.objects.count())


# --- files ------------------------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (200, 100), mode: str = "L") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size, 255).save(buf, "PNG")
    return buf.getvalue()


def noisy_png(size: tuple[int, int] = (300, 300)) -> bytes:
    """A PNG that does not compress to almost nothing (so cutting it in half really truncates the pixels)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise(size, 64).save(buf, "PNG")
    return buf.getvalue()


def scanned_pdf(pdf: bytes, scale: float = 150 / 72) -> bytes:
    """The first page of ``pdf`` rasterised and wrapped back into a PDF: a “scan” without a text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=scale, grayscale=True).to_pil()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(150, 150))
    return image_to_pdf(buf.getvalue())


def page_png(pdf: bytes, dpi: int = 300) -> bytes:
    """The first page of ``pdf`` as a grey PNG at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def huge_png_header(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG whose header claims a gigantic image (a decompression bomb in miniature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_bytes(document_xml: str | bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def sample_docx(doc: SampleDocument) -> bytes:
    """The document as Word lays it out: a two-cell header table, then paragraphs, then a signature table."""
    lines = doc.text().split("\n")
    left_end = lines.index("ĐẢNG CỘNG SẢN VIỆT NAM")
    left, right = lines[:left_end], lines[left_end : left_end + 2]
    rest = lines[left_end + 2 :]
    sign_at = rest.index("Nơi nhận:")
    body, recipients, signature = rest[:sign_at], rest[sign_at : sign_at + 3], rest[sign_at + 3 :]

    def table(a: list[str], b: list[str]) -> str:
        cell = lambda xs: "<w:tc>" + "".join(_para(x) for x in xs) + "</w:tc>"  # noqa: E731
        return f"<w:tbl><w:tr>{cell(a)}{cell(b)}</w:tr></w:tbl>"

    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
        + table(left, right)
        + "".join(_para(x) for x in body if x)
        + table(recipients, signature)
        + "</w:body></w:document>"
    )
    return docx_bytes(xml, {"docProps/app.xml": b"<Properties><Pages>1</Pages></Properties>"})


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer_extra, xref)
    )
    return out.getvalue()


def encrypted_pdf(user_password: bytes = b"mat-khau", owner_password: bytes = b"chu-so-huu") -> bytes:
    """A real password-protected PDF (standard security handler, RC4 40-bit, revision 2), written by hand:
    no tool on this machine (qpdf, pikepdf) is needed."""
    doc_id = b"0123456789abcdef"
    permissions = -44

    def md5(data: bytes) -> bytes:  # the PDF standard security handler's hash, not ours
        return hashlib.md5(data, usedforsecurity=False).digest()

    o_value = _rc4(md5((owner_password + PAD)[:32])[:5], (user_password + PAD)[:32])
    key = md5((user_password + PAD)[:32] + o_value + struct.pack("<i", permissions) + doc_id)[:5]
    u_value = _rc4(key, PAD)
    obj_key = md5(key + struct.pack("<i", 4)[:3] + b"\0\0")[:10]
    content = _rc4(obj_key, b"BT /F1 24 Tf 72 720 Td (Mat) Tj ET")
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 6 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Filter /Standard /V 1 /R 2 /O <"
            + o_value.hex().encode()
            + b"> /U <"
            + u_value.hex().encode()
            + b"> /P "
            + str(permissions).encode()
            + b" >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ],
        trailer_extra=b"/Encrypt 5 0 R /ID [<%s> <%s>] " % (doc_id.hex().encode(), doc_id.hex().encode()),
    )


def pdf_with_bad_page() -> bytes:
    """Three pages; the third page object is not a page at all."""
    stream = b"BT /F1 12 Tf 72 720 Td (Trang) Tj ET"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R 6 0 R 7 0 R] /Count 3 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            page,
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            page,
            b"(khong phai trang)",
        ]
    )


def pdf_without_pages() -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def expected_of(index: int) -> dict[str, Any]:
    return SAMPLES[index].expected()
