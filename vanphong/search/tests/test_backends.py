"""The behaviour every search backend must show — matching Vietnamese with and without diacritics, document
numbers, filters, facets, sorting, and above all security trimming inside the query. Runs on the in-memory fake,
on tantivy, and on PostgreSQL when the suite runs there."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from django.db import connection

from vanphong.search.backends import get_backend
from vanphong.search.base import SearchQuery, SearchRecord, SearchUnavailable, Viewer

pytestmark = pytest.mark.django_db

OFFICE = Viewer(frozenset({"r:1"}), clearance=0)
OFFICE_CLEARED = Viewer(frozenset({"r:1"}), clearance=2)
OUTSIDER = Viewer(frozenset({"r:99"}), clearance=3)
SUPERUSER = Viewer(None, clearance=0)


def rec(n: int, title: str, body: str = "", **kw) -> SearchRecord:
    defaults = {
        "key": f"incoming:{n}", "kind": "incoming", "kind_label": "Văn bản đến", "object_id": n,
        "url": f"/van-ban/den/{n}/", "title": title, "body": body, "unit_id": 1, "unit_label": "Văn phòng Tỉnh ủy",
        "doc_date": date(2026, 1, n % 28 + 1), "status": "registered", "status_label": "Đã vào sổ",
        "acl": frozenset({"r:1"}),
    }  # fmt: skip
    defaults.update(kw)
    return SearchRecord(**defaults)


CORPUS = [
    rec(1, "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        "Nghị quyết số 57-NQ/TW của Bộ Chính trị. Chuyển đổi số là yêu cầu tất yếu.",
        number_symbol="57-NQ/TW", doc_type="Nghị quyết", issuer="Bộ Chính trị", doc_date=date(2024, 12, 22)),
    rec(2, "Quy định công tác văn thư", "Nghị định số 30/2020/NĐ-CP về công tác văn thư.",
        number_symbol="30/2020/NĐ-CP", doc_type="Nghị định", issuer="Chính phủ", doc_date=date(2020, 3, 5)),
    rec(3, "Kế hoạch tổ chức đại hội Đảng bộ các cấp", "Đại hội Đảng bộ tỉnh nhiệm kỳ 2025-2030.",
        number_symbol="15-KH/TU", doc_type="Kế hoạch", issuer="Tỉnh ủy Tây Ninh", doc_date=date(2025, 2, 10)),
    rec(4, "Báo cáo tình hình đang triển khai", "Các đơn vị đang thực hiện rà soát.",
        number_symbol="22-BC/VPTU", doc_type="Báo cáo", issuer="Văn phòng Tỉnh ủy", doc_date=date(2026, 1, 5)),
    rec(5, "Phương án bảo vệ mục tiêu trọng yếu xăngđầu", "Nội dung tuyệt mật về phương án bảo vệ xăngđầu.",
        number_symbol="07-PA/TU", doc_type="Phương án", issuer="Tỉnh ủy Tây Ninh", doc_date=date(2026, 1, 8),
        secrecy_rank=2, secrecy_label="Tối mật"),
    rec(6, "Thông báo kết luận của Thường trực Tỉnh ủy về chuyển đổi số", "Kết luận chuyển đổi số cấp xã.",
        number_symbol="40-TB/TU", doc_type="Thông báo", issuer="Tỉnh ủy Tây Ninh", doc_date=date(2025, 6, 1),
        unit_id=2, unit_label="Ban Tổ chức Tỉnh ủy", acl=frozenset({"r:2", "u:7"})),
]  # fmt: skip


@pytest.fixture(params=["fake", "tantivy", "postgres"])
def backend(request, tmp_path):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL leg of the suite")
    if request.param == "tantivy":
        b = get_backend("tantivy", path=str(tmp_path / "index"))
    else:
        b = get_backend(request.param)
    b.clear()
    b.index(CORPUS)
    yield b
    b.clear()


def keys(result) -> list[str]:
    return [h.key for h in result.hits]


def search(b, text="", viewer=OFFICE, **kw):
    return b.search(SearchQuery(text=text, **kw), viewer)


# --- matching -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["nghị quyết 57", "nghi quyet 57", "NGHI QUYET 57", "chuyển đổi số quốc gia"]
)
def test_accented_and_unaccented_queries_find_the_resolution(backend, text):
    assert keys(search(backend, text))[0] == "incoming:1"


def test_decomposed_text_and_queries_are_normalised(backend):
    backend.index([rec(9, unicodedata.normalize("NFD", "Quyết định khen thưởng"), "")])
    assert keys(search(backend, unicodedata.normalize("NFD", "quyết định khen")))[:1] == ["incoming:9"]
    assert keys(search(backend, "quyet dinh khen"))[:1] == ["incoming:9"]


def test_d_with_stroke_folds_to_d(backend):
    assert "incoming:3" in keys(search(backend, "dang bo dai hoi"))


def test_diacritics_in_the_query_rank_the_exact_word_first(backend):
    both = keys(search(backend, "dang"))
    assert {"incoming:3", "incoming:4"} <= set(both)
    assert keys(search(backend, "Đảng"))[0] == "incoming:3"
    assert keys(search(backend, "đang"))[0] == "incoming:4"


@pytest.mark.parametrize("text", ["57-NQ/TW", "57-nq/tw", "nq57", "NQ 57", "57nqtw", "Nghị quyết 57-NQ/TW"])
def test_document_numbers_are_exact_tokens(backend, text):
    assert keys(search(backend, text))[0] == "incoming:1"


def test_a_type_name_and_number_rank_the_document_above_letters_citing_it(backend):
    backend.index([
        rec(11, "Về triển khai Nghị quyết 57 tại cơ sở", "Thực hiện Nghị quyết số 57-NQ/TW, công văn này …",
            number_symbol="301-CV/VPTU", doc_type="Công văn", doc_date=date(2025, 3, 1)),
        rec(12, "Kế hoạch thực hiện Nghị quyết 57", "Kế hoạch số 12 triển khai Nghị quyết 57-NQ/TW.",
            number_symbol="12-KH/TU", doc_type="Kế hoạch", doc_date=date(2025, 4, 1)),
    ])  # fmt: skip
    for text in ("nghi quyet 57", "Nghị quyết số 57"):
        assert keys(search(backend, text))[0] == "incoming:1"


@pytest.mark.parametrize("text", ["30/2020/NĐ-CP", "30/2020/nd-cp", "nd30"])
def test_state_numbers(backend, text):
    assert keys(search(backend, text))[0] == "incoming:2"


def test_a_number_lookup_matches_only_that_number(backend):
    assert keys(search(backend, "15-KH/TU")) == ["incoming:3"]


def test_every_word_of_a_short_query_must_match(backend):
    assert keys(search(backend, "chuyen doi van thu")) == []


def test_a_long_question_matches_any_word_and_ranks(backend):
    result = search(backend, "Nghị định nào quy định về công tác văn thư của cơ quan nhà nước?")
    assert keys(result)[0] == "incoming:2"


def test_quoted_phrases_match_in_order(backend):
    assert sorted(keys(search(backend, '"chuyen doi so"', viewer=SUPERUSER))) == ["incoming:1", "incoming:6"]
    assert keys(search(backend, '"so chuyen doi"', viewer=SUPERUSER)) == []
    assert keys(search(backend, "“đại hội Đảng bộ” tỉnh", viewer=SUPERUSER)) == ["incoming:3"]


def test_highlights_mark_the_original_text(backend):
    hit = search(backend, "chuyen doi so").hits[0]
    assert "<mark>chuyển</mark>" in hit.title_html.lower() or "<mark>Chuyển</mark>" in hit.title_html
    assert "<mark>" in hit.snippet_html


def test_titles_and_snippets_are_escaped(backend):
    backend.index([rec(10, "Về <script>alert(1)</script> an toàn", "Nội dung <b>đậm</b> an toàn")])
    hit = search(backend, "an toan").hits[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<b>" not in hit.snippet_html


# --- filters, facets, sorting, paging --------------------------------------------------------------------------


def test_empty_text_lists_everything_readable_newest_first(backend):
    result = search(backend, "")
    assert keys(result) == ["incoming:4", "incoming:3", "incoming:1", "incoming:2"]
    assert result.total == 4


def test_sort_by_date(backend):
    assert keys(search(backend, "chuyen doi so", viewer=SUPERUSER, sort="date_asc")) == [
        "incoming:1",
        "incoming:6",
    ]
    assert keys(search(backend, "chuyen doi so", viewer=SUPERUSER, sort="date_desc")) == [
        "incoming:6",
        "incoming:1",
    ]


def test_filters(backend):
    assert keys(search(backend, "", doc_types=("Nghị định",))) == ["incoming:2"]
    assert keys(search(backend, "", years=(2025,))) == ["incoming:3"]
    assert keys(search(backend, "", issuers=("Tỉnh ủy Tây Ninh",))) == ["incoming:3"]
    assert keys(search(backend, "", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))) == ["incoming:3"]
    assert keys(search(backend, "", viewer=SUPERUSER, unit_ids=(2,))) == ["incoming:6"]
    assert keys(search(backend, "", viewer=OFFICE_CLEARED, secrecy=("Tối mật",))) == ["incoming:5"]
    assert search(backend, "", statuses=("done",)).total == 0
    assert keys(search(backend, "", kinds=("outgoing",))) == []


def test_facets_count_the_matches(backend):
    facets = search(backend, "", viewer=OFFICE_CLEARED).facets
    types = {f.value: f.count for f in facets["doc_type"]}
    assert types == {"Nghị quyết": 1, "Nghị định": 1, "Kế hoạch": 1, "Báo cáo": 1, "Phương án": 1}
    assert {f.value: f.count for f in facets["year"]} == {"2024": 1, "2020": 1, "2025": 1, "2026": 2}
    secrecy = {f.label: f.count for f in facets["secrecy"]}
    assert secrecy == {"Không mật": 4, "Tối mật": 1}
    units = {f.value: (f.label, f.count) for f in facets["unit"]}
    assert units == {"1": ("Văn phòng Tỉnh ủy", 5)}


def test_paging(backend):
    first = search(backend, "", limit=2)
    second = search(backend, "", limit=2, offset=2)
    assert first.total == second.total == 4
    assert keys(first) + keys(second) == ["incoming:4", "incoming:3", "incoming:1", "incoming:2"]


# --- security trimming ------------------------------------------------------------------------------------------


def test_without_clearance_a_secret_document_is_invisible_everywhere(backend):
    """Not in hits, not in the count, not in facets, not in suggestions, not among similar documents."""
    for text in ["xăngđầu", "xangdau", "phuong an bao ve", "07-PA/TU", ""]:
        result = search(backend, text, viewer=OFFICE)
        assert "incoming:5" not in keys(result)
        assert all(f.label != "Tối mật" for f in result.facets.get("secrecy", []))
        assert all(f.value != "Phương án" for f in result.facets.get("doc_type", []))
    assert search(backend, "xangdau", viewer=OFFICE).total == 0
    assert backend.suggest("xangd", OFFICE) == []
    assert all(h.key != "incoming:5" for h in backend.similar("incoming:3", OFFICE))
    assert backend.similar("incoming:5", OFFICE) == []


def test_clearance_opens_the_secret_document(backend):
    assert keys(search(backend, "xangdau", viewer=OFFICE_CLEARED)) == ["incoming:5"]


def test_clearance_alone_is_not_need_to_know(backend):
    assert search(backend, "", viewer=OUTSIDER).total == 0
    assert search(backend, "chuyen doi so", viewer=OUTSIDER).facets.get("doc_type", []) == []
    assert backend.suggest("chuyen", OUTSIDER) == []


def test_a_personal_grant_opens_one_document(backend):
    person = Viewer(frozenset({"u:7"}), clearance=0)
    assert keys(search(backend, "", viewer=person)) == ["incoming:6"]


def test_superuser_sees_everything(backend):
    assert search(backend, "", viewer=SUPERUSER).total == 6


# --- similar, suggest, writes -----------------------------------------------------------------------------------


def test_similar_documents(backend):
    hits = backend.similar("incoming:1", SUPERUSER)
    assert hits and hits[0].key == "incoming:6"
    assert all(h.key != "incoming:1" for h in hits)
    assert backend.similar("incoming:6", OFFICE) == []  # the office may not read 6 itself


def test_suggest_completes_the_last_word(backend):
    hits = backend.suggest("chuyen d", OFFICE)
    assert [h.key for h in hits] == ["incoming:1"]


def test_reindexing_a_key_replaces_it_and_delete_removes_it(backend):
    backend.index([rec(1, "Tiêu đề mới hoàn toàn", "", number_symbol="57-NQ/TW")])
    assert keys(search(backend, "tieu de moi")) == ["incoming:1"]
    assert search(backend, "doi moi sang tao").total == 0
    assert backend.delete(["incoming:1"]) == 1
    assert search(backend, "57-NQ/TW").total == 0
    fps = dict(backend.fingerprints())
    assert "incoming:1" not in fps and fps["incoming:2"] == CORPUS[1].fingerprint()
    assert backend.stats().documents == 5


def test_tantivy_index_of_an_older_layout_is_refused_then_recreated(tmp_path):
    from vanphong.search.backends.tantivy import TantivyBackend

    path = tmp_path / "old"
    TantivyBackend(path=path).index(CORPUS[:2])
    (path / "vanphong-schema").write_text("0")
    stale = TantivyBackend(path=path)
    with pytest.raises(SearchUnavailable, match="reindex --recreate"):
        stale.search(SearchQuery(text="van thu"), SUPERUSER)
    stale.clear()
    stale.index(CORPUS)
    assert stale.search(SearchQuery(), SUPERUSER).total == len(CORPUS)
