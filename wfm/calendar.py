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


# ---- date and time forms ------------------------------------------------------------------
# The one definition of the dates and date-times every table and flag accepts (the planner
# guide, "Dates and times", lists them). Dates: year first, then month and day (1 or 2 digits)
# separated by "-", "/" or "." (one separator throughout), or the ISO basic YYYYMMDD. A
# date-time: such a date, "T" or spaces, then H:MM, HH:MM, HH:MM:SS or HH:MM:SS.fraction (or
# the basic HHMM[SS]), then optionally an offset: Z, +08, +0800 or +08:00 (a space before it
# is allowed). Without an offset the time is a local time in the site's timezone; with one it
# is converted to it. Day-first and month-first dates are refused: 01/12/2026 is ambiguous.
_DATE = (r"(?:(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
         r"|(?P<byear>\d{4})(?P<bmonth>\d{2})(?P<bday>\d{2}))")
_CLOCK = (r"(?:(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
          r"|(?P<bhour>\d{2})(?P<bminute>\d{2})(?P<bsecond>\d{2})?)(?:[.,](?P<fraction>\d{1,9}))?")
_ZONE = r"(?P<offset>[Zz]|(?P<sign>[+-])(?P<offset_hours>\d{2})(?::?(?P<offset_minutes>\d{2}))?)"
DATE_RE = f"^{_DATE}$"
DATETIME_RE = rf"^{_DATE}(?:T|\s+){_CLOCK}(?:\s*{_ZONE})?$"
# the subset Arrow's ISO 8601 parser reads exactly (RE2: no back-references); wfm.csv_reader
# uses Arrow for a column whose every cell matches, this module's parser for any other
ARROW_DATETIME_RE = (r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?"
                     r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)?$")
DATE_FORMS = "YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD; month and day may be 1 digit)"
DATETIME_FORMS = ("an ISO 8601 date-time such as 2026-11-23T08:30:00 or 2026-11-23 8:30 (also "
                  "2026/11/23 08:30), local time in {zone}, or with an offset such as +08:00, "
                  "+0800, +08 or Z")


def _column(parts: pd.DataFrame, name: str, basic: str | None = None) -> pd.Series:
    values = parts[name] if basic is None else parts[name].where(parts[name].notna(),
                                                                 parts[basic])
    return pd.to_numeric(values, errors="coerce")


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``datetime.date`` objects (None where a cell is empty or bad) and the mask of cells
    that are not a date in the accepted forms. ``values``: stripped text."""
    parts = values.str.extract(DATE_RE)
    stamps = pd.to_datetime(pd.DataFrame({
        "year": _column(parts, "year", "byear"), "month": _column(parts, "month", "bmonth"),
        "day": _column(parts, "day", "bday")}), errors="coerce")
    bad = stamps.isna().to_numpy() & (values != "").to_numpy()
    days = pd.Series([None if pd.isna(t) else t.date() for t in stamps], index=values.index,
                     dtype=object)
    return days, bad


def parse_date(text: str, what: str) -> date:
    """One date (a command-line flag, a configuration value) in the forms of ``parse_dates``;
    ``InvalidInput`` naming ``what`` otherwise."""
    from wfm.errors import InvalidInput

    days, bad = parse_dates(pd.Series([text.strip()], dtype=object))
    if bad[0] or days.iloc[0] is None:
        raise InvalidInput(f"{what} must be a date YYYY-MM-DD, got {text!r} (also accepted: "
                           "2026/12/07, 2026.12.07, 20261207)")
    return days.iloc[0]  # type: ignore[no-any-return]


def parse_local_times(values: pd.Series, timezone: str | ZoneInfo
                      ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse date-time text (the forms above) to tz-aware times in ``timezone``.

    Returns the times (NaT where empty or bad), the mask of cells that are not a date-time in
    the accepted forms (or not a real one: 2026-02-30, 25:00, an offset past 23:59), and the
    mask of local times without an offset that happen twice or never in ``timezone``
    (daylight saving; NaT, for the caller to explain).
    """
    zone = _zone_name(timezone)
    parts = values.str.extract(DATETIME_RE)
    hour = _column(parts, "hour", "bhour")
    minute = _column(parts, "minute", "bminute")
    second = _column(parts, "second", "bsecond").fillna(0)
    nanos = pd.to_numeric(parts["fraction"].fillna("").str.ljust(9, "0"), errors="coerce")
    in_range = ((hour < 24) & (minute < 60) & (second < 60)).to_numpy()
    wall = pd.to_datetime(pd.DataFrame({
        "year": _column(parts, "year", "byear"), "month": _column(parts, "month", "bmonth"),
        "day": _column(parts, "day", "bday"), "hour": hour.where(in_range),
        "minute": minute, "second": second, "nanosecond": nanos}), errors="coerce")
    offset = parts["offset"].notna().to_numpy()
    offset_hours = pd.to_numeric(parts["offset_hours"], errors="coerce").fillna(0)
    offset_minutes = pd.to_numeric(parts["offset_minutes"], errors="coerce").fillna(0)
    sign = np.where(parts["sign"] == "-", -1, 1)
    offset_ok = ((offset_hours < 24) & (offset_minutes < 60)).to_numpy()
    bad = (wall.isna().to_numpy() | ~offset_ok) & (values != "").to_numpy()
    result = pd.Series(pd.NaT, index=values.index, dtype=f"datetime64[ns, {zone}]")
    aware = offset & ~bad
    if aware.any():
        shift = pd.to_timedelta((offset_hours * 60 + offset_minutes) * sign, unit="min")
        utc = (wall - shift)[aware].dt.tz_localize("UTC")
        result[aware] = utc.dt.tz_convert(zone)
    naive = ~offset & ~bad & (values != "").to_numpy()
    unclear = np.zeros(len(values), dtype=bool)
    if naive.any():
        localized = wall[naive].dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        unclear[np.flatnonzero(naive)] = localized.isna().to_numpy()
        result[naive] = localized
    return result, bad, unclear
