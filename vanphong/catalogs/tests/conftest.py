from __future__ import annotations

import pytest

from vanphong.accounts.models import Role, User
from vanphong.catalogs.holidays import invalidate_calendar
from vanphong.org.models import Unit
from vanphong.testing.factories import make_province, make_unit, make_user


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test starts with no cached working calendar (the seed data comes from the data migration)."""
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def province(db) -> Unit:
    return make_province()


@pytest.fixture
def admin(province) -> User:
    return make_user(province, [Role.ADMIN])


@pytest.fixture
def clerk(province) -> User:
    return make_user(make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU"), [Role.CLERK])
