"""The interval grid and the holiday calendar (China by default, swapped working weekends)."""

from datetime import date, timedelta

import pandas as pd
import pytest

from wfm.calendar import HolidayCalendar, calendar_for, interval_grid
from wfm.config import build_config


def _kinds(calendar: HolidayCalendar, first: date, days: int) -> dict[date, str]:
    dates = [first + timedelta(days=i) for i in range(days)]
    return dict(zip(dates, calendar.day_kinds(dates), strict=True))


def test_interval_grid_covers_local_days_in_the_site_timezone():
    grid = interval_grid(date(2026, 3, 2), date(2026, 3, 4), 30, "Asia/Shanghai")
    assert len(grid) == 96
    assert grid[0] == pd.Timestamp("2026-03-02T00:00:00+08:00")
    assert grid[-1] == pd.Timestamp("2026-03-03T23:30:00+08:00")


def test_interval_grid_leaves_out_the_missing_hour_of_a_dst_change():
    grid = interval_grid(date(2026, 3, 29), date(2026, 3, 30), 60, "Europe/Berlin")
    assert len(grid) == 23  # 02:00 does not exist on that day
    assert pd.Timestamp("2026-03-29T03:00:00+02:00") in grid


def test_interval_grid_keeps_both_copies_of_the_repeated_autumn_hour():
    """New York falls back at 02:00 EDT on 2026-11-01: 01:00-01:59 happens twice, so the day
    has 25 hours = 100 quarter-hours, each 15 real minutes after the one before."""
    grid = interval_grid(date(2026, 11, 1), date(2026, 11, 2), 15, "America/New_York")
    assert len(grid) == 100
    assert (grid[1:] - grid[:-1] == pd.Timedelta(minutes=15)).all()
    assert pd.Timestamp("2026-11-01T01:45:00-04:00") in grid
    assert pd.Timestamp("2026-11-01T01:00:00-05:00") in grid
    spring = interval_grid(date(2026, 3, 8), date(2026, 3, 9), 15, "America/New_York")
    assert len(spring) == 92


def test_china_national_day_2026_with_its_swapped_working_weekends():
    # Official 2026 arrangement: 1-7 October off; Sunday 20 September and Saturday
    # 10 October are worked.
    kinds = _kinds(HolidayCalendar("CN"), date(2026, 9, 19), 24)
    assert kinds[date(2026, 9, 20)] == "working_weekend"
    assert kinds[date(2026, 10, 10)] == "working_weekend"
    assert kinds[date(2026, 9, 30)] == "pre_holiday"
    assert all(kinds[date(2026, 10, d)] == "holiday" for d in range(1, 8))  # incl. Sunday 4th
    assert kinds[date(2026, 10, 8)] == "post_holiday"
    assert kinds[date(2026, 10, 11)] == "normal"  # an ordinary Sunday
    calendar = HolidayCalendar("CN")
    assert calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 11))
    assert calendar.weekend == frozenset({5, 6})


def test_spring_festival_2026_saturday_before_is_a_working_pre_holiday_day():
    kinds = _kinds(HolidayCalendar("CN"), date(2026, 2, 13), 14)
    assert kinds[date(2026, 2, 14)] == "pre_holiday"  # worked Saturday, eve of the break
    assert kinds[date(2026, 2, 17)] == "holiday"
    assert kinds[date(2026, 2, 24)] == "post_holiday"


def test_promotion_wins_and_no_country_means_no_holidays():
    calendar = HolidayCalendar("CN", ["2026-10-02", "2026-11-11"])
    kinds = _kinds(calendar, date(2026, 10, 1), 45)
    assert kinds[date(2026, 10, 2)] == "promotion"
    assert kinds[date(2026, 11, 11)] == "promotion"
    plain = _kinds(HolidayCalendar(""), date(2026, 10, 1), 10)
    assert set(plain.values()) == {"normal"}


def test_calendar_for_uses_the_site_country_and_promotions():
    calendar = calendar_for(build_config({"country": "", "promotion_dates": ["2026-06-18"]}))
    assert calendar.day_kinds([date(2026, 6, 18), date(2026, 10, 1)]).tolist() == [
        "promotion", "normal"]


@pytest.mark.parametrize("country, weekend", [("CN", {5, 6}), ("IL", {4, 5})])
def test_weekend_follows_the_country(country, weekend):
    assert HolidayCalendar(country).weekend == frozenset(weekend)


def test_a_british_christmas_keeps_its_weekend_ordinary_and_each_holiday_its_name():
    """GB 2026: Christmas Fri 25, Boxing Day Sat 26 (substitute Mon 28). Sunday 27 is no bank
    holiday; without swapped weekends the break is not one block called Christmas."""
    days = [date(2026, 12, 24) + timedelta(days=i) for i in range(6)]
    kinds, names = HolidayCalendar("GB").day_info(days)
    assert list(kinds) == ["pre_holiday", "holiday", "holiday", "normal", "holiday",
                           "post_holiday"]
    assert list(names) == ["", "Christmas Day", "Boxing Day", "", "Boxing Day", ""]


def test_the_spring_festival_break_is_named_for_the_festival_not_its_eve():
    """2027: the eve (Fri 5 Feb) through 10 Feb is one break, called by the holiday most of its
    days carry; 2027's swapped days are not all published yet, and China still swaps."""
    days = [date(2027, 2, 4) + timedelta(days=i) for i in range(8)]
    kinds, names = HolidayCalendar("CN").day_info(days)
    assert list(kinds) == ["pre_holiday"] + ["holiday"] * 6 + ["post_holiday"]
    assert set(names[1:7]) == {"Chinese New Year"}
