"""PLACEHOLDER — the catalogs helper replaces this module with the real holiday catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from vanphong.core.workdays import WorkingCalendar


def working_calendar() -> WorkingCalendar:
    return WorkingCalendar.build()


def upcoming_days_off(start: date, limit: int = 3) -> list[dict[str, Any]]:
    return []
