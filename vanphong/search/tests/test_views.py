"""The search pages: results with highlights, facets, filters, sort and pages; the jump to a typed number;
suggestions and similar documents; saved searches; an unreadable index; and, above all, that a record the user
may not read never shows — not its title, snippet, number, count nor facet value.

Records go straight into the in-memory index; a stand-in source gives each user the token of their unit
(``t:<unit id>``), so these tests do not depend on how the registry's source spells its tokens.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from vanphong.accounts.models import Clearance, Role
from vanphong.search import sources
from vanphong.search.backends import get_backend
from vanphong.search.backends.fake import FakeBackend
from vanphong.search.base import SearchQuery, SearchRecord, SearchResult, SearchUnavailable, Viewer
from vanphong.search.models import SavedSearch
from vanphong.search.sources import Source
from vanphong.testing.factories import login, make_province, make_unit, make_user

pytestmark = pytest.mark.django_db

URL = "/tim-kiem/"
NQ57_TITLE = "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
SECRET_TITLE = "Phương án bảo đảm an toàn mạng lưới chuyển đổi số bí danh Xuyên Sơn"
SECRET_NUMBER = "09-PA/QS"
SECRET_ISSUER = "Bộ Chỉ huy Quân sự tỉnh"
SECRET_WORDS = (
    "Xuyên Sơn",
    "Xuyen Son",
    SECRET_NUMBER,
    SECRET_ISSUER,
    "Phương án",
    "incoming:4",
    "/van-ban/den/4/",
)
FILLERS = 25


def rec(n: int, title: str, unit_id: int, **kw) -> SearchRecord:
    defaults = {
        "key": f"incoming:{n}", "kind": "incoming", "kind_label": "Văn bản đến", "object_id": n,
        "url": f"/van-ban/den/{n}/", "title": title, "unit_id": unit_id, "unit_label": "Văn phòng Tỉnh ủy",
        "doc_date": date(2026, 1, 1), "status": "registered", "status_label": "Đã vào sổ",
        "acl": frozenset({f"t:{unit_id}"}),
    }  # fmt: skip
    defaults.update(kw)
    return SearchRecord(**defaults)


def corpus(office_id: int, other_id: int) -> list[SearchRecord]:
    """NQ 57, NĐ 30, a plan of the office (outgoing), a Mật plan of the office, a notice of another unit, and
    25 monthly reports (for pages)."""
    records = [
        rec(1, NQ57_TITLE, office_id, body="Nghị quyết số 57-NQ/TW của Bộ Chính trị. Chuyển đổi số là yêu cầu tất yếu.",
            number_symbol="57-NQ/TW", doc_type="Nghị quyết", issuer="Bộ Chính trị", doc_date=date(2024, 12, 22)),
        rec(2, "Quy định công tác văn thư", office_id, body="Nghị định số 30/2020/NĐ-CP về công tác văn thư.",
            number_symbol="30/2020/NĐ-CP", doc_type="Nghị định", issuer="Chính phủ", doc_date=date(2020, 3, 5)),
        rec(3, "Kế hoạch triển khai chuyển đổi số năm 2025", office_id, key="outgoing:3", kind="outgoing",
            kind_label="Văn bản đi", url="/van-ban/di/3/", number_symbol="15-KH/TU", doc_type="Kế hoạch",
            issuer="Tỉnh ủy Tây Ninh", doc_date=date(2025, 2, 10), status="issued", status_label="Đã phát hành"),
        rec(4, SECRET_TITLE, office_id, body="Nội dung mật: Xuyên Sơn, chuyển đổi số, nghị quyết 57.",
            number_symbol=SECRET_NUMBER, doc_type="Phương án", issuer=SECRET_ISSUER, doc_date=date(2025, 12, 1),
            secrecy_rank=Clearance.MAT, secrecy_label="Mật"),
        rec(5, "Thông báo kết luận về chuyển đổi số cấp xã", other_id, number_symbol="40-TB/BTC",
            doc_type="Thông báo", issuer="Ban Tổ chức", unit_label="Ban Tổ chức Tỉnh ủy", doc_date=date(2025, 6, 1)),
    ]  # fmt: skip
    records += [
        rec(100 + i, f"Công văn về việc báo cáo số liệu tháng {i}", office_id, number_symbol=f"{100 + i}-CV/VPTU",
            doc_type="Công văn", issuer="Văn phòng Tỉnh ủy", doc_date=date(2023, 1, 1).replace(day=i))
        for i in range(1, FILLERS + 1)
    ]  # fmt: skip
    return records


@pytest.fixture
def province(db):
    return make_province("Tỉnh ủy Tây Ninh")


@pytest.fixture
def office(province):
    return make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")


@pytest.fixture
def other_unit(province):
    return make_unit(province, "Ban Tổ chức Tỉnh ủy", short_name="BTCTU")


@pytest.fixture
def reader(office):
    """A chuyên viên of the office without clearance."""
    return make_user(office, roles=[Role.SPECIALIST], full_name="Nguyễn Văn Đọc")


@pytest.fixture
def cleared(office):
    return make_user(office, roles=[Role.SPECIALIST], full_name="Trần Thị Mật", clearance=Clearance.MAT)


@pytest.fixture
def index(monkeypatch, office, other_unit):
    """The in-memory index holding the corpus; each user holds the token of their own unit."""
    monkeypatch.setitem(
        sources._SOURCES,
        "searchtest",
        Source(kind="searchtest", label="Thử", ids=list, records=lambda ids: [],
               principals=lambda user: {f"t:{user.unit_id}"}),
    )  # fmt: skip
    backend = get_backend()
    backend.clear()
    backend.index(corpus(office.pk, other_unit.pk))
    yield backend
    backend.clear()


@pytest.fixture
def as_reader(client: Client, reader, index) -> Client:
    return login(client, reader)


def _keys(response) -> list[str]:
    return [h.key for h in response.context["hits"]]


def _qs(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [URL, URL + "goi-y/?q=nghi", URL + "tuong-tu/incoming:1/", URL + "da-luu/"])
def test_anonymous_is_sent_to_login(client, index, path):
    response = client.get(path)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_save_and_delete_need_a_login(client, index, reader):
    saved = SavedSearch.objects.create(user=reader, name="Của tôi", query_string="q=a")
    assert client.post(URL + "da-luu/luu/", {"name": "x", "query_string": "q=a"}).status_code == 302
    assert client.post(URL + f"da-luu/{saved.pk}/xoa/").status_code == 302
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Của tôi"]


# --- results ------------------------------------------------------------------------------------------------


def test_results_show_the_hit_with_highlights_metadata_and_total(as_reader):
    response = as_reader.get(URL, {"q": "nghị quyết 57"})
    assert response.status_code == 200
    assert _keys(response)[0] == "incoming:1"
    html = response.content.decode()
    assert "Tìm thấy <strong>1</strong> văn bản" in html
    assert "<mark>Nghị</mark> <mark>quyết</mark>" in html  # snippet, marked, not escaped twice
    for text in ("57-NQ/TW", "Nghị quyết", "Bộ Chính trị", "22/12/2024", "Văn phòng Tỉnh ủy", "Đã vào sổ"):
        assert text in html
    assert 'href="/van-ban/den/1/"' in html
    assert "giây" in html  # took_ms


def test_query_without_diacritics_finds_and_marks_the_accented_title(as_reader):
    response = as_reader.get(URL, {"q": "chuyen doi so quoc"})
    assert _keys(response) == ["incoming:1"]
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark> <mark>quốc</mark> gia" in (
        response.content.decode()
    )


def test_title_from_the_index_is_escaped(as_reader, index, office):
    index.index([rec(50, "Về <script>alert(1)</script> chuyển đổi", office.pk, doc_date=date(2026, 2, 1))])
    html = as_reader.get(URL, {"q": "alert"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_empty_query_lists_everything_readable_newest_first_with_pages_of_20(as_reader):
    response = as_reader.get(URL)
    result = response.context["result"]
    assert (
        result.total == 3 + FILLERS
    )  # NQ 57, NĐ 30, KH 15 and the reports: not the Mật plan, not the other unit
    assert len(response.context["hits"]) == 20
    dates = [h.doc_date for h in response.context["hits"]]
    assert dates == sorted(dates, reverse=True)
    pager = response.context["pager"]
    assert pager.pages == 2 and not pager.prev_url and _qs(pager.next_url)["page"] == ["2"]
    page2 = as_reader.get(URL + pager.next_url)
    assert len(page2.context["hits"]) == 3 + FILLERS - 20
    assert "Trang 2/2" in page2.content.decode()
    assert not set(_keys(response)) & set(_keys(page2))
    assert 'start="21"' in page2.content.decode()


def test_sort_by_date_both_ways(as_reader):
    newest = as_reader.get(URL, {"q": "chuyen doi so", "sort": "date_desc"})
    oldest = as_reader.get(URL, {"q": "chuyen doi so", "sort": "date_asc"})
    assert _keys(newest) == ["outgoing:3", "incoming:1"]
    assert _keys(oldest) == ["incoming:1", "outgoing:3"]
    assert '<option value="date_asc" selected>Cũ nhất</option>' in oldest.content.decode()


def test_facets_are_checkable_links_with_counts_that_keep_the_other_parameters(as_reader):
    response = as_reader.get(URL, {"q": "van", "sort": "date_asc", "kind": "incoming"})
    groups = {g.name: g for g in response.context["groups"]}
    assert list(groups) == ["kind", "doc_type", "issuer", "year"]  # in the page's order
    assert [g.label for g in response.context["groups"]] == [
        "Loại",
        "Loại văn bản",
        "Cơ quan ban hành",
        "Năm",
    ]
    cong_van = next(v for v in groups["doc_type"].values if v.label == "Công văn")
    assert cong_van.count == FILLERS and not cong_van.checked
    assert _qs(cong_van.url) == {
        "q": ["van"],
        "kind": ["incoming"],
        "doc_type": ["Công văn"],
        "sort": ["date_asc"],
    }
    kind = groups["kind"].values[0]
    assert kind.label == "Văn bản đến" and kind.checked
    assert _qs(kind.url) == {"q": ["van"], "sort": ["date_asc"]}  # unchecking keeps the rest
    assert [v.value for v in groups["year"].values] == ["2023", "2020"]  # years newest first
    html = response.content.decode()
    assert 'role="checkbox" aria-checked="true"' in html
    assert f'Công văn</span><span class="facet-count">{FILLERS}</span>' in html


def test_a_facet_every_hit_shares_is_left_out(as_reader):
    response = as_reader.get(URL, {"q": "bao cao so lieu"})
    assert response.context["result"].total == FILLERS
    assert response.context["groups"] == []  # 25 Công văn of the office, all from January 2023, none secret


def test_filters_narrow_and_show_as_removable_chips(as_reader):
    response = as_reader.get(URL, {"kind": "outgoing"})
    assert _keys(response) == ["outgoing:3"]
    response = as_reader.get(
        URL, {"q": "chuyen doi so", "doc_type": ["Nghị quyết", "Kế hoạch"], "year": "2024"}
    )
    assert _keys(response) == ["incoming:1"]
    chips = {c.label: c.url for c in response.context["chips"]}
    assert set(chips) == {"Loại văn bản: Nghị quyết", "Loại văn bản: Kế hoạch", "Năm: 2024"}
    assert _qs(chips["Năm: 2024"]) == {"q": ["chuyen doi so"], "doc_type": ["Nghị quyết", "Kế hoạch"]}
    assert "Bỏ tất cả bộ lọc" in response.content.decode()
    # the main box keeps the filters when the words change
    assert '<input type="hidden" name="doc_type" value="Nghị quyết">' in response.content.decode()


def test_unit_and_secrecy_and_status_filters(as_reader, office, other_unit):
    assert as_reader.get(URL, {"unit": office.pk}).context["result"].total == 3 + FILLERS
    assert _keys(as_reader.get(URL, {"unit": other_unit.pk})) == []  # not readable: nothing, not an error
    response = as_reader.get(URL, {"unit": other_unit.pk})
    assert "Đơn vị: Ban Tổ chức Tỉnh ủy" in [
        c.label for c in response.context["chips"]
    ]  # named from the database
    assert as_reader.get(URL, {"secrecy": "khong-mat"}).context["result"].total == 3 + FILLERS
    assert _keys(as_reader.get(URL, {"status": "issued"})) == ["outgoing:3"]
    assert (
        as_reader.get(URL, {"unit": "abc", "year": "x"}).status_code == 200
    )  # a hand-made link never breaks


def test_date_range_accepts_vietnamese_dates_and_reports_a_wrong_one(as_reader):
    response = as_reader.get(URL, {"date_from": "01/12/2024", "date_to": "31-12-2024"})
    assert _keys(response) == ["incoming:1"]
    assert {c.label for c in response.context["chips"]} == {"Từ ngày 01/12/2024", "Đến ngày 31/12/2024"}
    response = as_reader.get(URL, {"q": "quy dinh", "date_from": "31/02/2024"})
    assert response.status_code == 200 and _keys(response) == ["incoming:2"]  # the wrong date is left out
    assert "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm" in response.content.decode()
    response = as_reader.get(URL, {"date_from": "01/01/2026", "date_to": "01/01/2025"})
    assert "“Đến ngày” phải sau “Từ ngày”." in response.content.decode()


def test_empty_state_suggests_typing_without_diacritics_and_checking_spelling(as_reader):
    response = as_reader.get(URL, {"q": "khongcogi", "year": "2024"})
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["hits"]
    assert "Gõ <strong>không dấu</strong> cũng được" in html and "chính tả" in html
    assert "tìm lại không kèm bộ lọc" in html


def test_total_uses_vietnamese_thousands_and_says_more_than_when_not_exact(as_reader, monkeypatch, index):
    hits = index.search(SearchQuery(text="57-NQ/TW"), Viewer(None, 0)).hits
    fake = SearchResult(total=12345, hits=hits[:1], total_exact=False, took_ms=23.0)
    monkeypatch.setattr("vanphong.search.views.search_documents", lambda user, query: fake)
    html = as_reader.get(URL, {"q": "57"}).content.decode()
    assert "Tìm thấy hơn <strong>12.345</strong> văn bản" in html and "0,02 giây" in html


# --- number lookup ----------------------------------------------------------------------------------------


def test_a_typed_document_number_opens_the_document(as_reader):
    response = as_reader.get(URL, {"q": "57-NQ/TW"})
    assert response.status_code == 302 and response["Location"] == "/van-ban/den/1/"
    assert as_reader.get(URL, {"q": " 57-nq/tw "})["Location"] == "/van-ban/den/1/"


def test_number_lookup_can_be_skipped_and_does_not_apply_with_filters(as_reader):
    assert _keys(as_reader.get(URL, {"q": "57-NQ/TW", "list": "1"})) == ["incoming:1"]
    assert as_reader.get(URL, {"q": "57-NQ/TW", "year": "2024"}).status_code == 200
    assert as_reader.get(URL, {"q": "nghi quyet 57"}).status_code == 200  # words, not just a number


# --- security trimming ------------------------------------------------------------------------------------


def _assert_no_secret(html: str) -> None:
    for word in SECRET_WORDS:
        assert word not in html, word


def _no_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", html)


def test_a_record_above_clearance_never_shows_in_the_page(as_reader, client, cleared):
    response = as_reader.get(URL, {"q": "chuyen doi so"})
    assert response.context["result"].total == 2  # NQ 57 and KH 15; not the Mật plan
    html = response.content.decode()
    _assert_no_secret(html)
    assert "Mật</span>" not in html  # no secrecy facet value, no badge
    secrecy = next((g for g in response.context["groups"] if g.name == "secrecy"), None)
    assert secrecy is None or [v.label for v in secrecy.values] == ["Không mật"]
    _assert_no_secret(as_reader.get(URL).content.decode())
    _assert_no_secret(as_reader.get(URL, {"q": "xuyen son"}).content.decode())
    number = as_reader.get(URL, {"q": SECRET_NUMBER})
    assert number.status_code == 200 and not number.context["hits"]
    unknown = as_reader.get(URL, {"q": "08-PA/QS"}).content.decode()  # a number nobody has
    assert _no_tokens(
        number.content.decode().replace(SECRET_NUMBER, "08-PA/QS").replace("09-PA%2FQS", "08-PA%2FQS")
    ) == _no_tokens(unknown)
    _assert_no_secret(as_reader.get(URL, {"secrecy": "Mật"}).content.decode().replace("Độ mật: Mật", ""))
    # the same pages for a cleared colleague do show it (the test would catch a leak)
    login(client, cleared)
    response = client.get(URL, {"q": "chuyen doi so"})
    assert response.context["result"].total == 3 and "Xuyên Sơn" in response.content.decode()
    assert client.get(URL, {"q": SECRET_NUMBER})["Location"] == "/van-ban/den/4/"


def test_a_record_above_clearance_never_shows_in_suggestions_or_similar(as_reader, client, cleared):
    hx = {"HTTP_HX_REQUEST": "true"}
    html = as_reader.get(URL + "goi-y/", {"q": "xuyen"}, **hx).content.decode()
    _assert_no_secret(html)
    _assert_no_secret(as_reader.get(URL + "goi-y/", {"q": "09-pa"}, **hx).content.decode())
    _assert_no_secret(as_reader.get(URL + "tuong-tu/incoming:1/").content.decode())
    assert as_reader.get(URL + "tuong-tu/incoming:4/").content == b""  # its neighbours do not leak it either
    login(client, cleared)
    assert "Xuyên Sơn" in client.get(URL + "goi-y/", {"q": "xuyen"}, **hx).content.decode()
    assert "/van-ban/den/4/" in client.get(URL + "tuong-tu/incoming:1/").content.decode()


def test_another_units_record_never_shows(as_reader):
    html = as_reader.get(URL, {"q": "chuyen doi so"}).content.decode()
    assert "40-TB/BTC" not in html and "Ban Tổ chức" not in html


# --- suggestions and similar --------------------------------------------------------------------------------


def test_suggestions_partial_lists_titles_with_numbers_and_a_link_to_all_results(as_reader):
    response = as_reader.get(URL + "goi-y/", {"q": "dot pha phat tr"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert '<a href="/van-ban/den/1/"><span class="suggest-number">57-NQ/TW</span>' in html
    assert 'href="/tim-kiem/?q=dot+pha+phat+tr"' in html
    assert as_reader.get(URL + "goi-y/", {"q": "n"}, HTTP_HX_REQUEST="true").content == b""


def test_suggestions_list_at_most_eight(as_reader):
    html = as_reader.get(URL + "goi-y/", {"q": "cong van"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="suggest-number"') == 8


def test_suggestions_without_htmx_go_to_the_results_page(as_reader):
    response = as_reader.get(URL + "goi-y/", {"q": "nghi quyet"})
    assert response.status_code == 302 and response["Location"] == "/tim-kiem/?q=nghi+quyet"


def test_similar_partial_lists_neighbours_and_is_empty_for_unknown_keys(as_reader):
    html = as_reader.get(URL + "tuong-tu/incoming:1/").content.decode()
    assert "Văn bản tương tự" in html and "/van-ban/di/3/" in html and "/van-ban/den/1/" not in html
    assert as_reader.get(URL + "tuong-tu/incoming:99999/").content == b""
    assert as_reader.get("/tim-kiem/tuong-tu/bad key/").status_code == 404


# --- header box ---------------------------------------------------------------------------------------------


def test_header_box_on_every_page_for_logged_in_users_only(client, reader, index):
    assert 'class="header-search"' not in client.get("/tai-khoan/dang-nhap/").content.decode()
    login(client, reader)
    html = client.get("/").content.decode()
    assert 'action="/tim-kiem/"' in html and 'name="q"' in html
    assert "Tìm văn bản, số ký hiệu… (gõ không dấu cũng được)" in html
    assert 'hx-get="/tim-kiem/goi-y/"' in html


# --- saved searches ------------------------------------------------------------------------------------------


def test_save_a_search_run_it_and_refuse_a_duplicate_name(as_reader, reader):
    response = as_reader.post(
        URL + "da-luu/luu/",
        {
            "name": "  Nghị quyết   mới ",
            "query_string": "q=nghi+quyet&doc_type=Ngh%E1%BB%8B+quy%E1%BA%BFt&page=3&evil=1",
        },
    )
    assert (
        response.status_code == 302
        and response["Location"] == "/tim-kiem/?q=nghi+quyet&doc_type=Ngh%E1%BB%8B+quy%E1%BA%BFt"
    )
    saved = SavedSearch.objects.get(user=reader)
    assert (
        saved.name == "Nghị quyết mới"
        and "page" not in saved.query_string
        and "evil" not in saved.query_string
    )
    page = as_reader.get(response["Location"]).content.decode()
    assert "Đã lưu tìm kiếm “Nghị quyết mới”" in page
    assert "Nghị quyết mới</a>" in page  # listed beside the results
    again = as_reader.post(
        URL + "da-luu/luu/", {"name": "nghị quyết mới", "query_string": "q=khac"}, follow=True
    )
    assert "Bạn đã có tìm kiếm đã lưu tên “nghị quyết mới”; hãy chọn tên khác." in again.content.decode()
    assert SavedSearch.objects.filter(user=reader).count() == 1
    empty = as_reader.post(URL + "da-luu/luu/", {"name": "", "query_string": "q=a"}, follow=True)
    assert "Cần đặt tên cho tìm kiếm cần lưu." in empty.content.decode()


def test_saved_list_runs_and_deletes_own_searches_only(
    as_reader, reader, office, django_assert_max_num_queries
):
    mine = SavedSearch.objects.create(
        user=reader,
        name="Chuyển đổi số",
        query_string="q=chuyen+doi+so&year=2024&secrecy=khong-mat&status=issued",
    )
    SavedSearch.objects.create(user=reader, name="Văn bản đi", query_string="kind=outgoing&sort=date_asc")
    someone = make_user(office)
    theirs = SavedSearch.objects.create(user=someone, name="Của người khác", query_string="q=x")
    with django_assert_max_num_queries(12):
        response = as_reader.get(URL + "da-luu/")
    html = response.content.decode()
    assert "Chuyển đổi số" in html and "Của người khác" not in html
    assert "“chuyen doi so” · Năm: 2024 · Độ mật: Không mật · Trạng thái: Đã phát hành" in html
    assert "Loại: Văn bản đi · xếp theo cũ nhất" in html
    assert 'href="/tim-kiem/?q=chuyen+doi+so&amp;year=2024&amp;secrecy=khong-mat&amp;status=issued"' in html
    assert as_reader.post(URL + f"da-luu/{theirs.pk}/xoa/").status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()
    response = as_reader.post(URL + f"da-luu/{mine.pk}/xoa/", follow=True)
    assert "Đã xóa tìm kiếm đã lưu." in response.content.decode()
    assert list(SavedSearch.objects.filter(user=reader).values_list("name", flat=True)) == ["Văn bản đi"]
    assert as_reader.get(URL + f"da-luu/{mine.pk}/xoa/").status_code == 405


# --- an unreadable index ------------------------------------------------------------------------------------


@pytest.fixture
def broken_index(monkeypatch, index):
    def unavailable(*args, **kwargs):
        raise SearchUnavailable("index missing")

    for method in ("search", "similar", "suggest"):
        monkeypatch.setattr(FakeBackend, method, unavailable)


def test_unreadable_index_answers_503_with_a_vietnamese_message(as_reader, broken_index):
    response = as_reader.get(URL, {"q": "nghi quyet"})
    html = response.content.decode()
    assert response.status_code == 503
    assert "Chỉ mục tìm kiếm chưa sẵn sàng" in html and "vanphong search reindex" in html
    assert 'class="header-search"' in html and "Văn phòng số" in html  # the rest of the page still works
    assert as_reader.get(URL, {"q": "57-NQ/TW"}).status_code == 503  # the number jump too
    assert (
        "chưa sẵn sàng" in as_reader.get(URL + "goi-y/", {"q": "ng"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert as_reader.get(URL + "tuong-tu/incoming:1/").content == b""
    assert as_reader.get("/").status_code == 200


# --- query count ---------------------------------------------------------------------------------------------


def test_results_page_query_count_does_not_grow_with_hits(as_reader, reader, django_assert_max_num_queries):
    """Session, user, roles for the navigation and the index's principals, bell, saved searches: the hits
    themselves come from the index and cost no query."""
    SavedSearch.objects.create(user=reader, name="Một", query_string="q=a")
    with django_assert_max_num_queries(12) as few:
        as_reader.get(URL, {"q": "cong van"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_reader.get(URL, {"q": "cong van", "page": 2})


def test_facet_urls_carry_no_page(as_reader):
    response = as_reader.get(URL, {"q": "cong van", "page": 2})
    for g in response.context["groups"]:
        for v in g.values:
            assert "page" not in _qs(v.url), v.url
    assert not any(re.search(r"[?&]page=", c.url) for c in response.context["chips"])
