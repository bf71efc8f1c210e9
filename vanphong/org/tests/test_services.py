"""Unit-tree services: the 2025 divisions load, stats, moving subtrees, closing units, mã định danh."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command

from vanphong.core.exceptions import ValidationError
from vanphong.core.models import AuditRecord
from vanphong.org.models import Unit, UnitLevel, validate_organ_id
from vanphong.org.selectors import org_stats
from vanphong.org.services import divisions_load, unit_close, unit_create, unit_update
from vanphong.testing.factories import make_province, make_unit


@pytest.mark.django_db
def test_divisions_load_gives_34_provinces_and_3321_communes_with_stats_codes() -> None:
    """The NSO list after 01/7/2025: codes are stored as in the file, without leading zeros."""
    result = divisions_load()
    assert (result.provinces, result.communes, result.created) == (34, 3321, 3355)
    tay_ninh = Unit.objects.get(level=UnitLevel.PROVINCE, stats_code="80")
    assert tay_ninh.name == "Tỉnh ủy Tây Ninh"
    ha_noi = Unit.objects.get(level=UnitLevel.PROVINCE, stats_code="01")
    assert ha_noi.name == "Thành ủy Hà Nội"
    ba_dinh = Unit.objects.get(level=UnitLevel.COMMUNE, stats_code="00004")
    assert ba_dinh.name == "Đảng ủy phường Ba Đình" and ba_dinh.parent == ha_noi
    assert ba_dinh.path == f"{ha_noi.path}{ba_dinh.pk}/" and ba_dinh.depth == 2
    assert Unit.objects.filter(parent=ha_noi, level=UnitLevel.COMMUNE).count() == 126
    assert Unit.objects.filter(parent=tay_ninh, level=UnitLevel.COMMUNE).count() == 96
    assert not Unit.objects.filter(path="").exists()


@pytest.mark.django_db
def test_divisions_reload_is_idempotent() -> None:
    """Loading twice creates nothing and writes no second audit record."""
    divisions_load()
    audits = AuditRecord.objects.count()
    again = divisions_load()
    assert (again.provinces, again.communes, again.created) == (34, 3321, 0)
    assert Unit.objects.count() == 34 + 3321 + 1
    assert AuditRecord.objects.count() == audits


@pytest.mark.django_db
def test_org_stats_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``vanphong org stats`` prints one JSON object with the counts by level."""
    call_command("org", "load-divisions")
    capsys.readouterr()
    call_command("org", "stats")
    stats = json.loads(capsys.readouterr().out)
    assert stats["provinces"] == 34 and stats["communes"] == 3321 and stats["central"] == 1
    assert stats == org_stats()


@pytest.mark.django_db
def test_unit_update_moving_a_subtree_rewrites_paths() -> None:
    """Moving a unit rewrites path and depth of every descendant and is audited once."""
    province = make_province()
    a = make_unit(province, "Ban A")
    b = make_unit(province, "Ban B")
    a1 = make_unit(a, "Phòng A1")
    cell = make_unit(a1, "Chi bộ A1", level=UnitLevel.CELL)
    unit_update(actor=None, unit=a, parent=b)
    a.refresh_from_db()
    a1.refresh_from_db()
    cell.refresh_from_db()
    assert a.path == f"{b.path}{a.pk}/" and a.depth == b.depth + 1
    assert a1.path == f"{a.path}{a1.pk}/" and a1.depth == a.depth + 1
    assert cell.path == f"{a1.path}{cell.pk}/" and cell.depth == a1.depth + 1
    assert set(Unit.objects.subtree(b)) == {b, a, a1, cell}
    assert AuditRecord.objects.filter(action="org.unit.update", object_id=str(a.pk)).count() == 1


@pytest.mark.django_db
def test_unit_update_refuses_moving_into_own_subtree() -> None:
    """A unit cannot become a descendant of itself."""
    province = make_province()
    a = make_unit(province, "Ban A")
    a1 = make_unit(a, "Phòng A1")
    with pytest.raises(ValidationError):
        unit_update(actor=None, unit=a, parent=a1)


@pytest.mark.django_db
def test_unit_close_keeps_history_and_links_successor() -> None:
    """A closed unit stays in the database, drops out of active lists, and the successor names it."""
    province = make_province()
    old = make_unit(province, "Ban Tuyên giáo", valid_from=date(2020, 1, 1))
    new = make_unit(province, "Ban Tuyên giáo và Dân vận")
    unit_close(actor=None, unit=old, on=date(2025, 2, 28), successor=new)
    old.refresh_from_db()
    assert old.valid_to == date(2025, 2, 28) and not old.is_active
    assert list(new.predecessors.all()) == [old] and list(old.successors.all()) == [new]
    assert old not in Unit.objects.active() and old in Unit.objects.active(on=date(2024, 6, 1))
    record = AuditRecord.objects.get(action="org.unit.close")
    assert record.after["successor"] == new.pk and record.before["valid_to"] is None
    with pytest.raises(ValidationError):
        unit_close(actor=None, unit=make_unit(province, valid_from=date(2025, 1, 1)), on=date(2024, 1, 1))


@pytest.mark.parametrize("value", ["000.00.01.A53", "000.00.00.G22", "000.00.11.H53"])
def test_valid_organ_ids(value: str) -> None:
    """Mã định danh: 000.00.00.A00 (QĐ 20/2020, QĐ 09/2025)."""
    validate_organ_id(value)


@pytest.mark.parametrize("value", ["A53", "000.00.01.a53", "000.00.1.A53", "000.00.01.A5", "000-00-01-A53"])
def test_invalid_organ_ids(value: str) -> None:
    """Anything else is refused with a Vietnamese message."""
    with pytest.raises(DjangoValidationError) as exc:
        validate_organ_id(value)
    assert "000.00.00.A00" in exc.value.messages[0]


@pytest.mark.django_db
def test_unit_create_validates_organ_id_and_levels() -> None:
    """The service refuses a malformed mã định danh and a level not allowed under the parent."""
    province = make_province()
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=None, name="Văn phòng", level=UnitLevel.DEPARTMENT, parent=province, organ_id="A53")
    assert "Mã định danh" in exc.value.message
    with pytest.raises(ValidationError):
        unit_create(actor=None, name="Chi bộ", level=UnitLevel.CELL, parent=province)
