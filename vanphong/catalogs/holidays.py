"""Days off from the holiday catalogue, and the cached :class:`WorkingCalendar` every deadline uses.

Expansion of one year (``days_off_for_year``):
1. each active :class:`HolidayRule` that applies to the year gives ``length_days`` days from its anchor
   (solar day, or lunar day converted with ``core.lunar``) shifted by ``offset_days``;
2. a holiday day falling on a weekly rest day (Saturday, Sunday) is compensated on the next working day that
   is not already off (BLLĐ 2019 Điều 111 khoản 3) when the rule says so;
3. the year's :class:`CalendarException` rows are applied: ``off`` days are added (hoán đổi), ``work`` days
   are removed (làm bù). A rule with exceptions that name it in ``replaces_rule`` for that year is not
   expanded at all: the official schedule replaces the computed days and their compensation.

The calendar is cached per process; ``invalidate_calendar`` (called by the catalogue service after a holiday
rule or exception is saved) changes a version token in Django's cache so every process rebuilds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from vanphong.core.lunar import lunar_to_solar
from vanphong.core.workdays import SATURDAY, SUNDAY, WorkingCalendar

from .models import CalendarException, CalendarKind, ExceptionKind, HolidayRule

WEEKEND = frozenset({SATURDAY, SUNDAY})
VERSION_KEY = "catalogs:holidays:version"
LOCAL_TTL_SECONDS = 300
YEARS_BACK, YEARS_AHEAD = 10, 5


@dataclass(frozen=True)
class RuleData:
    """The fields of a rule the expansion needs (so the expansion is pure and testable)."""

    pk: int
    name: str
    calendar: str
    month: int
    day: int
    length_days: int
    offset_days: int
    compensate_weekend: bool
    first_year: int | None = None
    last_year: int | None = None

    def applies_to(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class ExceptionData:
    date: date
    kind: str
    name: str
    replaces_rule_id: int | None = None


def anchor_date(rule: RuleData, year: int) -> date:
    if rule.calendar == CalendarKind.LUNAR:
        return lunar_to_solar(rule.day, rule.month, year)
    return date(year, rule.month, rule.day)


def expand_year(
    year: int, rules: Iterable[RuleData], exceptions: Iterable[ExceptionData]
) -> list[tuple[date, str]]:
    """Pure expansion of one year; see the module docstring for the steps."""
    year_exceptions = [e for e in exceptions if e.date.year == year]
    replaced = {e.replaces_rule_id for e in year_exceptions if e.replaces_rule_id}
    work_days = {e.date for e in year_exceptions if e.kind == ExceptionKind.WORK}
    off: dict[date, str] = {}
    to_compensate: list[tuple[date, str]] = []
    for rule in rules:
        if not rule.applies_to(year) or rule.pk in replaced:
            continue
        try:
            start = anchor_date(rule, year) + timedelta(days=rule.offset_days)
        except ValueError:  # 29/2 in a common year, a lunar 30th in a 29-day month …
            continue
        for i in range(rule.length_days):
            d = start + timedelta(days=i)
            off.setdefault(d, rule.name)
            if rule.compensate_weekend and d.weekday() in WEEKEND and d not in work_days:
                to_compensate.append((d, rule.name))
    for e in year_exceptions:
        if e.kind == ExceptionKind.OFF:
            off[e.date] = e.name
    for holiday, name in sorted(to_compensate):
        d = holiday + timedelta(days=1)
        while d.weekday() in WEEKEND or d in off or d in work_days:
            d += timedelta(days=1)
        off[d] = f"Nghỉ bù {name} ({holiday:%d/%m})"
    for d in work_days:
        off.pop(d, None)
    return sorted(off.items())


def _load(years: Iterable[int]) -> tuple[list[RuleData], list[ExceptionData]]:
    years = list(years)
    rules = [
        RuleData(
            r.pk,
            r.name,
            r.calendar,
            r.month,
            r.day,
            r.length_days,
            r.offset_days,
            r.compensate_weekend,
            r.first_year,
            r.last_year,
        )
        for r in HolidayRule.objects.filter(active=True).order_by("pk")
    ]
    exceptions = [
        ExceptionData(e.date, e.kind, e.name, e.replaces_rule_id)
        for e in CalendarException.objects.filter(
            active=True, date__year__gte=min(years), date__year__lte=max(years)
        )
    ]
    return rules, exceptions


def days_off_for_year(year: int) -> list[tuple[date, str]]:
    """Holidays, compensation days and official swaps of ``year`` (by the year the rule is anchored in)."""
    rules, exceptions = _load([year])
    return expand_year(year, rules, exceptions)


def working_days_for_year(year: int) -> list[date]:
    """Weekend days that are working days by an official exception (làm bù) in ``year``."""
    return sorted(
        CalendarException.objects.filter(active=True, kind=ExceptionKind.WORK, date__year=year).values_list(
            "date", flat=True
        )
    )


def build_calendar(years: Iterable[int]) -> WorkingCalendar:
    years = list(years)
    rules, exceptions = _load(years)
    off: set[date] = set()
    for y in years:
        off.update(d for d, _ in expand_year(y, rules, exceptions))
    work = {e.date for e in exceptions if e.kind == ExceptionKind.WORK}
    return WorkingCalendar.build(days_off=off - work, extra_working_days=work)


@dataclass
class _Cached:
    version: Any
    built_at: float
    today: date
    calendar: WorkingCalendar


_LOCAL: dict[str, _Cached] = {}


def working_calendar() -> WorkingCalendar:
    """The calendar for ten years back and five ahead, rebuilt after ``invalidate_calendar`` or 5 minutes."""
    today = timezone.localdate()
    version = cache.get(VERSION_KEY)
    entry = _LOCAL.get("calendar")
    if (
        entry is not None
        and entry.version == version
        and entry.today == today
        and time.monotonic() - entry.built_at < LOCAL_TTL_SECONDS
    ):
        return entry.calendar
    calendar = build_calendar(range(today.year - YEARS_BACK, today.year + YEARS_AHEAD + 1))
    _LOCAL["calendar"] = _Cached(version, time.monotonic(), today, calendar)
    return calendar


def invalidate_calendar() -> None:
    """Forget every process's cached calendar (call after holiday data changes, e.g. ``on_commit``)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    _LOCAL.clear()


def upcoming_days_off(start: date, limit: int = 3) -> list[dict[str, Any]]:
    """The next ``limit`` days off (holidays, compensation, swaps) on or after ``start``: ``{date, name}``."""
    found: list[dict[str, Any]] = []
    for year in (start.year, start.year + 1):
        for d, name in days_off_for_year(year):
            if d >= start:
                found.append({"date": d, "name": name})
                if len(found) >= limit:
                    return found
    return found
