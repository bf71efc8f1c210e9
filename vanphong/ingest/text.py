"""Reading the text out of received files: PDF text layers (pypdfium2), Word documents (zip + defusedxml).

Everything returned here is normalised the same way (NFC, ``\\n`` line ends, no NUL or PDFium marker characters)
because search engines and the metadata extractor break on NFD or stray control characters.

PDFium is not thread-safe, so every call into it holds ``PDFIUM_LOCK``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

PDFIUM_LOCK = threading.RLock()

# Lines that are not part of the document itself: the Official Gazette page header and page numbers, the visible
# e-signature stamp of the publishing office. They are ignored when deciding whether a PDF is a scan.
GAZETTE_HEADER_RE = re.compile(
    r"^\s*(?:\d{1,4}\s+)?CÔNG BÁO\s*/\s*Số\b.*?/\s*Ngày\s+\d{1,2}-\d{1,2}-\d{4}(?:\s+\d{1,4})?\s*$"
)
PAGE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$")
STAMP_START_RE = re.compile(r"^\s*(?:Ký bởi|Người ký)\s*:", re.IGNORECASE)
STAMP_LINE_RE = re.compile(r"^\s*(?:Ký bởi|Người ký|Email|Cơ quan|Thời gian ký|Ngày ký)\s*:", re.IGNORECASE)

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, control characters removed (PDFium marks soft hyphens and breaks with them),
    trailing spaces stripped from each line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL_RE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(map(str.rstrip, text.split("\n")))


def strip_noise_lines(lines: Iterable[str]) -> list[str]:
    """The lines without gazette page headers, bare page numbers and e-signature stamp blocks."""
    out: list[str] = []
    in_stamp = 0
    for line in lines:
        if STAMP_START_RE.match(line):
            in_stamp = 5  # the stamp is at most five lines: who, email, organisation, time
            continue
        if in_stamp and STAMP_LINE_RE.match(line):
            in_stamp -= 1
            continue
        in_stamp = 0
        if GAZETTE_HEADER_RE.match(line) or PAGE_NUMBER_RE.match(line):
            continue
        out.append(line)
    return out


def content_chars(text: str) -> int:
    """Non-space characters of the real content (gazette headers, page numbers and stamps not counted)."""
    return sum(len("".join(line.split())) for line in strip_noise_lines(text.split("\n")))


def min_chars_per_page() -> int:
    return int(getattr(settings, "VANPHONG_INGEST_MIN_TEXT_CHARS_PER_PAGE", 100))


def looks_scanned(page_texts: list[str]) -> bool:
    """A PDF is treated as a scan when its text layer averages fewer than
    ``VANPHONG_INGEST_MIN_TEXT_CHARS_PER_PAGE`` (default 100) content characters per page. Gazette scans carry
    only the page header and the e-signature stamp as text."""
    if not page_texts:
        return True
    total = sum(content_chars(t) for t in page_texts)
    return total / len(page_texts) < min_chars_per_page()


def join_pages(page_texts: list[str]) -> str:
    return "\n".join(t.strip("\n") for t in page_texts).strip("\n") + "\n" if page_texts else ""


# --- DOCX ------------------------------------------------------------------------------------------------

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == W_NS + "t":  # deleted text (w:delText) of tracked changes is left out
            parts.append(el.text or "")
        elif tag == W_NS + "tab":
            parts.append("\t")
        elif tag in (W_NS + "br", W_NS + "cr"):
            parts.append("\n")
        elif tag == W_NS + "noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _block_lines(el: Any, out: list[str]) -> None:
    tag = el.tag
    if tag == W_NS + "p":
        out.extend(_paragraph_text(el).split("\n"))
    elif tag == W_NS + "tbl":
        for row in el.iter(W_NS + "tr"):
            for cell in row.findall(W_NS + "tc"):
                for child in cell:
                    _block_lines(child, out)
    elif tag == W_NS + "sdt":  # content controls wrap ordinary paragraphs and tables
        content = el.find(W_NS + "sdtContent")
        if content is not None:
            for child in content:
                _block_lines(child, out)


def docx_text(document_root: Any) -> str:
    """The text of a parsed ``word/document.xml``: one line per paragraph, table cells row by row, each of
    their paragraphs on its own line (the header table of an official document keeps its line structure)."""
    body = document_root.find(W_NS + "body")
    lines: list[str] = []
    if body is not None:
        for child in body:
            _block_lines(child, lines)
    return normalise_text("\n".join(lines)).strip("\n") + "\n"


@dataclass(frozen=True)
class TextResult:
    """Text read from a file without OCR."""

    text: str
    page_count: int | None
    needs_ocr: bool
