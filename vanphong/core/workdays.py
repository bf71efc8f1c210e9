"""Working-day arithmetic used by every deadline in the product.

The calendar is pure: it is given the days off (holidays and compensatory days) and the weekend days that are
working days by exception (làm bù). Where those dates come from is the business of ``catalogs.holidays``,
which builds a :class:`WorkingCalendar` from the holiday catalogue.

Conventions (stated once, used everywhere):
- ``add_working_days(start, n)``: the n-th working day *after* ``start`` (the day of receipt does not count),
  so a document received on Friday with a 1-working-day deadline is due on Monday. ``n = 0`` returns
  ``start`` if it is a working day, otherwise the next working day. Negative ``n`` counts backwards.
- ``working_days_between(start, end)``: number of working days ``d`` with ``start < d <= end``
  (negative when ``end < start``), so ``working_days_between(a, add_working_days(a, n)) == n``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})

    @classmethod
    def build(
        cls,
        days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        weekend: Iterable[int] = (SATURDAY, SUNDAY),
    ) -> WorkingCalendar:
        return cls(frozenset(days_off), frozenset(extra_working_days), frozenset(weekend))

    def is_working_day(self, d: date) -> bool:
        if d in self.extra_working_days:
            return True
        if d in self.days_off:
            return False
        return d.weekday() not in self.weekend

    def add_working_days(self, start: date, n: int) -> date:
        if n == 0:
            d = start
            while not self.is_working_day(d):
                d += timedelta(days=1)
            return d
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        d = start
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def next_working_day(self, d: date) -> date:
        return self.add_working_days(d, 1)
