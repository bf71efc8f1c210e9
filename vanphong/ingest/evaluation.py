"""Measuring the extractor and the OCR: expected values from a corpus's own metadata, per-field scores, CER.

Two corpus forms are read by ``load_cases``:

- the Công báo corpus (``index.json`` + ``text/<topic>/<slug>.txt``). Expected values come from the metadata only,
  never from the document's text (that would be circular). Scoring and skip rules:
  * ``number_symbol``, ``number``, ``symbol``: from ``so_hieu`` (or the slug when ``so_hieu`` is a slug), compared
    without diacritics, case, separators and leading zeros (slugs lose all of them). Skipped when the text does
    not contain that number at all (a gazette fragment continued in another issue) or is a scan.
  * ``issued_date``: the metadata carries no date, only the year inside the number (``02/2023/TT-…``) or a
    plausible ``nam``: the extracted date's **year** is scored against it; skipped otherwise. Full dates are
    scored by the hand-checked gold file.
  * ``doc_type``: ``loai`` mapped to catalogue names (“NQ” → “Nghị quyết”, “VB HN” → “Văn bản hợp nhất”);
    skipped for “Khác” and where ``loai`` contradicts the slug's own type.
  * ``issuer``, ``subject``, ``signer``, ``urgency``, ``secrecy``: no expected value in ``index.json``: skipped
    (the gold file scores issuer and signer).
  * every field of a scan (text layer under 100 content characters per page) is skipped: it needs OCR.
- a generic folder: ``NAME.json`` sidecars holding expected fields, beside ``NAME.txt`` (text) or a document
  file ``NAME.pdf/.docx/.png/.jpg/.tif`` (read through preflight; scans are skipped unless OCR is asked for).
  Values are compared exactly after whitespace and case folding; ``issued_date`` is compared in full.

A hand-checked gold file (slug → fields) is scored exactly the same way as a sidecar.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extract import FIELDS, extract_metadata
from .text import GAZETTE_HEADER_RE, content_chars, min_chars_per_page

SCORED_FIELDS = FIELDS
LOAI_NAMES = {
    "thông tư": "Thông tư", "vb hn": "Văn bản hợp nhất", "văn bản hợp nhất": "Văn bản hợp nhất",
    "nghị định": "Nghị định", "nq": "Nghị quyết", "nghị quyết": "Nghị quyết", "qđ": "Quyết định",
    "quyết định": "Quyết định", "luật": "Luật", "bộ luật": "Bộ luật", "tt liên tịch": "Thông tư liên tịch",
    "thông tư liên tịch": "Thông tư liên tịch", "chỉ thị": "Chỉ thị", "pháp lệnh": "Pháp lệnh",
}  # fmt: skip
SLUG_TYPES = {
    "thong-tu-lien-tich": "Thông tư liên tịch", "thong-tu": "Thông tư", "nghi-dinh": "Nghị định",
    "nghi-quyet": "Nghị quyết", "quyet-dinh": "Quyết định", "van-ban-hop-nhat": "Văn bản hợp nhất",
    "bo-luat": "Bộ luật", "luat": "Luật", "chi-thi": "Chỉ thị", "thong-bao": "Thông báo", "phap-lenh": "Pháp lệnh",
}  # fmt: skip
SLUG_RE = re.compile(r"^(?P<type>[a-z-]+?)-so-(?P<ns>.+?)-(?P<id>\d{4,})$")
DOC_SUFFIXES = (".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")

_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(value: str) -> str:
    """Lower case without diacritics, đ → d."""
    s = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return _COMBINING.sub("", s).lower()


def ns_key(value: str) -> str:
    """A số, ký hiệu reduced to what a slug keeps: “07/2026/TT-BNV” → “72026ttbnv”."""
    s = fold(value).strip()
    s = re.sub(r"^0+(?=\d)", "", s)
    return re.sub(r"[^a-z0-9]+", "", s)


def number_key(value: str) -> str:
    m = re.match(r"\d+(?:\.\d+)?", fold(value).strip())
    return re.sub(r"\D", "", m.group(0)).lstrip("0") if m else ""


def text_key(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


# --- cases -------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One document with what we expect of it. ``compare[field]`` is "ns", "number", "symbol", "year" or
    "exact"; ``skip[field]`` says why a field is not scored."""

    name: str
    text: str | None = None
    path: Path | None = None
    expected: dict[str, Any] = field(default_factory=dict)
    compare: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)


def _pages(text: str) -> int:
    return max(1, sum(1 for line in text.split("\n") if GAZETTE_HEADER_RE.match(line)))


def is_scan_text(text: str) -> bool:
    """The same rule as the pipeline: under ``VANPHONG_INGEST_MIN_TEXT_CHARS_PER_PAGE`` content characters per
    page (gazette page headers count the pages of a pdftotext dump)."""
    return content_chars(text) / _pages(text) < min_chars_per_page()


def _ns_from_metadata(so_hieu: str, slug: str) -> str | None:
    m = re.search(r"\bsố\s*:?\s*(\S+)\s*$", so_hieu, re.IGNORECASE)
    if m and re.search(r"\d", m.group(1)):
        return m.group(1)
    if re.match(r"^\d+(?:\.\d+)?(?:/\d{4})?/\S+$", so_hieu.strip()):
        return so_hieu.strip()
    sm = SLUG_RE.match(slug)
    return sm["ns"] if sm else None


def _year_of(ns: str | None) -> int | None:
    if not ns:
        return None
    m = re.match(r"^\d+(?:\.\d+)?[/-](\d{4})(?:[/-]|$)", ns)
    return int(m.group(1)) if m else None


def congbao_cases(directory: Path) -> list[Case]:
    """Cases of the Công báo corpus (see the module docstring for the rules)."""
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    paths = {p.stem: p for p in (directory / "text").rglob("*.txt")}
    cases: list[Case] = []
    for entry in index:
        slug = entry["slug"]
        path = paths.get(slug)
        case = Case(name=slug, path=path)
        cases.append(case)
        if path is None:
            case.skip = dict.fromkeys(SCORED_FIELDS, "no text file")
            continue
        text = path.read_text(encoding="utf-8")
        case.text = text
        if is_scan_text(text):
            case.skip = dict.fromkeys(SCORED_FIELDS, "scan without text layer (needs OCR)")
            continue
        ns = _ns_from_metadata(entry.get("so_hieu") or "", slug)
        text_keyed = re.sub(r"[^a-z0-9]+", "", fold(text))
        if ns is None:
            for f in ("number_symbol", "number", "symbol"):
                case.skip[f] = "no number in metadata"
        elif ns_key(ns) not in text_keyed:
            for f in ("number_symbol", "number", "symbol"):
                case.skip[f] = "number not in text (gazette fragment)"
        else:
            case.expected["number_symbol"] = ns
            case.compare["number_symbol"] = "ns"
            case.expected["number"] = number_key(ns)
            case.compare["number"] = "number"
            case.expected["symbol"] = ns
            case.compare["symbol"] = "symbol"
        year = _year_of(ns)
        nam = entry.get("nam")
        if year is None and isinstance(nam, int) and 1990 <= nam <= 2030 and str(nam) != number_key(ns or ""):
            year = nam
        if year is not None:
            case.expected["issued_date"] = year
            case.compare["issued_date"] = "year"
        else:
            case.skip["issued_date"] = "no date or year in metadata"
        loai = LOAI_NAMES.get(str(entry.get("loai", "")).strip().casefold())
        sm = SLUG_RE.match(slug)
        slug_type = SLUG_TYPES.get(sm["type"]) if sm else None
        if loai is None:
            case.skip["doc_type"] = f"type “{entry.get('loai')}” not specific"
        elif slug_type is not None and slug_type != loai:
            case.skip["doc_type"] = "type contradicts the slug"
        else:
            case.expected["doc_type"] = loai
            case.compare["doc_type"] = "exact"
        for f in SCORED_FIELDS:
            if f not in case.expected and f not in case.skip:
                case.skip[f] = "no expected value in index.json"
    return cases


def gold_cases(gold: Path, directory: Path) -> list[Case]:
    """Hand-checked expectations (``{slug: {field: value}}``) for texts of the Công báo corpus."""
    data = json.loads(gold.read_text(encoding="utf-8"))
    paths = {p.stem: p for p in (directory / "text").rglob("*.txt")}
    cases = []
    for slug, expected in data.items():
        if slug.startswith("_"):
            continue
        path = paths.get(slug)
        case = Case(name=slug, path=path, text=path.read_text(encoding="utf-8") if path else None)
        for f in SCORED_FIELDS:
            if f in expected:
                case.expected[f] = expected[f]
                case.compare[f] = "exact"
            else:
                case.skip[f] = "not in gold file"
        if path is None:
            case.skip = dict.fromkeys(SCORED_FIELDS, "no text file")
        cases.append(case)
    return cases


def sidecar_cases(directory: Path) -> list[Case]:
    """``NAME.json`` expected fields beside ``NAME.txt`` or a document file."""
    cases = []
    for side in sorted(directory.glob("*.json")):
        if side.name == "index.json":
            continue
        expected = json.loads(side.read_text(encoding="utf-8"))
        if not isinstance(expected, dict):
            continue
        case = Case(name=side.stem)
        txt = side.with_suffix(".txt")
        if txt.exists():
            case.text = txt.read_text(encoding="utf-8")
            case.path = txt
        else:
            case.path = next((p for p in (side.with_suffix(s) for s in DOC_SUFFIXES) if p.exists()), None)
        for f in SCORED_FIELDS:
            if f in expected:
                case.expected[f] = expected[f]
                case.compare[f] = "exact"
            else:
                case.skip[f] = "not in sidecar"
        if case.text is None and case.path is None:
            case.skip = dict.fromkeys(SCORED_FIELDS, "no document beside the sidecar")
            case.expected, case.compare = {}, {}
        cases.append(case)
    return cases


def load_cases(directory: Path) -> tuple[str, list[Case]]:
    """(form, cases) of a folder: ``congbao`` when it has ``index.json`` and ``text/``, else ``sidecar``."""
    if (directory / "index.json").exists() and (directory / "text").is_dir():
        return "congbao", congbao_cases(directory)
    return "sidecar", sidecar_cases(directory)


# --- scoring -----------------------------------------------------------------------------------------------


def matches(kind: str, expected: Any, got: Any) -> bool:
    if got in (None, ""):
        return expected in (None, "")
    if kind == "ns":
        return ns_key(str(expected)) == ns_key(str(got))
    if kind == "number":
        return str(expected) == number_key(str(got))
    if kind == "symbol":
        exp = ns_key(str(expected))
        num = number_key(str(expected))
        return exp[len(num) :] == re.sub(r"[^a-z0-9]+", "", fold(str(got)))
    if kind == "year":
        return str(got)[:4] == str(expected)
    if isinstance(expected, list):  # several acceptable values
        return any(text_key(e) == text_key(got) for e in expected)
    return text_key(expected) == text_key(got)


@dataclass
class FieldScore:
    scored: int = 0
    correct: int = 0
    skipped: int = 0
    skip_reasons: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.scored if self.scored else None


@dataclass
class Report:
    form: str
    documents: int = 0
    seconds: float = 0.0
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in SCORED_FIELDS})

    @property
    def scored(self) -> int:
        return sum(s.scored for s in self.fields.values())

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.fields.values())

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def as_dict(self, *, errors: int = 0) -> dict[str, Any]:
        return {
            "form": self.form,
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
            "overall": {
                "scored": self.scored,
                "correct": self.correct,
                "accuracy": round(self.correct / self.scored, 4) if self.scored else None,
            },
            "fields": {
                name: {
                    "scored": s.scored,
                    "correct": s.correct,
                    "skipped": s.skipped,
                    "accuracy": round(s.accuracy, 4) if s.accuracy is not None else None,
                    "skip_reasons": dict(s.skip_reasons),
                    **({"errors": s.errors[:errors]} if errors else {}),
                }
                for name, s in self.fields.items()
            },
        }


def score(
    form: str, cases: Iterable[Case], extractor: Callable[[Case], dict[str, Any] | None] | None = None
) -> Report:
    """Run ``extractor`` (default: ``extract_metadata`` on the case's text) on every case and score each field.
    A case the extractor cannot read (returns ``None``) has all its fields skipped."""
    report = Report(form=form)

    def default(case: Case) -> dict[str, Any] | None:
        return extract_metadata(case.text) if case.text is not None else None

    run = extractor or default
    started = time.perf_counter()
    for case in cases:
        needs_run = any(f in case.compare for f in SCORED_FIELDS)
        got = run(case) if needs_run else None
        report.documents += 1
        for name in SCORED_FIELDS:
            fs = report.fields[name]
            if name in case.skip or name not in case.compare:
                fs.skipped += 1
                fs.skip_reasons[case.skip.get(name, "not expected")] += 1
                continue
            if got is None:
                fs.skipped += 1
                fs.skip_reasons["document not readable without OCR"] += 1
                continue
            fs.scored += 1
            if matches(case.compare[name], case.expected[name], got.get(name)):
                fs.correct += 1
            else:
                fs.errors.append(
                    {"document": case.name, "expected": case.expected[name], "got": got.get(name)}
                )
    report.seconds = time.perf_counter() - started
    return report


# --- OCR ---------------------------------------------------------------------------------------------------


def normalise_for_cer(text: str) -> str:
    """NFC, whitespace collapsed to single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute; cost 1 each).

    Bit-parallel (Myers 1999 / Hyyrö 2003) over Python's big integers: one pass over the longer string, each
    step a handful of integer operations on a bit vector as long as the shorter one — milliseconds for two
    3,000-character pages where the textbook O(n·m) table would take seconds."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, dist = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            dist += 1
        elif mh & high:
            dist -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return dist


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate of ``hypothesis`` against ``reference`` after ``normalise_for_cer``."""
    ref = normalise_for_cer(reference)
    hyp = normalise_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return levenshtein(hyp, ref) / len(ref)
