"""The demo office: Văn phòng Tỉnh ủy Tây Ninh, its departments, three real communes and a user for every role.

Units and their codes are public facts (the 2025 NSO list; the mã định danh 000.00.01.A53 of the VP Tỉnh ủy
Tây Ninh is taken from a public edXML sample, DOMAIN §4 [S]). Every person is fictional. Loading is idempotent.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from vanphong.accounts.access import requires_two_factor
from vanphong.accounts.models import Clearance, Delegation, Role, User
from vanphong.accounts.services import delegation_create, role_assign, user_create
from vanphong.catalogs.seed import seed_catalogs
from vanphong.org.models import Position, Unit, UnitLevel
from vanphong.org.services import divisions_load, position_ensure, unit_create

from .documents import demo_documents_load

DEMO_PASSWORD = "Vanphong@2026"  # noqa: S105 - printed on purpose: demo only
PROVINCE_CODE = "80"  # Tây Ninh
COMMUNE_CODES = ["25459", "25480", "25486"]  # Phường Tân Ninh, Phường Bình Minh, Xã Tân Biên

POSITIONS = [
    ("bi-thu", "Bí thư", 1, True),
    ("pho-bi-thu", "Phó Bí thư", 2, True),
    ("pho-bi-thu-thuong-truc", "Phó Bí thư Thường trực", 2, True),
    ("chanh-van-phong", "Chánh Văn phòng", 10, True),
    ("pho-chanh-van-phong", "Phó Chánh Văn phòng", 11, True),
    ("truong-ban", "Trưởng ban", 12, True),
    ("truong-phong", "Trưởng phòng", 20, True),
    ("pho-truong-phong", "Phó Trưởng phòng", 21, True),
    ("chuyen-vien", "Chuyên viên", 40, False),
    ("van-thu", "Văn thư", 50, False),
    ("luu-tru-vien", "Lưu trữ viên", 51, False),
    ("can-bo-van-phong-dang-uy", "Cán bộ Văn phòng Đảng ủy", 52, False),
    ("quan-tri-he-thong", "Quản trị hệ thống", 60, False),
    ("can-bo-an-ninh-thong-tin", "Cán bộ an ninh thông tin", 61, False),
]

DEPARTMENTS = [
    # (name, short name, organ_id)
    ("Văn phòng Tỉnh ủy Tây Ninh", "VPTU", "000.00.01.A53"),
    ("Ban Tổ chức Tỉnh ủy Tây Ninh", "BTCTU", ""),
    ("Ban Tuyên giáo và Dân vận Tỉnh ủy Tây Ninh", "BTGDVTU", ""),
    ("Ban Nội chính Tỉnh ủy Tây Ninh", "BNCTU", ""),
    ("Ủy ban Kiểm tra Tỉnh ủy Tây Ninh", "UBKTTU", ""),
]
AFFILIATED = [
    ("Đảng ủy các cơ quan Đảng tỉnh Tây Ninh", "ĐU"),
    ("Đảng ủy Ủy ban nhân dân tỉnh Tây Ninh", "ĐU"),
]
OFFICE_ROOMS = [
    ("Phòng Tổng hợp", "PTH"),
    ("Phòng Hành chính – Lưu trữ", "PHCLT"),
    ("Phòng Tài chính – Quản trị", "PTCQT"),
    ("Phòng Cơ yếu – Công nghệ thông tin", "PCYCNTT"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role_label: str
    unit: str
    two_factor: bool


# (username, full name, position code, unit key, roles, clearance)
PEOPLE = [
    (
        "bithu",
        "Trần Minh Đức",
        "pho-bi-thu-thuong-truc",
        "province",
        [Role.COMMITTEE_LEADER],
        Clearance.TUYET_MAT,
    ),
    ("chanhvp", "Lê Thị Thu Hà", "chanh-van-phong", "office", [Role.OFFICE_LEADER], Clearance.TOI_MAT),
    ("phochanhvp", "Phạm Văn Khải", "pho-chanh-van-phong", "office", [Role.OFFICE_LEADER], Clearance.TOI_MAT),
    ("truongphong", "Nguyễn Hoàng Nam", "truong-phong", "room:PTH", [Role.UNIT_LEADER], Clearance.MAT),
    ("chuyenvien", "Võ Thị Ngọc Lan", "chuyen-vien", "room:PTH", [Role.SPECIALIST], Clearance.MAT),
    ("vanthu", "Đặng Thị Mai", "van-thu", "room:PHCLT", [Role.CLERK], Clearance.MAT),
    ("luutru", "Huỳnh Văn Tâm", "luu-tru-vien", "room:PHCLT", [Role.ARCHIVIST], Clearance.MAT),
    (
        "baocao.tanninh",
        "Ngô Thanh Tùng",
        "can-bo-van-phong-dang-uy",
        "commune:25459",
        [Role.REPORTER],
        Clearance.NONE,
    ),
    ("quantri", "Bùi Quốc Việt", "quan-tri-he-thong", "room:PCYCNTT", [Role.ADMIN], Clearance.NONE),
    (
        "anninh",
        "Trương Công Bình",
        "can-bo-an-ninh-thong-tin",
        "room:PCYCNTT",
        [Role.SECURITY],
        Clearance.MAT,
    ),
    (
        "quantri.hanoi",
        "Đỗ Thị Hồng Nhung",
        "quan-tri-he-thong",
        "other-province",
        [Role.ADMIN],
        Clearance.NONE,
    ),
    ("chuyenvien.hanoi", "Phan Văn Hậu", "chuyen-vien", "other-province", [Role.SPECIALIST], Clearance.NONE),
]
ROLE_SCOPE = {
    Role.ADMIN: "province",
    Role.SECURITY: "province",
    Role.COMMITTEE_LEADER: "province",
    Role.OFFICE_LEADER: "office",
    Role.CLERK: "office",  # the văn thư of the Văn phòng keeps the registers of the Văn phòng Tỉnh ủy
    Role.ARCHIVIST: "office",
}


def demo_totp_secret(username: str) -> str:
    """A fixed secret per demo user so that `vanphong totp USER` and the browser tests can make codes."""
    return base64.b32encode(hashlib.sha256(f"vanphong-demo-{username}".encode()).digest()[:20]).decode()


def _ensure_unit(*, parent: Unit, name: str, short: str, level: str, organ_id: str = "") -> Unit:
    unit = Unit.objects.filter(parent=parent, name=name).first()
    if unit is None:
        unit = unit_create(
            actor=None,
            parent=parent,
            name=name,
            short_name=short,
            level=level,
            organ_id=organ_id,
            valid_from=date(2025, 7, 1),
        )
    return unit


def _units() -> dict[str, Unit]:
    province = Unit.objects.get(level=UnitLevel.PROVINCE, stats_code=PROVINCE_CODE)
    hanoi = Unit.objects.get(level=UnitLevel.PROVINCE, stats_code="01")
    units: dict[str, Unit] = {"province": province, "other-province": hanoi}
    for name, short, organ_id in DEPARTMENTS:
        u = _ensure_unit(
            parent=province, name=name, short=short, level=UnitLevel.DEPARTMENT, organ_id=organ_id
        )
        units[f"dept:{short}"] = u
    for name, short in AFFILIATED:
        _ensure_unit(parent=province, name=name, short=short, level=UnitLevel.AFFILIATED)
    office = units["dept:VPTU"]
    units["office"] = office
    for name, short in OFFICE_ROOMS:
        units[f"room:{short}"] = _ensure_unit(
            parent=office, name=name, short=short, level=UnitLevel.DEPARTMENT
        )
    for code in COMMUNE_CODES:
        units[f"commune:{code}"] = Unit.objects.get(level=UnitLevel.COMMUNE, stats_code=code)
    return units


def demo_load() -> list[DemoLogin]:
    """Load (idempotently) the demo office and return the logins to print."""
    divisions_load()
    seed_catalogs()  # idempotent; restores the catalogue on a database emptied by a test flush
    with transaction.atomic():
        for code, name, rank, leader in POSITIONS:
            position_ensure(code=code, name=name, rank=rank, is_leader=leader)
        units = _units()
        logins = []
        for username, full_name, pos_code, unit_key, roles, clearance in PEOPLE:
            unit = units[unit_key]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=None,
                    username=username,
                    full_name=full_name,
                    unit=unit,
                    position=Position.objects.get(code=pos_code),
                    clearance=clearance,
                    email=f"{username}@demo.vanphong.invalid",
                    password=DEMO_PASSWORD,
                    check_password=False,
                )
                for role in roles:
                    scope_key = ROLE_SCOPE.get(role, unit_key)
                    scope = units["other-province"] if unit_key == "other-province" else units[scope_key]
                    role_assign(actor=None, user=user, role=role, unit=scope)
            two_factor = requires_two_factor(user)
            if two_factor and not user.totp_confirmed:
                user.totp_secret = demo_totp_secret(username)
                user.totp_confirmed = True
                user.save(update_fields=["totp_secret", "totp_confirmed"])
            logins.append(
                DemoLogin(
                    username, full_name, ", ".join(str(Role(r).label) for r in roles), str(unit), two_factor
                )
            )
        _living_content(units)
    demo_documents_load(units)
    return logins


def _living_content(units: dict[str, Unit]) -> None:
    """A delegation in force this week, so the home page and the ủy quyền page show a real day."""
    today = timezone.localdate()
    chanhvp = User.objects.get(username="chanhvp")
    pho = User.objects.get(username="phochanhvp")
    if not Delegation.objects.filter(grantor=chanhvp, grantee=pho, end__gte=today).exists():
        delegation_create(
            actor=chanhvp,
            grantee=pho,
            role=Role.OFFICE_LEADER,
            unit=units["office"],
            start=today,
            end=today + timedelta(days=6),
            reason="Chánh Văn phòng đi công tác Trung ương (dữ liệu trình diễn)",
        )
