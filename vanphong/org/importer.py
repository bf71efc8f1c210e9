"""Import a province's own unit tree (ban, phòng, đảng ủy trực thuộc, chi bộ, ...) from CSV or XLSX.

The whole file is read and every row validated before anything is written; one error anywhere means nothing is
imported. Rows are then written in dependency order (parents first) through ``unit_create`` / ``unit_update``,
so each change is audited, all inside one transaction.

Columns (header on row 1; Vietnamese headers with or without diacritics, or English aliases):
``ma`` row key, unique in the file · ``ten`` name · ``ten_viet_tat`` · ``cap`` level · ``ma_cap_tren``
parent: a ``ma`` of another row, or an existing unit's stats code / organ id / exact name ·
``ma_dinh_danh`` · ``ma_thong_ke`` · ``tu_ngay`` / ``den_ngay`` (dd/mm/yyyy or yyyy-mm-dd) · ``ghi_chu``.

Re-importing the same file changes nothing: a row matches an existing unit by organ id, by (level, stats
code), or by parent + name. A blank optional cell leaves the existing value as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import VanphongError

from .models import Unit, UnitLevel, validate_organ_id
from .services import ALLOWED_CHILDREN, unit_create, unit_update
from .tabular import ImportFileError, cell_text, normalize, parse_date, read_table

__all__ = ["ImportFileError", "ImportReport", "PlannedRow", "RowError", "org_import", "validate_rows"]

LEVEL_ALIASES: dict[str, str] = {
    "trung uong": UnitLevel.CENTRAL,
    "ban chap hanh trung uong": UnitLevel.CENTRAL,
    "tinh uy": UnitLevel.PROVINCE,
    "thanh uy": UnitLevel.PROVINCE,
    "dang uy truc thuoc": UnitLevel.AFFILIATED,
    "dang uy truc thuoc tinh uy": UnitLevel.AFFILIATED,
    "ban": UnitLevel.DEPARTMENT,
    "van phong": UnitLevel.DEPARTMENT,
    "phong": UnitLevel.DEPARTMENT,
    "ban dang": UnitLevel.DEPARTMENT,
    "dang uy xa": UnitLevel.COMMUNE,
    "dang uy phuong": UnitLevel.COMMUNE,
    "dang uy dac khu": UnitLevel.COMMUNE,
    "xa": UnitLevel.COMMUNE,
    "phuong": UnitLevel.COMMUNE,
    "dac khu": UnitLevel.COMMUNE,
    "chi bo": UnitLevel.CELL,
    "chi bo truc thuoc": UnitLevel.CELL,
}
for _level in UnitLevel:
    LEVEL_ALIASES[normalize(_level.value)] = _level.value
    LEVEL_ALIASES[normalize(str(_level.label))] = _level.value
    for _part in str(_level.label).split(","):
        LEVEL_ALIASES.setdefault(normalize(_part), _level.value)

LEVEL_LABELS = {lv.value: str(lv.label) for lv in UnitLevel}


@dataclass
class RowError:
    row: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "message": self.message}


@dataclass
class PlannedRow:
    """One data row after validation, as shown in the preview."""

    row: int
    key: str
    name: str
    level: str = ""
    parent_label: str = ""
    action: str = ""  # "create" | "update" | "unchanged" | "" (invalid)
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    parent_key: str | None = None  # another row of the file
    parent_unit: Unit | None = None  # an existing unit
    existing: Unit | None = None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, "")


@dataclass
class ImportReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


def parse_level(value: str) -> str | None:
    return LEVEL_ALIASES.get(normalize(value))


class _Index:
    """Existing units in scope, indexed for parent references and for matching rows."""

    def __init__(self, root: Unit | None) -> None:
        qs = Unit.objects.all() if root is None else Unit.objects.subtree(root)
        self.units = list(qs)
        self.by_id = {u.pk: u for u in self.units}
        self.by_stats: dict[str, list[Unit]] = {}
        self.by_organ: dict[str, list[Unit]] = {}
        self.by_name: dict[str, list[Unit]] = {}
        self.by_parent_name: dict[tuple[int | None, str], list[Unit]] = {}
        for u in self.units:
            if u.stats_code:
                self.by_stats.setdefault(u.stats_code, []).append(u)
            if u.organ_id:
                self.by_organ.setdefault(u.organ_id.upper(), []).append(u)
            self.by_name.setdefault(u.name.strip().casefold(), []).append(u)
            self.by_parent_name.setdefault((u.parent_id, u.name.strip().casefold()), []).append(u)
        self.all_stats = {
            (lv, sc): pk
            for lv, sc, pk in Unit.objects.exclude(stats_code="").values_list("level", "stats_code", "pk")
        }
        self.central = Unit.objects.filter(level=UnitLevel.CENTRAL, parent=None).first()

    def resolve(self, ref: str) -> tuple[Unit | None, str]:
        """An existing unit by stats code, organ id or exact name; (None, reason) if missing or ambiguous."""
        for candidates in (
            self.by_stats.get(ref),
            self.by_organ.get(ref.upper()),
            self.by_name.get(ref.casefold()),
        ):
            if not candidates:
                continue
            if len(candidates) == 1:
                return candidates[0], ""
            shallowest = min(u.depth for u in candidates)
            top = [u for u in candidates if u.depth == shallowest]
            if len(top) == 1:  # a bare code such as "80" most naturally means the province, not a commune
                return top[0], ""
            names = "; ".join(u.name for u in top[:3])
            return None, f"mã cấp trên “{ref}” khớp nhiều đơn vị ({names}); hãy dùng mã định danh"
        return None, f"không tìm thấy đơn vị cấp trên “{ref}” trong tệp hoặc trong hệ thống"


def _parse_row(number: int, raw: dict[str, Any]) -> PlannedRow:
    text = {k: cell_text(v) for k, v in raw.items()}
    row = PlannedRow(row=number, key=text.get("ma", ""), name=text.get("ten", ""))
    err = row.errors.append
    if not row.key:
        err("thiếu mã dòng (cột “ma”)")
    if not row.name:
        err("thiếu tên đơn vị (cột “ten”)")
    elif len(row.name) > 255:
        err("tên đơn vị dài quá 255 ký tự")
    level_text = text.get("cap", "")
    level = parse_level(level_text) if level_text else None
    if not level_text:
        err("thiếu cấp đơn vị (cột “cap”)")
    elif level is None:
        err(f"cấp “{level_text}” không hợp lệ")
    else:
        row.level = level
    f = row.fields
    f["name"], f["level"] = row.name, row.level
    if text.get("ten_viet_tat"):
        if len(text["ten_viet_tat"]) > 30:
            err("tên viết tắt dài quá 30 ký tự")
        f["short_name"] = text["ten_viet_tat"]
    if text.get("ma_dinh_danh"):
        organ_id = text["ma_dinh_danh"].upper()
        try:
            validate_organ_id(organ_id)
        except DjangoValidationError:
            err(f"mã định danh “{text['ma_dinh_danh']}” không đúng dạng 000.00.00.A00")
        f["organ_id"] = organ_id
    if text.get("ma_thong_ke"):
        if len(text["ma_thong_ke"]) > 10:
            err("mã thống kê dài quá 10 ký tự")
        f["stats_code"] = text["ma_thong_ke"]
    if text.get("ghi_chu"):
        f["note"] = text["ghi_chu"]
    for col, attr in (("tu_ngay", "valid_from"), ("den_ngay", "valid_to")):
        try:
            value = parse_date(raw.get(col))
        except ValueError:
            err(f"ngày “{text.get(col, '')}” không hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd)")
            continue
        if value is not None:
            f[attr] = value
    if f.get("valid_from") and f.get("valid_to") and f["valid_to"] < f["valid_from"]:
        err("ngày kết thúc hoạt động phải sau ngày bắt đầu")
    row.parent_key = text.get("ma_cap_tren", "")
    return row


def _find_cycles(rows: dict[str, PlannedRow]) -> dict[str, list[str]]:
    """Row keys that lie on a cycle of in-file parent references → the cycle."""
    state: dict[str, int] = {}
    cycles: dict[str, list[str]] = {}
    for start in rows:
        chain: list[str] = []
        key: str | None = start
        while key is not None and key in rows and state.get(key, 0) == 0:
            state[key] = 1
            chain.append(key)
            key = rows[key].parent_key if rows[key].parent_key in rows else None
        if key is not None and key in rows and state.get(key) == 1:
            cycle = chain[chain.index(key) :]
            for k in cycle:
                cycles[k] = [*cycle, key]
        for k in chain:
            state[k] = 2
    return cycles


def _topological(rows: dict[str, PlannedRow]) -> list[PlannedRow]:
    """Parents before children (iterative; a cycle is cut where it closes)."""
    ordered: list[PlannedRow] = []
    done: set[str] = set()
    for start in rows:
        chain: list[str] = []
        key: str | None = start
        while key is not None and key in rows and key not in done:
            done.add(key)
            chain.append(key)
            key = rows[key].parent_key
        ordered.extend(rows[k] for k in reversed(chain))
    return ordered


def validate_rows(body: Sequence[tuple[int, dict[str, Any]]], *, root: Unit | None) -> list[PlannedRow]:
    """Validate every row; fills ``errors``, the resolved parent, the matched unit and the planned action."""
    index = _Index(root)
    parsed = [_parse_row(n, raw) for n, raw in body]
    by_key: dict[str, PlannedRow] = {}
    for row in parsed:
        if not row.key:
            continue
        if row.key in by_key:
            row.errors.append(f"mã “{row.key}” trùng với dòng {by_key[row.key].row}")
        else:
            by_key[row.key] = row
    for attr, label in (("organ_id", "mã định danh"), ("stats_code", "mã thống kê")):
        seen: dict[tuple[str, str], PlannedRow] = {}
        for row in parsed:
            value = row.fields.get(attr)
            if not value:
                continue
            k = (row.level if attr == "stats_code" else "", value)
            if k in seen:
                row.errors.append(f"{label} “{value}” trùng với dòng {seen[k].row}")
            else:
                seen[k] = row
    for key, cycle in _find_cycles(by_key).items():
        by_key[key].errors.append("vòng lặp đơn vị cấp trên: " + " → ".join(cycle))
    # Resolve parents for rows that do not point at another row.
    for row in parsed:
        ref = row.parent_key or ""
        if ref and ref in by_key:
            continue
        row.parent_key = None
        if ref:
            unit, reason = index.resolve(ref)
            if unit is None:
                row.errors.append(reason)
            row.parent_unit = unit
        elif row.level in (UnitLevel.CENTRAL, UnitLevel.PROVINCE):
            row.parent_unit = index.central if row.level == UnitLevel.PROVINCE else None
        elif root is not None:
            row.parent_unit = root
        elif row.level:
            row.errors.append("thiếu mã đơn vị cấp trên (cột “ma_cap_tren”)")
    # In dependency order: level rules, matching an existing unit, scope.
    ordered = _topological(by_key) + [r for r in parsed if by_key.get(r.key) is not r]
    for row in ordered:
        parent_row = by_key.get(row.parent_key) if row.parent_key else None
        parent_level = (
            parent_row.level if parent_row else (row.parent_unit.level if row.parent_unit else None)
        )
        parent_name = parent_row.name if parent_row else (row.parent_unit.name if row.parent_unit else "")
        row.parent_label = parent_name
        if row.level and parent_level and row.level not in ALLOWED_CHILDREN.get(parent_level, set()):
            row.errors.append(
                f"không thể đặt đơn vị cấp “{LEVEL_LABELS[row.level]}” dưới “{parent_name}” "
                f"(cấp {LEVEL_LABELS[parent_level]})"
            )
        parent_existing = parent_row.existing if parent_row else row.parent_unit
        parent_is_new = parent_row is not None and parent_row.existing is None
        row.existing = _match(row, index, parent_existing, parent_is_new)
        if root is not None and row.existing is None and row.level in (UnitLevel.CENTRAL, UnitLevel.PROVINCE):
            row.errors.append(f"chỉ được nhập các đơn vị thuộc “{root.name}”")
        if row.existing is None and row.fields.get("stats_code"):
            other = index.all_stats.get((row.level, row.fields["stats_code"]))
            if other is not None:
                row.errors.append(
                    f"mã thống kê “{row.fields['stats_code']}” đã dùng cho đơn vị khác (id {other})"
                )
        if row.existing and row.parent_unit and row.parent_unit.is_within(row.existing):
            row.errors.append("không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó")
        if not row.errors:
            _plan(row, parent_existing, parent_is_new)
    return parsed


def _match(row: PlannedRow, index: _Index, parent: Unit | None, parent_is_new: bool) -> Unit | None:
    f = row.fields
    if f.get("organ_id") and len(index.by_organ.get(f["organ_id"], [])) == 1:
        return index.by_organ[f["organ_id"]][0]
    if f.get("stats_code"):
        same = [u for u in index.by_stats.get(f["stats_code"], []) if u.level == row.level]
        if len(same) == 1:
            return same[0]
    if parent is not None and not parent_is_new:
        same = index.by_parent_name.get((parent.pk, row.name.strip().casefold()), [])
        if len(same) == 1:
            return same[0]
    return None


def _plan(row: PlannedRow, parent: Unit | None, parent_is_new: bool) -> None:
    unit = row.existing
    if unit is None:
        row.action = "create"
        return
    changes = [k for k, v in row.fields.items() if getattr(unit, k) != v]
    if parent_is_new or (parent is not None and parent.pk != unit.parent_id):
        changes.append("parent")
    row.changes = changes
    row.action = "update" if changes else "unchanged"


# ---------------------------------------------------------------------------------------------- writing


class _Rollback(Exception):
    pass


def _write(rows: list[PlannedRow], *, actor: Any) -> tuple[int, int, list[RowError]]:
    by_key = {r.key: r for r in rows}
    made: dict[str, Unit] = {}
    created = updated = 0
    for row in _topological(by_key):
        parent = made[row.parent_key] if row.parent_key else row.parent_unit
        try:
            if row.action == "create":
                made[row.key] = unit_create(actor=actor, parent=parent, **row.fields)
                created += 1
            elif row.action == "update":
                assert row.existing is not None
                fields = {k: row.fields[k] for k in row.changes if k != "parent"}
                if "parent" in row.changes:
                    fields["parent"] = parent
                made[row.key] = unit_update(actor=actor, unit=row.existing, **fields)
                updated += 1
            else:
                assert row.existing is not None
                made[row.key] = row.existing
        except VanphongError as exc:
            return created, updated, [RowError(row.row, f"Dòng {row.row}: {exc.message}")]
        except (DjangoValidationError, DatabaseError) as exc:
            return (
                created,
                updated,
                [RowError(row.row, f"Dòng {row.row}: không ghi được vào cơ sở dữ liệu ({exc}).")],
            )
    return created, updated, []


def org_import(
    *,
    path: Path | None = None,
    data: bytes | None = None,
    filename: str = "",
    actor: Any,
    dry_run: bool = False,
    root: Unit | None = None,
) -> ImportReport:
    """Validate the whole file, then (unless ``dry_run``) write it in one transaction.

    ``root`` limits the import to one unit's subtree (the web page passes the province the admin administers):
    parent references resolve only inside it and rows without ``ma_cap_tren`` go directly under it.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        if data is None:
            if path is None:
                raise ImportFileError("Chưa chọn tệp để nhập.")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ImportFileError(f"Không mở được tệp “{path}”: {exc.strerror or exc}.") from exc
        _columns, body = read_table(data, filename or (path.name if path else ""))
    except ImportFileError as exc:
        report.errors.append(RowError(None, exc.message))
        return report
    rows = validate_rows(body, root=root)
    report.rows = rows
    for row in rows:
        report.errors.extend(RowError(row.row, f"Dòng {row.row}: {msg}") for msg in row.errors)
    if not report.ok:
        return report
    planned = {a: sum(1 for r in rows if r.action == a) for a in ("create", "update", "unchanged")}
    if dry_run:
        report.created, report.updated, report.unchanged = (
            planned["create"],
            planned["update"],
            planned["unchanged"],
        )
        return report
    errors: list[RowError] = []
    try:
        with transaction.atomic():
            created, updated, errors = _write(rows, actor=actor)
            if errors:
                raise _Rollback
            if created or updated:
                audit_log(
                    actor=actor, action="org.units.import", object_type="org.unit",
                    object_label=filename or (path.name if path else ""),
                    unit=root, after={"file": filename or (path.name if path else ""), "created": created,
                                      "updated": updated, "root": root.pk if root else None},
                )  # fmt: skip
    except _Rollback:
        report.errors = errors
        return report
    report.created, report.updated, report.unchanged = created, updated, planned["unchanged"]
    return report
