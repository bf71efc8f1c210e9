"""Registers (sổ) on screen, for print, and as XLSX/PDF (NĐ 30/2020 Phụ lục IV).

``/van-ban/so/`` chooses a register and a unit; ``/van-ban/so/<slug>/`` shows it 50 rows a page with the filter
bar; ``…/in/`` is the print page (cover and the whole table, print CSS); ``…/xuat/xlsx/`` and ``…/xuat/pdf/``
download it. Every page checks the unit through ``access_register_unit`` (404 otherwise); downloads
and the print page are recorded in the audit trail.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse

from vanphong.accounts.models import User
from vanphong.core.exceptions import ValidationError, VanphongError
from vanphong.org.models import Unit

from ..access import access_register_unit, register_units
from ..exports import CONTENT_TYPES, WEB_PDF_MAX_ROWS, audit_register_export, print_context, register_export
from ..registers import (
    INCOMING,
    OUTGOING,
    PAGE_SIZE,
    REGISTERS,
    Register,
    RegisterFilterForm,
    Row,
    cells,
    display,
    register_by_slug,
    register_rows,
)

DETAIL_URLS = {INCOMING: "registry:incoming_detail", OUTGOING: "registry:outgoing_detail"}


def _linker() -> Callable[[tuple[str, int] | None], str]:
    """Links to document pages by URL name; a page that does not exist (yet) leaves the cell unlinked."""
    missing: set[str] = set()

    def link(target: tuple[str, int] | None) -> str:
        if not target or DETAIL_URLS[target[0]] in missing:
            return ""
        try:
            return reverse(DETAIL_URLS[target[0]], args=[target[1]])
        except NoReverseMatch:
            missing.add(DETAIL_URLS[target[0]])
            return ""

    return link


def _open(request: HttpRequest, slug: str, units: list[Unit] | None = None) -> tuple[User, Register, Unit]:
    """The register and unit of the request (``?unit=``, else the first unit the user keeps books for).
    ``units`` (from ``register_units``) saves a query when the page needs them anyway."""
    user: User = request.user  # type: ignore[assignment]
    try:
        register = register_by_slug(slug)
        unit_id = request.GET.get("unit", "")
        if not unit_id:
            units = register_units(user) if units is None else units
            unit_id = str(units[0].pk) if units else ""
        known = next((u for u in units or [] if str(u.pk) == unit_id), None)
        unit = known or access_register_unit(user, unit_id)
    except VanphongError as exc:
        raise Http404(exc.message) from exc
    return user, register, unit


def _filter_form(request: HttpRequest, register: Register) -> RegisterFilterForm:
    """Bound only when the query string carries a filter, so a bare URL shows this year's register."""
    data = {k: v for k, v in request.GET.items() if k in RegisterFilterForm.base_fields}
    return RegisterFilterForm(data or None, register=register)


def _query(request: HttpRequest, unit: Unit, *, drop: Iterable[str] = ("page",)) -> str:
    q = request.GET.copy()
    for key in drop:
        q.pop(key, None)
    q["unit"] = str(unit.pk)
    return q.urlencode()


def _table(register: Register, rows: Iterable[Row]) -> list[dict[str, Any]]:
    link = _linker()
    out: list[dict[str, Any]] = []
    group = None
    for row in rows:
        if "_group" in row and row["_group"] != group:
            group = row["_group"]
            out.append({"group": group})
        line = []
        for i, (column, value) in enumerate(zip(register.columns, cells(register, row), strict=True)):
            cell: dict[str, Any] = {"text": display(value), "kind": column.kind}
            if i == register.link_column:
                cell["url"] = link(row["_link"])
            if column.deadline:
                cell.update(deadline=True, due=value, done=row.get("_done"))
            line.append(cell)
        out.append({"cells": line, "cancelled": row.get("c_kind") == "cancelled"})
    return out


@login_required
def register_index(request: HttpRequest) -> HttpResponse:
    """The three registers for each unit whose books the user keeps or reads."""
    user: User = request.user  # type: ignore[assignment]
    units = register_units(user)
    if not units:
        raise Http404("Bạn không giữ vai trò văn thư, lãnh đạo hay lưu trữ của đơn vị nào.")
    return render(
        request, "registry/register_index.html", {"units": units, "registers": list(REGISTERS.values())}
    )


@login_required
def register_list(request: HttpRequest, slug: str) -> HttpResponse:
    """One register, 50 rows a page, header row exactly as the form, with filters and export buttons."""
    units = register_units(request.user)  # type: ignore[arg-type]
    user, register, unit = _open(request, slug, units)
    form = _filter_form(request, register)
    page: Page[Row] | None = None
    table: list[dict[str, Any]] = []
    if not form.is_bound or form.is_valid():
        rows = register_rows(register, unit=unit, filters=form.filters(), viewer=user)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
        table = _table(register, page.object_list)
    total = sum(c.width for c in register.columns)
    return render(
        request,
        "registry/register_list.html",
        {
            "register": register,
            "registers": list(REGISTERS.values()),
            "unit": unit,
            "units": units,
            "form": form,
            "page_obj": page,
            "filters_ok": page is not None,
            "table": table,
            "columns": [
                {"header": c.header, "width": f"{100 * c.width / total:.1f}"} for c in register.columns
            ],
            "querystring_without_page": _query(request, unit),
            "export_query": _query(request, unit),
        },
    )


def _invalid_filters(
    request: HttpRequest, register: Register, unit: Unit, form: RegisterFilterForm
) -> HttpResponse:
    messages.error(request, form.error_text())
    url = reverse("registry:register_list", args=[register.slug])
    return redirect(f"{url}?{_query(request, unit)}")


@login_required
def register_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole register as a printable page: cover as on the paper book, then the table (print CSS)."""
    user, register, unit = _open(request, slug)
    form = _filter_form(request, register)
    if form.is_bound and not form.is_valid():
        return _invalid_filters(request, register, unit, form)
    filters = form.filters()
    context = print_context(
        register, unit, filters, register_rows(register, unit=unit, filters=filters, viewer=user)
    )
    audit_register_export(
        actor=user, register=register, unit=unit, filters=filters, fmt="html", rows=context["count"]
    )
    back = f"{reverse('registry:register_list', args=[register.slug])}?{_query(request, unit)}"
    return render(request, "registry/register_print.html", {**context, "pdf": False, "back_url": back})


@login_required
def register_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """XLSX or PDF of the register with the filters of the page it was asked from."""
    user, register, unit = _open(request, slug)
    if fmt not in CONTENT_TYPES:
        raise Http404("Định dạng xuất phải là xlsx hoặc pdf.")
    form = _filter_form(request, register)
    if form.is_bound and not form.is_valid():
        return _invalid_filters(request, register, unit, form)
    try:
        export = register_export(
            actor=user, register=register, unit=unit, filters=form.filters(), fmt=fmt,
            max_pdf_rows=WEB_PDF_MAX_ROWS,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('registry:register_list', args=[register.slug])}?{_query(request, unit)}")
    except VanphongError as exc:
        raise Http404(exc.message) from exc
    return FileResponse(
        io.BytesIO(export.content),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )


urlpatterns: list[URLPattern] = [
    path("so/", register_index, name="register_index"),
    path("so/<slug:slug>/", register_list, name="register_list"),
    path("so/<slug:slug>/in/", register_print, name="register_print"),
    path("so/<slug:slug>/xuat/<str:fmt>/", register_download, name="register_export"),
]

__all__ = ["urlpatterns"]
