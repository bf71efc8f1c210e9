"""The unit-tree import: CSV/XLSX, all-or-nothing validation with row numbers, idempotent re-import."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from vanphong.core.models import AuditRecord
from vanphong.org.importer import org_import
from vanphong.org.models import Unit, UnitLevel
from vanphong.testing.factories import make_province

GOOD_CSV = """\ufeffMã;Tên;Tên viết tắt;Cấp;Mã cấp trên;Mã định danh;Mã thống kê;Từ ngày;Đến ngày
VP;Văn phòng Tỉnh ủy;VPTU;Ban, văn phòng, phòng;TN;000.00.01.A53;;01/07/2025;
TC;Ban Tổ chức Tỉnh ủy;BTCTU;ban;TN;;;2025-07-01;
P1;Phòng Hành chính - Lưu trữ;;phòng;VP;;;;
DUCQ;Đảng ủy các cơ quan Đảng tỉnh;ĐU;Đảng ủy trực thuộc;TN;;;01/07/2025;
CB1;Chi bộ Văn phòng;;chi bộ;DUCQ;;;;
"""


@pytest.fixture
def tay_ninh(db: None) -> Unit:
    return make_province(name="Tỉnh ủy Tây Ninh", stats_code="80")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _csv(tay_ninh: Unit, text: str = GOOD_CSV) -> str:
    return text.replace(";TN;", ";80;")


@pytest.mark.django_db
def test_csv_import_creates_tree_in_dependency_order_and_audits_each_unit(
    tmp_path: Path, tay_ninh: Unit
) -> None:
    """Rows may name a parent defined later or earlier in the file, or an existing unit by stats code."""
    before = AuditRecord.objects.count()
    report = org_import(path=_write(tmp_path, "cay.csv", _csv(tay_ninh)), actor=None)
    assert report.as_dict() == {
        "ok": True,
        "dry_run": False,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    vp = Unit.objects.get(name="Văn phòng Tỉnh ủy")
    assert vp.parent == tay_ninh and vp.level == UnitLevel.DEPARTMENT and vp.organ_id == "000.00.01.A53"
    assert vp.valid_from == date(2025, 7, 1) and vp.short_name == "VPTU"
    p1 = Unit.objects.get(name="Phòng Hành chính - Lưu trữ")
    assert p1.parent == vp and p1.path == f"{vp.path}{p1.pk}/" and p1.depth == vp.depth + 1
    assert Unit.objects.get(name="Chi bộ Văn phòng").parent.name == "Đảng ủy các cơ quan Đảng tỉnh"
    # one record per unit plus one summary record of the import
    assert AuditRecord.objects.count() - before == 6
    assert AuditRecord.objects.filter(action="org.units.import").count() == 1


@pytest.mark.django_db
def test_reimport_is_idempotent_and_updates_changed_fields(tmp_path: Path, tay_ninh: Unit) -> None:
    """The same file twice creates nothing new; a changed name of a unit matched by organ id is updated."""
    path = _write(tmp_path, "cay.csv", _csv(tay_ninh))
    org_import(path=path, actor=None)
    count = Unit.objects.count()
    again = org_import(path=path, actor=None)
    assert again.ok and again.created == 0 and again.updated == 0 and again.unchanged == 5
    assert Unit.objects.count() == count
    changed = _csv(tay_ninh).replace("Văn phòng Tỉnh ủy;VPTU", "Văn phòng Tỉnh ủy Tây Ninh;VPTU")
    third = org_import(path=_write(tmp_path, "cay2.csv", changed), actor=None)
    assert (third.created, third.updated) == (0, 1)
    assert Unit.objects.filter(organ_id="000.00.01.A53").get().name == "Văn phòng Tỉnh ủy Tây Ninh"
    assert Unit.objects.count() == count


@pytest.mark.django_db
def test_comma_delimited_csv_without_bom_and_english_headers(tmp_path: Path, tay_ninh: Unit) -> None:
    """The delimiter is sniffed; English column names and level values are accepted."""
    text = "key,name,level,parent\nA,Ban Tuyên giáo và Dân vận Tỉnh ủy,department,80\nB,Chi bộ Ban,cell,A\n"
    report = org_import(path=_write(tmp_path, "tree.csv", text), actor=None)
    assert report.ok and report.created == 2


@pytest.mark.django_db
def test_xlsx_import_with_date_cells_and_numeric_codes(tmp_path: Path, tay_ninh: Unit) -> None:
    """The first sheet of an XLSX file is read; date cells and numeric stats codes work."""
    wb = Workbook()
    ws = wb.active
    ws.append(["ma", "ten", "cap", "ma_cap_tren", "tu_ngay", "ma_thong_ke"])
    ws.append(["VP", "Văn phòng Tỉnh ủy", "Ban, văn phòng, phòng", 80, datetime(2025, 7, 1), None])
    ws.append(["CB", "Chi bộ Văn phòng", "chi bộ", "VP", "01/08/2025", 80001])
    path = tmp_path / "cay.xlsx"
    wb.save(path)
    report = org_import(path=path, actor=None)
    assert report.ok, report.as_dict()
    assert report.created == 2
    cb = Unit.objects.get(name="Chi bộ Văn phòng")
    assert cb.valid_from == date(2025, 8, 1) and cb.stats_code == "80001"
    assert Unit.objects.get(name="Văn phòng Tỉnh ủy").valid_from == date(2025, 7, 1)


BAD_CSV = """ma;ten;cap;ma_cap_tren;tu_ngay
VP;Văn phòng Tỉnh ủy;phòng;80;
X;Ban Lạ;xyz;80;
P1;Phòng 1;phòng;VP;
P2;Phòng 2;phòng;KHONG-CO;
P3;Phòng 3;phòng;VP;31/02/2025
"""


@pytest.mark.django_db
def test_bad_file_reports_every_row_and_imports_nothing(tmp_path: Path, tay_ninh: Unit, capsys) -> None:
    """Unknown level (row 3), unknown parent (row 5), impossible date (row 6): exit code 1, nothing written."""
    count = Unit.objects.count()
    path = _write(tmp_path, "sai.csv", BAD_CSV)
    with pytest.raises(SystemExit) as exc:
        call_command("org", "import", str(path))
    assert exc.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["created"] == 0
    rows = {e["row"]: e["message"] for e in report["errors"]}
    assert sorted(rows) == [3, 5, 6]
    assert rows[3] == "Dòng 3: cấp “xyz” không hợp lệ"
    assert "KHONG-CO" in rows[5]
    assert "31/02/2025" in rows[6]
    assert Unit.objects.count() == count


@pytest.mark.django_db
def test_duplicate_keys_cycles_and_level_rules_are_row_errors(tmp_path: Path, tay_ninh: Unit) -> None:
    """A repeated key, a parent cycle and a level not allowed under its parent are reported per row."""
    text = (
        "ma,ten,cap,ma_cap_tren\n"
        "A,Phòng A,phòng,80\n"
        "A,Phòng A2,phòng,80\n"
        "B,Phòng B,phòng,C\n"
        "C,Phòng C,phòng,B\n"
        "D,Chi bộ D,chi bộ,80\n"  # chi bộ directly under a tỉnh ủy is not allowed
        "E,Đảng ủy xã E,đảng ủy xã,A\n"  # a commune under a department
    )
    report = org_import(path=_write(tmp_path, "x.csv", text), actor=None)
    rows = {e.row: e.message for e in report.errors}
    assert "trùng với dòng 2" in rows[3]
    assert "vòng lặp" in rows[4] and "vòng lặp" in rows[5]
    assert "Không thể".lower() in rows[6].lower() and "Chi bộ" in rows[6]
    assert "Đảng ủy xã, phường, đặc khu" in rows[7]
    assert report.created == 0 and not Unit.objects.filter(name__startswith="Phòng ").exists()


@pytest.mark.django_db
def test_missing_required_column_and_bad_organ_id(tmp_path: Path, tay_ninh: Unit) -> None:
    """A missing column is a file-level error; a malformed mã định danh is a row error."""
    report = org_import(path=_write(tmp_path, "a.csv", "ma,ten\nA,Phòng A\n"), actor=None)
    assert not report.ok and report.errors[0].row is None and "“cap”" in report.errors[0].message
    report = org_import(
        path=_write(tmp_path, "b.csv", "ma,ten,cap,ma_cap_tren,ma_dinh_danh\nA,Phòng A,phòng,80,A53\n"),
        actor=None,
    )
    assert [e.row for e in report.errors] == [2] and "000.00.00.A00" in report.errors[0].message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cay.xlsx", b"PK\x03\x04 not really a zip file at all", "bị hỏng"),
        ("cay.xlsx", b"ma,ten,cap\n", "không phải bảng tính Excel"),
        ("cay.csv", b"\xff\xfe\x00m\x00a", "không phải tệp CSV"),
        ("cay.csv", b"ma,ten,cap\nA,Ph\xf2ng,ph\xf2ng\n", "UTF-8"),
        ("cay.csv", b"", "Tệp trống"),
        ("cay.csv", b"ma,ten,cap\n", "không có dòng dữ liệu"),
        ("cay.pdf", b"%PDF-1.7", "Không hỗ trợ tệp"),
    ],
)
def test_unreadable_files_give_a_clear_error_and_write_nothing(
    tmp_path: Path, tay_ninh: Unit, name: str, content: bytes, expected: str
) -> None:
    """Corrupt, empty, non-CSV or unknown files are refused as a whole with a Vietnamese message."""
    count = Unit.objects.count()
    path = tmp_path / name
    path.write_bytes(content)
    report = org_import(path=path, actor=None)
    assert not report.ok and report.created == 0
    assert expected in report.errors[0].message
    assert Unit.objects.count() == count


@pytest.mark.django_db
def test_corrupt_xlsx_through_the_command_exits_1(tmp_path: Path, tay_ninh: Unit, capsys) -> None:
    """The command prints the JSON report in Vietnamese (not escaped) and exits with status 1."""
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(SystemExit) as exc:
        call_command("org", "import", str(path))
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "Tệp Excel bị hỏng" in out
    assert json.loads(out)["errors"][0]["row"] is None


@pytest.mark.django_db
def test_dry_run_counts_without_writing(tmp_path: Path, tay_ninh: Unit, capsys) -> None:
    """--dry-run validates and reports what would be created, writing nothing."""
    count = Unit.objects.count()
    call_command("org", "import", str(_write(tmp_path, "cay.csv", _csv(tay_ninh))), "--dry-run")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["dry_run"] and report["created"] == 5
    assert Unit.objects.count() == count


@pytest.mark.django_db
def test_database_error_half_way_rolls_back_everything(tmp_path: Path, tay_ninh: Unit, monkeypatch) -> None:
    """If a write fails after some units were created, the whole import is rolled back."""
    from vanphong.org import importer

    real = importer.unit_create
    calls = {"n": 0}

    def flaky(**kw):
        calls["n"] += 1
        if calls["n"] == 3:
            from django.db import IntegrityError

            raise IntegrityError("simulated")
        return real(**kw)

    monkeypatch.setattr(importer, "unit_create", flaky)
    count = Unit.objects.count()
    report = org_import(path=_write(tmp_path, "cay.csv", _csv(tay_ninh)), actor=None)
    assert not report.ok and report.created == 0 and report.errors[0].row is not None
    assert Unit.objects.count() == count


@pytest.mark.django_db
def test_root_scope_limits_parents_to_the_province(tmp_path: Path, tay_ninh: Unit) -> None:
    """With a root, rows without a parent go under it and parents outside its subtree are unknown."""
    other = make_province(name="Tỉnh ủy Khác", stats_code="81")
    text = "ma,ten,cap,ma_cap_tren\nA,Văn phòng,phòng,\nB,Phòng B,phòng,81\n"
    report = org_import(data=text.encode(), filename="x.csv", actor=None, root=tay_ninh)
    assert [e.row for e in report.errors] == [3]
    report = org_import(data=text.replace(",81", ",A").encode(), filename="x.csv", actor=None, root=tay_ninh)
    assert report.ok and Unit.objects.get(name="Văn phòng").parent == tay_ninh
    assert not Unit.objects.filter(parent=other).exists()
    _ = io
