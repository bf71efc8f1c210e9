from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Unit, UnitLevel
from .selectors import org_stats


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Directory of units: search by name or code, filter by level and by parent (province)."""
    qs = Unit.objects.select_related("parent")
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")
    show_closed = request.GET.get("closed") == "1"
    if not show_closed:
        qs = qs.active()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(stats_code=q) | Q(organ_id=q) | Q(short_name__iexact=q))
    if level in UnitLevel.values:
        qs = qs.filter(level=level)
    if parent.isdigit():
        qs = qs.filter(parent_id=int(parent))
    page = Paginator(qs.order_by("depth", "name"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    provinces = Unit.objects.filter(level=UnitLevel.PROVINCE).order_by("name").only("id", "name")
    return render(request, "org/unit_list.html", {
        "page_obj": page, "levels": UnitLevel.choices, "provinces": provinces, "q": q, "level": level,
        "parent": parent, "show_closed": show_closed, "stats": org_stats(),
        "querystring_without_page": params.urlencode(),
    })


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    children = unit.children.annotate(n_children=Count("children")).order_by("level", "name")
    return render(request, "org/unit_detail.html", {
        "unit": unit, "ancestors": unit.ancestors().exclude(pk=unit.pk), "children": children[:500],
        "children_count": children.count(), "predecessors": unit.predecessors.all(),
        "successors": unit.successors.all(), "user_count": unit.users.filter(is_active=True).count(),
    })
