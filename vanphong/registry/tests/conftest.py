from __future__ import annotations

import pytest

from vanphong.accounts.models import Role
from vanphong.org.models import UnitLevel
from vanphong.testing.factories import make_province, make_unit, make_user


@pytest.fixture
def province(db):
    return make_province("Tỉnh ủy Thử nghiệm")


@pytest.fixture
def office(province):
    return make_unit(province, "Văn phòng Tỉnh ủy", level=UnitLevel.DEPARTMENT, short_name="VPTU")


@pytest.fixture
def clerk(office):
    return make_user(office, roles=[Role.CLERK], full_name="Lê Thị Văn Thư")


@pytest.fixture
def office_leader(office):
    return make_user(office, roles=[Role.OFFICE_LEADER], full_name="Trần Chánh Văn")
