"""REST API of the unit directory: session auth, filters, pagination, detail, stats."""

from __future__ import annotations

import pytest
from django.test import Client

from vanphong.org.models import Unit, UnitLevel
from vanphong.org.services import divisions_load, unit_close
from vanphong.testing.factories import login, make_user


@pytest.fixture
def loaded(db: None) -> Unit:
    divisions_load()
    return Unit.objects.get(level=UnitLevel.PROVINCE, stats_code="80")


@pytest.mark.django_db
def test_api_requires_a_session(client: Client) -> None:
    """Without a logged-in session the API answers 401."""
    assert client.get("/api/org/units").status_code == 401
    assert client.get("/api/org/stats").status_code == 401


@pytest.mark.django_db
def test_units_filters_and_paginates(client: Client, loaded: Unit, django_assert_max_num_queries) -> None:
    """level + parent filters give Tây Ninh's 96 communes, 50 per page; q searches names."""
    login(client, make_user(loaded))
    with django_assert_max_num_queries(8):
        r = client.get("/api/org/units", {"level": "commune", "parent": loaded.pk})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 96 and len(body["items"]) == 50
    assert body["items"][0]["level_label"] == "Đảng ủy xã, phường, đặc khu"
    page2 = client.get("/api/org/units", {"level": "commune", "parent": loaded.pk, "page": 2}).json()
    assert len(page2["items"]) == 46
    found = client.get("/api/org/units", {"q": "Tây Ninh", "level": "province"}).json()
    assert [u["id"] for u in found["items"]] == [loaded.pk]


@pytest.mark.django_db
def test_unit_detail_and_closed_units(client: Client, loaded: Unit) -> None:
    """The detail names parent, children count and successors; closed units appear only with closed=true."""
    login(client, make_user(loaded))
    commune, successor = Unit.objects.filter(parent=loaded).order_by("pk")[:2]
    unit_close(actor=None, unit=commune, on=commune.valid_from, successor=successor)
    detail = client.get(f"/api/org/units/{loaded.pk}").json()
    assert detail["name"] == "Tỉnh ủy Tây Ninh" and detail["stats_code"] == "80"
    assert detail["children_count"] == 96 and detail["parent"]["name"] == "Ban Chấp hành Trung ương Đảng"
    closed = client.get(f"/api/org/units/{commune.pk}").json()
    assert closed["is_active"] is False and closed["successors"] == [
        {"id": successor.pk, "name": successor.name}
    ]
    assert client.get("/api/org/units", {"parent": loaded.pk}).json()["count"] == 95
    assert client.get("/api/org/units", {"parent": loaded.pk, "closed": "true"}).json()["count"] == 96
    assert client.get("/api/org/units/999999").status_code == 404


@pytest.mark.django_db
def test_stats(client: Client, loaded: Unit) -> None:
    """Counts by level of active units."""
    login(client, make_user(loaded))
    stats = client.get("/api/org/stats").json()
    assert stats["provinces"] == 34 and stats["communes"] == 3321
