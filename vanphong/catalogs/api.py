"""REST endpoints (read only) for the catalogues and the working-day calculator. A personal API token or the session."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from vanphong.accounts.api_auth import api_auth

from . import holidays
from .models import DocumentType, NumberBook, RetentionPeriod, SecrecyLevel, Urgency

router = Router(tags=["catalogs"], auth=api_auth)

MAX_DAYS = 1000


class DocumentTypeOut(Schema):
    code: str
    name: str
    party_abbr: str
    state_abbr: str
    rank: int
    source: str
    active: bool


class UrgencyOut(Schema):
    code: str
    name: str
    edxml_priority: int
    rank: int
    source: str


class SecrecyOut(Schema):
    code: str
    name: str
    rank: int
    source: str


class RetentionOut(Schema):
    code: str
    name: str
    years: int | None
    source: str


class NumberBookOut(Schema):
    id: int
    name: str
    unit_id: int
    issuer_symbol: str
    document_types: list[str]
    type_abbr: str
    style: str
    reset: str
    secret_sequence: str
    symbol_template: str
    source: str


class DayOffOut(Schema):
    date: date
    name: str


class HolidaysOut(Schema):
    year: int
    days_off: list[DayOffOut]
    working_weekends: list[date]


class AddOut(Schema):
    start: date
    days: int
    due: date


class BetweenOut(Schema):
    start: date
    end: date
    working_days: int


def _parse_date(value: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise HttpError(
            400, f"Ngày {label} “{value[:20]}” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2026-02-13."
        ) from exc


@router.get("/document-types", response=list[DocumentTypeOut])
def document_types(request: HttpRequest, include_inactive: bool = False) -> list[DocumentType]:
    qs = DocumentType.objects.all()
    return list(qs if include_inactive else qs.filter(active=True))


@router.get("/urgency", response=list[UrgencyOut])
def urgency(request: HttpRequest) -> list[Urgency]:
    return list(Urgency.objects.filter(active=True))


@router.get("/secrecy-levels", response=list[SecrecyOut])
def secrecy_levels(request: HttpRequest) -> list[SecrecyLevel]:
    return list(SecrecyLevel.objects.filter(active=True))


@router.get("/retention-periods", response=list[RetentionOut])
def retention_periods(request: HttpRequest) -> list[RetentionPeriod]:
    return list(RetentionPeriod.objects.filter(active=True))


@router.get("/number-books", response=list[NumberBookOut])
def number_books(request: HttpRequest, unit_id: int | None = None) -> list[dict[str, object]]:
    qs = (
        NumberBook.objects.filter(active=True)
        .select_related("issuer_symbol")
        .prefetch_related("document_types")
    )
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return [
        {
            "id": b.pk,
            "name": b.name,
            "unit_id": b.unit_id,
            "issuer_symbol": b.issuer_symbol.symbol if b.issuer_symbol else "",
            "document_types": [t.code for t in b.document_types.all()],
            "type_abbr": b.type_abbr,
            "style": b.style,
            "reset": b.reset,
            "secret_sequence": b.secret_sequence,
            "symbol_template": b.template(),
            "source": b.source,
        }
        for b in qs
    ]


@router.get("/holidays/{year}", response=HolidaysOut)
def holidays_of_year(request: HttpRequest, year: int) -> dict[str, object]:
    if not 1900 <= year <= 2199:
        raise HttpError(400, "Năm phải trong khoảng 1900–2199.")
    return {
        "year": year,
        "days_off": [{"date": d, "name": n} for d, n in holidays.days_off_for_year(year)],
        "working_weekends": holidays.working_days_for_year(year),
    }


@router.get("/workdays/add", response=AddOut)
def workdays_add(request: HttpRequest, start: str, days: int) -> dict[str, object]:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    d = _parse_date(start, "bắt đầu")
    if abs(days) > MAX_DAYS:
        raise HttpError(400, f"Số ngày làm việc phải trong khoảng −{MAX_DAYS}…{MAX_DAYS}.")
    return {"start": d, "days": days, "due": holidays.working_calendar().add_working_days(d, days)}


@router.get("/workdays/between", response=BetweenOut)
def workdays_between(request: HttpRequest, start: str, end: str) -> dict[str, object]:
    """Working days ``d`` with ``start < d <= end`` (negative when ``end`` is before ``start``)."""
    a, b = _parse_date(start, "bắt đầu"), _parse_date(end, "kết thúc")
    return {"start": a, "end": b, "working_days": holidays.working_calendar().working_days_between(a, b)}
