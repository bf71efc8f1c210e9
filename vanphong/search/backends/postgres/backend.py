"""``PostgresBackend``: the SQL, writes and reads (strategy in the package docstring)."""

# ruff: noqa: S608 — the SQL is assembled from this module's constants and fragments; values are always parameters
from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

from django.db import DatabaseError, connections, transaction
from psycopg import Cursor

from ...base import (
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
    hit_from_json,
    record_to_json,
)
from ..common import STOPWORDS, ParsedQuery, decorate
from .plan import (
    GIN_ITEM_US,
    HEAP_ROW_US,
    SEQ_ROW_US,
    TIER_BUDGET_US,
    _Access,
    _or,
    _Plan,
    _q,
    _Statistics,
    _with_acl,
)
from .vectors import NUMBER_PREFIX, _clean, _facet_terms, _tokens, _Tsvector, _TsvectorDumper, _vectors

TABLE = "search_searchentry"
RANK_WEIGHTS = "{0.7,0.4,0.6,1.0}"  # D body, C metadata, B số/ký hiệu, A title
NUMBER_BOOST = 100.0
FACET_TOP = 20
GIN_INDEXES = ("search_entry_tsv", "search_entry_head", "search_entry_xtsv", "search_entry_acl")
PAIRS_INDEX = "search_entry_xtsv"
# What ``index()`` writes, recorded as the table's comment: bump it when that changes, and an index written
# before is refused (``SearchUnavailable``) until ``search reindex --recreate`` (``clear()``) rebuilds it.
LAYOUT = "vanphong-search 2"
ANALYZE_MIN_ROWS = 1000
DATE_ORDER = "coalesce(e.doc_date, '0001-01-01'::date)"

OLD_LAYOUT = "Chỉ mục tìm kiếm PostgreSQL được dựng theo cấu trúc cũ. Hãy chạy “search reindex --recreate” để dựng lại."
NOT_POSTGRES = (
    "Máy tìm kiếm PostgreSQL chỉ dùng được khi cơ sở dữ liệu là PostgreSQL. "
    "Hãy chọn máy tìm kiếm khác (tantivy) trong cấu hình VANPHONG_SEARCH."
)
UNREADABLE = (
    "Không đọc được chỉ mục tìm kiếm trong PostgreSQL. Hãy chạy “manage.py migrate” rồi “search reindex”."
)
TOO_SLOW = "Tìm kiếm mất quá nhiều thời gian. Hãy thêm từ khóa hoặc bộ lọc để thu hẹp kết quả."


# the facet counts of the first ``count_limit`` matches: one grouping set per position of ``facets``
_FACETS_SQL = (
    "(SELECT coalesce(jsonb_object_agg(v, n), '{}'::jsonb) FROM (SELECT coalesce("
    + ", ".join(f"f[{i}]" for i in range(1, len(FACETS) + 1))
    + ") AS v, count(*) AS n FROM (SELECT facets AS f FROM m LIMIT %s) m GROUP BY GROUPING SETS ("
    + ", ".join(f"(f[{i}])" for i in range(1, len(FACETS) + 1))
    + ")) z WHERE v IS NOT NULL)"
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


_COLUMNS = (
    "key", "kind", "doc_type", "issuer", "unit_id", "year", "doc_date", "secrecy_rank", "secrecy_label",
    "status", "data", "body", "fingerprint", "acl", "facets", "head", "tsv", "xtsv",
)  # fmt: skip
_CASTS = {
    "data": "::jsonb", "acl": "::text[]", "facets": "::text[]", "head": "::tsvector", "tsv": "::tsvector",
    "xtsv": "::tsvector",
}  # fmt: skip
_UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ("
    + ", ".join(f"%s{_CASTS.get(c, '')}" for c in _COLUMNS)
    + ") ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "key")
)


# --- the backend ---------------------------------------------------------------------------------------------


class PostgresBackend:
    name = "postgres"

    def __init__(self, **options: Any):
        self.using: str = options.get("using", "default")
        self.count_limit = max(int(options.get("count_limit", 1000)), 1)
        self.candidate_limit = int(options.get("candidate_limit", 1000))  # similar(): candidates ranked
        self.rerank_limit = int(options.get("rerank_limit", 100))
        # a long question matches on any word: most of the corpus; rank this many matches instead of count_limit
        # (measured on retrieval-dev: with 1,000 arbitrary matches hit@10 fell to 0.43)
        self.question_limit = max(int(options.get("question_limit", 20_000)), self.count_limit)
        self.tier_limit = int(options.get("tier_limit", 200))
        self.stats_ttl = float(options.get("stats_ttl", 300))
        self._stats: _Statistics | None = None
        self._since_analyze = 0
        self.snippet_chars = int(options.get("snippet_chars", 20_000))
        self.timeout_ms = int(options.get("timeout_ms", 10_000))
        self.batch = int(options.get("batch", 500))

    # --- connections ----------------------------------------------------------------------------------------
    def _connection(self) -> Any:
        conn = connections[self.using]
        if conn.vendor != "postgresql":
            raise SearchUnavailable(NOT_POSTGRES)
        return conn

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        conn = self._connection()
        refused: SearchUnavailable | None = None
        try:
            with transaction.atomic(using=self.using, savepoint=False), conn.cursor() as cur:
                cur.execute(
                    "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),"
                    " set_config('synchronize_seqscans', 'off', true), set_config('work_mem', '32MB', true),"
                    " set_config('statement_timeout', %s, true)",
                    [str(self.timeout_ms)],
                )
                try:
                    yield cur
                except SearchUnavailable as exc:  # not a database error: leave the transaction unharmed
                    refused = exc
        except DatabaseError as exc:
            if getattr(exc, "sqlstate", None) == "57014" or "statement timeout" in str(exc):
                raise SearchUnavailable(TOO_SLOW) from exc
            raise SearchUnavailable(UNREADABLE) from exc
        if refused is not None:
            raise refused

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """A transaction and a server-side-binding psycopg cursor (Django's binds on the client, as text): the
        tsvectors go over in binary."""
        conn = self._connection()
        with transaction.atomic(using=self.using), conn.wrap_database_errors, Cursor(conn.connection) as cur:
            cur.adapters.register_dumper(_Tsvector, _TsvectorDumper)
            yield cur

    # --- writes ---------------------------------------------------------------------------------------------
    @staticmethod
    def _row(r: SearchRecord) -> tuple[Any, ...]:
        head, tsv, xtsv = _vectors(r)
        data = json.dumps(record_to_json(r), ensure_ascii=False).replace("\\u0000", "")
        return (
            r.key, r.kind, _clean(r.doc_type), _clean(r.issuer), r.unit_id, r.year, r.doc_date, r.secrecy_rank,
            _clean(r.secrecy_label), _clean(r.status), data, _clean(r.body), r.fingerprint(), sorted(r.acl),
            _facet_terms(r), head, tsv, xtsv,
        )  # fmt: skip

    def index(self, records: Iterable[SearchRecord]) -> int:
        rows = [self._row(r) for r in records]  # analysed before the transaction: nothing half-written
        if not rows:
            return 0
        with self._writing() as cur:
            self._check_layout(cur)
            for i in range(0, len(rows), self.batch):
                cur.executemany(_UPSERT, rows[i : i + self.batch])
            self._after_write(cur, len(rows))
        return len(rows)

    @staticmethod
    def _check_layout(cur: Any) -> None:
        """Rows of two layouts are never mixed: an empty table takes this one, a table written in another is
        refused until ``clear()``."""
        cur.execute(
            f"SELECT obj_description(%s::regclass, 'pg_class'), EXISTS (SELECT 1 FROM {TABLE})", [TABLE]
        )
        layout, filled = cur.fetchone()
        if layout != LAYOUT:
            if filled:
                raise SearchUnavailable(OLD_LAYOUT)
            cur.execute(f"COMMENT ON TABLE {TABLE} IS '{LAYOUT}'")

    def _after_write(self, cur: Any, written: int) -> None:
        """Keep reads fast without autovacuum (often off, and never quick enough after a bulk load): merge the
        GIN pending lists (every search would scan them whole: ~10 ms once they fill), and ANALYZE once the
        table has grown by a fifth since (the access paths and the planner depend on the statistics)."""
        cur.execute(
            "SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = ANY(%s) AND c.relkind = 'i' "
            "AND c.relnamespace = current_schema()::regnamespace",
            [list(GIN_INDEXES)],
        )
        self._since_analyze += written
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        reltuples = float(cur.fetchone()[0])
        if reltuples < 0 or self._since_analyze >= max(ANALYZE_MIN_ROWS, 0.2 * reltuples):
            cur.execute(f"ANALYZE {TABLE}")
            self._since_analyze = 0
            self._stats = None

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return 0
        with self._writing() as cur:
            cur.execute(f"DELETE FROM {TABLE} WHERE key = ANY(%s::text[])", [keys])
            return int(cur.rowcount)

    def clear(self) -> None:
        with self._writing() as cur:
            cur.execute(f"TRUNCATE {TABLE}")
            cur.execute(f"COMMENT ON TABLE {TABLE} IS '{LAYOUT}'")
            cur.execute(f"ANALYZE {TABLE}")  # TRUNCATE keeps the old statistics: the rebuild starts from zero
        self._since_analyze = 0
        self._stats = None

    # --- reads ----------------------------------------------------------------------------------------------
    @staticmethod
    def _trim(viewer: Viewer) -> tuple[list[str], list[Any]]:
        if viewer.principals is None:
            return [], []
        return ["e.acl && %s::text[]", "e.secrecy_rank <= %s"], [sorted(viewer.principals), viewer.clearance]

    def _trim_in_index(self, viewer: Viewer) -> tuple[list[str], list[Any]]:
        """The trimming WHERE when the principals are also in the tsquery (``_with_acl``): the ACL condition is
        kept, written so that the planner does not intersect the ACL index as well."""
        trim, args = self._trim(viewer)
        return ([f"({trim[0]}) IS TRUE", *trim[1:]] if trim else []), args

    @staticmethod
    def _filters(q: SearchQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        for column, values, cast in (
            ("kind", q.kinds, "text[]"), ("doc_type", q.doc_types, "text[]"), ("issuer", q.issuers, "text[]"),
            ("unit_id", q.unit_ids, "bigint[]"), ("year", q.years, "int[]"),
            ("secrecy_label", q.secrecy, "text[]"), ("status", q.statuses, "text[]"),
        ):  # fmt: skip
            if values:
                where.append(f"e.{column} = ANY(%s::{cast})")
                args.append(list(values))
        if q.date_from:
            where.append("e.doc_date >= %s")
            args.append(q.date_from)
        if q.date_to:
            where.append("e.doc_date <= %s")
            args.append(q.date_to)
        return where, args

    @staticmethod
    def _where(parts: Sequence[str]) -> str:
        return " AND ".join(parts) if parts else "TRUE"

    def _statistics(self, cur: Any) -> _Statistics | None:
        """Lexeme and principal frequencies from ``pg_stats`` (ANALYZE), cached for ``stats_ttl`` seconds; None
        when there are none. Raises ``SearchUnavailable`` for an index written in an older layout (see
        ``LAYOUT``): its rows lack what the queries rely on (the ACL lexemes), so it must be rebuilt."""
        now = time.monotonic()
        cached = self._stats
        if cached is not None and now - cached.loaded_at < self.stats_ttl:
            return cached if cached.rows else None
        cur.execute(
            "SELECT s.attname, s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples, "
            "obj_description(c.oid, 'pg_class'), to_regclass(%s) IS NOT NULL, "
            f"EXISTS (SELECT 1 FROM {TABLE}) "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname "
            "AND s.attname IN ('tsv', 'head', 'xtsv', 'acl') WHERE c.oid = %s::regclass",
            [PAIRS_INDEX, TABLE],
        )
        st = _Statistics(loaded_at=now)
        for attname, elems, freqs, reltuples, layout, pairs_index, filled in cur.fetchall():
            if filled and layout != LAYOUT:
                self._stats = None  # not cached: the next search after ``search reindex --recreate`` works
                raise SearchUnavailable(OLD_LAYOUT)
            st.rows = max(float(reltuples or 0), 0.0) if filled else 0.0
            st.pairs_index = bool(pairs_index)
            if attname and elems and freqs:
                table = dict(zip(elems, (float(f) for f in freqs[: len(elems)]), strict=False))
                st.freqs[attname] = table
                st.floors[attname] = min(table.values()) / 2
        self._stats = st
        return st if st.rows else None

    def _cap(self, plan: _Plan | None) -> int:
        """How many matches are counted (and ranked): ``count_limit``, or ``question_limit`` for a long
        question (any of its words matches)."""
        return self.count_limit if plan is None or plan.p.all_required else self.question_limit

    def _access(self, cur: Any, plan: _Plan | None, viewer: Viewer, query: SearchQuery) -> _Access:
        """How to find the first ``count_limit`` matches, from the ``pg_stats`` frequencies of the query's words
        and the viewer's principals. PostgreSQL's planner underrates what a GIN bitmap costs: it walks every
        posting of the words (~0.2 µs each: ~150 ms for two common words at 1M rows) and, with trimming, of the
        principals, before the first row is read. So, the cheapest by a simple cost model of:

        - ``scan``: read the table in order and stop at ``count_limit`` (no bitmap at all) — broad words, a
          viewer who reads much;
        - ``acl``: the viewer's rows from the ACL index, the words tested on each row — very common words, a
          viewer who reads little;
        - ``words``: the words' GIN index with the viewer's principals in the same scan (``_with_acl``) — the
          rest;
        - ``pairs``: a quoted phrase's bigrams from ``xtsv``'s GIN index, with the principals, the rest tested on
          each row — phrases.

        Without statistics (never analysed) the planner decides alone (on ``words``' conditions)."""
        st = self._statistics(cur)
        if st is None or "tsv" not in st.freqs:
            return _Access("planner")
        readable = 1.0
        if viewer.principals is not None:
            acl, floor = st.freqs.get("acl", {}), st.floors.get("acl", 0.001)
            readable = 1.0 - math.prod(1.0 - acl.get(pr, floor) for pr in viewer.principals)
        narrowing = 0.25 ** sum(
            1 for v in (query.kinds, query.doc_types, query.issuers, query.unit_ids, query.years, query.secrecy,
                        query.statuses) if v
        ) * (0.5 if query.date_from or query.date_to else 1.0)  # fmt: skip
        words, floor = st.freqs["tsv"], st.floors["tsv"]
        match, found, walked = plan.selectivity(lambda t: words.get(t, floor)) if plan else (1.0, 1.0, 0.0)
        n, k, tiny = st.rows, self._cap(plan) + 1, 1e-9
        checked = match / max(found, tiny)  # share of the rows the word index returns that match (phrases)
        costs = {"scan": min(k / max(match * readable * narrowing, tiny), n) * SEQ_ROW_US}
        if viewer.principals is not None:
            acl_rows = min(n * readable, k / max(match * narrowing, tiny))
            costs["acl"] = n * readable * GIN_ITEM_US + acl_rows * HEAP_ROW_US
        if plan is not None:  # the GIN scan walks the rarer side's postings, words or principals
            word_rows = min(n * found * readable, k / max(narrowing * checked, tiny))
            costs["words"] = n * min(walked, readable) * GIN_ITEM_US + word_rows * HEAP_ROW_US
        if plan is not None and plan.phrase_pairs and st.pairs_index:  # the phrases' bigrams from ``xtsv``
            pair_freqs, pair_floor = st.freqs.get("xtsv", {}), st.floors.get("xtsv", floor)
            fs = [pair_freqs.get(t, pair_floor) for t in plan.phrase_pairs]
            hit = min(1.0, match / max(math.prod(fs), tiny)) * narrowing  # of the rows the index returns
            pair_rows = min(n * math.prod(fs) * readable, k / max(hit, tiny))
            costs["pairs"] = n * min(*fs, readable) * GIN_ITEM_US + pair_rows * HEAP_ROW_US
        tier = True
        if plan is not None and plan.tier:  # the title tier (``_tier``), only when it is cheap enough
            titles, title_floor = st.freqs.get("head", {}), st.floors.get("head", floor)
            fs = [titles.get(t, title_floor) for t in dict.fromkeys(plan.p.folded)]
            title_rows = min(n * math.prod(fs) * readable, self.tier_limit)
            tier = n * min(*fs, readable) * GIN_ITEM_US + title_rows * HEAP_ROW_US <= TIER_BUDGET_US
        return _Access(min(costs, key=lambda m: costs[m]), readable, tier)

    def _conditions(
        self, plan: _Plan | None, viewer: Viewer, query: SearchQuery, access: _Access
    ) -> tuple[list[str], list[Any]]:
        """The WHERE of the match set: trimming, filters, words. ``(…) IS TRUE`` keeps a condition out of the
        index scan (the planner cannot use it there) without changing its meaning."""
        mode = access.mode if access.mode != "pairs" or (plan is not None and plan.pairs) else "words"
        embed = plan is not None and mode in ("words", "planner")  # principals in the tsquery
        pairs = plan is not None and mode == "pairs"
        where, args = self._trim_in_index(viewer) if embed or pairs else self._trim(viewer)
        filters, filter_args = self._filters(query)
        where, args = where + filters, args + filter_args
        if plan is not None:
            in_index = mode not in ("acl", "pairs")
            where.append("e.tsv @@ %s::tsquery" if in_index else "(e.tsv @@ %s::tsquery) IS TRUE")
            args.append(_with_acl(plan.match, viewer) if embed else plan.match)
            if pairs:  # no weights, no positions: the GIN index answers it without reading ``xtsv``
                where.append("e.xtsv @@ %s::tsquery")
                args.append(_with_acl(plan.pairs, viewer))
        return where, args

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        started = time.perf_counter()
        p = ParsedQuery(query.text)
        empty_facets: dict[str, list[FacetValue]] = {f: [] for f in FACETS} if query.facets else {}
        if viewer.principals is not None and not viewer.principals:
            return SearchResult(total=0, hits=[], facets=empty_facets)
        plan = None if p.empty else _Plan(p)
        ranked = plan is not None and query.sort == "relevance"
        offset, limit = max(query.offset, 0), max(query.limit, 0)
        top = max(self.rerank_limit, offset + limit)  # candidates for the second stage of ranking
        cap = self._cap(plan)

        with self._reading() as cur:
            access = self._access(cur, plan, viewer, query)
            where, args = self._conditions(plan, viewer, query, access)
            if access.mode == "scan":
                cur.execute("SELECT set_config('enable_bitmapscan', 'off', true)")
            score, score_args = self._first_stage(plan) if ranked and plan else ("0", [])
            cur.execute(
                f"WITH m AS MATERIALIZED (SELECT e.id, e.key, e.facets, {score} AS s FROM {TABLE} e "
                f"WHERE {self._where(where)} LIMIT %s) "
                f"SELECT (SELECT count(*) FROM m), "
                f"(SELECT coalesce(jsonb_agg(jsonb_build_array(id, key, s)), '[]') FROM "
                f"(SELECT id, key, s FROM m ORDER BY s DESC, key LIMIT %s) c), "
                f"{_FACETS_SQL if query.facets else 'NULL'}",
                [*score_args, *args, cap + 1, top if ranked else 0,
                 *([cap] if query.facets else [])],
            )  # fmt: skip
            count, best, facet_counts = cur.fetchone()
            total_exact = count <= cap
            total = min(count, cap)
            rows: list[tuple[float, Any, str]] = []
            if limit and total and offset < total:
                if ranked and plan is not None:
                    if access.mode == "scan":
                        cur.execute("SELECT set_config('enable_bitmapscan', 'on', true)")
                    candidates = [tuple(c) for c in _json(best)]
                    if count > cap and plan.tier and access.tier:
                        candidates += self._tier(cur, plan, viewer, query)
                    rows = self._second_stage(cur, plan, query, candidates, top)
                else:
                    rows = self._by_date(cur, where, args, query)
        facets = self._facets(_json(facet_counts) or {}) if query.facets else {}
        hits = [
            decorate(hit_from_json(_json(data), float(sc)), body or "", query, p) for sc, data, body in rows
        ]
        return SearchResult(
            total=total, hits=hits, facets=facets or empty_facets, total_exact=total_exact,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )  # fmt: skip

    def _body_sql(self, query: SearchQuery) -> str:
        return f"left(e.body, {int(self.snippet_chars)})" if query.highlight else "''"

    @staticmethod
    def _first_stage(plan: _Plan) -> tuple[str, list[Any]]:
        """The score every match gets as it is found: the folded words on ``tsv`` (in the row: no TOAST) with
        the title first, and the number boost."""
        score, args = "0", []
        if plan.rank:
            score = f"ts_rank('{RANK_WEIGHTS}'::float4[], e.tsv, %s::tsquery, 1)"
            args.append(plan.rank)
        if plan.numbers:
            score += f" + CASE WHEN e.tsv @@ %s::tsquery THEN {NUMBER_BOOST} ELSE 0 END"
            args.append(plan.numbers)
        return score, args

    def _tier(
        self, cur: Any, plan: _Plan, viewer: Viewer, query: SearchQuery
    ) -> list[tuple[int, str, float]]:
        """Matches with every word in the title or metadata (the small ``head`` index, the viewer's principals
        in the same scan), scored: ranked with the others when the match set is capped, so a broad query's best
        titles are not left out."""
        trim, trim_args = self._trim_in_index(viewer)
        filters, args = self._filters(query)
        score, score_args = self._first_stage(plan)
        cur.execute(
            f"SELECT e.id, e.key, {score} FROM {TABLE} e "
            f"WHERE {self._where([*trim, *filters, 'e.head @@ %s::tsquery'])} LIMIT %s",
            [*score_args, *trim_args, *args, _with_acl(plan.tier, viewer), self.tier_limit],
        )
        return [tuple(r) for r in cur.fetchall()]

    def _second_stage(
        self, cur: Any, plan: _Plan, query: SearchQuery, candidates: list[tuple[Any, ...]], top: int
    ) -> list[tuple[float, Any, str]]:
        """The best ``top`` candidates of the first stage, re-scored with the accented words and the bigrams on
        ``xtsv`` (TOASTed: read for these only); the page of them, with data and body."""
        best = sorted(dict((c[0], c) for c in candidates).values(), key=lambda c: (-float(c[2]), c[1]))[:top]
        second = f"x.s + ts_rank('{RANK_WEIGHTS}'::float4[], e.xtsv, %s::tsquery, 1)" if plan.extra else "x.s"
        cur.execute(
            f"WITH b AS (SELECT e.id, e.key, {second} AS score "
            f"FROM unnest(%s::bigint[], %s::float8[]) AS x(id, s) JOIN {TABLE} e ON e.id = x.id "
            f"ORDER BY score DESC, e.key LIMIT %s OFFSET %s) "
            f"SELECT b.score, e.data, {self._body_sql(query)} FROM b JOIN {TABLE} e ON e.id = b.id "
            f"ORDER BY b.score DESC, b.key",
            [*([plan.extra] if plan.extra else []), [c[0] for c in best], [float(c[2]) for c in best],
             max(query.limit, 0), max(query.offset, 0)],
        )  # fmt: skip
        return list(cur.fetchall())

    def _by_date(
        self, cur: Any, where: list[str], args: list[Any], query: SearchQuery
    ) -> list[tuple[float, Any, str]]:
        direction = "ASC" if query.sort == "date_asc" else "DESC"
        # the page first, then its data and body: a projection before the sort would read (detoast) the body
        # of every match
        cur.execute(
            f"WITH p AS (SELECT e.id, {DATE_ORDER} AS d, e.key FROM {TABLE} e WHERE {self._where(where)} "
            f"ORDER BY {DATE_ORDER} {direction}, e.key {direction} LIMIT %s OFFSET %s) "
            f"SELECT 0.0, e.data, {self._body_sql(query)} FROM p JOIN {TABLE} e ON e.id = p.id "
            f"ORDER BY p.d {direction}, p.key {direction}",
            [*args, max(query.limit, 0), max(query.offset, 0)],
        )
        return list(cur.fetchall())

    @staticmethod
    def _facets(counts: dict[str, int]) -> dict[str, list[FacetValue]]:
        """``{"<facet>:<facet_term>": n}`` → the top 20 values of each facet. One value per key, as the fake: a
        key indexed with two labels (a label renamed since) is counted once, under its most frequent label."""
        by_facet: dict[str, dict[str, Counter[str]]] = {f: {} for f in FACETS}
        for term, n in counts.items():
            facet, _, rest = term.partition(":")
            if facet in by_facet:
                key, label = facet_split(rest)
                by_facet[facet].setdefault(key, Counter())[label] += int(n)
        return {
            f: [
                FacetValue(key, labels.most_common(1)[0][0], labels.total())
                for key, labels in sorted(values.items(), key=lambda kv: (-kv[1].total(), kv[0]))[:FACET_TOP]
            ]
            for f, values in by_facet.items()
        }

    def similar(self, key: str, viewer: Viewer, *, limit: int = 5) -> list[SearchHit]:
        if limit <= 0 or (viewer.principals is not None and not viewer.principals):
            return []
        trim, trim_args = self._trim_in_index(viewer)
        with self._reading() as cur:
            self._statistics(cur)  # refuses an index of an older layout
            cur.execute(
                f"SELECT e.data, left(e.body, %s) FROM {TABLE} e WHERE {self._where(['e.key = %s', *trim])}",
                [self.snippet_chars, key, *trim_args],
            )
            row = cur.fetchone()
            if row is None:  # gone, or the viewer may not read it: its words must not leak through neighbours
                return []
            data, body = _json(row[0]), row[1] or ""
            title = [
                w for w in dict.fromkeys(f for f, _ in _tokens(data.get("title", ""))) if w not in STOPWORDS
            ]
            common = Counter(f for f, _ in _tokens(body) if f not in STOPWORDS).most_common(24)
            content = list(dict.fromkeys([*title, *(w for w, _ in common)]))[:32]
            if not content:
                return []
            everything = _or(_q(t) for t in content)
            # candidates: documents holding two neighbouring words of the title, then any of the words
            pairs = " | ".join(f"({_q(a)} & {_q(b)})" for a, b in pairwise(title))
            where = ["e.key <> %s", *trim]
            ids: list[int] = []
            for tsq in (pairs, everything):
                if not tsq or len(ids) >= self.candidate_limit:
                    continue
                cur.execute(
                    f"SELECT coalesce(array_agg(id), '{{}}'::bigint[]) FROM (SELECT e.id FROM {TABLE} e "
                    f"WHERE {self._where([*where, 'e.tsv @@ %s::tsquery'])} LIMIT %s) t",
                    [key, *trim_args, _with_acl(tsq, viewer), self.candidate_limit - len(ids)],
                )
                ids = list(dict.fromkeys([*ids, *cur.fetchone()[0]]))
            if not ids:
                return []
            cur.execute(
                f"WITH b AS (SELECT e.id, e.key, ts_rank('{RANK_WEIGHTS}'::float4[], e.tsv, %s::tsquery, 1) AS s "
                f"FROM {TABLE} e WHERE e.id = ANY(%s::bigint[]) ORDER BY s DESC, e.key LIMIT %s) "
                f"SELECT b.s, e.data FROM b JOIN {TABLE} e ON e.id = b.id ORDER BY b.s DESC, b.key",
                [everything, ids[: self.candidate_limit], limit],
            )
            rows = cur.fetchall()
        return [hit_from_json(_json(d), float(s)) for s, d in rows if s > 0]

    def suggest(self, prefix: str, viewer: Viewer, *, limit: int = 8) -> list[SearchHit]:
        words = [f for f, _ in _tokens(prefix)]
        if not words or limit <= 0 or (viewer.principals is not None and not viewer.principals):
            return []
        *whole, last = words
        # as the fake: the syllables of title (A), số/ký hiệu (B) and tên loại (D in ``head``), and number tokens
        tsq = " & ".join(
            [
                *(f"({_q(w, 'ABD')} | {_q(NUMBER_PREFIX + w, 'B')})" for w in dict.fromkeys(whole)),
                f"({_q(last, 'ABD', prefix=True)} | {_q(NUMBER_PREFIX + last, 'B', prefix=True)})",
            ]
        )
        trim, trim_args = self._trim_in_index(viewer)
        with self._reading() as cur:
            self._statistics(cur)  # refuses an index of an older layout
            cur.execute(
                f"WITH p AS (SELECT e.id, {DATE_ORDER} AS d, e.key FROM {TABLE} e "
                f"WHERE {self._where([*trim, 'e.head @@ %s::tsquery'])} ORDER BY d DESC, e.key DESC LIMIT %s) "
                f"SELECT e.data FROM p JOIN {TABLE} e ON e.id = p.id ORDER BY p.d DESC, p.key DESC",
                [*trim_args, _with_acl(tsq, viewer), limit],
            )
            rows = cur.fetchall()
        return [hit_from_json(_json(d)) for (d,) in rows]

    def fingerprints(self, kind: str | None = None) -> Iterator[tuple[str, str]]:
        last = ""
        while True:
            with self._reading() as cur:
                cur.execute(
                    f"SELECT key, fingerprint FROM {TABLE} WHERE key > %s"
                    + (" AND kind = %s" if kind is not None else "")
                    + " ORDER BY key LIMIT 5000",
                    [last, kind] if kind is not None else [last],
                )
                rows = cur.fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def stats(self) -> IndexStats:
        with self._reading() as cur:
            cur.execute(f"SELECT count(*), pg_total_relation_size('{TABLE}') FROM {TABLE}")
            documents, size = cur.fetchone()
        return IndexStats(documents=int(documents), size_bytes=int(size))
