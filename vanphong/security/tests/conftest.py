from __future__ import annotations

import pytest

from vanphong.accounts.models import Role
from vanphong.testing.factories import make_province, make_unit, make_user


@pytest.fixture
def province(db):
    return make_province("Tỉnh ủy Thử nghiệm An ninh")


@pytest.fixture
def office(province):
    return make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")


@pytest.fixture
def specialist(office):
    return make_user(office, [Role.SPECIALIST], full_name="Võ Chuyên Viên", clearance=1)


@pytest.fixture
def clerk(office):
    return make_user(office, [Role.CLERK], full_name="Đặng Văn Thư", clearance=1)


@pytest.fixture
def officer(province):
    """The security officer of the province (scope: the whole province subtree)."""
    return make_user(province, [Role.SECURITY], full_name="Phạm An Ninh", clearance=3)


@pytest.fixture
def secret(office):
    """A classified item. ``record_access`` needs only ``secrecy_rank`` and ``unit``, so a unit of the office
    stands in for a document here; the registry tests (``test_security_files``) use real documents."""
    item = make_unit(office, "Hồ sơ mật thử nghiệm")
    item.secrecy_rank = 1  # type: ignore[attr-defined]
    item.unit = office  # type: ignore[attr-defined]
    return item
