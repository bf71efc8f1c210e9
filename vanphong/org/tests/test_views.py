"""Unit pages and the import page: query-count bounds, admin-only actions scoped to the admin's province."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from vanphong.org.models import Unit, UnitLevel
from vanphong.org.services import divisions_load
from vanphong.testing.factories import login, make_province, make_unit, make_user

TREE_CSV = (
    "ma;ten;cap;ma_cap_tren\nVP;Văn phòng Tỉnh ủy;Ban, văn phòng, phòng;\nCB;Chi bộ Văn phòng;chi bộ;VP\n"
)


@pytest.fixture
def provinces(db: None) -> tuple[Unit, Unit]:
    return make_province(name="Tỉnh ủy Tây Ninh", stats_code="80"), make_province(
        name="Thành ủy Hà Nội", stats_code="01"
    )


@pytest.fixture
def admin_client(client: Client, provinces: tuple[Unit, Unit]) -> Client:
    return login(client, make_user(provinces[0], roles=["admin"]))


@pytest.mark.django_db
def test_unit_list_and_detail_render_with_bounded_queries(
    client: Client, django_assert_max_num_queries
) -> None:
    """With all 3,355 units loaded, the list and a province's page use a small fixed number of queries."""
    divisions_load()
    tay_ninh = Unit.objects.get(level=UnitLevel.PROVINCE, stats_code="80")
    login(client, make_user(tay_ninh))
    with django_assert_max_num_queries(16):
        r = client.get(reverse("org:unit_list"), {"level": "commune", "parent": tay_ninh.pk})
    assert (
        r.status_code == 200
        and "Đảng ủy" in r.content.decode()
        and "Nhập cây tổ chức" not in r.content.decode()
    )
    with django_assert_max_num_queries(16):
        r = client.get(reverse("org:unit_detail", args=[tay_ninh.pk]))
    assert r.status_code == 200 and "Đơn vị trực thuộc (96)" in r.content.decode()
    assert reverse("org:unit_edit", args=[tay_ninh.pk]) not in r.content.decode()


@pytest.mark.django_db
def test_admin_sees_import_link_and_actions(admin_client: Client, provinces: tuple[Unit, Unit]) -> None:
    """The list links "Nhập cây tổ chức"; the detail page shows create/edit/close for the admin's unit only."""
    assert "Nhập cây tổ chức" in admin_client.get(reverse("org:unit_list")).content.decode()
    own = admin_client.get(reverse("org:unit_detail", args=[provinces[0].pk])).content.decode()
    assert reverse("org:unit_create", args=[provinces[0].pk]) in own
    other = admin_client.get(reverse("org:unit_detail", args=[provinces[1].pk])).content.decode()
    assert reverse("org:unit_edit", args=[provinces[1].pk]) not in other
    r = admin_client.get(reverse("org:import_start"))
    assert r.status_code == 302 and r["Location"] == reverse("org:unit_import", args=[provinces[0].pk])


@pytest.mark.django_db
def test_import_page_forbidden_for_non_admins_and_admins_of_another_province(
    client: Client, provinces: tuple[Unit, Unit]
) -> None:
    """A clerk gets 403; an admin of Tây Ninh gets 403 for Hà Nội, in GET and POST."""
    tay_ninh, ha_noi = provinces
    login(client, make_user(tay_ninh, roles=["clerk"]))
    assert client.get(reverse("org:import_start")).status_code == 403
    assert client.get(reverse("org:unit_import", args=[tay_ninh.pk])).status_code == 403
    login(client, make_user(tay_ninh, roles=["admin"]))
    assert client.get(reverse("org:unit_import", args=[tay_ninh.pk])).status_code == 200
    assert client.get(reverse("org:unit_import", args=[ha_noi.pk])).status_code == 403
    upload = io.BytesIO(TREE_CSV.encode())
    upload.name = "cay.csv"
    r = client.post(reverse("org:unit_import", args=[ha_noi.pk]), {"action": "upload", "file": upload})
    assert r.status_code == 403
    for name in ("org:unit_edit", "org:unit_close", "org:unit_create"):
        assert client.get(reverse(name, args=[ha_noi.pk])).status_code == 403
    assert not Unit.objects.filter(name="Văn phòng Tỉnh ủy").exists()


@pytest.mark.django_db
def test_import_upload_preview_then_confirm(admin_client: Client, provinces: tuple[Unit, Unit]) -> None:
    """Upload shows a dry-run preview and writes nothing; confirm imports and deletes the temp file."""
    tay_ninh = provinces[0]
    url = reverse("org:unit_import", args=[tay_ninh.pk])
    upload = io.BytesIO(TREE_CSV.encode())
    upload.name = "cay.csv"
    r = admin_client.post(url, {"action": "upload", "file": upload})
    assert r.status_code == 200
    html = r.content.decode()
    assert "sẽ thêm 2" in html and "Xác nhận nhập" in html
    assert not Unit.objects.filter(name="Văn phòng Tỉnh ủy").exists()
    temp = Path(admin_client.session["vp_org_import"]["path"])
    assert temp.is_file() and temp.parent == Path(tempfile.gettempdir())
    r = admin_client.post(url, {"action": "confirm"})
    assert r.status_code == 302
    vp = Unit.objects.get(name="Văn phòng Tỉnh ủy")
    assert vp.parent == tay_ninh and Unit.objects.get(name="Chi bộ Văn phòng").parent == vp
    assert not temp.exists() and "vp_org_import" not in admin_client.session
    # confirming again without a pending file does nothing
    assert admin_client.post(url, {"action": "confirm"}).status_code == 302
    assert Unit.objects.filter(name="Văn phòng Tỉnh ủy").count() == 1


@pytest.mark.django_db
def test_import_preview_lists_row_errors_for_xlsx(admin_client: Client, provinces: tuple[Unit, Unit]) -> None:
    """An XLSX with a bad level shows the row error, offers no confirmation, and keeps no temp file."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Tên", "Cấp", "Mã cấp trên"])
    ws.append(["VP", "Văn phòng", "phòng", ""])
    ws.append(["X", "Đơn vị lạ", "xyz", "VP"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "cay.xlsx"
    r = admin_client.post(
        reverse("org:unit_import", args=[provinces[0].pk]), {"action": "upload", "file": buf}
    )
    html = r.content.decode()
    assert "Dòng 3: cấp “xyz” không hợp lệ" in html and "Xác nhận nhập" not in html
    assert "vp_org_import" not in admin_client.session


@pytest.mark.django_db
def test_admin_creates_edits_and_closes_a_unit(admin_client: Client, provinces: tuple[Unit, Unit]) -> None:
    """The three forms go through the services: create under the province, move, close into a successor."""
    tay_ninh = provinces[0]
    r = admin_client.post(
        reverse("org:unit_create", args=[tay_ninh.pk]),
        {"name": "Ban Tổ chức Tỉnh ủy", "short_name": "BTCTU", "level": "department", "parent": tay_ninh.pk,
         "organ_id": "", "stats_code": "", "valid_from": "2025-07-01", "valid_to": "", "note": ""},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    ban = Unit.objects.get(name="Ban Tổ chức Tỉnh ủy")
    assert ban.parent == tay_ninh and ban.path == f"{tay_ninh.path}{ban.pk}/"
    other = make_unit(tay_ninh, "Văn phòng Tỉnh ủy")
    r = admin_client.post(
        reverse("org:unit_edit", args=[ban.pk]),
        {"name": "Ban Tổ chức", "short_name": "BTC", "level": "department", "parent": other.pk,
         "organ_id": "000.00.01.A53", "stats_code": "", "valid_from": "2025-07-01", "valid_to": "", "note": ""},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    ban.refresh_from_db()
    assert ban.name == "Ban Tổ chức" and ban.parent == other and ban.path == f"{other.path}{ban.pk}/"
    r = admin_client.post(
        reverse("org:unit_edit", args=[ban.pk]),
        {"name": "Ban Tổ chức", "level": "department", "parent": other.pk, "organ_id": "A53"},
    )
    assert r.status_code == 200 and "000.00.00.A00" in r.content.decode()
    r = admin_client.post(
        reverse("org:unit_close", args=[ban.pk]), {"on": "2026-01-31", "successor": other.pk, "confirm": "on"}
    )
    assert r.status_code == 302
    ban.refresh_from_db()
    assert ban.valid_to == date(2026, 1, 31) and list(other.predecessors.all()) == [ban]


@pytest.mark.django_db
def test_edit_cannot_move_a_unit_into_another_province(
    admin_client: Client, provinces: tuple[Unit, Unit]
) -> None:
    """Parents offered are inside the admin's scope; another province's unit is not a valid choice."""
    ban = make_unit(provinces[0], "Ban A")
    foreign = make_unit(provinces[1], "Ban Hà Nội")
    r = admin_client.post(
        reverse("org:unit_edit", args=[ban.pk]),
        {"name": "Ban A", "level": "department", "parent": foreign.pk},
    )
    assert r.status_code == 200
    ban.refresh_from_db()
    assert ban.parent == provinces[0]


@pytest.mark.django_db
def test_superuser_edits_a_province_keeping_its_parent(client: Client, provinces: tuple[Unit, Unit]) -> None:
    """A province's only parent choice is its current one (the central committee); the edit is saved."""
    su = make_user(provinces[0], is_superuser=True)
    login(client, su)
    tay_ninh = provinces[0]
    assert client.get(reverse("org:unit_edit", args=[tay_ninh.pk])).status_code == 200
    r = client.post(
        reverse("org:unit_edit", args=[tay_ninh.pk]),
        {"name": "Tỉnh ủy Tây Ninh", "short_name": "TU", "level": "province", "parent": tay_ninh.parent_id,
         "organ_id": "000.00.01.A53", "stats_code": "80"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    tay_ninh.refresh_from_db()
    assert tay_ninh.organ_id == "000.00.01.A53"
    assert client.get(reverse("org:import_start")).status_code == 200
