"""REST API for the unit directory: ``GET /api/org/units``, ``/api/org/units/{id}``, ``/api/org/stats``.

Read-only, a personal API token or the session; the same selectors as the web pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from vanphong.core.pagination import Pages

from .models import Unit
from .selectors import org_stats, unit_search

# auth: the API-wide default (vanphong.accounts.api_auth, set in vanphong.api.urls); org sits below accounts.
router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    level: str
    level_label: str
    parent_id: int | None
    organ_id: str
    stats_code: str
    depth: int
    valid_from: date | None
    valid_to: date | None
    is_active: bool

    @staticmethod
    def resolve_level_label(obj: Unit) -> str:
        return str(obj.get_level_display())


class UnitRef(Schema):
    id: int
    name: str


class UnitDetailOut(UnitOut):
    path: str
    note: str
    parent: UnitRef | None
    children_count: int
    predecessors: list[UnitRef]
    successors: list[UnitRef]

    @staticmethod
    def resolve_predecessors(obj: Unit) -> list[Unit]:
        return list(obj.predecessors.only("id", "name"))

    @staticmethod
    def resolve_successors(obj: Unit) -> list[Unit]:
        return list(obj.successors.only("id", "name"))


@router.get("/units", response=list[UnitOut])
@paginate(Pages, page_size=50)
def units(
    request: HttpRequest,
    level: str = "",
    parent: int | None = None,
    q: str = "",
    closed: bool = False,
) -> Any:
    """Units, active by default: filter by ``level`` (province, commune, ...), ``parent`` id and ``q``."""
    return unit_search(q=q, level=level, parent=parent, include_closed=closed)


@router.get("/units/{unit_id}", response=UnitDetailOut)
def unit(request: HttpRequest, unit_id: int) -> Any:
    """One unit with its parent, number of direct children, predecessors and successors."""
    qs = Unit.objects.select_related("parent").annotate(children_count=Count("children"))
    return get_object_or_404(qs, pk=unit_id)


@router.get("/stats", response=dict[str, int])
def stats(request: HttpRequest) -> dict[str, Any]:
    """Active unit counts by level, e.g. ``{"provinces": 34, "communes": 3321, ...}``."""
    return org_stats()
