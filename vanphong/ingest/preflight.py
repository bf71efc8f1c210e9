"""Preflight: the synchronous check of a received file before anything is stored.

The kind is decided by the bytes (magic numbers), never by the name; the name's extension must agree with the
content. A file is refused with a Vietnamese ``ValidationError`` the clerk can act on when it is empty, too large,
of an unsupported or mismatching kind, a damaged or password-protected PDF, a DOCX that would expand into a zip
bomb or whose ``word/document.xml`` is not well-formed XML, or an image Pillow cannot decode or that has more
pixels than allowed (decompression bomb).

Limits come from settings: ``VANPHONG_INGEST_MAX_BYTES`` (50 MB), ``VANPHONG_INGEST_MAX_PIXELS`` (100 million),
``VANPHONG_INGEST_DOCX_MAX_UNCOMPRESSED`` (200 MB), ``VANPHONG_INGEST_DOCX_MAX_ENTRIES`` (2,000),
``VANPHONG_INGEST_DOCX_MAX_RATIO`` (200:1 for members over 1 MB).

A PDF's text layer is read here (it is the cheapest proof that every page can be read), so the result carries it.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import threading
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from PIL import Image, ImageFile, UnidentifiedImageError

from vanphong.core.exceptions import ValidationError

from .text import PDFIUM_LOCK, docx_text, join_pages, looks_scanned, normalise_text

MB = 1024 * 1024
ACCEPTED = "PDF, Word (.docx), ảnh JPG, PNG, TIFF"
CHUNK = 1024 * 1024

# detected format → (kind stored on the intake, content type, label used in messages)
FORMATS: dict[str, tuple[str, str, str]] = {
    "pdf": ("pdf", "application/pdf", "PDF"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (.docx)",
    ),
    "jpeg": ("image", "image/jpeg", "ảnh JPEG"),
    "png": ("image", "image/png", "ảnh PNG"),
    "tiff": ("image", "image/tiff", "ảnh TIFF"),
}
# formats recognised only to name them in a refusal
OTHER_LABELS: dict[str, str] = {
    "doc": "tệp Word cũ (.doc)",
    "xlsx": "bảng tính Excel",
    "pptx": "bản trình chiếu PowerPoint",
    "odf": "tệp OpenDocument",
    "zip": "tệp nén ZIP",
    "gif": "ảnh GIF",
    "bmp": "ảnh BMP",
    "webp": "ảnh WebP",
    "rtf": "tệp RTF",
    "html": "trang HTML",
    "rar": "tệp nén RAR",
    "7z": "tệp nén 7z",
    "text": "tệp văn bản thuần",
}
EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".png": "png",
    ".tif": "tiff",
    ".tiff": "tiff",
}
RENAME_HINT = {"pdf": ".pdf", "docx": ".docx", "jpeg": ".jpg", "png": ".png", "tiff": ".tif"}
DOCX_PAGES_XML = "docProps/app.xml"
MAX_TIFF_FRAMES = 1000


@dataclass(frozen=True)
class PreflightResult:
    """What the check learned about an accepted file."""

    kind: str  # "pdf" | "docx" | "image" (Intake.kind)
    format: str  # "pdf" | "docx" | "jpeg" | "png" | "tiff"
    content_type: str
    size: int
    page_count: int | None
    has_text_layer: bool
    needs_ocr: bool
    encrypted: bool = False  # readable, but protected by an owner password (permissions only)
    text: str = ""  # the text layer (PDF) or document text (DOCX), normalised; empty for images


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return _setting("VANPHONG_INGEST_MAX_BYTES", 50 * MB)


def _mb(n: float) -> str:
    """Megabytes the Vietnamese way: 50 → “50”, 63.25 → “63,3”."""
    value = round(n / MB, 1)
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return text.replace(".", ",")


def too_large(filename: str, size: int | None = None) -> ValidationError:
    limit = _mb(max_bytes())
    what = f" có dung lượng {_mb(size)} MB," if size is not None else ""
    return ValidationError(
        f"Tệp “{filename}”{what} vượt giới hạn {limit} MB cho mỗi tệp. Hãy chia nhỏ tệp hoặc quét ở độ phân giải "
        "thấp hơn (300 dpi là đủ).",
        code="too_large",
    )


def read_limited(data: bytes | IO[bytes], *, filename: str) -> bytes:
    """The whole upload as bytes, refusing (without reading further) anything above ``VANPHONG_INGEST_MAX_BYTES``."""
    limit = max_bytes()
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > limit:
            raise too_large(filename, len(raw))
        return raw
    declared = getattr(data, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise too_large(filename, declared)
    if hasattr(data, "seek"):
        with contextlib.suppress(OSError, ValueError):
            data.seek(0)
    buf = bytearray()
    while chunk := data.read(CHUNK):
        if not isinstance(chunk, bytes | bytearray):
            raise ValidationError("Tệp tải lên phải được đọc ở dạng nhị phân.", code="not_binary")
        buf += chunk
        if len(buf) > limit:
            raise too_large(filename)
    return bytes(buf)


def _zip_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "mimetype" in names or "content.xml" in names:
        return "odf"
    return "zip"


def detect_format(data: bytes) -> str | None:
    """The format named by the first bytes; ``None`` when unknown. ``docx`` needs ``word/document.xml``."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"Rar!"):
        return "rar"
    if data.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text" if head.strip() else None


def _label(fmt: str | None) -> str:
    if fmt is None:
        return "một định dạng không nhận ra được"
    if fmt in FORMATS:
        return FORMATS[fmt][2]
    return OTHER_LABELS.get(fmt, fmt)


def check_kind(data: bytes, filename: str) -> str:
    """The supported format of ``data``; refuse unsupported content or a name whose extension says otherwise."""
    fmt = detect_format(data)
    ext = PurePath(filename).suffix.lower()
    expected = EXTENSIONS.get(ext)
    if fmt not in FORMATS:
        if fmt == "doc":
            raise ValidationError(
                f"Tệp “{filename}” là tệp Word cũ (.doc), hệ thống chưa đọc được. Hãy mở bằng Word và lưu lại "
                f"dưới dạng .docx hoặc PDF. Hệ thống nhận: {ACCEPTED}.",
                code="unsupported",
            )
        if expected is not None:
            raise ValidationError(
                f"Tệp “{filename}” không phải {FORMATS[expected][2]} mà là {_label(fmt)}. "
                f"Hệ thống nhận: {ACCEPTED}.",
                code="wrong_type",
            )
        raise ValidationError(
            f"Tệp “{filename}” ({_label(fmt)}) không thuộc định dạng được hỗ trợ. Hệ thống nhận: {ACCEPTED}.",
            code="unsupported",
        )
    if ext and expected is None:
        raise ValidationError(
            f"Phần mở rộng “{ext}” của tệp “{filename}” không thuộc định dạng được hỗ trợ (nội dung là "
            f"{_label(fmt)}). Hãy đổi tên thành {RENAME_HINT[fmt]}. Hệ thống nhận: {ACCEPTED}.",
            code="unsupported",
        )
    if expected is not None and expected != fmt:
        raise ValidationError(
            f"Tệp “{filename}” không phải {FORMATS[expected][2]} mà là {_label(fmt)}. Hãy đổi phần mở rộng thành "
            f"{RENAME_HINT[fmt]} hoặc chọn đúng tệp.",
            code="wrong_type",
        )
    return fmt


# --- PDF -------------------------------------------------------------------------------------------------


def _pdf_error(filename: str, detail: str) -> ValidationError:
    return ValidationError(
        f"Tệp PDF “{filename}” bị hỏng, {detail}. Hãy xin bản khác hoặc quét lại.", code="corrupt"
    )


def _no_visible_pages(data: bytes) -> bool:
    """A page tree that counts 0 pages and no page object in the uncompressed structure (only used to word
    a refusal)."""
    return (
        re.search(rb"/Type\s*/Pages\b", data) is not None
        and re.search(rb"/Count\s+0\b", data) is not None
        and re.search(rb"/Type\s*/Page(?![a-zA-Z])", data) is None
    )


def read_pdf(data: bytes, filename: str) -> tuple[list[str], bool]:
    """Open the PDF and read every page's text layer; (page texts, encrypted). Refuses damaged and
    password-protected files, naming the page that cannot be read."""
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise ValidationError(
                    f"Tệp PDF “{filename}” được đặt mật khẩu nên không đọc được. Hãy đề nghị nơi gửi gửi lại bản "
                    "không đặt mật khẩu.",
                    code="encrypted",
                ) from exc
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
                raise ValidationError(
                    f"Tệp PDF “{filename}” dùng cơ chế bảo vệ không được hỗ trợ nên không đọc được.",
                    code="encrypted",
                ) from exc
            if _no_visible_pages(data):  # PDFium refuses a document without pages, naming no particular error
                raise _pdf_error(filename, "không có trang nào") from exc
            raise _pdf_error(filename, "không mở được") from exc
        try:
            count = len(pdf)
            if count == 0:
                raise _pdf_error(filename, "không có trang nào")
            encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1
            pages: list[str] = []
            for index in range(count):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError as exc:
                    raise _pdf_error(filename, f"không đọc được trang {index + 1}") from exc
                try:
                    textpage = page.get_textpage()
                    try:
                        pages.append(normalise_text(textpage.get_text_range()))
                    finally:
                        textpage.close()
                except pdfium.PdfiumError as exc:
                    raise _pdf_error(filename, f"không đọc được chữ ở trang {index + 1}") from exc
                finally:
                    page.close()
        finally:
            pdf.close()
    return pages, encrypted


def _check_pdf(data: bytes, filename: str) -> PreflightResult:
    pages, encrypted = read_pdf(data, filename)
    scanned = looks_scanned(pages)
    if scanned and encrypted:
        raise ValidationError(
            f"Tệp PDF “{filename}” là bản quét nhưng được bảo vệ (mã hóa) nên không nhận dạng chữ được. Hãy đề "
            "nghị nơi gửi gửi lại bản không bảo vệ.",
            code="encrypted",
        )
    return PreflightResult(
        kind="pdf", format="pdf", content_type=FORMATS["pdf"][1], size=len(data), page_count=len(pages),
        has_text_layer=not scanned, needs_ocr=scanned, encrypted=encrypted,
        text="" if scanned else join_pages(pages),
    )  # fmt: skip


# --- DOCX ------------------------------------------------------------------------------------------------


def _docx_error(filename: str, detail: str, code: str = "corrupt") -> ValidationError:
    return ValidationError(f"Tệp Word “{filename}” {detail}", code=code)


def _bomb(filename: str, detail: str) -> ValidationError:
    return _docx_error(
        filename,
        f"bị từ chối vì {detail} (nghi là “bom nén”). Hãy lưu lại tệp bằng Word hoặc gửi bản PDF.",
        code="zip_bomb",
    )


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, filename: str) -> bytes:
    """A member's bytes, never more than ``limit`` (sizes in the central directory may lie)."""
    try:
        with zf.open(name) as f:
            raw = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _docx_error(filename, f"bị hỏng: không giải nén được phần “{name}”.") from exc
    if len(raw) > limit:
        raise _bomb(filename, f"phần “{name}” giải nén ra hơn {_mb(limit)} MB")
    return raw


def _parse_xml(raw: bytes, name: str, filename: str) -> Any:
    try:
        return SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _docx_error(
            filename, f"chứa khai báo XML không an toàn (DTD hoặc thực thể) trong “{name}” nên bị từ chối."
        ) from exc
    except (SafeET.ParseError, ValueError, UnicodeDecodeError) as exc:
        raise _docx_error(
            filename,
            f"bị hỏng: nội dung “{name}” không đúng định dạng XML. Hãy mở bằng Word, lưu lại rồi gửi lại.",
        ) from exc


def _docx_pages(zf: zipfile.ZipFile, names: set[str], filename: str) -> int | None:
    if DOCX_PAGES_XML not in names:
        return None
    try:
        root = _parse_xml(_read_member(zf, DOCX_PAGES_XML, MB, filename), DOCX_PAGES_XML, filename)
    except ValidationError:
        return None
    for el in root.iter():
        if (el.tag == "Pages" or el.tag.endswith("}Pages")) and (el.text or "").strip().isdigit():
            return int((el.text or "").strip()) or None
    return None


def _check_docx(data: bytes, filename: str) -> PreflightResult:
    max_total = _setting("VANPHONG_INGEST_DOCX_MAX_UNCOMPRESSED", 200 * MB)
    max_entries = _setting("VANPHONG_INGEST_DOCX_MAX_ENTRIES", 2000)
    max_ratio = _setting("VANPHONG_INGEST_DOCX_MAX_RATIO", 200)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise _docx_error(filename, "bị hỏng: không mở được (cấu trúc zip sai).") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise _bomb(filename, f"chứa {len(infos)} phần, vượt giới hạn {max_entries}")
        total = sum(i.file_size for i in infos)
        if total > max_total:
            raise _bomb(filename, f"giải nén ra {_mb(total)} MB, vượt giới hạn {_mb(max_total)} MB")
        for info in infos:
            if info.file_size > MB and info.file_size > max_ratio * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _bomb(filename, f"phần “{info.filename}” nén với tỉ lệ bất thường {ratio}:1")
        names = {i.filename for i in infos}
        raw = _read_member(zf, "word/document.xml", max_total, filename)
        root = _parse_xml(raw, "word/document.xml", filename)
        pages = _docx_pages(zf, names, filename)
    text = docx_text(root)
    return PreflightResult(
        kind="docx", format="docx", content_type=FORMATS["docx"][1], size=len(data), page_count=pages,
        has_text_layer=True, needs_ocr=False, text=text,
    )  # fmt: skip


# --- images ----------------------------------------------------------------------------------------------


_STRICT_LOCK = threading.Lock()


def _load_strictly(img: Image.Image) -> None:
    """Decode the pixels, failing on a truncated file. WeasyPrint sets Pillow's global
    ``LOAD_TRUNCATED_IMAGES = True`` when imported, which would let a cut-off scan through as a grey page."""
    with _STRICT_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            img.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(data: bytes, filename: str, fmt: str) -> PreflightResult:
    max_pixels = _setting("VANPHONG_INGEST_MAX_PIXELS", 100_000_000)
    label = FORMATS[fmt][2]

    def bomb(w: int, h: int) -> ValidationError:
        limit = f"{max_pixels / 1e6:g}".replace(".", ",")
        return ValidationError(
            f"Ảnh “{filename}” quá lớn ({w}×{h} điểm ảnh, vượt giới hạn {limit} triệu điểm ảnh). "
            "Hãy quét lại ở 300 dpi.",
            code="image_bomb",
        )

    frames = 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                frames = int(getattr(img, "n_frames", 1) or 1)
                if frames > MAX_TIFF_FRAMES:
                    raise ValidationError(
                        f"Ảnh “{filename}” có {frames} trang, vượt giới hạn {MAX_TIFF_FRAMES} trang.",
                        code="image_bomb",
                    )
                for index in range(frames):
                    if index:
                        img.seek(index)
                    w, h = img.size
                    if w * h > max_pixels:
                        raise bomb(w, h)
                img.seek(0)
                _load_strictly(img)
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            f"Ảnh “{filename}” quá lớn (vượt giới hạn điểm ảnh, nghi là “bom giải nén”). Hãy quét lại ở 300 dpi.",
            code="image_bomb",
        ) from exc
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        IndexError,
    ) as exc:
        raise ValidationError(
            f"{label[0].upper()}{label[1:]} “{filename}” bị hỏng hoặc không đọc được. Hãy quét hoặc chụp lại.",
            code="corrupt",
        ) from exc
    return PreflightResult(
        kind="image", format=fmt, content_type=FORMATS[fmt][1], size=len(data), page_count=frames,
        has_text_layer=False, needs_ocr=True,
    )  # fmt: skip


def preflight(*, data: bytes, filename: str) -> PreflightResult:
    """Check ``data`` (the whole file) named ``filename``; return what it is or raise ``ValidationError``."""
    if not data:
        raise ValidationError(f"Tệp “{filename}” rỗng (0 byte). Hãy chọn lại đúng tệp.", code="empty")
    if len(data) > max_bytes():
        raise too_large(filename, len(data))
    fmt = check_kind(data, filename)
    if fmt == "pdf":
        return _check_pdf(data, filename)
    if fmt == "docx":
        return _check_docx(data, filename)
    return _check_image(data, filename, fmt)
