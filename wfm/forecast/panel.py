"""One queue's history laid out as days x intervals, with each day's weekday and day kind.

Every candidate model of the model choice (``wfm.forecast.candidates``) reads this layout, so a
rolling-origin backtest only slices it instead of rebuilding it per fold. Rows are local
calendar days, columns the intervals of a wall-clock day; NaN is unknown (a missing row in
history is unknown, never zero).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from wfm.calendar import HolidayCalendar, local_midnight, local_naive
from wfm.forecast.models import _daily_totals, day_grid

CACHED_DAYS_AHEAD = 7 * 53


@dataclass(frozen=True)
class Panel:
    """A queue's contacts history as a (days, slots) matrix.

    Attributes
    ----------
    series
        The history itself (tz-aware interval starts), for models that take a series.
    values
        (days, slots) contacts in local wall-clock time, NaN = unknown.
    first_day
        Local date of row 0.
    calendar
        Holidays and promotions of the site (day kinds).
    interval_minutes
        Interval length.
    """

    series: pd.Series
    values: np.ndarray
    first_day: date
    calendar: HolidayCalendar
    interval_minutes: int
    # weekday, day kind and holiday name of rows 0 .. len - 1 (history and a year past it),
    # computed once: the backtest asks for them at every fold
    cached: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def num_days(self) -> int:
        return int(self.values.shape[0])

    @cached_property
    def days_with_data(self) -> np.ndarray:
        """(days,) rows with at least one known interval, computed once: every simple
        candidate reads it at every origin."""
        return np.isfinite(self.values).any(axis=1)

    @property
    def num_slots(self) -> int:
        return int(self.values.shape[1])

    def dates(self, start: int, days: int) -> list[date]:
        """The dates of rows ``start .. start + days - 1`` (rows past history allowed)."""
        return [self.first_day + timedelta(days=start + d) for d in range(days)]

    def day_info(self, start: int, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weekdays, day kinds and holiday names of rows ``start .. start + days - 1``."""
        if self.cached is not None and 0 <= start and start + days <= len(self.cached[0]):
            part = slice(start, start + days)
            return self.cached[0][part], self.cached[1][part], self.cached[2][part]
        dates = self.dates(start, days)
        weekdays = np.array([d.weekday() for d in dates], dtype=int)
        kinds, groups = self.calendar.day_info(dates)
        return weekdays, kinds, groups

    def row_of(self, day: date) -> int:
        return (day - self.first_day).days

    def origin_time(self, origin: int) -> pd.Timestamp:
        """The first instant of row ``origin`` (local midnight)."""
        index = pd.DatetimeIndex(self.series.index)
        zone = getattr(index.tz, "key", None) or str(index.tz)
        return local_midnight(self.first_day + timedelta(days=origin), zone)

    def before(self, origin: int, weeks: int | None = None) -> pd.Series:
        """The history series before row ``origin``: its last ``weeks`` weeks *with data*
        (a gap of months in history does not cut what came before it)."""
        end = self.origin_time(origin)
        index = pd.DatetimeIndex(self.series.index)
        keep = index < end
        if weeks is not None:
            known = np.flatnonzero(np.isfinite(self.values[:min(origin, self.num_days)])
                                   .any(axis=1))
            if len(known) > 7 * weeks:
                keep &= index >= self.origin_time(int(known[-7 * weeks]))
        return self.series[keep]

    def totals(self, origin: int) -> np.ndarray:
        """Each day's total before row ``origin`` (scaled up for unknown intervals, NaN when
        under half the day is known; see ``models._daily_totals``)."""
        weekdays, _, _ = self.day_info(0, min(origin, self.num_days))
        return _daily_totals(self.values[:origin], weekdays)


def build_panel(y: pd.Series, interval_minutes: int, calendar: HolidayCalendar) -> Panel:
    """The panel of a contacts series (tz-aware interval starts on the site's grid)."""
    grid = day_grid(y, interval_minutes)
    panel = Panel(series=y, values=grid.values, first_day=grid.first_day, calendar=calendar,
                  interval_minutes=interval_minutes)
    return replace(panel, cached=panel.day_info(0, panel.num_days + CACHED_DAYS_AHEAD))


def to_matrix(frame: pd.DataFrame, first_day: date, days: int, num_slots: int,
              interval_minutes: int, column: str = "mean") -> np.ndarray:
    """(days, slots) of a predicted column, rows from ``first_day``; the repeated autumn hour
    keeps its later copy, intervals not predicted are NaN."""
    out = np.full((days, num_slots), np.nan)
    if len(frame) == 0:
        return out
    naive = local_naive(pd.DatetimeIndex(frame.index))
    row = np.asarray((naive.normalize() - pd.Timestamp(first_day)).days, dtype=int)
    slot = np.asarray((naive.hour * 60 + naive.minute) // interval_minutes, dtype=int)
    keep = (row >= 0) & (row < days)
    out[row[keep], slot[keep]] = frame[column].to_numpy()[keep]
    return out
