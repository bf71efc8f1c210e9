from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Unit, UnitLevel

STATS_KEYS = {
    UnitLevel.CENTRAL: "central",
    UnitLevel.PROVINCE: "provinces",
    UnitLevel.AFFILIATED: "affiliated",
    UnitLevel.DEPARTMENT: "departments",
    UnitLevel.COMMUNE: "communes",
    UnitLevel.CELL: "cells",
}


def org_stats(*, active_only: bool = True) -> dict[str, Any]:
    """Unit counts by level, e.g. ``{"provinces": 34, "communes": 3321, ...}``."""
    qs = Unit.objects.active() if active_only else Unit.objects.all()
    counts = dict(qs.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    result: dict[str, Any] = {key: counts.get(level, 0) for level, key in STATS_KEYS.items()}
    result["total"] = sum(result.values())
    result["closed"] = Unit.objects.count() - qs.count() if active_only else 0
    return result


def unit_search(
    *, q: str = "", level: str = "", parent: int | None = None, include_closed: bool = False
) -> QuerySet[Unit]:
    """The unit directory (web list and API): name/code search, level and parent filters, active by default."""
    qs = Unit.objects.select_related("parent")
    if not include_closed:
        qs = qs.active()
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(stats_code=q) | Q(organ_id=q) | Q(short_name__iexact=q))
    if level in UnitLevel.values:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("depth", "name", "pk")
