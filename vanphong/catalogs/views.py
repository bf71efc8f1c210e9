"""Catalogue pages (thin): index, one generic list and edit page per catalogue, and the working-day page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from vanphong.core.exceptions import VanphongError

from . import holidays, services
from .access import can_edit_catalogs
from .forms import AddWorkingDaysForm, BetweenForm, catalog_form_class
from .selectors import Catalog, catalog_or_none, catalog_summaries

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
PAGE_SIZE = 50


def _catalog(slug: str) -> Catalog:
    catalog = catalog_or_none(slug)
    if catalog is None:
        raise Http404("Không có danh mục này.")
    return catalog


def _cell(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, name).all())
    if getattr(field, "choices", None):
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every catalogue with entry counts and the sources most cited in it."""
    return render(request, "catalogs/index.html", {
        "summaries": catalog_summaries(), "can_edit": can_edit_catalogs(request.user),
    })  # fmt: skip


@login_required
def catalog_list(request: HttpRequest, slug: str) -> HttpResponse:
    catalog = _catalog(slug)
    page = Paginator(catalog.queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"obj": obj, "cells": [_cell(obj, c) for c in catalog.columns]} for obj in page]
    return render(request, "catalogs/catalog_list.html", {
        "catalog": catalog, "headers": catalog.headers(), "rows": rows, "page_obj": page,
        "can_edit": can_edit_catalogs(request.user), "querystring_without_page": "",
    })  # fmt: skip


@login_required
def catalog_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Create or edit an entry; only catalogue editors (quản trị) see this page, others get 404."""
    catalog = _catalog(slug)
    if not can_edit_catalogs(request.user):
        raise Http404("Không tìm thấy trang.")
    instance = catalog.model()
    if pk is not None:
        try:
            instance = catalog.model._default_manager.get(pk=pk)
        except ObjectDoesNotExist as exc:
            raise Http404("Không tìm thấy mục danh mục.") from exc
    form_class = catalog_form_class(catalog.model)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            saved = services.catalog_entry_save(actor=request.user, instance=instance, data=data)
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu “{saved}”.")
            return redirect("catalogs:list", slug=slug)
    return render(request, "catalogs/catalog_form.html", {"catalog": catalog, "form": form, "target": pk})


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def workdays(request: HttpRequest) -> HttpResponse:
    """Working-day calculator (start + N → due date; two dates → working days) and the days off of a year."""
    today = timezone.localdate()
    cal = holidays.working_calendar()
    context: dict[str, Any] = {"today": today}
    add_form = AddWorkingDaysForm(
        request.GET if "add-start" in request.GET else None, prefix="add", initial={"start": today, "days": 5}
    )
    between_form = BetweenForm(
        request.GET if "between-start" in request.GET else None, prefix="between", initial={"start": today}
    )
    if add_form.is_bound and add_form.is_valid():
        start, n = add_form.cleaned_data["start"], add_form.cleaned_data["days"]
        due = cal.add_working_days(start, n)
        context["due"] = {"start": start, "days": n, "date": due, "weekday": WEEKDAYS[due.weekday()]}
    if between_form.is_bound and between_form.is_valid():
        a, b = between_form.cleaned_data["start"], between_form.cleaned_data["end"]
        context["between"] = {"start": a, "end": b, "days": cal.working_days_between(a, b)}
    raw_year = request.GET.get("year", "")
    year = _int_or_none(raw_year)
    if year is None or not 1900 <= year <= 2199:
        if raw_year:
            context["year_error"] = f"Năm “{raw_year[:10]}” không hợp lệ; đang hiển thị năm {today.year}."
        year = today.year
    days_off = [{"date": d, "name": name, "weekday": WEEKDAYS[d.weekday()]}
                for d, name in holidays.days_off_for_year(year)]  # fmt: skip
    context.update({
        "add_form": add_form, "between_form": between_form, "year": year, "days_off": days_off,
        "working_weekends": holidays.working_days_for_year(year), "years": range(today.year - 2, today.year + 3),
        "is_working_today": cal.is_working_day(today),
    })  # fmt: skip
    return render(request, "catalogs/workdays.html", context)
