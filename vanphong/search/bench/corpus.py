"""``bench search``: the synthetic corpus (recombined Bộ pháp điển text) and its query sets."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ..analysis import WORD_RE, fold, nfc
from ..backends.common import STOPWORDS
from ..base import SearchRecord, Viewer
from .common import VOLUME_KIND, BenchInputError

# --- the synthetic corpus for latency ---------------------------------------------------------------------------

GENERATOR = "phapdien-v2"  # bump when synthetic_record changes: a stored index of another version is rebuilt
UNITS = 300
TOP_UNITS = 20  # units 1..20 are provincial bodies; every other unit reports to one of them
DOC_TYPES = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐ": "Quyết định", "TB": "Thông báo",
    "BC": "Báo cáo", "HD": "Hướng dẫn",
}  # fmt: skip
ISSUER_SUFFIXES = {
    "TU": "Tỉnh ủy",
    "VPTU": "Văn phòng Tỉnh ủy",
    "TW": "Ban Chấp hành Trung ương",
    "HU": "Huyện ủy",
}
UNIT_KINDS = ("Ban Tổ chức", "Ban Tuyên giáo và Dân vận", "Ủy ban Kiểm tra", "Văn phòng", "Đảng ủy", "Huyện ủy",
              "Thành ủy", "Ban Nội chính", "Đảng ủy xã", "Chi bộ")  # fmt: skip
STATUSES = (("registered", "Đã vào sổ"), ("assigned", "Đang xử lý"), ("done", "Đã giải quyết"))
SECRECY = ((1, "Mật"), (2, "Tối mật"), (3, "Tuyệt mật"))
_HEADING_RE = re.compile(r"^Điều\s+[0-9A-Za-zĐđ.]*\d+[a-zđ]?\.(?:\s+|$)")
_CROSS_REFERENCE = "(Điều này có nội dung liên quan"  # the compilation's own notes, not document text
FIRST_DAY = date(2015, 1, 1)
DAYS = (date(2026, 6, 30) - FIRST_DAY).days


@dataclass
class SourceTexts:
    """The real text the synthetic documents are made of: article headings and their paragraphs."""

    headings: list[str] = field(default_factory=list)
    paragraphs: list[tuple[str, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.headings)


def load_source(path: Path) -> SourceTexts:
    """The Bộ pháp điển articles (``articles.jsonl.gz``: one JSON object a line with ``title`` “Điều 36.3.LQ.1.
    Thanh niên” and ``text``); near-empty articles are left out."""
    if not path.is_file():
        raise BenchInputError(
            f"Không tìm thấy tệp văn bản nguồn “{path}” (articles.jsonl.gz của Bộ pháp điển)."
        )
    src = SourceTexts()
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BenchInputError(
                        f"Tệp “{path}”, dòng {n}: không phải JSON hợp lệ ({exc.msg})."
                    ) from exc
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise BenchInputError(f"Tệp “{path}”, dòng {n}: thiếu “text”.")
                paras = tuple(
                    p
                    for p in (x.strip() for x in nfc(item["text"]).split("\n"))
                    if len(p) >= 20 and not p.startswith(_CROSS_REFERENCE)
                )
                heading = _HEADING_RE.sub("", nfc(str(item.get("title") or "")).strip())
                if not heading and paras:  # an article without a heading: its first words
                    heading = paras[0][:100].rsplit(" ", 1)[0] if len(paras[0]) > 100 else paras[0]
                if heading and paras:
                    src.headings.append(heading)
                    src.paragraphs.append(paras)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BenchInputError(f"Không đọc được tệp “{path}”: {exc}.") from exc
    if len(src) < 10:
        raise BenchInputError(f"Tệp “{path}” có quá ít điều dùng được ({len(src)}): cần ít nhất 10.")
    return src


def _take(paragraphs: tuple[str, ...], rng: random.Random, budget: int) -> list[str]:
    """Whole paragraphs from a random start, up to ``budget`` characters (a long first one is cut at a word)."""
    start = rng.randrange(len(paragraphs))
    out: list[str] = []
    used = 0
    for p in paragraphs[start:]:
        if used + len(p) > budget:
            if not out:
                cut = p[:budget].rsplit(" ", 1)[0]
                out.append(cut + "…")
            break
        out.append(p)
        used += len(p)
    return out


def unit_parent(unit: int) -> int:
    return unit if unit <= TOP_UNITS else 1 + (unit - TOP_UNITS - 1) % TOP_UNITS


def unit_label(unit: int) -> str:
    return f"{UNIT_KINDS[unit % len(UNIT_KINDS)]} {unit}"


def synthetic_record(i: int, src: SourceTexts) -> SearchRecord:
    """Document ``i`` of the latency corpus; the same ``i`` always gives the same document."""
    rng = random.Random(i * 7919 + 17)  # noqa: S311 — reproducible test data, not secrets
    n = len(src)
    title = src.headings[rng.randrange(n)]
    body: list[str] = []
    for _ in range(rng.choice((2, 2, 3))):
        body.extend(_take(src.paragraphs[rng.randrange(n)], rng, 1200))
    code = rng.choice(tuple(DOC_TYPES))
    suffix = rng.choices(("TU", "VPTU", "TW", "HU"), weights=(5, 3, 1, 3))[0]
    number = f"{rng.randint(1, 600)}-{code}/{suffix}"
    unit = rng.randint(TOP_UNITS + 1, UNITS) if rng.random() < 0.9 else rng.randint(1, TOP_UNITS)
    acl = {f"u:{unit}", f"u:{unit_parent(unit)}"}
    acl.update(f"u:{rng.randint(TOP_UNITS + 1, UNITS)}" for _ in range(rng.choice((0, 1, 1, 2))))
    roll = rng.random()
    secrecy = (
        (0, "") if roll < 0.93 else SECRECY[0] if roll < 0.98 else SECRECY[1] if roll < 0.998 else SECRECY[2]
    )
    status, status_label = rng.choice(STATUSES)
    issuer = f"{ISSUER_SUFFIXES[suffix]} {unit_parent(unit)}" if suffix != "TW" else ISSUER_SUFFIXES[suffix]
    return SearchRecord(
        key=f"{VOLUME_KIND}:{i}", kind=VOLUME_KIND, kind_label="Đo kiểm", object_id=i, url=f"/bench/{i}/",
        title=title, number_symbol=number, doc_type=DOC_TYPES[code], issuer=issuer, signer="",
        unit_id=unit, unit_label=unit_label(unit), doc_date=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
        secrecy_rank=secrecy[0], secrecy_label=secrecy[1], status=status, status_label=status_label,
        body="\n".join(body), acl=frozenset(acl),
    )  # fmt: skip


def synthetic_viewer(rng: random.Random, reads: SearchRecord | None = None) -> Viewer:
    """An office holding three unit principals, no clearance; with ``reads``, one of them is that document's unit
    (people look for what they may see), the others are random."""
    units = {reads.unit_id} if reads is not None else set()
    while len(units) < 3:
        units.add(rng.randint(TOP_UNITS + 1, UNITS))
    return Viewer(frozenset(f"u:{u}" for u in units), 0)


# --- query sets -------------------------------------------------------------------------------------------------

QUERY_SETS = ("terms", "broad", "phrase", "number")
SET_LABELS = {
    "terms": "1–3 terms (½ folded)",
    "broad": "broad (common terms)",
    "phrase": "phrase “2–3 syllables”",
    "number": "number lookup",
}


def _content_words(text: str) -> list[str]:
    """Syllables a user might type: not stopwords, not digits."""
    return [
        w
        for w in WORD_RE.findall(text.lower())
        if not w.isdigit() and fold(w) not in STOPWORDS and len(w) > 1
    ]


Query = tuple[str, Viewer]


def make_queries(docs: int, src: SourceTexts, count: int, *, seed: int = 20261122) -> dict[str, list[Query]]:
    """``count`` queries per set, each with the viewer who asks it, drawn from documents of the corpus:

    - ``terms``: 1, 2 or 3 neighbouring content syllables of a document (a third each), every other one folded;
    - ``broad``: 1 or 2 of the 25 content syllables found in the most documents of a sample;
    - ``phrase``: a quoted run of 2 or 3 syllables of a document, every other one folded;
    - ``number``: the exact number of an existing document (“57-NQ/TW”).

    The viewer holds three unit principals and no clearance; for a query drawn from a document one of the
    principals is that document's unit (a random office for ``broad``).
    """
    rng = random.Random(seed)  # noqa: S311 — reproducible test data
    picks = [rng.randrange(docs) for _ in range(max(count, 50) * 3)]
    sample = [synthetic_record(i, src) for i in picks]
    df: Counter[str] = Counter()
    for r in sample:
        df.update(set(_content_words(f"{r.title} {r.body}")))
    common = [w for w, _ in df.most_common(25)]
    sets: dict[str, list[Query]] = {s: [] for s in QUERY_SETS}
    docs_iter = iter(sample * 3)
    while len(sets["terms"]) < count:
        r = next(docs_iter)
        words = _content_words(r.body)
        size = len(sets["terms"]) % 3 + 1
        if len(words) < size + 1:
            continue
        at = rng.randrange(len(words) - size)
        text = " ".join(words[at : at + size])
        sets["terms"].append((fold(text) if len(sets["terms"]) % 2 else text, synthetic_viewer(rng, r)))
    while len(sets["broad"]) < count:
        sets["broad"].append((" ".join(rng.sample(common, rng.choice((1, 2)))), synthetic_viewer(rng)))
    while len(sets["phrase"]) < count:
        r = next(docs_iter)
        words = WORD_RE.findall(r.body.lower())
        size = rng.choice((2, 3))
        if len(words) < size + 1:
            continue
        at = rng.randrange(len(words) - size)
        run = words[at : at + size]
        if any(w.isdigit() for w in run):
            continue
        text = " ".join(run)
        sets["phrase"].append(
            (f'"{fold(text) if len(sets["phrase"]) % 2 else text}"', synthetic_viewer(rng, r))
        )
    while len(sets["number"]) < count:
        r = synthetic_record(rng.randrange(docs), src)
        sets["number"].append((r.number_symbol, synthetic_viewer(rng, r)))
    return sets
