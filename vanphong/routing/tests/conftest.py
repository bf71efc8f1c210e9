from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.urls import clear_url_caches

from vanphong.accounts.models import Clearance, Role, User
from vanphong.catalogs.holidays import invalidate_calendar
from vanphong.org.models import Unit
from vanphong.registry.models import IncomingDocument
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.routing.services import Line, common
from vanphong.testing.factories import make_province, make_unit, make_user


@pytest.fixture(autouse=True)
def _routing_test_env(settings):
    """Test URLconf with registry stand-ins; a fresh working calendar per test."""
    settings.ROOT_URLCONF = "vanphong.routing.tests.urls"
    clear_url_caches()
    invalidate_calendar()
    yield
    invalidate_calendar()
    clear_url_caches()


@pytest.fixture
def today(monkeypatch):
    """Move routing's "today" (deadlines count from it) to a fixed Monday unless a test moves it again."""

    def move(day: date) -> date:
        monkeypatch.setattr(common, "today", lambda: day)
        return day

    return move


@pytest.fixture
def province(db) -> Unit:
    return make_province("Tỉnh ủy Tây Ninh")


@pytest.fixture
def office(province) -> Unit:
    return make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")


@pytest.fixture
def btc(province) -> Unit:
    return make_unit(province, "Ban Tổ chức Tỉnh ủy", short_name="BTCTU")


@pytest.fixture
def btg(province) -> Unit:
    return make_unit(province, "Ban Tuyên giáo và Dân vận Tỉnh ủy", short_name="BTGDVTU")


_emails = itertools.count(1)


def _person(unit: Unit, role: str, name: str, **kw) -> User:
    kw.setdefault("clearance", Clearance.MAT)
    return make_user(unit, [role], full_name=name, email=f"can-bo-{next(_emails)}@example.org", **kw)


@pytest.fixture
def clerk(office) -> User:
    return _person(office, Role.CLERK, "Đặng Thị Mai")


@pytest.fixture
def office_leader(office) -> User:
    return _person(office, Role.OFFICE_LEADER, "Lê Thị Hà")


@pytest.fixture
def leader(province) -> User:
    """Lãnh đạo cấp ủy over the whole province (Phó Bí thư Thường trực)."""
    return _person(province, Role.COMMITTEE_LEADER, "Trần Minh Đức")


@pytest.fixture
def btc_leader(btc) -> User:
    return _person(btc, Role.UNIT_LEADER, "Nguyễn Hoàng Nam")


@pytest.fixture
def btc_specialist(btc) -> User:
    return _person(btc, Role.SPECIALIST, "Võ Thị Lan")


@pytest.fixture
def btg_leader(btg) -> User:
    return _person(btg, Role.UNIT_LEADER, "Phạm Văn Khải")


@pytest.fixture
def register(clerk, office):
    """Register an incoming document in the office's book (as the clerk would)."""

    def make(subject: str = "V/v góp ý dự thảo quy chế làm việc", **kw) -> IncomingDocument:
        kw.setdefault("number_symbol", "15-CV/BTCTW")
        kw.setdefault("issuer_name", "Ban Tổ chức Trung ương")
        kw.setdefault("acknowledge_duplicate", True)
        return incoming_document_register(actor=clerk, unit=office, medium="paper", subject=subject, **kw)

    return make


@pytest.fixture
def doc(register) -> IncomingDocument:
    return register()


@pytest.fixture
def routed(doc, leader, btc, btg, office, btc_leader, btg_leader):
    """The leader's bút phê: Ban Tổ chức chủ trì (5 working days), Ban Tuyên giáo phối hợp, Văn phòng để biết."""
    from vanphong.routing.services import routing_instruct

    return routing_instruct(
        actor=leader,
        document=doc,
        text="Giao Ban Tổ chức chủ trì tham mưu trả lời.",
        lines=[
            Line(kind="lead", unit=btc, days=5),
            Line(kind="support", unit=btg, days=3),
            Line(kind="info", unit=office),
        ],
    )
