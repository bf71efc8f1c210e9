"""Search benchmarks, run by ``vanphong bench retrieval`` and ``vanphong bench search``.

Retrieval quality (``run_retrieval``)
    An ALQAC-format corpus (``law.json``: ``[{"id": law name, "articles": [{"id", "text"}]}]``) is indexed through
    the product's real backend, one ``SearchRecord`` per article: title = the article's first line (its heading),
    body = the rest, doc_type "Điều", issuer = the law name, ``acl = {"bench"}``, and queried with
    ``Viewer({"bench"}, 0)`` so security trimming is on. Every question runs twice: as written and with every
    diacritic removed (đ→d). hit@1, hit@10 and mrr@10 count a hit when any relevant article is in the top k.
    The same run scores a plain BM25 baseline in pure Python (k1 1.2, b 0.75, lowercase ``\\w+`` syllables of NFC
    text, no folding, the article text as one field, idf log(1 + (N − df + 0.5) / (df + 0.5))) on both forms.

Latency and size at volume (``run_search``)
    A corpus of N documents recombined from real Vietnamese text (the Bộ pháp điển articles): each document takes
    its title from one article and body paragraphs from two or three others, with an invented number
    (``{n}-{NQ|CT|KL|QĐ|TB|BC|HD}/{TU|VPTU|TW|HU}``), date, unit, độ mật (mostly none) and ``acl`` tokens drawn from
    300 units. Document ``i`` is a pure function of ``i`` (``synthetic_record``), so the corpus is streamed into
    the index in batches — never held in memory; only the source articles are (≈ 62k, a few hundred MB, whatever
    N) — and queries are drawn from documents that exist. Query sets (``make_queries``): 1–3 terms, broad terms,
    quoted phrases, exact numbers, each asked by an office holding three unit principals and no clearance (one
    of them the unit of the document the query was drawn from), with facets and highlighting, limit 20. Each
    backend's index is kept under ``--dir`` and reused when the same size was built before (a manifest
    ``<backend>-<N>.json`` records the generator version and the build figures).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.utils.module_loading import import_string

from .analysis import WORD_RE, fold, nfc
from .backends import ALIASES
from .backends.common import STOPWORDS
from .base import SearchBackend, SearchQuery, SearchRecord, Viewer

BENCH_KIND = "bench"  # the articles of ``bench retrieval``
VOLUME_KIND = "bench_search"  # the synthetic documents of ``bench search``
BENCH_ACL = "bench"
KS = (1, 10)


class BenchInputError(Exception):
    """Unusable benchmark input (missing file, bad JSON, wrong shape); ``message`` is for the user, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- input ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    law_id: str
    article_id: str
    text: str

    @property
    def ref(self) -> tuple[str, str]:
        return (self.law_id, self.article_id)

    @property
    def heading(self) -> str:
        return self.text.strip().split("\n", 1)[0].strip()

    @property
    def rest(self) -> str:
        parts = self.text.strip().split("\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str
    relevant: frozenset[tuple[str, str]]


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise BenchInputError(f"Không tìm thấy tệp {what} “{path}”.")
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except UnicodeDecodeError as exc:
        raise BenchInputError(f"Tệp {what} “{path}” không phải văn bản UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise BenchInputError(
            f"Tệp {what} “{path}” không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}: {exc.msg})."
        ) from exc
    except OSError as exc:
        raise BenchInputError(f"Không đọc được tệp {what} “{path}”: {exc.strerror}.") from exc


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def load_corpus(path: Path) -> list[Article]:
    """The articles of an ALQAC ``law.json``: ``[{"id": law name, "articles": [{"id": …, "text": …}]}]``."""
    data = _read_json(path, "luật")
    shape = 'danh sách [{"id": tên luật, "articles": [{"id": số điều, "text": nội dung}]}]'
    if not isinstance(data, list) or not data:
        raise BenchInputError(f"Tệp luật “{path}” phải là một {shape}.")
    articles: list[Article] = []
    seen: set[tuple[str, str]] = set()
    for n, law in enumerate(data, 1):
        law_id = _ident(law.get("id")) if isinstance(law, dict) else None
        items = law.get("articles") if isinstance(law, dict) else None
        if law_id is None or not isinstance(items, list):
            raise BenchInputError(f"Tệp luật “{path}”, mục thứ {n}: thiếu “id” hoặc “articles”; cần {shape}.")
        for m, art in enumerate(items, 1):
            art_id = _ident(art.get("id")) if isinstance(art, dict) else None
            text = art.get("text") if isinstance(art, dict) else None
            if art_id is None or not isinstance(text, str):
                raise BenchInputError(
                    f"Tệp luật “{path}”, “{law_id}”, điều thứ {m}: thiếu “id” hoặc “text”; cần {shape}."
                )
            if (law_id, art_id) in seen:
                raise BenchInputError(f"Tệp luật “{path}”: điều “{art_id}” của “{law_id}” xuất hiện hai lần.")
            seen.add((law_id, art_id))
            articles.append(Article(law_id, art_id, nfc(text)))
    if not articles:
        raise BenchInputError(f"Tệp luật “{path}” không có điều nào.")
    return articles


def load_questions(path: Path) -> list[Question]:
    """The labelled questions of an ALQAC ``train.json``."""
    data = _read_json(path, "câu hỏi")
    shape = 'danh sách [{"question_id", "text", "relevant_articles": [{"law_id", "article_id"}]}]'
    if not isinstance(data, list) or not data:
        raise BenchInputError(f"Tệp câu hỏi “{path}” phải là một {shape}.")
    questions = []
    for n, q in enumerate(data, 1):
        if not isinstance(q, dict) or not isinstance(q.get("text"), str) or not q["text"].strip():
            raise BenchInputError(f"Tệp câu hỏi “{path}”, câu thứ {n}: thiếu “text”; cần {shape}.")
        qid = _ident(q.get("question_id")) or str(n)
        rel = q.get("relevant_articles")
        refs: set[tuple[str, str]] = set()
        if isinstance(rel, list):
            for r in rel:
                law, art = (
                    (_ident(r.get("law_id")), _ident(r.get("article_id")))
                    if isinstance(r, dict)
                    else (None, None)
                )
                if law is None or art is None:
                    refs.clear()
                    break
                refs.add((law, art))
        if not refs:
            raise BenchInputError(
                f"Tệp câu hỏi “{path}”, câu “{qid}”: “relevant_articles” phải là danh sách không rỗng "
                '[{"law_id", "article_id"}].'
            )
        questions.append(Question(qid, nfc(q["text"]), frozenset(refs)))
    return questions


# --- metrics and the baseline ---------------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """Every diacritic removed and đ/Đ → d/D, case kept: how a user types without Vietnamese input."""
    base = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in base if not unicodedata.combining(c)))


def score_rankings(rankings: Sequence[Sequence[Any]], relevant: Sequence[frozenset[Any]]) -> dict[str, float]:
    """hit@1, hit@10 (any relevant item in the top k) and mrr@10 (1 / rank of the first relevant item, 0 beyond
    10), averaged over the questions and rounded to 4 places."""
    n = len(rankings)
    hits = dict.fromkeys(KS, 0)
    rr = 0.0
    for ranked, rel in zip(rankings, relevant, strict=True):
        first = next((i for i, item in enumerate(ranked[:10], 1) if item in rel), None)
        for k in KS:
            hits[k] += int(first is not None and first <= k)
        rr += 1.0 / first if first else 0.0
    out = {f"hit@{k}": round(hits[k] / n, 4) if n else 0.0 for k in KS}
    out["mrr@10"] = round(rr / n, 4) if n else 0.0
    return out


def plain_tokens(text: str) -> list[str]:
    return WORD_RE.findall(nfc(text).lower())


class BM25:
    """Plain Okapi BM25 over one field: the reference a product search must beat."""

    def __init__(
        self,
        docs: Iterable[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        tokenize: Callable[[str], list[str]] = plain_tokens,
    ):
        self.k1, self.b, self.tokenize = k1, b, tokenize
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for i, text in enumerate(docs):
            tokens = tokenize(text)
            self.lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                self.postings[term].append((i, tf))
        self.n = len(self.lengths)
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        """Summed over the query's tokens (a repeated token counts again, as in the usual implementations)."""
        out: dict[int, float] = defaultdict(float)
        k1, b, avgdl = self.k1, self.b, self.avgdl
        for term in self.tokenize(query):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for doc, tf in postings:
                out[doc] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * self.lengths[doc] / avgdl))
        return out

    def top(self, query: str, k: int = 10) -> list[int]:
        scored = self.scores(query)
        return sorted(scored, key=lambda d: (-scored[d], d))[:k]


# --- backends -------------------------------------------------------------------------------------------------


def open_backend(name: str, **options: Any) -> SearchBackend:
    """A fresh instance (not ``get_backend``'s per-process cache, which would outlive a temporary index)."""
    path = ALIASES.get(name, name)
    backend: SearchBackend = import_string(path)(**options)
    return backend


def _delete_kind(backend: SearchBackend, kind: str, batch: int = 5000) -> int:
    deleted = 0
    keys = [k for k, _ in backend.fingerprints(kind)]
    for i in range(0, len(keys), batch):
        deleted += backend.delete(keys[i : i + batch])
    return deleted


def postgres_available() -> str | None:
    """None when the current database is PostgreSQL, else why the PostgreSQL backend is skipped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return (
            f"PostgreSQL bỏ qua: DATABASE_URL hiện trỏ tới {connection.vendor}, không phải PostgreSQL "
            "(đặt DATABASE_URL=postgres://… tới một cơ sở dữ liệu đã migrate để đo)."
        )
    return None


# --- retrieval --------------------------------------------------------------------------------------------------


def article_record(n: int, article: Article) -> SearchRecord:
    return SearchRecord(
        key=f"{BENCH_KIND}:{n}", kind=BENCH_KIND, kind_label="Đo kiểm", object_id=n, url="",
        title=article.heading, body=article.rest, doc_type="Điều", issuer=article.law_id,
        extra={"article": article.article_id}, acl=frozenset({BENCH_ACL}),
    )  # fmt: skip


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_retrieval(
    articles: list[Article],
    questions: list[Question],
    *,
    backend: str = "tantivy",
    search: Callable[[SearchBackend, str], list[str]] | None = None,
) -> dict[str, Any]:
    """The figures of ``bench retrieval`` (see the module docstring). ``search`` replaces the query call (for
    experiments); by default a 10-hit query with trimming on, without facets or highlighting."""
    started = time.perf_counter()
    viewer = Viewer(frozenset({BENCH_ACL}), 0)
    forms = {
        "accented": [q.text for q in questions],
        "unaccented": [strip_diacritics(q.text) for q in questions],
    }
    relevant = [q.relevant for q in questions]
    refs = {f"{BENCH_KIND}:{n}": a.ref for n, a in enumerate(articles, 1)}

    def run_query(b: SearchBackend, text: str) -> list[str]:
        result = b.search(SearchQuery(text=text, limit=10, facets=False, highlight=False), viewer)
        return [h.key for h in result.hits]

    query = search or run_query
    tmp = tempfile.mkdtemp(prefix="vanphong-bench-") if backend == "tantivy" else None
    out: dict[str, Any] = {"questions": len(questions)}
    try:
        b = open_backend(backend, path=tmp) if tmp else open_backend(backend)
        if backend != "tantivy":
            _delete_kind(b, BENCH_KIND)  # leftovers of an interrupted run
        try:
            for batch in _batched((article_record(n, a) for n, a in enumerate(articles, 1)), 2000):
                b.index(batch)
            for form, texts in forms.items():
                rankings = [[refs.get(k) for k in query(b, t)] for t in texts]
                out[form] = score_rankings(rankings, relevant)
        finally:
            if backend != "tantivy":
                _delete_kind(b, BENCH_KIND)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    bm25 = BM25(a.text for a in articles)
    ids = [a.ref for a in articles]
    out["bm25_baseline"] = {
        form: score_rankings([[ids[d] for d in bm25.top(t, 10)] for t in texts], relevant)
        for form, texts in forms.items()
    }
    out["backend"] = backend
    out["articles"] = len(articles)
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


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


# --- building and measuring -------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if os.uname().sysname == "Darwin" else 1024), 1)


def memory_now() -> dict[str, float]:
    """Current resident memory split into anonymous (heap) and file-backed (mapped index files) pages, in MB;
    empty where ``/proc`` is missing. ``ru_maxrss`` counts both: a memory-mapped index inflates it."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                out[key[3:].lower() + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    except (OSError, ValueError):
        return {}
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95 (nearest rank) and max, in ms rounded to 2 places."""
    s = sorted(values)
    if not s:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}

    def rank(p: float) -> float:
        return s[max(0, math.ceil(p * len(s)) - 1)]

    return {"p50": round(rank(0.50), 2), "p95": round(rank(0.95), 2), "max": round(s[-1], 2)}


@dataclass
class Built:
    backend: SearchBackend
    reused: bool
    build_seconds: float
    generate_seconds: float
    size_bytes: int | None
    build_memory: dict[str, Any] = field(default_factory=dict)  # peak and anon/file RSS right after the build
    notes: list[str] = field(default_factory=list)


def _manifest(directory: Path, name: str, docs: int) -> Path:
    return directory / f"{name}-{docs}.json"


def _stream_into(
    backend: SearchBackend, docs: int, src: SourceTexts, batch: int, progress: Callable[[str], None]
) -> float:
    """Generate documents 0..docs-1 and index them, ``batch`` at a time (a backend with ``index_stream``, tantivy,
    takes the whole stream with one writer whose heap bounds the memory); returns the seconds spent generating."""
    spent = [0.0]
    report_every = max(batch, (docs // 10) // batch * batch)
    started = time.perf_counter()

    def batches() -> Iterator[list[SearchRecord]]:
        for start in range(0, docs, batch):
            t0 = time.perf_counter()
            records = [synthetic_record(i, src) for i in range(start, min(docs, start + batch))]
            spent[0] += time.perf_counter() - t0
            yield records
            done = start + len(records)
            if done % report_every == 0 or done == docs:
                progress(f"  {done:,} / {docs:,} documents ({time.perf_counter() - started:.0f} s)")

    stream = getattr(backend, "index_stream", None)
    if stream is not None:
        stream((record for records in batches() for record in records), fresh=True)  # built from empty
    else:
        for records in batches():
            backend.index(records)
    return spent[0]


def _held(name: str, backend: SearchBackend) -> int:
    """How many benchmark documents the backend holds (the tantivy index holds nothing else)."""
    if name == "tantivy":
        return backend.stats().documents
    return sum(1 for _ in backend.fingerprints(VOLUME_KIND))


def build_backend(
    name: str,
    docs: int,
    src: SourceTexts,
    directory: Path,
    *,
    batch: int = 5000,
    progress: Callable[[str], None] = lambda _m: None,
) -> Built:
    """The index of ``docs`` synthetic documents for backend ``name``: reused when the manifest in ``directory``
    says the same size and generator were built there before (and the backend holds that many documents)."""
    manifest = _manifest(directory, name, docs)
    previous: dict[str, Any] = {}
    if manifest.is_file():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            previous = {}
    if name == "tantivy":
        path = directory / f"tantivy-{docs}"
        options: dict[str, Any] = {"path": str(path)}
    else:
        path = None
        options = {}
    if previous.get("generator") == GENERATOR and previous.get("docs") == docs:
        backend = open_backend(name, **options)
        try:
            held = _held(name, backend)
        except Exception:  # an unreadable index is rebuilt
            held = -1
        if held == docs:
            memory = {"peak_rss_mb": previous.get("peak_rss_mb"), **(previous.get("rss_after_build") or {})}
            return Built(backend, True, previous["build_seconds"], previous.get("generate_seconds", 0.0),
                         _size(name, backend, path), memory,
                         [f"{name}: reused the index built before in {directory}"])  # fmt: skip
    if path is not None and path.exists():
        shutil.rmtree(path)
    manifest.unlink(missing_ok=True)
    if path is not None:
        path.mkdir(parents=True)
    backend = open_backend(name, **options)
    if name == "tantivy":
        backend.clear()
    else:
        _delete_kind(backend, VOLUME_KIND)
        # the other size of a previous run shares this table: it is gone now
        for other in directory.glob(f"{name}-*.json"):
            other.unlink(missing_ok=True)
    progress(f"{name}: indexing {docs:,} documents in batches of {batch:,}…")
    started = time.perf_counter()
    gen = _stream_into(backend, docs, src, batch, progress)
    seconds = time.perf_counter() - started
    peak, now = peak_rss_mb(), memory_now()
    manifest.write_text(
        json.dumps(
            {
                "docs": docs,
                "generator": GENERATOR,
                "build_seconds": round(seconds, 1),
                "generate_seconds": round(gen, 1),
                "peak_rss_mb": peak,
                "rss_after_build": now,
            }
        ),
        encoding="utf-8",
    )
    return Built(
        backend,
        False,
        round(seconds, 1),
        round(gen, 1),
        _size(name, backend, path),
        {"peak_rss_mb": peak, **now},
    )


def _size(name: str, backend: SearchBackend, path: Path | None) -> int | None:
    if path is not None:
        return dir_size(path)
    try:
        return backend.stats().size_bytes
    except Exception:
        return None


def measure(backend: SearchBackend, queries: dict[str, list[Query]]) -> dict[str, dict[str, float]]:
    """Latency per query set: every query with trimming on (its viewer), facets on, limit 20."""
    for text, viewer in queries["terms"][:10]:  # warm up: caches, lazy loading
        backend.search(SearchQuery(text=text, limit=20), viewer)
    out: dict[str, dict[str, float]] = {}
    for name, items in queries.items():
        times: list[float] = []
        totals: list[int] = []
        inexact = 0
        for text, viewer in items:
            t0 = time.perf_counter()
            result = backend.search(SearchQuery(text=text, limit=20, facets=True), viewer)
            times.append(1000 * (time.perf_counter() - t0))
            totals.append(result.total)
            inexact += not result.total_exact
        out[name] = {
            **percentiles(times),
            "median_hits": float(statistics.median(totals)) if totals else 0.0,
            "inexact_totals": round(inexact / len(items), 3)
            if items
            else 0.0,  # the backend capped the count
        }
    return out


def run_search(
    *,
    docs: int,
    backends: Sequence[str],
    count: int,
    directory: Path,
    source: Path,
    batch: int = 5000,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """The figures of ``bench search`` (see the module docstring)."""
    if docs < 10:
        raise BenchInputError("--docs phải từ 10 trở lên.")
    if count < 1:
        raise BenchInputError("--queries phải lớn hơn 0.")
    directory.mkdir(parents=True, exist_ok=True)
    src = load_source(source)
    queries = make_queries(docs, src, count)
    out: dict[str, Any] = {"docs": docs, "queries_per_set": count, "backends": {}, "notes": []}
    for name in backends:
        if name == "postgres" and (reason := postgres_available()):
            out["backends"][name] = {"skipped": reason}
            progress(reason)
            continue
        built = build_backend(name, docs, src, directory, batch=batch, progress=progress)
        out["notes"].extend(built.notes)
        progress(f"{name}: measuring {sum(len(q) for q in queries.values())} queries…")
        out["backends"][name] = {
            "reused": built.reused,
            "build_seconds": built.build_seconds,
            "generate_seconds": built.generate_seconds,
            "index_bytes": built.size_bytes,
            "build_memory_mb": built.build_memory,
            "latency_ms": measure(built.backend, queries),
        }
    out["peak_rss_mb"] = peak_rss_mb()
    out["examples"] = {name: [text for text, _v in items[:3]] for name, items in queries.items()}
    return out


def format_search(figures: dict[str, Any]) -> str:
    """The human-readable table of ``bench search``."""
    lines = [
        f"{figures['docs']:,} synthetic documents (Bộ pháp điển text recombined), {figures['queries_per_set']} "
        "queries per set; viewer: 3 unit principals, clearance 0 (trimming on); facets on; limit 20.",
        f"{'backend':<10}{'query set':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'median hits':>13}"
        f"{'capped':>8}",
    ]
    for name, b in figures["backends"].items():
        if "skipped" in b:
            lines.append(f"{name:<10}{b['skipped']}")
            continue
        for qs, row in b["latency_ms"].items():
            lines.append(
                f"{name:<10}{SET_LABELS.get(qs, qs):<26}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['max']:>9.2f}"
                f"{row['median_hits']:>13,.0f}{100 * row.get('inexact_totals', 0):>7.0f}%"
            )
        size = f"{b['index_bytes'] / 1e6:,.1f} MB" if b["index_bytes"] is not None else "unknown"
        how = "reused (built earlier in" if b["reused"] else "built in"
        lines.append(
            f"{name:<10}index {size} on disk; {how} {b['build_seconds']:,.1f} s"
            f"{')' if b['reused'] else ''}, of which {b['generate_seconds']:,.1f} s generating documents"
        )
        mem = b.get("build_memory_mb") or {}
        if mem.get("peak_rss_mb"):
            split = (
                f" (then {mem['anon_mb']:,.0f} MB heap, {mem['file_mb']:,.0f} MB mapped files)"
                if "anon_mb" in mem and "file_mb" in mem
                else ""
            )
            lines.append(f"{'':<10}peak memory at the end of the build {mem['peak_rss_mb']:,.0f} MB{split}")
    lines.append(
        "median hits: readable matches per query (trimmed); capped: share of queries whose count the backend "
        "stopped at a limit (the median is then a lower bound)."
    )
    lines.append(
        f"peak memory of this process: {figures['peak_rss_mb']:,.0f} MB (ru_maxrss: the source texts, ≈ 250 MB, "
        "are included, and so are the pages of a memory-mapped tantivy index read while querying; a PostgreSQL "
        "server's own memory is not)"
    )
    lines.extend(f"note: {n}" for n in figures["notes"])
    for qs, texts in figures.get("examples", {}).items():
        lines.append(f"e.g. {SET_LABELS.get(qs, qs)}: " + " | ".join(texts))
    return "\n".join(lines)
