"""REST endpoints of the catalogues: session auth, JSON lists, working-day arithmetic, 400 in Vietnamese."""

from __future__ import annotations

import pytest

from vanphong.catalogs.models import NumberBook
from vanphong.testing.factories import login

pytestmark = pytest.mark.django_db
BASE = "/api/catalogs"


@pytest.fixture
def api(client, clerk):
    return login(client, clerk)


def test_requires_login(client):
    assert client.get(f"{BASE}/document-types").status_code == 401


def test_reference_lists(api):
    """Document types, urgency, secrecy and retention come back with their sources."""
    types = api.get(f"{BASE}/document-types").json()
    assert {"code": "nghi-quyet", "party_abbr": "NQ"}.items() <= types[0].items()
    assert all(t["active"] for t in types)
    assert [u["name"] for u in api.get(f"{BASE}/urgency").json()] == [
        "Thường",
        "Khẩn",
        "Thượng khẩn",
        "Hỏa tốc",
    ]
    assert [s["rank"] for s in api.get(f"{BASE}/secrecy-levels").json()] == [0, 1, 2, 3]
    retention = api.get(f"{BASE}/retention-periods").json()
    assert retention[0] == {
        "code": "01",
        "name": "Vĩnh viễn",
        "years": None,
        "source": retention[0]["source"],
    }


def test_number_books(api, province):
    book = NumberBook.objects.create(name="Sổ NQ", unit=province, source="HD 36 [V]")
    data = api.get(f"{BASE}/number-books", {"unit_id": province.pk}).json()
    assert data[0]["id"] == book.pk and data[0]["symbol_template"] == "{n}-{type}/{issuer}"


def test_holidays_of_year(api):
    """2027 includes the compensation days of Tết on 10 and 11 February."""
    data = api.get(f"{BASE}/holidays/2027").json()
    dates = [d["date"] for d in data["days_off"]]
    assert "2027-02-10" in dates and "2027-02-11" in dates
    assert api.get(f"{BASE}/holidays/2025").json()["working_weekends"] == ["2025-02-08", "2025-04-26"]


def test_workdays_add_and_between(api):
    r = api.get(f"{BASE}/workdays/add", {"start": "2026-02-13", "days": 1})
    assert r.status_code == 200 and r.json()["due"] == "2026-02-23"
    r = api.get(f"{BASE}/workdays/add", {"start": "2025-01-24", "days": 1})
    assert r.json()["due"] == "2025-02-03"
    r = api.get(f"{BASE}/workdays/between", {"start": "2027-02-04", "end": "2027-02-12"})
    assert r.json()["working_days"] == 1


def test_bad_date_is_400_in_vietnamese(api):
    r = api.get(f"{BASE}/workdays/add", {"start": "2026-02-30", "days": 1})
    assert r.status_code == 400 and "không hợp lệ" in r.json()["detail"]
    r = api.get(f"{BASE}/workdays/between", {"start": "2026-01-01", "end": "13/02/2026"})
    assert r.status_code == 400 and "kết thúc" in r.json()["detail"]
    assert api.get(f"{BASE}/workdays/add", {"start": "2026-01-01", "days": 5000}).status_code == 400
