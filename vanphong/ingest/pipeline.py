"""The reading pipeline: an explicit list of small typed steps over one file (Paperless-ngx's consume plan,
without hidden signal handlers).

    preflight → (store: the service's job) → text layer → OCR (scans and images only) → metadata → done

``read_document`` runs the steps after preflight on bytes in memory and touches neither the database nor the
storage, so the same code serves the background task, the inline path of ``intake_create`` and the
``ingest extract`` command. Each step records its result on the ``Document`` and returns it; a step that fails
raises ``ValidationError`` with a Vietnamese message naming what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .extract import FIELDS, extract_metadata
from .ocr import OcrBackend, OcrResult, get_ocr_backend
from .preflight import PreflightResult, preflight
from .text import TextResult


@dataclass
class Document:
    """The working state of one file as it goes through the steps."""

    data: bytes
    filename: str
    checked: PreflightResult
    ocr_backend: OcrBackend | None = None
    given: dict[str, Any] = field(
        default_factory=dict
    )  # metadata that came with the file (internal delivery)
    text: str = ""
    page_count: int | None = None
    ocr_used: bool = False
    ocr_pdf: bytes | None = None
    ocr_engine: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    steps_run: list[str] = field(default_factory=list)


def step_text(doc: Document) -> TextResult:
    """The text layer preflight already read (PDF with text, DOCX); nothing for scans and images."""
    result = TextResult(
        text=doc.checked.text, page_count=doc.checked.page_count, needs_ocr=doc.checked.needs_ocr
    )
    doc.text = result.text
    doc.page_count = result.page_count
    return result


def step_ocr(doc: Document) -> OcrResult | None:
    """Recognise the text of a scan or an image with the configured OCR backend; the searchable PDF is kept."""
    if not doc.checked.needs_ocr:
        return None
    backend = doc.ocr_backend or get_ocr_backend()
    result = backend.ocr(doc.data, kind=doc.checked.kind, filename=doc.filename)
    doc.text = result.text
    doc.ocr_used = True
    doc.ocr_pdf = result.pdf
    doc.ocr_engine = result.engine
    return result


def step_metadata(doc: Document) -> dict[str, Any]:
    """Propose the register fields: values that came with the file are kept, missing ones are extracted."""
    extracted = extract_metadata(doc.text) if doc.text.strip() else dict.fromkeys(FIELDS)
    doc.metadata = merge_proposed(extracted, doc.given)
    doc.metadata["ocr_used"] = doc.ocr_used
    return doc.metadata


READ_STEPS: tuple[tuple[str, Callable[[Document], Any]], ...] = (
    ("text", step_text),
    ("ocr", step_ocr),
    ("metadata", step_metadata),
)


def merge_proposed(extracted: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """``given`` wins for every key it has a non-empty value for; the rest comes from ``extracted``."""
    merged = dict(extracted)
    for key, value in (given or {}).items():
        if value not in (None, ""):
            merged[key] = value
        else:
            merged.setdefault(key, value)
    return merged


def read_document(
    data: bytes,
    *,
    filename: str,
    checked: PreflightResult | None = None,
    ocr_backend: OcrBackend | None = None,
    given: dict[str, Any] | None = None,
) -> Document:
    """Run ``READ_STEPS`` on ``data`` (preflight first unless ``checked`` is given) and return the document."""
    doc = Document(
        data=data,
        filename=filename,
        checked=checked or preflight(data=data, filename=filename),
        ocr_backend=ocr_backend,
        given=dict(given or {}),
    )
    for name, step in READ_STEPS:
        step(doc)
        doc.steps_run.append(name)
    return doc


def proposal(doc: Document) -> dict[str, Any]:
    """The ``ingest extract`` output: ``FIELDS`` in order, then ``ocr_used``."""
    out = {key: doc.metadata.get(key) for key in FIELDS}
    out["ocr_used"] = doc.ocr_used
    return out
