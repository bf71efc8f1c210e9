"""REST: ``/api/search/`` with the results page's parameters, ``/similar/{key}``, ``/suggest``; the same
trimming as the pages, the project's error shape, and 503 when the index cannot be read."""

from __future__ import annotations

import json

import pytest

from vanphong.accounts.models import Clearance, Role
from vanphong.search import sources
from vanphong.search.backends import get_backend
from vanphong.search.backends.fake import FakeBackend
from vanphong.search.base import SearchUnavailable
from vanphong.search.sources import Source
from vanphong.search.tests.test_views import FILLERS, NQ57_TITLE, SECRET_WORDS, corpus
from vanphong.testing.factories import login, make_province, make_unit, make_user

pytestmark = pytest.mark.django_db

API = "/api/search/"


@pytest.fixture
def office(db):
    return make_unit(make_province("Tỉnh ủy Tây Ninh"), "Văn phòng Tỉnh ủy", short_name="VPTU")


@pytest.fixture
def index(monkeypatch, office):
    """The in-memory index with the pages' corpus; each user holds the token of their own unit."""
    other = make_unit(office.parent, "Ban Tổ chức Tỉnh ủy")
    monkeypatch.setitem(
        sources._SOURCES,
        "searchtest",
        Source(kind="searchtest", label="Thử", ids=list, records=lambda ids: [],
               principals=lambda user: {f"t:{user.unit_id}"}),
    )  # fmt: skip
    backend = get_backend()
    backend.clear()
    backend.index(corpus(office.pk, other.pk))
    yield backend
    backend.clear()


@pytest.fixture
def reader(office):
    return make_user(office, roles=[Role.SPECIALIST])


@pytest.fixture
def api(client, reader, index):
    return login(client, reader)


def test_api_needs_a_session(client, index):
    for path in (API, API + "similar/incoming:1", API + "suggest?q=nghi"):
        assert client.get(path).status_code == 401


def test_search_returns_hits_total_and_facets(api):
    body = api.get(API, {"q": "nghi quyet 57"}).json()
    assert body["total"] == 1 and body["total_exact"] is True and body["took_ms"] >= 0
    assert body["page"] == 1 and body["page_size"] == 20
    hit = body["hits"][0]
    assert hit["key"] == "incoming:1" and hit["title"] == NQ57_TITLE and hit["number_symbol"] == "57-NQ/TW"
    assert (
        hit["url"] == "/van-ban/den/1/"
        and hit["doc_date"] == "2024-12-22"
        and hit["issuer"] == "Bộ Chính trị"
    )
    assert "<mark>Nghị</mark> <mark>quyết</mark>" in hit["snippet_html"]
    assert body["facets"]["doc_type"] == [{"value": "Nghị quyết", "label": "Nghị quyết", "count": 1}]
    assert body["facets"]["secrecy"] == [{"value": "khong-mat", "label": "Không mật", "count": 1}]


def test_search_takes_the_pages_parameters(api):
    body = api.get(API, {"doc_type": "Công văn", "sort": "date_asc", "page": 2, "page_size": 10}).json()
    assert body["total"] == FILLERS and len(body["hits"]) == 10
    dates = [h["doc_date"] for h in body["hits"]]
    assert dates == sorted(dates) and dates[0] == "2023-01-11"
    body = api.get(
        API, {"q": "chuyen doi so", "kind": ["incoming", "outgoing"], "secrecy": "khong-mat"}
    ).json()
    assert {h["key"] for h in body["hits"]} == {"incoming:1", "outgoing:3"}
    body = api.get(API, {"date_from": "01/12/2024", "date_to": "31/12/2024"}).json()
    assert [h["key"] for h in body["hits"]] == ["incoming:1"]


def test_a_wrong_date_is_a_vietnamese_400(api):
    response = api.get(API, {"date_from": "32/01/2025"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026.",
    }


def test_records_above_clearance_never_show_in_the_api(api, client, office):
    for response in (
        api.get(API, {"q": "chuyen doi so"}),
        api.get(API),
        api.get(API, {"q": "xuyen son"}),
        api.get(API, {"q": "09-PA/QS"}),
        api.get(API, {"secrecy": "Mật"}),
        api.get(API + "similar/incoming:1"),
        api.get(API + "similar/incoming:4"),
        api.get(API + "suggest", {"q": "xuyen"}),
        api.get(API + "suggest", {"q": "09-pa"}),
    ):
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        for word in SECRET_WORDS:
            assert word not in text, (response.request["PATH_INFO"], word)
    assert api.get(API, {"q": "chuyen doi so"}).json()["total"] == 2
    assert api.get(API + "similar/incoming:4").json() == []
    # a cleared colleague does see it: the checks above would catch a leak
    login(client, make_user(office, clearance=Clearance.MAT))
    assert client.get(API, {"q": "chuyen doi so"}).json()["total"] == 3
    assert [h["key"] for h in client.get(API + "suggest", {"q": "xuyen"}).json()] == ["incoming:4"]


def test_similar_and_suggest(api):
    similar = api.get(API + "similar/incoming:1").json()
    assert "outgoing:3" in [h["key"] for h in similar] and "incoming:1" not in [h["key"] for h in similar]
    assert len(api.get(API + "suggest", {"q": "cong van"}).json()) == 8
    assert api.get(API + "suggest", {"q": "c"}).json() == []
    response = api.get(API + "similar/nonsense")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_unreadable_index_is_a_503_with_the_error_shape(api, monkeypatch):
    def unavailable(*args, **kwargs):
        raise SearchUnavailable("index missing")

    for method in ("search", "similar", "suggest"):
        monkeypatch.setattr(FakeBackend, method, unavailable)
    for path in (API + "?q=nghi", API + "similar/incoming:1", API + "suggest?q=nghi"):
        response = api.get(path)
        assert response.status_code == 503
        assert response.json()["code"] == "search_unavailable"
        assert "vanphong search reindex" in response.json()["message"]


def test_openapi_lists_the_search_routes(api):
    paths = set(api.get("/api/openapi.json").json()["paths"])
    assert {"/api/search/", "/api/search/similar/{key}", "/api/search/suggest"} <= paths
