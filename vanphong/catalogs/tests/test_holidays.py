"""Days off from the seeded catalogue for 2025–2027 and the working-day arithmetic built on them.

Expected dates are worked out by hand from the rules (BLLĐ 2019 Điều 111–112) and the 2025 official swaps.
"""

from __future__ import annotations

from datetime import date

import pytest

from vanphong.catalogs.holidays import (
    ExceptionData,
    RuleData,
    days_off_for_year,
    expand_year,
    upcoming_days_off,
    working_calendar,
)
from vanphong.catalogs.models import CalendarException, HolidayRule
from vanphong.catalogs.services import catalog_entry_save

pytestmark = pytest.mark.django_db


def _off(year: int) -> dict[date, str]:
    return dict(days_off_for_year(year))


def test_tet_2026_is_monday_to_friday_16_to_20_february():
    """Tết Bính Ngọ: mùng 1 = Tue 17/2/2026; the day before + mùng 1–4 = Mon 16/2 … Fri 20/2."""
    off = _off(2026)
    tet = sorted(d for d, n in off.items() if n == "Tết Nguyên đán")
    assert tet == [date(2026, 2, d) for d in range(16, 21)]
    assert date(2026, 2, 23) not in off


def test_deadline_across_tet_2026():
    """One working day after Friday 13/2/2026 is Monday 23/2/2026 (the whole next week is Tết)."""
    cal = working_calendar()
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    # February 2026 has 20 weekdays after Sunday 1/2; Tết takes 5 of them.
    assert cal.working_days_between(date(2026, 2, 1), date(2026, 2, 28)) == 15


def test_tet_2027_weekend_days_are_compensated():
    """Tết Đinh Mùi: mùng 1 = Sat 6/2/2027; holidays Fri 5/2 … Tue 9/2; Sat 6 and Sun 7 → Wed 10 and Thu 11."""
    off = _off(2027)
    for d in range(5, 12):
        assert date(2027, 2, d) in off
    assert off[date(2027, 2, 10)].startswith("Nghỉ bù Tết Nguyên đán")
    assert off[date(2027, 2, 11)].startswith("Nghỉ bù Tết Nguyên đán")
    assert date(2027, 2, 12) not in off
    cal = working_calendar()
    assert cal.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 12)
    assert cal.working_days_between(date(2027, 2, 4), date(2027, 2, 12)) == 1


def test_tet_2025_official_swap():
    """Tết Ất Tỵ 2025: off Sat 25/1 … Sun 2/2 (Mon 27/1 swapped), back on Mon 3/2; Sat 8/2 is a working day."""
    cal = working_calendar()
    for d in [
        date(2025, 1, 25),
        *[date(2025, 1, x) for x in range(26, 32)],
        date(2025, 2, 1),
        date(2025, 2, 2),
    ]:
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2025, 2, 3))
    assert cal.is_working_day(date(2025, 2, 8))
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    # Mon 3/2 … Fri 7/2 and Sat 8/2 are the six working days after Fri 24/1 up to Sat 8/2.
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 8)) == 6


def test_30_april_2025_swap():
    """2025: Wed 30/4, Thu 1/5, Fri 2/5 (swap) off through Sun 4/5; Sat 26/4 worked instead."""
    cal = working_calendar()
    for d in (date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)):
        assert not cal.is_working_day(d)
    assert cal.is_working_day(date(2025, 4, 26))
    assert cal.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    assert cal.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    assert date(2025, 4, 7) in _off(2025)  # Giỗ Tổ 10/3 Ất Tỵ = Mon 7/4/2025


def test_april_may_2026_gio_to_on_sunday_is_compensated_monday():
    """2026: Giỗ Tổ = Sun 26/4 → Mon 27/4 off; Thu 30/4 and Fri 1/5 off; Tue 28 and Wed 29 are working days."""
    off = _off(2026)
    assert off[date(2026, 4, 26)] == "Giỗ Tổ Hùng Vương"
    assert off[date(2026, 4, 27)].startswith("Nghỉ bù Giỗ Tổ Hùng Vương")
    assert date(2026, 4, 30) in off and date(2026, 5, 1) in off
    cal = working_calendar()
    assert cal.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    assert cal.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert cal.working_days_between(date(2026, 4, 24), date(2026, 5, 4)) == 3


def test_april_may_2027_saturday_1_may_compensated_monday_3_may():
    """2027: Giỗ Tổ Fri 16/4; Fri 30/4 and Sat 1/5 → Mon 3/5 off; one working day after Thu 29/4 is Tue 4/5."""
    off = _off(2027)
    assert date(2027, 4, 16) in off
    assert off[date(2027, 5, 3)].startswith("Nghỉ bù Ngày Quốc tế lao động")
    assert working_calendar().add_working_days(date(2027, 4, 29), 1) == date(2027, 5, 4)


def test_national_day_two_days():
    """Quốc khánh: 1/9 and 2/9 — Mon–Tue in 2025, Tue–Wed in 2026, Wed–Thu in 2027."""
    for year in (2025, 2026, 2027):
        off = _off(year)
        assert off[date(year, 9, 1)] == "Quốc khánh" and off[date(year, 9, 2)] == "Quốc khánh"
    assert working_calendar().add_working_days(date(2025, 8, 29), 1) == date(2025, 9, 3)


def test_new_year_on_saturday_2028_compensated_monday():
    """Tết Dương lịch 1/1/2028 is a Saturday → Monday 3/1/2028 off."""
    off = _off(2028)
    assert date(2028, 1, 1) in off and date(2028, 1, 3) in off


def test_inactive_rule_is_ignored():
    """Ngày Văn hóa Việt Nam (24/11) is seeded inactive [U] and gives no day off until enabled."""
    assert date(2026, 11, 24) not in _off(2026)


def test_upcoming_days_off_has_date_and_name():
    """The home page gets the next days off, each with ``date`` and ``name``, crossing into the next year."""
    days = upcoming_days_off(date(2026, 12, 20), limit=3)
    assert [d["date"] for d in days] == [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6)]
    assert days[0]["name"] == "Tết Dương lịch"


def test_pure_expansion_replaced_rule_and_work_day():
    """A rule replaced by the year's official schedule is not expanded (and not compensated)."""
    rule = RuleData(1, "Lễ thử", "solar", 3, 7, 1, 0, True)  # Sat 7/3/2026
    assert dict(expand_year(2026, [rule], []))[date(2026, 3, 9)].startswith("Nghỉ bù")
    official = [ExceptionData(date(2026, 3, 6), "off", "Nghỉ theo thông báo", 1)]
    assert expand_year(2026, [rule], official) == [(date(2026, 3, 6), "Nghỉ theo thông báo")]
    worked = [ExceptionData(date(2026, 3, 7), "work", "Làm bù")]
    assert expand_year(2026, [rule], worked) == []


def test_saving_an_exception_refreshes_the_cached_calendar(admin, django_capture_on_commit_callbacks):
    """After an admin adds a swap through the service, the cached calendar sees it once committed."""
    assert working_calendar().is_working_day(date(2026, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        catalog_entry_save(
            actor=admin,
            instance=CalendarException(),
            data={
                "date": date(2026, 12, 31),
                "kind": "off",
                "name": "Nghỉ thử",
                "source": "Thông báo thử [U]",
            },
        )
    assert not working_calendar().is_working_day(date(2026, 12, 31))


def test_seed_holiday_rules_carry_sources():
    """Every seeded holiday rule cites the Labour Code; the Tết and 2/9 splits are marked as yearly PM decisions."""
    for rule in HolidayRule.objects.filter(active=True):
        assert "Bộ luật Lao động 2019 Điều 112" in rule.source
    assert "Thủ tướng" in HolidayRule.objects.get(name="Tết Nguyên đán").source
    assert "Thủ tướng" in HolidayRule.objects.get(name="Quốc khánh").source
