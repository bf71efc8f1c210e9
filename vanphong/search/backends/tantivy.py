"""The default backend: an embedded tantivy index in ``<DATA_DIR>/search`` (no server; measured p95 ≈ 35 ms on
1M Vietnamese documents, STACK.md §2d).

- Analysis happens in Python (``vanphong.search.analysis``) and the index only splits on spaces, so Python, the
  fake and PostgreSQL agree token for token: ``title_f``/``body_f``/``meta_f`` hold folded syllables,
  ``title_x``/``body_x``/``meta_x`` the exact ones, ``bi_f``/``bi_x`` syllable bigrams, ``num`` number tokens.
- Security trimming is a ``Must`` clause of every query: ``acl`` (raw tokens) ∩ the viewer's principals, and
  ``secrecy_rank`` ≤ clearance. Counts (``count=True``), facets (terms aggregations run with the same query),
  suggestions and similar documents all use that query, so nothing unreadable is ever counted.
- One writer at a time: writes take an ``flock`` on ``<path>/.writer.lock`` and then tantivy's own writer lock;
  readers reload when the index's ``meta.json`` changes.
- The record itself (with its body, for snippets) is kept in a stored bytes field ``payload``.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from ..analysis import bigrams, folded_syllables, join, number_tokens, syllables
from ..base import (
    FACETS,
    FacetValue,
    IndexStats,
    SearchHit,
    SearchQuery,
    SearchRecord,
    SearchResult,
    SearchUnavailable,
    Viewer,
    facet_split,
    facet_term,
    hit_from_json,
    record_to_json,
)
from .common import ParsedQuery, decorate

Occur = tantivy.Occur
Q = tantivy.Query

SCHEMA_VERSION = "2"
WRITER_HEAP = 128 * 1024 * 1024
NO_SECRECY = "-"

# Scoring weights (tuned on retrieval-dev, see docs/decisions/0003-search.md)
BOOST = {
    "title_f": 1.0,
    "body_f": 1.0,
    "meta_f": 1.5,
    "title_x": 0.5,
    "body_x": 0.8,
    "meta_x": 1.0,
    "bi_f": 2.0,
    "bi_x": 1.5,
    "num": 40.0,
}


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("key", stored=False, fast=True, tokenizer_name="raw")
    b.add_text_field("kfp", stored=False, fast=True, tokenizer_name="raw")  # "<key> <fingerprint>" for check
    for name in ("title_f", "body_f", "meta_f", "title_x", "body_x", "meta_x"):
        b.add_text_field(name, stored=False, tokenizer_name="ws", index_option="position")
    for name in ("bi_f", "bi_x", "num"):
        b.add_text_field(name, stored=False, tokenizer_name="ws", index_option="freq")
    b.add_text_field("acl", stored=False, tokenizer_name="raw", index_option="basic")
    for name in ("kind", "doc_type", "issuer", "status", "secrecy"):  # filters (exact values)
        b.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    for facet in FACETS:
        b.add_text_field(f"f_{facet}", stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("secrecy_rank", stored=False, indexed=True, fast=True)
    b.add_integer_field("unit_id", stored=False, indexed=True, fast=True)
    b.add_integer_field("year", stored=False, indexed=True, fast=True)
    b.add_integer_field("date", stored=False, indexed=True, fast=True)  # date ordinal, 0 = none
    b.add_bytes_field("payload", stored=True, indexed=False)
    return b.build()


def _analyzers() -> dict[str, Any]:
    ws = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    return {"ws": ws}


def _doc(record: SearchRecord) -> tantivy.Document:
    meta = join([record.number_symbol, record.doc_type, record.issuer, record.signer])
    # the body fields cover the whole text (title included) like a plain one-field BM25; the title fields add
    # weight on top (measured on retrieval-dev: better hit@10 and mrr@10 than a body without its title)
    whole = f"{record.title}\n{record.body}"
    title_f, body_f = folded_syllables(record.title), folded_syllables(whole)
    title_x, body_x = syllables(record.title), syllables(whole)
    d = tantivy.Document()
    d.add_text("key", record.key)
    d.add_text("kfp", f"{record.key} {record.fingerprint()}")
    d.add_text("title_f", " ".join(title_f))
    d.add_text("body_f", " ".join(body_f))
    d.add_text("meta_f", " ".join(folded_syllables(meta)))
    d.add_text("title_x", " ".join(title_x))
    d.add_text("body_x", " ".join(body_x))
    d.add_text("meta_x", " ".join(syllables(meta)))
    d.add_text("bi_f", " ".join(bigrams(body_f)))
    d.add_text("bi_x", " ".join(bigrams(body_x)))
    d.add_text("num", " ".join(number_tokens(record.number_symbol)))
    for token in sorted(record.acl):
        d.add_text("acl", token)
    d.add_text("kind", record.kind)
    d.add_text("doc_type", record.doc_type)
    d.add_text("issuer", record.issuer)
    d.add_text("status", record.status)
    d.add_text("secrecy", record.secrecy_label or NO_SECRECY)
    for facet in FACETS:
        term = facet_term(record, facet)
        if term or facet == "secrecy":
            d.add_text(f"f_{facet}", term)
    d.add_integer("secrecy_rank", record.secrecy_rank)
    d.add_integer("unit_id", record.unit_id)
    d.add_integer("year", record.year)
    d.add_integer("date", record.doc_date.toordinal() if record.doc_date else 0)
    payload = record_to_json(record) | {"body": record.body}
    d.add_bytes("payload", json.dumps(payload, ensure_ascii=False).encode())
    return d


_FACET_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: str | os.PathLike[str] | None = None, **options: Any):
        self.path = Path(path or Path(settings.DATA_DIR) / "search")
        self.schema = _schema()
        self._index: tantivy.Index | None = None
        self._meta_mtime = 0.0
        self._lock = threading.Lock()

    # --- opening ------------------------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is None:
                try:
                    self.path.mkdir(parents=True, exist_ok=True)
                    version = self.path / "vanphong-schema"
                    if (self.path / "meta.json").exists() and (
                        not version.exists() or version.read_text().strip() != SCHEMA_VERSION
                    ):
                        raise SearchUnavailable(
                            "Chỉ mục tìm kiếm được tạo bởi phiên bản cũ. Hãy báo quản trị chạy lệnh "
                            "“vanphong search reindex --recreate”."
                        )
                    index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
                    version.write_text(SCHEMA_VERSION)
                except (OSError, ValueError) as exc:
                    raise SearchUnavailable(
                        "Không mở được chỉ mục tìm kiếm. Hãy báo quản trị kiểm tra thư mục dữ liệu và chạy lệnh "
                        "“vanphong search reindex”."
                    ) from exc
                for name, analyzer in _analyzers().items():
                    index.register_tokenizer(name, analyzer)
                self._index = index
        return self._index

    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        try:
            mtime = (self.path / "meta.json").stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime != self._meta_mtime:
            index.reload()
            self._meta_mtime = mtime
        return index.searcher()

    @contextmanager
    def _writer(self) -> Iterator[Any]:
        index = self._open()
        with open(self.path / ".writer.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, across processes
            try:
                writer = index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                raise SearchUnavailable("Chỉ mục tìm kiếm đang được ghi bởi tiến trình khác.") from exc
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        index.reload()

    # --- writes -------------------------------------------------------------------------------------------
    def index(self, records: Iterable[SearchRecord]) -> int:
        records = list(records)
        if not records:
            return 0
        with self._writer() as w:
            for r in records:
                w.delete_documents_by_term("key", r.key)
                w.add_document(_doc(r))
        return len(records)

    def index_stream(
        self,
        records: Iterable[SearchRecord],
        *,
        heap: int = WRITER_HEAP,
        threads: int = 1,
        fresh: bool = False,
    ) -> int:
        """Bulk load (reindex, benchmarks): one writer for the whole stream, bounded by its heap. ``fresh``: the
        index holds none of these keys (just cleared), so no delete is queued per record — each queued delete is
        kept in the writer's memory until commit (measured at 300k records: peak RSS 1,216 → 969 MB)."""
        index = self._open()
        n = 0
        with open(self.path / ".writer.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            writer = index.writer(heap, threads)
            try:
                for r in records:
                    if not fresh:
                        writer.delete_documents_by_term("key", r.key)
                    writer.add_document(_doc(r))
                    n += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        index.reload()
        return n

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        present = self._present(keys)
        if present:
            with self._writer() as w:
                for k in present:
                    w.delete_documents_by_term("key", k)
        return len(present)

    def clear(self) -> None:
        """Empty the index. An index of an older layout (``SCHEMA_VERSION``) is removed and created afresh."""
        version = self.path / "vanphong-schema"
        if (self.path / "meta.json").exists() and (
            not version.exists() or version.read_text().strip() != SCHEMA_VERSION
        ):
            with self._lock:
                self._index = None
                for f in self.path.iterdir():
                    if f.is_file() and f.name != ".writer.lock":
                        f.unlink()
        with self._writer() as w:
            w.delete_all_documents()

    # --- query building -----------------------------------------------------------------------------------
    def _term(self, field: str, value: Any) -> tantivy.Query:
        return Q.term_query(self.schema, field, value)

    def _boosted(self, field: str, value: str) -> tantivy.Query:
        return Q.boost_query(self._term(field, value), BOOST[field])

    def _any(self, field: str, values: Iterable[Any]) -> tantivy.Query:
        return Q.term_set_query(self.schema, field, list(values))

    def _trim(self, viewer: Viewer) -> list[tuple[Any, tantivy.Query]]:
        if viewer.principals is None:
            return []
        if not viewer.principals:
            return [(Occur.Must, Q.empty_query())]
        return [
            (Occur.Must, self._any("acl", sorted(viewer.principals))),
            (
                Occur.Must,
                Q.range_query(self.schema, "secrecy_rank", tantivy.FieldType.Integer, -1, viewer.clearance),
            ),
        ]

    def _filters(self, q: SearchQuery) -> list[tuple[Any, tantivy.Query]]:
        out = []
        for field, values in (
            ("kind", q.kinds), ("doc_type", q.doc_types), ("issuer", q.issuers), ("status", q.statuses),
            ("secrecy", tuple(v or NO_SECRECY for v in q.secrecy)), ("unit_id", q.unit_ids), ("year", q.years),
        ):  # fmt: skip
            if values:
                out.append((Occur.Must, self._any(field, values)))
        if q.date_from or q.date_to:
            lo = q.date_from.toordinal() if q.date_from else 1
            hi = q.date_to.toordinal() if q.date_to else date.max.toordinal()
            out.append((Occur.Must, Q.range_query(self.schema, "date", tantivy.FieldType.Integer, lo, hi)))
        return out

    def _text(self, p: ParsedQuery) -> tantivy.Query | None:
        """The matching-and-scoring part of a query (``None`` when there is no text)."""
        if p.empty:
            return None
        number_q = Q.boost_query(self._any("num", p.numbers), BOOST["num"]) if p.numbers else None
        if p.number_only and number_q is not None:
            return number_q
        parts: list[tuple[Any, tantivy.Query]] = []
        word_occur = Occur.Must if p.all_required else Occur.Should
        for t in p.folded:
            parts.append(
                (
                    word_occur,
                    Q.boolean_query(
                        [(Occur.Should, self._boosted(f, t)) for f in ("title_f", "body_f", "meta_f")]
                    ),
                )
            )
        for t in p.exact:
            for f in ("title_x", "body_x", "meta_x"):
                parts.append((Occur.Should, self._boosted(f, t)))
        for t in p.folded_bigrams:
            parts.append((Occur.Should, self._boosted("bi_f", t)))
        for t in p.exact_bigrams:
            parts.append((Occur.Should, self._boosted("bi_x", t)))
        for words in p.phrases:
            if len(words) == 1:
                one = Q.boolean_query(
                    [(Occur.Should, self._term(f, words[0])) for f in ("title_f", "body_f")]
                )
            else:
                one = Q.boolean_query(
                    [
                        (Occur.Should, Q.phrase_query(self.schema, f, list[str | tuple[int, str]](words)))
                        for f in ("title_f", "body_f")
                    ]
                )
            parts.append((Occur.Must, one))
        words_q = Q.boolean_query(parts) if parts else None
        if number_q is None:
            return words_q
        if words_q is None:
            return number_q
        if p.phrases:  # a phrase is required even next to a number
            return Q.boolean_query([(Occur.Must, words_q), (Occur.Should, number_q)])
        return Q.boolean_query([(Occur.Should, number_q), (Occur.Should, words_q)])

    def _query(self, text_q: tantivy.Query | None, extra: list[tuple[Any, tantivy.Query]]) -> tantivy.Query:
        clauses = list(extra)
        if text_q is not None:
            clauses.insert(0, (Occur.Must, text_q))
        if not any(o == Occur.Must for o, _q in clauses):
            clauses.append((Occur.Must, Q.all_query()))
        return Q.boolean_query(clauses)

    # --- reads --------------------------------------------------------------------------------------------
    def _payload(self, searcher: tantivy.Searcher, address: Any) -> dict[str, Any]:
        raw = searcher.doc(address)["payload"][0]
        return dict(json.loads(bytes(raw)))

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        searcher = self._searcher()
        p = ParsedQuery(query.text)
        text_q = self._text(p)
        tq = self._query(text_q, self._trim(viewer) + self._filters(query))
        limit = max(1, query.limit)
        # the facets are a second pass over the same matches: run it on the other core meanwhile (tantivy
        # releases the GIL while it searches; measured at 1M documents: p95 of 1–3 terms about a quarter lower)
        facets_later = _FACET_POOL.submit(self._facets, searcher, tq) if query.facets else None
        try:
            if query.sort == "relevance" and text_q is not None:
                res = searcher.search(tq, limit=limit, offset=query.offset, count=True)
            else:
                order = tantivy.Order.Asc if query.sort == "date_asc" else tantivy.Order.Desc
                res = searcher.search(
                    tq, limit=limit, offset=query.offset, count=True, order_by_field="date", order=order
                )
            hits = []
            for score, address in res.hits:
                data = self._payload(searcher, address)
                hit = hit_from_json(data, float(score) if isinstance(score, float) else 0.0)
                hits.append(decorate(hit, data.get("body", ""), query, p))
        except BaseException:
            if facets_later is not None and not facets_later.cancel():
                wait([facets_later])  # never leave the other pass running on a searcher we give up
            raise
        facets = facets_later.result() if facets_later is not None else {}
        total = int(getattr(res, "count", 0) or 0)  # the stubs omit ``count``
        return SearchResult(total=total, hits=hits, facets=facets)

    def _facets(self, searcher: tantivy.Searcher, tq: tantivy.Query) -> dict[str, list[FacetValue]]:
        spec = {facet: {"terms": {"field": f"f_{facet}", "size": 20}} for facet in FACETS}
        raw = searcher.aggregate(tq, spec)
        out: dict[str, list[FacetValue]] = {}
        for facet in FACETS:
            values = []
            for bucket in raw.get(facet, {}).get("buckets", []):
                if not bucket.get("doc_count"):
                    continue
                key, label = facet_split(str(bucket["key"]))
                values.append(FacetValue(key, label, int(bucket["doc_count"])))
            out[facet] = values
        return out

    def _present(self, keys: list[str]) -> list[str]:
        searcher = self._searcher()
        res = searcher.search(
            self._any("key", keys), limit=max(1, len(keys)), count=False, order_by_field="key"
        )
        return [str(k) for k, _a in res.hits]

    def _address(self, searcher: tantivy.Searcher, key: str, viewer: Viewer) -> Any | None:
        tq = self._query(self._term("key", key), self._trim(viewer))
        res = searcher.search(tq, limit=1, count=False)
        return res.hits[0][1] if res.hits else None

    def similar(self, key: str, viewer: Viewer, *, limit: int = 5) -> list[SearchHit]:
        """More-like-this over the source's own words: its 25 most distinctive folded syllables (tf·idf), OR-ed,
        inside the viewer's trimming, the source excluded."""
        searcher = self._searcher()
        address = self._address(searcher, key, viewer)
        if address is None:
            return []
        data = self._payload(searcher, address)
        words = Counter(
            folded_syllables(f"{data.get('title', '')} {data.get('title', '')} {data.get('body', '')}")
        )
        n = max(1, searcher.num_docs)
        scored = []
        for w, tf in words.items():
            if len(w) < 2 or w.isdigit():
                continue
            df = searcher.doc_freq("body_f", w) + searcher.doc_freq("title_f", w)
            if df <= 1:
                continue
            scored.append((tf * math.log(1 + n / df), w))
        top = [w for _s, w in sorted(scored, reverse=True)[:25]]
        if not top:
            return []
        text_q = Q.boolean_query(
            [(Occur.Should, self._term(f, w)) for w in top for f in ("title_f", "body_f")]
        )
        extra = [*self._trim(viewer), (Occur.MustNot, self._term("key", key))]
        res = searcher.search(self._query(text_q, extra), limit=limit, count=False)
        return [hit_from_json(self._payload(searcher, a), float(s)) for s, a in res.hits]

    def suggest(self, prefix: str, viewer: Viewer, *, limit: int = 8) -> list[SearchHit]:
        words = folded_syllables(prefix)
        if not words:
            return []
        *whole, last = words
        import re

        clauses: list[tuple[Any, tantivy.Query]] = [
            (Occur.Must, Q.boolean_query([(Occur.Should, self._term(f, w)) for f in ("title_f", "meta_f")]))
            for w in whole
        ]
        clauses.append(
            (
                Occur.Must,
                Q.boolean_query(
                    [
                        (Occur.Should, Q.regex_query(self.schema, f, re.escape(last) + ".*"))
                        for f in ("title_f", "num")
                    ]
                ),
            )
        )
        searcher = self._searcher()
        tq = Q.boolean_query(clauses + self._trim(viewer))
        res = searcher.search(tq, limit=limit, count=False, order_by_field="date", order=tantivy.Order.Desc)
        return [hit_from_json(self._payload(searcher, a)) for _s, a in res.hits]

    def fingerprints(self, kind: str | None = None) -> Iterator[tuple[str, str]]:
        searcher = self._searcher()
        n = searcher.num_docs
        if not n:
            return
        q = self._term("kind", kind) if kind else Q.all_query()
        res = searcher.search(q, limit=n, count=False, order_by_field="kfp", order=tantivy.Order.Asc)
        for kfp, _address in res.hits:
            key, _, fp = str(kfp).partition(" ")
            yield key, fp

    def stats(self) -> IndexStats:
        searcher = self._searcher()
        size = sum(f.stat().st_size for f in self.path.glob("*") if f.is_file())
        return IndexStats(documents=int(searcher.num_docs), size_bytes=size)
