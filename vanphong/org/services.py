"""Writes to the unit tree. Every write is audited in the same transaction."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ValidationError

from .models import Position, Unit, UnitLevel

DIVISIONS_FILE = Path(__file__).parent / "data" / "divisions-2025.csv"
CENTRAL_NAME = "Ban Chấp hành Trung ương Đảng"

# Which levels may sit under which (a parent level → allowed child levels).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitLevel.CENTRAL: {UnitLevel.PROVINCE, UnitLevel.AFFILIATED, UnitLevel.DEPARTMENT},
    UnitLevel.PROVINCE: {UnitLevel.AFFILIATED, UnitLevel.DEPARTMENT, UnitLevel.COMMUNE},
    UnitLevel.AFFILIATED: {UnitLevel.DEPARTMENT, UnitLevel.CELL, UnitLevel.AFFILIATED},
    UnitLevel.DEPARTMENT: {UnitLevel.DEPARTMENT, UnitLevel.CELL},
    UnitLevel.COMMUNE: {UnitLevel.DEPARTMENT, UnitLevel.CELL},
    UnitLevel.CELL: set(),
}


def _set_path(unit: Unit) -> None:
    if unit.parent_id:
        parent = unit.parent
        assert parent is not None
        unit.path = f"{parent.path}{unit.pk}/"
        unit.depth = parent.depth + 1
    else:
        unit.path = f"/{unit.pk}/"
        unit.depth = 0


def _validate(unit: Unit) -> None:
    try:
        unit.full_clean(exclude=["path", "depth", "predecessors"])
    except DjangoValidationError as exc:
        msgs = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ValidationError(f"Dữ liệu đơn vị không hợp lệ — {msgs}", details=exc.message_dict) from exc
    if unit.parent is not None:
        allowed = ALLOWED_CHILDREN.get(unit.parent.level, set())
        if unit.level not in allowed:
            raise ValidationError(
                f"Không thể đặt đơn vị cấp “{UnitLevel(unit.level).label}” dưới "
                f"“{unit.parent.name}” (cấp {UnitLevel(unit.parent.level).label})."
            )
    elif unit.level not in (UnitLevel.CENTRAL, UnitLevel.PROVINCE):
        raise ValidationError("Đơn vị này phải có đơn vị cấp trên.")
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        raise ValidationError("Ngày kết thúc hoạt động phải sau ngày bắt đầu.")


def unit_create(*, actor: Any, audit: bool = True, **fields: Any) -> Unit:
    with transaction.atomic():
        unit = Unit(**fields)
        _validate(unit)
        unit.save()
        _set_path(unit)
        unit.save(update_fields=["path", "depth"])
        if audit:
            audit_log(actor=actor, action="org.unit.create", obj=unit, after=snapshot(unit))
    return unit


def unit_update(*, actor: Any, unit: Unit, **fields: Any) -> Unit:
    """Update fields; moving a unit (new parent) rewrites the paths of its whole subtree."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(unit)
        old_path = unit.path
        for k, v in fields.items():
            setattr(unit, k, v)
        if unit.parent is not None and unit.parent.is_within(unit):
            raise ValidationError("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.")
        _validate(unit)
        _set_path(unit)
        unit.save()
        if unit.path != old_path:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
                child.path = unit.path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 2
                child.save(update_fields=["path", "depth"])
        audit_log(actor=actor, action="org.unit.update", obj=unit, before=before, after=snapshot(unit))
    return unit


def unit_close(*, actor: Any, unit: Unit, on: date, successor: Unit | None = None) -> Unit:
    """Close a unit (merged, split or dissolved). History is kept; the successor records its predecessor."""
    with transaction.atomic():
        before = snapshot(unit)
        if unit.valid_from and on < unit.valid_from:
            raise ValidationError("Ngày kết thúc hoạt động phải sau ngày bắt đầu.")
        unit.valid_to = on
        unit.save(update_fields=["valid_to"])
        if successor is not None:
            successor.predecessors.add(unit)
        audit_log(
            actor=actor,
            action="org.unit.close",
            obj=unit,
            before=before,
            after={**snapshot(unit), "successor": successor.pk if successor else None},
        )
    return unit


def position_ensure(*, code: str, name: str, rank: int = 100, is_leader: bool = False) -> Position:
    pos, _ = Position.objects.update_or_create(
        code=code, defaults={"name": name, "rank": rank, "is_leader": is_leader}
    )
    return pos


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    communes: int
    created: int


PROVINCE_PARTY_NAME = {"tỉnh": "Tỉnh ủy", "thành phố trung ương": "Thành ủy"}
COMMUNE_PARTY_PREFIX = {"xã": "Đảng ủy xã", "phường": "Đảng ủy phường", "đặc khu": "Đảng ủy đặc khu"}


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    for p in prefixes:
        if name.startswith(p + " "):
            return name[len(p) + 1 :]
    return name


def central_unit_ensure(*, actor: Any = None) -> Unit:
    central = Unit.objects.filter(level=UnitLevel.CENTRAL, parent=None).first()
    if central is None:
        central = unit_create(actor=actor, name=CENTRAL_NAME, short_name="TW", level=UnitLevel.CENTRAL)
    return central


def divisions_load(
    *, actor: Any = None, path: Path = DIVISIONS_FILE, valid_from: date = date(2025, 7, 1)
) -> LoadResult:
    """Load the 34 provincial and 3,321 commune-level Party committees from the shipped data file.

    Idempotent: units are matched by (level, stats_code). One audit record summarises the load rather than
    3,355 records; the per-unit rows are reproducible from the data file named in the record.
    """
    with transaction.atomic():
        central = central_unit_ensure(actor=actor)
        existing = {
            (u.level, u.stats_code): u
            for u in Unit.objects.filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE]).exclude(
                stats_code=""
            )
        }
        created = 0
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        provinces: dict[str, Unit] = {}
        for row in rows:
            pcode = row["province_code"]
            if pcode not in provinces:
                p = existing.get((UnitLevel.PROVINCE, pcode))
                if p is None:
                    geo = _strip_prefix(row["province_name"], ("Tỉnh", "Thành phố"))
                    p = Unit(
                        name=f"{PROVINCE_PARTY_NAME[row['province_type']]} {geo}",
                        short_name="TU",
                        stats_code=pcode,
                        level=UnitLevel.PROVINCE,
                        parent=central,
                        valid_from=valid_from,
                        note=f"Địa bàn: {row['province_name']}",
                    )
                    p.save()
                    _set_path(p)
                    p.save(update_fields=["path", "depth"])
                    created += 1
                provinces[pcode] = p
        new_communes = []
        for row in rows:
            if (UnitLevel.COMMUNE, row["ward_code"]) in existing:
                continue
            prefix = COMMUNE_PARTY_PREFIX[row["ward_type"]]
            geo = _strip_prefix(row["ward_name"], ("Xã", "Phường", "Đặc khu"))
            parent = provinces[row["province_code"]]
            new_communes.append(
                Unit(
                    name=f"{prefix} {geo}",
                    short_name="ĐU",
                    stats_code=row["ward_code"],
                    level=UnitLevel.COMMUNE,
                    parent=parent,
                    depth=parent.depth + 1,
                    valid_from=valid_from,
                    note=f"Địa bàn: {row['ward_name']}, {row['province_name']}",
                )
            )
        Unit.objects.bulk_create(new_communes, batch_size=500)
        # bulk_create does not return ids on every backend; compute paths in one pass.
        fresh = Unit.objects.filter(level=UnitLevel.COMMUNE, path="").select_related("parent")
        updates = []
        for u in fresh:
            assert u.parent is not None
            u.path = f"{u.parent.path}{u.pk}/"
            updates.append(u)
        Unit.objects.bulk_update(updates, ["path"], batch_size=500)
        created += len(new_communes)
        if created:
            audit_log(
                actor=actor,
                action="org.divisions.load",
                object_type="org.unit",
                object_label=path.name,
                after={"file": path.name, "created": created},
            )
    return LoadResult(
        provinces=Unit.objects.filter(level=UnitLevel.PROVINCE).count(),
        communes=Unit.objects.filter(level=UnitLevel.COMMUNE).count(),
        created=created,
    )
