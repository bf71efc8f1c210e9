"""Lunar conversion (UTC+7) and the pure working-day arithmetic."""

from datetime import date

from vanphong.core.lunar import LunarDate, lunar_to_solar, solar_to_lunar, tet
from vanphong.core.workdays import WorkingCalendar


def test_tet_dates_vietnamese_calendar():
    """Tết 2025–2027, and 1985 when the Vietnamese calendar differs from the Chinese one (21/1 vs 20/2)."""
    assert tet(2025) == date(2025, 1, 29)
    assert tet(2026) == date(2026, 2, 17)
    assert tet(2027) == date(2027, 2, 6)
    assert tet(1985) == date(1985, 1, 21)


def test_hung_kings_and_round_trip():
    assert lunar_to_solar(10, 3, 2026) == date(2026, 4, 26)
    assert solar_to_lunar(date(2026, 2, 16)) == LunarDate(29, 12, 2025, False)
    for d in (date(2025, 1, 1), date(2026, 7, 15), date(2027, 12, 31)):
        lunar = solar_to_lunar(d)
        assert lunar_to_solar(lunar.day, lunar.month, lunar.year, lunar.leap) == d


def test_leap_month_2025():
    """2025 has a leap 6th month (6 nhuận) starting 25/7/2025."""
    assert solar_to_lunar(date(2025, 7, 25)) == LunarDate(1, 6, 2025, True)


def test_add_and_count_working_days_with_weekend_and_holiday():
    cal = WorkingCalendar.build(days_off=[date(2026, 9, 2)], extra_working_days=[date(2026, 9, 5)])
    assert cal.add_working_days(date(2026, 9, 1), 1) == date(2026, 9, 3)  # 2/9 off
    assert cal.add_working_days(date(2026, 9, 4), 1) == date(2026, 9, 5)  # Saturday made a working day
    assert cal.add_working_days(date(2026, 9, 7), -1) == date(2026, 9, 5)
    assert cal.add_working_days(date(2026, 9, 6), 0) == date(2026, 9, 7)
    assert cal.working_days_between(date(2026, 9, 1), date(2026, 9, 8)) == 5
    assert cal.working_days_between(date(2026, 9, 8), date(2026, 9, 1)) == -5
