"""Catalogue pages: everyone logged in reads, only quản trị edits; the working-day page computes and explains
bad input in Vietnamese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanphong.catalogs.models import DocumentType, NumberBook
from vanphong.catalogs.selectors import CATALOGS
from vanphong.core.models import AuditRecord
from vanphong.testing.factories import login

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("catalogs:index"))
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


def test_index_lists_catalogues_with_counts(client, clerk):
    """The index names every catalogue and shows where its rules come from."""
    login(client, clerk)
    r = client.get(reverse("catalogs:index"))
    body = r.content.decode()
    assert r.status_code == 200
    for label in [
        "Thể loại văn bản",
        "Độ khẩn",
        "Độ mật",
        "Thời hạn bảo quản",
        "Ngày nghỉ lễ, tết",
        "Nhiệm kỳ",
        "Sổ văn bản",
        "Thẩm quyền ban hành",
    ]:
        assert label in body
    assert "Bộ luật Lao động 2019" in body


def test_list_shows_source_column_and_no_edit_link_for_clerk(client, clerk, django_assert_max_num_queries):
    """A clerk sees the table with the legal source but no add/edit links; the query count stays flat."""
    login(client, clerk)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("catalogs:list", args=["the-loai"]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Căn cứ pháp lý" in body and "NĐ 30/2020/NĐ-CP Phụ lục III" in body
    assert "Thêm mục" not in body and "/sua/" not in body


def test_number_book_list_query_count(client, admin, province, django_assert_max_num_queries):
    """The number book list prefetches its types (no query per row)."""
    nq = DocumentType.objects.get(code="nghi-quyet")
    for i in range(5):
        b = NumberBook.objects.create(name=f"Sổ {i}", unit=province, source="Thử [U]")
        b.document_types.set([nq])
    login(client, admin)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("catalogs:list", args=["so-van-ban"]))
    assert r.status_code == 200 and "Sổ 4" in r.content.decode()


def test_unknown_catalogue_is_404(client, clerk):
    login(client, clerk)
    assert client.get(reverse("catalogs:list", args=["khong-co"])).status_code == 404


def test_clerk_cannot_open_or_post_edit(client, clerk):
    """Editing is invisible to non-admins: 404 on GET and POST, nothing changes."""
    login(client, clerk)
    dt = DocumentType.objects.get(code="nghi-quyet")
    url = reverse("catalogs:edit", args=["the-loai", dt.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Sửa trái phép"}).status_code == 404
    assert client.get(reverse("catalogs:create", args=["the-loai"])).status_code == 404
    dt.refresh_from_db()
    assert dt.name == "Nghị quyết"


def test_admin_edits_through_the_form(client, admin):
    """An admin changes an abbreviation; the change is saved and audited."""
    login(client, admin)
    dt = DocumentType.objects.get(code="thong-tri")
    url = reverse("catalogs:edit", args=["the-loai", dt.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "source": dt.source,
            "active": "on",
            "code": dt.code,
            "name": dt.name,
            "party_abbr": "TTri",
            "state_abbr": "",
            "rank": dt.rank,
        },
    )
    assert r.status_code == 302, r.content.decode()
    dt.refresh_from_db()
    assert dt.party_abbr == "TTri"
    assert AuditRecord.objects.filter(action="catalogs.documenttype.update", actor_id=admin.pk).exists()


def test_admin_creates_calendar_exception_with_bad_date(client, admin):
    """A bad date in the form is explained in Vietnamese, not a stack trace."""
    login(client, admin)
    r = client.post(
        reverse("catalogs:create", args=["hoan-doi"]),
        {"date": "31/02/2026", "kind": "off", "name": "Thử", "source": "Thử [U]", "active": "on"},
    )
    assert r.status_code == 200
    assert "Ngày không hợp lệ" in r.content.decode()


def test_admin_term_overlap_shown_in_form(client, admin, province):
    """Overlapping terms are refused with a message on the form."""
    login(client, admin)
    url = reverse("catalogs:create", args=["nhiem-ky"])
    data = {
        "unit": province.pk,
        "name": "Nhiệm kỳ 2025–2030",
        "start": "2025-10-16",
        "end": "",
        "source": "Nghị quyết Đại hội [S]",
        "active": "on",
    }
    assert client.post(url, data).status_code == 302
    data["name"] = "Trùng"
    r = client.post(url, data)
    assert r.status_code == 200 and "trùng thời gian" in r.content.decode()


def test_workdays_page_renders_days_off(client, clerk):
    """The page lists the days off of the chosen year with names."""
    login(client, clerk)
    r = client.get(reverse("catalogs:workdays"), {"year": "2027"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Ngày nghỉ năm 2027" in body and "10/02/2027" in body and "Nghỉ bù Tết Nguyên đán" in body


def test_workdays_calculator(client, clerk):
    """Start 13/02/2026 + 1 working day → Monday 23/02/2026; 04/02–12/02/2027 counts 1 working day."""
    login(client, clerk)
    r = client.get(reverse("catalogs:workdays"), {"add-start": "2026-02-13", "add-days": "1"})
    assert "Thứ Hai, 23/02/2026" in r.content.decode()
    r = client.get(reverse("catalogs:workdays"), {"between-start": "04/02/2027", "between-end": "12/02/2027"})
    assert "1 ngày làm việc" in r.content.decode()


def test_workdays_bad_input_is_explained(client, clerk):
    """An impossible date or year shows a Vietnamese message and the page still renders."""
    login(client, clerk)
    r = client.get(reverse("catalogs:workdays"), {"add-start": "2026-02-30", "add-days": "x", "year": "abc"})
    body = r.content.decode()
    assert r.status_code == 200
    assert (
        "Ngày không hợp lệ" in body
        and "Số ngày phải là số nguyên" in body
        and "Năm “abc” không hợp lệ" in body
    )


@pytest.mark.parametrize("slug", list(CATALOGS))
def test_every_catalogue_list_and_form_render(client, admin, slug):
    """Each catalogue has a working list page and an empty create form for admins."""
    login(client, admin)
    assert client.get(reverse("catalogs:list", args=[slug])).status_code == 200
    r = client.get(reverse("catalogs:create", args=[slug]))
    assert r.status_code == 200 and "Căn cứ pháp lý" in r.content.decode()
