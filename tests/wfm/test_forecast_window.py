"""Issue 23: the k-week means and medians read the planner's window (the last k days of the
weekday with data, a gap in history skipped); an odd day of it is replaced by the next older
usable day, as a planner would, but never by one from before a gap in history (another
season). References: numpy means and medians over hand-picked rows, and hand-worked
``window_rows`` examples."""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for
from wfm.config import build_config
from wfm.forecast.candidates import WeekdayStat, usable_days, window_rows
from wfm.forecast.panel import Panel, build_panel

SITE = build_config({"country": "", "timezone": "UTC", "interval_minutes": 60})
JANUARY = (date(2025, 1, 1), date(2025, 2, 1))
OCTOBER = (date(2025, 10, 1), date(2025, 10, 27))  # history ends on Sunday 10-26
ORIGIN = date(2025, 10, 27)
OCTOBER_SUNDAYS = [date(2025, 10, 26), date(2025, 10, 19), date(2025, 10, 12),
                   date(2025, 10, 5)]
SLOTS = np.arange(24)


def _day(day: date, level: float) -> np.ndarray:
    """A known day: January peaks in the morning, October in the evening (another season's
    intraday shape), times a level with a small known wobble."""
    peak = 10 if day.month == 1 else 19
    shape = 1.0 + np.exp(-0.5 * ((SLOTS - peak) / 3.0) ** 2)
    wobble = 1.0 + 0.02 * np.sin(day.toordinal())
    return level * wobble * shape / shape.sum()


def _panel(odd: dict[date, float] | None = None,
           spans: tuple[tuple[date, date], ...] = (JANUARY, OCTOBER)) -> Panel:
    """History over ``spans`` (default: January and most of October 2025, nothing in
    between); ``odd`` scales whole days."""
    odd = odd or {}
    stamps, values = [], []
    for first, stop in spans:
        day = first
        while day < stop:
            level = 1000.0 * odd.get(day, 1.0)
            stamps += [pd.Timestamp(day, tz="UTC") + pd.Timedelta(hours=int(h)) for h in SLOTS]
            values += list(_day(day, level))
            day += timedelta(days=1)
    series = pd.Series(values, index=pd.DatetimeIndex(stamps), dtype=float)
    return build_panel(series, 60, calendar_for(SITE))


def _rows(panel: Panel, days: list[date]) -> np.ndarray:
    return panel.values[[panel.row_of(d) for d in days]]


def test_window_rows_by_hand():
    """Days with data 0, 7, ..., 35; the window is 14-35. With 21 odd, 7 takes its place (no
    gap); with 0-7 before a gap (history from 14 on), nothing does: 14, 28, 35. With the
    whole window odd: the usable days after the gap first, else the last usable ones."""
    days = np.arange(0, 42, 7)
    usable = np.ones(42, dtype=bool)
    usable[21] = False
    assert window_rows(days, usable, 4, 0).tolist() == [7, 14, 28, 35]
    assert window_rows(days, usable, 4, 14).tolist() == [14, 28, 35]
    usable[[14, 28, 35]] = False
    assert window_rows(days, usable, 4, 0).tolist() == [0, 7]
    assert window_rows(days, usable, 4, 14).tolist() == [0, 7]


def test_without_odd_days_the_four_week_mean_is_the_planners_window_across_the_gap():
    """Nothing odd: the 4-week mean of Sundays is the plain mean of the last four Sundays with
    data, and the 6-week mean adds the last two January Sundays (the gap has no rows)."""
    panel = _panel()
    origin = panel.row_of(ORIGIN)
    assert usable_days(panel, origin)[[panel.row_of(d) for d in OCTOBER_SUNDAYS]].all()
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 7)[6],
                               _rows(panel, OCTOBER_SUNDAYS).mean(axis=0))
    # six weeks: four October Sundays and the last two January ones (the gap skipped)
    six = OCTOBER_SUNDAYS + [date(2025, 1, 26), date(2025, 1, 19)]
    np.testing.assert_allclose(WeekdayStat(6).ordinary(panel, origin, 7)[6],
                               _rows(panel, six).mean(axis=0))


def test_an_outlier_day_is_not_replaced_from_across_the_gap():
    """Sunday 10-19 at 30% of its level: left out of the 4-week mean and median, which read
    the three other October Sundays, not January's last Sunday (a morning-peaked shape from
    before the gap of eight months)."""
    panel = _panel({date(2025, 10, 19): 0.3})
    origin = panel.row_of(ORIGIN)
    assert not usable_days(panel, origin)[panel.row_of(date(2025, 10, 19))]
    kept = [OCTOBER_SUNDAYS[0], OCTOBER_SUNDAYS[2], OCTOBER_SUNDAYS[3]]
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 7)[6],
                               _rows(panel, kept).mean(axis=0))
    np.testing.assert_allclose(WeekdayStat(4, "median").ordinary(panel, origin, 7)[6],
                               np.median(_rows(panel, kept), axis=0))
    assert int(np.argmax(WeekdayStat(4).ordinary(panel, origin, 7)[6])) == 19  # October's peak


def test_without_a_gap_an_outlier_day_is_replaced_by_the_next_older_day():
    """The same outlier with history continuous from September: the planner's next older
    Sunday (09-28) takes its place, so the mean still reads four days."""
    panel = _panel({date(2025, 10, 19): 0.3}, ((date(2025, 9, 1), date(2025, 10, 27)),))
    origin = panel.row_of(ORIGIN)
    kept = [OCTOBER_SUNDAYS[0], OCTOBER_SUNDAYS[2], OCTOBER_SUNDAYS[3], date(2025, 9, 28)]
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 7)[6],
                               _rows(panel, kept).mean(axis=0))


def test_seasonal_naive_still_skips_an_odd_day():
    """Seasonal naive is the last usable day of the weekday, however far back."""
    panel = _panel({date(2025, 10, 26): 0.3})
    origin = panel.row_of(ORIGIN)
    np.testing.assert_allclose(WeekdayStat(1, "last").ordinary(panel, origin, 7)[6],
                               _rows(panel, [date(2025, 10, 19)])[0])
