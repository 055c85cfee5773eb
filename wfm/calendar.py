"""Calendar: the interval grid in the site timezone and the holiday calendar.

The holiday calendar wraps the ``holidays`` package once, so that no country code is scattered
through the code. For China (the default) the package also lists the *swapped working weekends*
(``weekend_workdays``: a Saturday or Sunday worked to make a long holiday longer) and the swapped
days off ("Day off (substituted from ...)"), which it reports as holidays.

Every date is classified as one *day kind*, used by the forecast to learn and apply calendar
effects:

``normal``           an ordinary day of its weekday
``holiday``          a public holiday (including a swapped day off), and, in a country that
                     swaps weekends to build long holidays (China), a weekend day inside a long
                     holiday: there the whole break is one holiday. Elsewhere (e.g. a British
                     bank-holiday weekend) the Saturday and Sunday stay ordinary weekend days
                     and each holiday keeps its own name
``working_weekend``  a Saturday or Sunday that is a working day by a holiday swap
``pre_holiday``      the working day just before a long holiday (3 or more days off in a row)
``post_holiday``     the working day just after a long holiday
``promotion``        a configured promotion date (``promotion_dates``), e.g. 11-11 or 6-18

When several apply, the first in the order promotion, holiday, pre/post holiday, working weekend
wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.config import SiteConfig

DAY_KINDS = ("normal", "holiday", "working_weekend", "pre_holiday", "post_holiday", "promotion")
LONG_HOLIDAY_DAYS = 3
WEEKEND_SWAPPING_COUNTRIES = frozenset({"CN"})


def _zone_name(timezone: str | ZoneInfo) -> str:
    # by name: pandas localizes a ZoneInfo object one element at a time (~100x slower)
    return timezone if isinstance(timezone, str) else timezone.key


def wall_clock_instant(wall: pd.DatetimeIndex, timezone: str | ZoneInfo) -> pd.DatetimeIndex:
    """The instant of each local wall-clock time, the one convention for shift times: a time
    repeated in autumn is its first occurrence (the earlier instant), one skipped in spring
    moves forward to the first valid time."""
    return wall.tz_localize(_zone_name(timezone), ambiguous=np.ones(len(wall), dtype=bool),
                            nonexistent="shift_forward")


def wall_clock_instants(wall: pd.DatetimeIndex, timezone: str | ZoneInfo
                        ) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Every real instant of local wall-clock interval starts, and the position of the wall
    time each came from.

    Shift templates are wall-clock times, so a shift spanning the repeated autumn hour is there
    for both copies of it (a 22:00-06:00 night shift lasts 9 real hours that night): an
    ambiguous wall time yields both instants. A wall time skipped in spring yields none (it does
    not exist; moving it onto the next hour would count the same agents twice there).
    """
    zone = _zone_name(timezone)
    first = wall.tz_localize(zone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="NaT")
    second = wall.tz_localize(zone, ambiguous=np.zeros(len(wall), dtype=bool),
                              nonexistent="NaT")
    exists = np.flatnonzero(first.notna())
    repeated = np.flatnonzero(first.notna() & (first != second))
    source = np.concatenate([exists, repeated])
    return pd.DatetimeIndex(first[exists].append(second[repeated])), source


def local_midnight(day: date, timezone: str | ZoneInfo) -> pd.Timestamp:
    """The first instant of local day ``day`` (where a zone skips midnight, the first local time
    after the gap; where midnight happens twice, the first of them)."""
    return wall_clock_instant(pd.DatetimeIndex([pd.Timestamp(day)]), timezone)[0]


def interval_grid(start: date, end: date, interval_minutes: int,
                  timezone: str | ZoneInfo) -> pd.DatetimeIndex:
    """Interval starts of the local days ``[start, end)`` in the site timezone, in real time.

    The grid runs in elapsed time, so a daylight-saving change gives the day its true length:
    the autumn day has its repeated hour twice (25 hours), the spring day skips the missing hour
    (23 hours). Starts are kept where the local clock is on the interval grid (all of them unless
    a zone shifts by a fraction of the interval).
    """
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    first, stop = local_midnight(start, tz), local_midnight(end, tz)
    grid = pd.date_range(first.tz_convert("UTC"), stop.tz_convert("UTC"),
                         freq=f"{interval_minutes}min", inclusive="left").tz_convert(tz)
    minutes = grid.hour * 60 + grid.minute
    return grid[np.asarray(minutes % interval_minutes == 0)]


def local_naive(index: pd.DatetimeIndex | pd.Series) -> pd.DatetimeIndex:
    """Wall-clock local times without the timezone (for day/slot arithmetic)."""
    values = pd.DatetimeIndex(index)
    return values.tz_localize(None) if values.tz is not None else values


class HolidayCalendar:
    """Public holidays, swapped working weekends and promotion days of one country.

    Parameters
    ----------
    country
        ISO country code known to the ``holidays`` package, or ``""`` for no holidays.
    promotion_dates
        Dates (``date`` or ISO text) with a sales promotion.
    """

    def __init__(self, country: str = "CN", promotion_dates: Iterable[date | str] = ()) -> None:
        self.country = country.upper()
        self.promotions = frozenset(
            d if isinstance(d, date) else date.fromisoformat(d) for d in promotion_dates)
        self._years: set[int] = set()
        self._holidays: dict[date, str] = {}
        self._workdays: set[date] = set()
        self._weekend: frozenset[int] = frozenset({5, 6})
        if self.country:
            import holidays

            self._weekend = frozenset(holidays.country_holidays(self.country).weekend)

    def _load(self, years: Iterable[int]) -> None:
        missing = sorted(set(years) - self._years)
        if not missing or not self.country:
            self._years.update(missing)
            return
        import holidays

        table = holidays.country_holidays(self.country, years=missing)
        self._holidays.update({d: str(n) for d, n in table.items() if d.year in missing})
        workdays: set[date] = getattr(table, "weekend_workdays", set())  # swapped working weekends
        self._workdays.update(d for d in workdays if d.year in missing)
        self._years.update(missing)

    @property
    def swaps_weekends(self) -> bool:
        """Whether the country builds long holidays by swapping weekends (China), so the
        whole break counts as one holiday. Known from the country, since the ``holidays``
        package lists a year's swapped days only once the government has published them."""
        return self.country in WEEKEND_SWAPPING_COUNTRIES or bool(self._workdays)

    @property
    def weekend(self) -> frozenset[int]:
        """Weekdays (Monday = 0) that are normally days off in this country."""
        return self._weekend

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name, or None for a day that is not a public holiday."""
        self._load([day.year])
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        """False on holidays and on weekends that are not swapped working days."""
        self._load([day.year])
        if day in self._holidays:
            return False
        return day.weekday() not in self._weekend or day in self._workdays

    def day_kinds(self, days: Sequence[date]) -> np.ndarray:
        """The day kind (see the module docstring) of each date, as an array of strings."""
        return self.day_info(days)[0]

    def day_info(self, days: Sequence[date]) -> tuple[np.ndarray, np.ndarray]:
        """Day kinds, and the holiday each holiday date belongs to ("" on other days).

        A holiday's name drops suffixes such as "(observed)"; every day of a long holiday (its
        swapped days off and weekends too) carries the name of the holiday the break is for, so
        "National Day" in one year can be compared with "National Day" in another.
        """
        if len(days) == 0:
            return np.array([], dtype=object), np.array([], dtype=object)
        first, last = min(days), max(days)
        pad = timedelta(days=31)  # to see the whole of a long holiday at the edges
        self._load(range((first - pad).year, (last + pad).year + 1))
        span = [first - pad + timedelta(days=i) for i in range((last - first + 2 * pad).days + 1)]
        kind = dict.fromkeys(span, "normal")
        group = dict.fromkeys(span, "")
        off = {d: not self.is_working_day(d) for d in span}
        for d in span:
            if d.weekday() in self._weekend and d in self._workdays:
                kind[d] = "working_weekend"
            if d in self._holidays:
                kind[d] = "holiday"
                group[d] = _base_name(self._holidays[d])
        i = 0
        while i < len(span):  # runs of days off that contain a holiday
            if not off[span[i]]:
                i += 1
                continue
            j = i
            while j + 1 < len(span) and off[span[j + 1]]:
                j += 1
            run = span[i:j + 1]
            named = [self._holidays[d] for d in run if d in self._holidays]
            if len(run) >= LONG_HOLIDAY_DAYS and named:
                kind[run[0] - timedelta(days=1)] = "pre_holiday"
                kind[run[-1] + timedelta(days=1)] = "post_holiday"
                proper = [_base_name(n) for n in named if not n.startswith("Day off")] or [
                    _base_name(n) for n in named]
                main = max(proper, key=proper.count)  # the break's holiday, not its eve
                for d in run if self.swaps_weekends else ():  # a weekend inside such a
                    kind[d] = "holiday"                         # long holiday is part of it
                    group[d] = main
            i = j + 1
        for d in span:
            if d in self.promotions:
                kind[d] = "promotion"
                group[d] = ""
        return (np.array([kind[d] for d in days], dtype=object),
                np.array([group[d] for d in days], dtype=object))


def _base_name(name: str) -> str:
    """"Tomb-Sweeping Day (observed)" -> "Tomb-Sweeping Day"."""
    return name.split(" (")[0].strip()


def calendar_for(config: SiteConfig) -> HolidayCalendar:
    """The holiday calendar of a site (``country`` and ``promotion_dates``)."""
    return HolidayCalendar(config.country, config.promotion_dates)
