"""REST API of the shared repository search: ``GET /api/search/`` (the results page's parameters),
``GET /api/search/similar/{key}``, ``GET /api/search/suggest?q=``.

A personal API token or the session (accounts.api_auth); the same selectors as the pages, so results, counts, facets, snippets, suggestions and
similar documents only ever cover what the user may read. Errors come back as ``{"code": ..., "message": ...}``
with the Vietnamese message (``search_unavailable`` with HTTP 503 when the index cannot be read).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vanphong.accounts.api_auth import api_auth

from .base import SearchHit, SearchUnavailable
from .forms import MAX_TEXT, NOT_SECRET, UNAVAILABLE, SearchForm
from .selectors import search_documents, similar_documents, suggestions

router = Router(tags=["search"], auth=api_auth)

KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}:\d{1,12}$")
MAX_PAGE_SIZE = 100


class ErrorOut(Schema):
    code: str
    message: str


class HitOut(Schema):
    key: str
    kind: str
    kind_label: str
    object_id: int
    url: str
    title: str
    number_symbol: str
    doc_type: str
    issuer: str
    unit_label: str
    doc_date: date | None
    secrecy_label: str
    status_label: str
    score: float
    extra: dict[str, str]
    title_html: str = Field(description="Trích yếu, escaped HTML, matches in <mark>")
    snippet_html: str = Field(description="A passage of the text, escaped HTML, matches in <mark>")


class FacetValueOut(Schema):
    value: str = Field(description="Pass it back as the parameter named like the facet to filter on it")
    label: str
    count: int


class ResultOut(Schema):
    total: int
    total_exact: bool
    took_ms: float
    page: int
    page_size: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]


class SearchParams(Schema):
    """The parameters of the results page (``/tim-kiem/``). Repeat a facet parameter for OR."""

    q: str = Field("", description="Từ khóa, with or without diacritics, or a document number (57-NQ/TW)")
    kind: list[str] = Field(default_factory=list)
    doc_type: list[str] = Field(default_factory=list)
    issuer: list[str] = Field(default_factory=list)
    unit: list[str] = Field(default_factory=list, description="Unit ids")
    year: list[str] = Field(default_factory=list)
    secrecy: list[str] = Field(
        default_factory=list, description=f"Secrecy labels; “{NOT_SECRET}” = not secret"
    )
    status: list[str] = Field(default_factory=list)
    date_from: str = Field("", description="dd/mm/yyyy")
    date_to: str = Field("", description="dd/mm/yyyy")
    sort: str = Field("", description="relevance | date_desc | date_asc")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def _unavailable() -> Status[dict[str, str]]:
    return Status(503, {"code": "search_unavailable", "message": UNAVAILABLE})


def _hit(h: SearchHit) -> dict[str, Any]:
    return {**h.__dict__}


@router.get(
    "/", response={200: ResultOut, 400: ErrorOut, 503: ErrorOut}, summary="Search the shared repository"
)
def search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Ranked hits with highlights and facets, over the documents the user may read."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return Status(400, {"code": "invalid", "message": message})
    try:
        result = search_documents(request.user, form.to_query(page_size=params.page_size))
    except SearchUnavailable:
        return _unavailable()
    facets = {
        name: [
            {
                "value": fv.value or (NOT_SECRET if name == "secrecy" else ""),
                "label": fv.label,
                "count": fv.count,
            }
            for fv in values
        ]
        for name, values in result.facets.items()
    }
    return {
        "total": result.total,
        "total_exact": result.total_exact,
        "took_ms": result.took_ms,
        "page": form.page_number,
        "page_size": params.page_size,
        "hits": [_hit(h) for h in result.hits],
        "facets": facets,
    }


@router.get("/similar/{key}", response={200: list[HitOut], 400: ErrorOut, 503: ErrorOut})
def similar(request: HttpRequest, key: str) -> Any:
    """Documents like ``key`` (``incoming:12``) that the user may read; empty when they may not read ``key``."""
    if not KEY_RE.match(key):
        return Status(
            400, {"code": "invalid", "message": "Mã văn bản không hợp lệ, ví dụ đúng: incoming:12."}
        )
    try:
        return [_hit(h) for h in similar_documents(request.user, key)]
    except SearchUnavailable:
        return _unavailable()


@router.get("/suggest", response={200: list[HitOut], 503: ErrorOut})
def suggest(request: HttpRequest, q: str = "") -> Any:
    """Up to 8 titles for a search box as the user types (at least 2 characters)."""
    try:
        return [_hit(h) for h in suggestions(request.user, " ".join(q.split())[:MAX_TEXT])]
    except SearchUnavailable:
        return _unavailable()
