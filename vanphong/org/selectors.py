from __future__ import annotations

from typing import Any

from django.db.models import Count

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
