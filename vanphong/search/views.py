"""Pages of the shared repository (“Kho dữ liệu dùng chung”): results with facets, the jump to a document whose
number was typed, suggestions for the header box, similar documents on document pages, saved searches.

Every read goes through ``selectors`` (trimming happens inside the index query, so counts, facets, snippets and
suggestions only ever cover what the user may read); every write through ``services_saved``.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from vanphong.core.exceptions import VanphongError
from vanphong.org.models import Unit

from .base import SearchQuery, SearchResult, SearchUnavailable
from .forms import MAX_TEXT, PAGE_SIZE, SORT_LABELS, UNAVAILABLE, SearchForm, facet_labels
from .models import SavedSearch
from .selectors import number_lookup, search_documents, similar_documents, suggestions
from .services_saved import clean_query_string, saved_search_create, saved_search_delete

logger = logging.getLogger(__name__)

SIDE_SAVED = 10  # saved searches listed beside the results


def _local(url: str) -> bool:
    """A link inside this site (records carry paths such as ``/van-ban/den/12/``)."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _unit_names(form: SearchForm, result: SearchResult) -> dict[int, str]:
    """Names of chosen units the facets do not label (no match left): one query, only then."""
    labelled = {fv.value for fv in result.facets.get("unit", [])}
    missing = [int(v) for v in form.selected("unit") if v not in labelled]
    return dict(Unit.objects.filter(pk__in=missing).values_list("pk", "name")) if missing else {}


def _results_url(query_string: str = "") -> str:
    url = reverse("search:results")
    return f"{url}?{query_string}" if query_string else url


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """Tìm kiếm: ranked hits with highlights, facets, chips, date range, sort, pages of 20."""
    user: Any = request.user
    form = SearchForm(request.GET)
    form.is_valid()
    if form.wants_number_jump():
        try:
            hit = number_lookup(user, form.text)
        except SearchUnavailable:
            hit = None  # the search below says so
        if hit is not None and _local(hit.url):
            all_hits = _results_url(urlencode({"q": form.text, "list": "1"}))
            messages.info(
                request,
                format_html(
                    'Đã mở thẳng văn bản số {} theo số ký hiệu bạn gõ. <a href="{}">Xem mọi kết quả tìm kiếm</a>',
                    hit.number_symbol,
                    all_hits,
                ),
            )
            return redirect(hit.url)
    context: dict[str, Any] = {
        "form": form,
        "q": form.text,
        "sorts": [(k, label, k == form.sort_value) for k, label in SORT_LABELS.items()],
        "query_string": form.query_string,
        "hidden_filters": [
            (k, v) for k, v in form.params() if k not in ("q", "sort", "date_from", "date_to")
        ],
        "saved": list(SavedSearch.objects.filter(user=user).only("id", "name", "query_string")[:SIDE_SAVED]),
    }
    try:
        result = search_documents(user, form.to_query())
    except SearchUnavailable:
        logger.warning("search index unavailable", exc_info=True)
        return render(request, "search/results.html", {**context, "unavailable": UNAVAILABLE}, status=503)
    labels = facet_labels(result, _unit_names(form, result))
    context |= {
        "result": result,
        "hits": result.hits,
        "first_index": (form.page_number - 1) * PAGE_SIZE + 1,
        "groups": form.facet_groups(result, labels),
        "chips": form.chips(labels),
        "pager": form.pager(result),
        "without_filters": "?" + urlencode({"q": form.text}) if form.text else "?",
        "has_filters": form.has_filters,
    }
    return render(request, "search/results.html", context)


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """HTMX partial under the header box: up to 8 titles with their number, then "search for …"."""
    q = " ".join(request.GET.get("q", "").split())[:MAX_TEXT]
    if not getattr(request, "htmx", False):
        return redirect(_results_url(urlencode({"q": q}) if q else ""))
    if len(q) < 2:
        return HttpResponse("")
    unavailable = False
    try:
        hits = suggestions(request.user, q)
    except SearchUnavailable:
        hits, unavailable = [], True
    html = render_to_string(
        "search/_suggest.html",
        {"hits": [h for h in hits if _local(h.url)], "q": q, "unavailable": unavailable,
         "results_url": _results_url(urlencode({"q": q}))},
        request=request,
    )  # fmt: skip
    return HttpResponse(html.strip())


@login_required
@require_GET
def similar(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """HTMX partial for a document page: “Văn bản tương tự” (nothing when there is none to show)."""
    try:
        hits = similar_documents(request.user, f"{kind}:{pk}")
    except SearchUnavailable:
        hits = []
    hits = [h for h in hits if _local(h.url)]
    if not hits:
        return HttpResponse("")
    return render(request, "search/_similar.html", {"hits": hits})


# --- saved searches -----------------------------------------------------------------------------------------


def _describe(saved: list[SavedSearch], user: Any) -> list[dict[str, Any]]:
    """Each saved search with its conditions in words (labels from the index when it can be read)."""
    forms = [SearchForm(QueryDict(s.query_string)) for s in saved]
    units = {int(v) for f in forms for v in f.selected("unit")}
    unit_names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name")) if units else {}
    result = SearchResult(total=0, hits=[])
    if any(f.selected("status") or f.selected("kind") for f in forms):
        with contextlib.suppress(SearchUnavailable):  # the labels of status codes live in the index
            result = search_documents(user, SearchQuery(limit=1, highlight=False))
    labels = facet_labels(result, unit_names)
    rows = []
    for s, f in zip(saved, forms, strict=True):
        parts = [f"“{f.text}”"] if f.text else []
        parts += [c.label for c in f.chips(labels)]
        if f.value("sort"):
            parts.append(f"xếp theo {SORT_LABELS[f.value('sort')].lower()}")
        rows.append({"saved": s, "conditions": " · ".join(parts), "url": _results_url(s.query_string)})
    return rows


@login_required
@require_GET
def saved_list(request: HttpRequest) -> HttpResponse:
    """Tìm kiếm đã lưu: run or delete; paginated."""
    user: Any = request.user
    qs = SavedSearch.objects.filter(user=user).only("id", "name", "query_string", "created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "search/saved_list.html",
        {
            "page_obj": page,
            "rows": _describe(list(page.object_list), request.user),
            "querystring_without_page": "",
        },
    )


@login_required
@require_POST
def saved_create(request: HttpRequest) -> HttpResponse:
    query_string = clean_query_string(request.POST.get("query_string", ""))
    try:
        saved = saved_search_create(
            user=request.user, name=request.POST.get("name", ""), query_string=query_string
        )
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã lưu tìm kiếm “{saved.name}”. Xem lại ở mục “Tìm kiếm đã lưu”.")
    return redirect(_results_url(query_string))


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved_search_delete(user=request.user, pk=pk)  # another user's: NotFound → the 404 page
    messages.success(request, "Đã xóa tìm kiếm đã lưu.")
    return redirect("search:saved")
