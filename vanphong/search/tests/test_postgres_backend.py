"""What only the PostgreSQL backend does: the binary tsvectors, capped counts and facets, the access paths chosen
from statistics (each must give the same answers), trimming inside every statement, transactional writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanphong.search.backends.common import ParsedQuery
from vanphong.search.backends.postgres import PostgresBackend
from vanphong.search.backends.postgres.plan import _Access, _Plan
from vanphong.search.backends.postgres.vectors import MAX_POSITION, _tokens, _Tsvector, _Vector
from vanphong.search.base import SearchQuery, SearchRecord, SearchUnavailable, Viewer

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL leg")

OFFICE = Viewer(frozenset({"r:1"}), clearance=0)
SUPERUSER = Viewer(None)


def rec(n: int, title: str, body: str = "", **kw) -> SearchRecord:
    defaults = {
        "key": f"incoming:{n}", "kind": "incoming", "kind_label": "Văn bản đến", "object_id": n,
        "url": f"/van-ban/den/{n}/", "title": title, "body": body, "unit_id": 1 + n % 3,
        "unit_label": f"Đơn vị {1 + n % 3}", "doc_date": date(2025, 1 + n % 12, 1 + n % 28),
        "doc_type": ("Nghị quyết", "Công văn", "Kế hoạch")[n % 3], "acl": frozenset({"r:1"}),
    }  # fmt: skip
    defaults.update(kw)
    return SearchRecord(**defaults)


def corpus() -> list[SearchRecord]:
    """30 documents on “chuyển đổi số”, every third one unreadable for the office, one secret."""
    out = []
    for n in range(1, 31):
        acl = frozenset({"r:2"}) if n % 3 == 0 else frozenset({"r:1"})
        out.append(
            rec(n, f"Kế hoạch chuyển đổi số năm {2000 + n}", f"Nội dung chuyển đổi số số {n}.", acl=acl)
        )
    out.append(rec(31, "Chuyển đổi số tối mật", "Chuyển đổi số.", secrecy_rank=2, secrecy_label="Tối mật"))
    out.append(rec(32, "Quyết định khen thưởng", "Khen thưởng tập thể.", number_symbol="12-QĐ/TU"))
    return out


@pytest.fixture
def backend():
    b = PostgresBackend(count_limit=10, candidate_limit=10, rerank_limit=5)
    b.clear()
    b.index(corpus())
    yield b
    b.clear()


def keys(result) -> list[str]:
    return [h.key for h in result.hits]


# --- analysis ---------------------------------------------------------------------------------------------------


def test_tokens_pair_folded_and_exact_syllables():
    assert _tokens("Đảng bộ TỈNH") == [("dang", "đảng"), ("bo", "bộ"), ("tinh", "tỉnh")]


def test_positions_are_clamped_and_kept_increasing():
    v = _Vector()
    v.add_text([("a", "a")] * 300, MAX_POSITION - 5, "D")
    assert [e & 0x3FFF for e in v._clean(v.lexemes["a"])] == list(range(MAX_POSITION - 5, MAX_POSITION + 1))


@on_postgres
def test_the_binary_tsvector_is_what_postgresql_reads_from_the_text_form():
    v = _Vector()
    v.add_text(_tokens("Nghị quyết về chuyển đổi số, chuyển đổi"), 1, "A", pairs=True)
    v.add("#57nqtw", 9, "B")
    v.add_text(_tokens("it's a \\ test"), 20, "D")
    v.add("o'k\\", 30, "D")  # never from \w+, but quoted right all the same
    b = PostgresBackend()
    with b._writing() as cur:
        cur.execute(
            "SELECT %s::text = %s::tsvector::text, %s::text",
            [_Tsvector(v.binary()), v.literal(), v.literal()],
        )
        same, literal = cur.fetchone()
    assert same, literal
    assert "'chuyen~doi':4A,7A" in literal and "'nghị':1A" in literal and "'#57nqtw':9B" in literal


def test_plan_follows_the_fakes_matching_rules():
    assert _Plan(ParsedQuery("15-KH/TU")).match == "('#15khtu')"
    assert _Plan(ParsedQuery("chuyen doi")).match == "('chuyen' & 'doi')"
    phrase = _Plan(ParsedQuery('"chuyen doi" so')).match
    assert phrase == "(('chuyen':AD <-> 'doi':AD)) & ('chuyen' & 'doi' & 'so')"


# --- counts, facets, trimming -----------------------------------------------------------------------------------


@on_postgres
def test_count_is_capped_and_flagged(backend):
    result = backend.search(SearchQuery(text="chuyen doi so"), OFFICE)
    assert result.total == 10 and result.total_exact is False  # 20 readable matches, capped at 10
    # ranked: the first 10 matches found and the matches with every word in the title (“at least 10”)
    assert 10 <= len(result.hits) <= 20 and len(set(keys(result))) == len(result.hits)
    small = backend.search(SearchQuery(text="khen thuong"), OFFICE)
    assert small.total == 1 and small.total_exact is True


@on_postgres
def test_capped_facets_count_only_readable_rows(backend):
    result = backend.search(SearchQuery(text="chuyen doi so"), OFFICE)
    assert sum(f.count for f in result.facets["doc_type"]) == 10
    assert {f.label for f in result.facets["secrecy"]} == {"Không mật"}
    readable = {r.key for r in corpus() if OFFICE.may_read(r)}
    assert set(keys(result)) <= readable


@on_postgres
def test_pages_of_a_capped_result_do_not_repeat_and_stop_at_the_count(backend):
    pages = [
        keys(backend.search(SearchQuery(text="chuyen doi so", limit=4, offset=o), OFFICE))
        for o in (0, 4, 8, 12)
    ]
    flat = [k for page in pages for k in page]
    assert len(flat) == 12 and len(set(flat)) == 12  # the last page starts before the count (10)
    assert set(flat) <= {r.key for r in corpus() if OFFICE.may_read(r)}


@on_postgres
def test_every_statement_trims(backend):
    with CaptureQueriesContext(connection) as ctx:
        backend.search(SearchQuery(text="chuyen doi so"), OFFICE)
        backend.search(SearchQuery(text=""), OFFICE)
        backend.suggest("chuyen d", OFFICE)
        backend.similar("incoming:1", OFFICE)
    sql = [q["sql"] for q in ctx.captured_queries]
    reads = [q for q in sql if "FROM search_searchentry e WHERE" in q and "e.id = ANY" not in q]
    assert len(reads) >= 6 and all("e.acl &&" in q and "e.secrecy_rank <=" in q for q in reads), reads


@on_postgres
@pytest.mark.parametrize("mode", ["scan", "acl", "words", "pairs", "planner"])
@pytest.mark.parametrize(
    "text", ["chuyen doi so", "", '"chuyen doi"', "12-QĐ/TU", "khen", "kế hoạch năm 2007"]
)
@pytest.mark.parametrize("viewer", [OFFICE, SUPERUSER, Viewer(frozenset({"r:1"}), clearance=3)])
def test_every_access_path_gives_the_same_answers(backend, monkeypatch, mode, text, viewer):
    for sort in ("relevance", "date_desc"):
        query = SearchQuery(text=text, sort=sort)
        expected = backend.search(query, viewer)
        monkeypatch.setattr(backend, "_access", lambda *_a, m=mode: _Access(m, 0.5))
        got = backend.search(query, viewer)
        monkeypatch.undo()
        if expected.total_exact:
            assert keys(got) == keys(expected)
            assert got.facets == expected.facets
        assert (got.total, got.total_exact) == (expected.total, expected.total_exact)


@on_postgres
def test_the_principals_are_in_the_words_index_scan_too(backend, monkeypatch):
    monkeypatch.setattr(backend, "_access", lambda *_a: _Access("words", 0.5))
    with CaptureQueriesContext(connection) as ctx:
        result = backend.search(SearchQuery(text="chuyen doi so", limit=50), OFFICE)
    assert any("'@r:1'" in q["sql"] and "e.acl &&" in q["sql"] for q in ctx.captured_queries)
    assert set(keys(result)) <= {r.key for r in corpus() if OFFICE.may_read(r)}


@on_postgres
@pytest.mark.parametrize("mode", ["scan", "acl", "words", "pairs", "planner"])
def test_a_changed_acl_takes_effect_on_reindexing(backend, monkeypatch, mode):
    monkeypatch.setattr(backend, "_access", lambda *_a: _Access(mode, 0.5))
    backend.index([replace(corpus()[0], acl=frozenset({"r:9"}))])
    query = SearchQuery(text="chuyen doi so 2001")
    assert keys(backend.search(query, OFFICE)) == []
    assert keys(backend.search(query, Viewer(frozenset({"r:9"})))) == ["incoming:1"]
    assert [h.key for h in backend.suggest("chuyen doi so 200", Viewer(frozenset({"r:9"})))] == ["incoming:1"]


@on_postgres
def test_statistics_choose_a_path_and_answers_do_not_change(backend):
    before = backend.search(SearchQuery(text="khen thuong"), OFFICE)
    with connection.cursor() as cur:
        cur.execute("ANALYZE search_searchentry")
    backend._stats = None
    with backend._reading() as cur:
        access = backend._access(
            cur, _Plan(ParsedQuery("chuyen doi")), OFFICE, SearchQuery(text="chuyen doi")
        )
    assert access.mode in {"scan", "acl", "words"}
    assert 0 < access.readable <= 1
    assert keys(backend.search(SearchQuery(text="khen thuong"), OFFICE)) == keys(before)


@on_postgres
def test_suggestions_complete_title_type_number_and_number_tokens_not_the_issuer(backend):
    backend.index(
        [rec(70, "Về công tác cán bộ", number_symbol="57-NQ/TW", doc_type="Nghị quyết", issuer="Ban Bí thư")]
    )
    assert [h.key for h in backend.suggest("57nq", SUPERUSER)] == ["incoming:70"]  # a number token
    assert "incoming:70" in [
        h.key for h in backend.suggest("nghi quyet can b", SUPERUSER)
    ]  # tên loại + title
    assert backend.suggest("bi thu", SUPERUSER) == []  # the issuer is not completed (as the fake)


# --- writes -----------------------------------------------------------------------------------------------------


@on_postgres
def test_a_failed_index_writes_nothing(backend):
    with pytest.raises(Exception):  # noqa: B017,PT011 — whichever database error: the point is what is left
        backend.index([rec(40, "Bản ghi hợp lệ mới"), rec(41, "Khóa quá dài", key="x" * 300)])
    assert backend.search(SearchQuery(text="ban ghi hop le moi"), SUPERUSER).total == 0
    assert backend.stats().documents == len(corpus())


@on_postgres
def test_the_last_record_of_a_key_wins_and_nul_characters_are_dropped(backend):
    backend.index([rec(50, "Tiêu đề cũ"), rec(50, "Tiêu đề mới", "văn\x00bản")])
    result = backend.search(SearchQuery(text="tieu de"), SUPERUSER)
    assert keys(result) == ["incoming:50"] and result.hits[0].title == "Tiêu đề mới"


@on_postgres
def test_a_long_body_is_indexed_to_its_last_word_and_its_phrases_found(backend):
    body = " ".join(["văn bản"] * 12_000) + " cuốicùng"
    backend.index([rec(60, "Tài liệu dài", body)])
    assert keys(backend.search(SearchQuery(text="cuoicung"), SUPERUSER)) == ["incoming:60"]
    # its body bigrams were left out (too many): a phrase looked up by bigrams still reaches it
    backend._access = lambda *_a: _Access("pairs", 1.0)  # type: ignore[method-assign]
    assert keys(backend.search(SearchQuery(text='"van ban van"'), SUPERUSER)) == ["incoming:60"]


@on_postgres
def test_an_index_of_an_older_layout_is_refused_until_recreated(backend):
    with connection.cursor() as cur:
        cur.execute("COMMENT ON TABLE search_searchentry IS 'vanphong-search 1'")
    backend._stats = None
    for read in (
        lambda: backend.search(SearchQuery(text="khen"), OFFICE),
        lambda: backend.suggest("khen", OFFICE),
        lambda: backend.similar("incoming:1", OFFICE),
    ):
        with pytest.raises(SearchUnavailable, match="reindex --recreate"):
            read()
    with pytest.raises(SearchUnavailable, match="reindex --recreate"):
        backend.index([rec(80, "Bản ghi mới")])
    backend.clear()
    backend.index(corpus())
    assert keys(backend.search(SearchQuery(text="khen thuong"), OFFICE)) == ["incoming:32"]


@on_postgres
def test_fingerprints_page_through_every_key(backend):
    fps = dict(backend.fingerprints("incoming"))
    assert len(fps) == len(corpus()) and fps["incoming:7"] == corpus()[6].fingerprint()
    assert backend.stats().size_bytes


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_other_databases_get_a_vietnamese_message():
    with pytest.raises(SearchUnavailable, match="PostgreSQL"):
        PostgresBackend().search(SearchQuery(text="x"), SUPERUSER)
