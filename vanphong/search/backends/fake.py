"""In-memory backend for tests: the reference semantics of matching, trimming, filters, facets and sorting,
with a small BM25 for ranking. Not for production (everything lives in one process)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from ..analysis import bigrams, folded_syllables, number_tokens, syllables
from ..base import (
    FACETS,
    FacetValue,
    IndexStats,
    SearchHit,
    SearchQuery,
    SearchRecord,
    SearchResult,
    Viewer,
    facet_key,
    facet_label,
    hit_from,
)
from .common import ParsedQuery, decorate

_STORE: dict[str, dict[str, Any]] = {}  # one store per process, like one index per deployment


class FakeBackend:
    name = "fake"

    def __init__(self, **options: Any):
        self.store = _STORE

    # --- writes ---------------------------------------------------------------------------------------------
    def index(self, records: Iterable[SearchRecord]) -> int:
        n = 0
        for r in records:
            meta = " ".join([r.number_symbol, r.doc_type, r.issuer, r.signer])
            title_f = folded_syllables(r.title)
            body_f = folded_syllables(r.body)
            self.store[r.key] = {
                "record": r,
                "title_seq": title_f,
                "body_seq": body_f,
                "title_f": Counter(title_f),
                "body_f": Counter(body_f),
                "meta_f": Counter(folded_syllables(meta)),
                "exact": Counter(syllables(f"{r.title} {r.body} {meta}")),
                "bigrams": Counter(bigrams(title_f) + bigrams(body_f)),
                "numbers": set(number_tokens(r.number_symbol)),
                "length": len(title_f) + len(body_f) + 1,
                "fingerprint": r.fingerprint(),
            }
            n += 1
        return n

    def delete(self, keys: Iterable[str]) -> int:
        return sum(1 for k in list(keys) if self.store.pop(k, None) is not None)

    def clear(self) -> None:
        self.store.clear()

    # --- reads ----------------------------------------------------------------------------------------------
    def _readable(self, viewer: Viewer) -> list[dict[str, Any]]:
        return [e for e in self.store.values() if viewer.may_read(e["record"])]

    @staticmethod
    def _filtered(entries: list[dict[str, Any]], q: SearchQuery) -> list[dict[str, Any]]:
        out = []
        for e in entries:
            r: SearchRecord = e["record"]
            if q.kinds and r.kind not in q.kinds:
                continue
            if q.doc_types and r.doc_type not in q.doc_types:
                continue
            if q.issuers and r.issuer not in q.issuers:
                continue
            if q.unit_ids and r.unit_id not in q.unit_ids:
                continue
            if q.years and r.year not in q.years:
                continue
            if q.secrecy and r.secrecy_label not in q.secrecy:
                continue
            if q.statuses and r.status not in q.statuses:
                continue
            if q.date_from and (r.doc_date is None or r.doc_date < q.date_from):
                continue
            if q.date_to and (r.doc_date is None or r.doc_date > q.date_to):
                continue
            out.append(e)
        return out

    @staticmethod
    def _has_phrase(seq: list[str], words: list[str]) -> bool:
        n = len(words)
        return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))

    @classmethod
    def _matches(cls, e: dict[str, Any], p: ParsedQuery) -> bool:
        if p.phrases and not all(
            cls._has_phrase(e["title_seq"], w) or cls._has_phrase(e["body_seq"], w) for w in p.phrases
        ):
            return False
        if p.numbers and e["numbers"] & set(p.numbers):
            return True
        if p.number_only or not p.folded:
            return bool(p.phrases) and not p.numbers
        present = [t in e["title_f"] or t in e["body_f"] or t in e["meta_f"] for t in p.folded]
        return all(present) if p.all_required else any(present)

    def _score(
        self, e: dict[str, Any], p: ParsedQuery, n_docs: int, df: Counter[str], avg_len: float
    ) -> float:
        def bm25(tf: int, term: str) -> float:
            idf = math.log(1 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
            return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * e["length"] / avg_len))

        score = 0.0
        if p.numbers and e["numbers"] & set(p.numbers):
            score += 100.0
        for t in p.folded:
            score += 2.0 * bm25(e["title_f"][t], t) + bm25(e["body_f"][t], t) + bm25(e["meta_f"][t], t)
        for t in p.exact:
            score += 1.5 * bm25(e["exact"][t], t)
        for t in p.folded_bigrams:
            score += 1.5 * bm25(e["bigrams"][t], t)
        return score

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        p = ParsedQuery(query.text)
        entries = self._filtered(self._readable(viewer), query)
        if not p.empty:
            entries = [e for e in entries if self._matches(e, p)]
        facets: dict[str, list[FacetValue]] = {}
        if query.facets:
            for facet in FACETS:
                counts: Counter[str] = Counter()
                labels: dict[str, str] = {}
                for e in entries:
                    key = facet_key(e["record"], facet)
                    if key or facet == "secrecy":
                        counts[key] += 1
                        labels[key] = facet_label(e["record"], facet)
                facets[facet] = [FacetValue(k, labels[k], c) for k, c in counts.most_common(20)]
        if query.sort == "relevance" and not p.empty:
            df: Counter[str] = Counter()
            for e in entries:
                for t in set(p.folded) | set(p.exact) | set(p.folded_bigrams):
                    if e["title_f"][t] or e["body_f"][t] or e["exact"][t] or e["bigrams"][t]:
                        df[t] += 1
            avg = sum(e["length"] for e in entries) / len(entries) if entries else 1.0
            scored = [(self._score(e, p, len(entries), df, avg), e) for e in entries]
            scored.sort(key=lambda se: (-se[0], se[1]["record"].key))
        else:
            rev = query.sort != "date_asc"
            ordered = sorted(
                entries, key=lambda e: (e["record"].doc_date or _MIN, e["record"].key), reverse=rev
            )
            scored = [(0.0, e) for e in ordered]
        page = scored[query.offset : query.offset + query.limit]
        hits = [decorate(hit_from(e["record"], s), e["record"].body, query, p) for s, e in page]
        return SearchResult(total=len(entries), hits=hits, facets=facets)

    def similar(self, key: str, viewer: Viewer, *, limit: int = 5) -> list[SearchHit]:
        source = self.store.get(key)
        if source is None or not viewer.may_read(source["record"]):
            return []
        words = source["title_f"] + source["body_f"]
        scored = []
        for e in self._readable(viewer):
            if e["record"].key == key:
                continue
            other = e["title_f"] + e["body_f"]
            common = sum((words & other).values())
            if common:
                scored.append((common / math.sqrt(e["length"]), e["record"]))
        scored.sort(key=lambda sr: (-sr[0], sr[1].key))
        return [hit_from(r, s) for s, r in scored[:limit]]

    def suggest(self, prefix: str, viewer: Viewer, *, limit: int = 8) -> list[SearchHit]:
        words = folded_syllables(prefix)
        if not words:
            return []
        *whole, last = words
        out = []
        for e in self._readable(viewer):
            r = e["record"]
            title = folded_syllables(f"{r.title} {r.doc_type} {r.number_symbol}") + sorted(e["numbers"])
            if all(w in title for w in whole) and any(t.startswith(last) for t in title):
                out.append(e["record"])
        out.sort(key=lambda r: (r.doc_date or _MIN, r.key), reverse=True)
        return [hit_from(r) for r in out[:limit]]

    def fingerprints(self, kind: str | None = None) -> Iterator[tuple[str, str]]:
        for k, e in list(self.store.items()):
            if kind is None or e["record"].kind == kind:
                yield k, e["fingerprint"]

    def stats(self) -> IndexStats:
        return IndexStats(documents=len(self.store))


_MIN = date.min
