"""Roster rows → dated shift windows with their fixed breaks, as nanosecond timestamps.

A roster row ``(agent_id, date, shift)`` with a template code becomes a window ``[start, end)``:
the template's clock times on that date in the site timezone (a template whose end is earlier
than its start ends the next day). Fixed breaks are scheduled non-work inside the window.
``OFF`` and ``LEAVE`` rows have no window; they only name the day when activity falls on it.

Times are ``int64`` nanoseconds since the Unix epoch (UTC) so that the interval arithmetic of the
other modules is plain numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instant
from wfm.config import SiteConfig
from wfm.errors import InvalidInput

NON_WORKING = ("OFF", "LEAVE")
NS_PER_MINUTE = 60_000_000_000


@dataclass(frozen=True)
class Schedule:
    """Working shifts sorted by (agent, start), plus the roster's OFF/LEAVE days.

    Attributes
    ----------
    shifts
        One row per working roster row: ``agent`` (code), ``agent_id``, ``date``, ``shift``,
        ``start_ns``, ``end_ns``, ``paid_ns`` (window minus breaks), ``line`` (roster line).
    break_start_ns, break_end_ns
        ``(num_shifts, max_breaks)`` arrays; unused slots are empty breaks at the shift start.
    days_off
        ``agent_id, date, shift`` of the OFF and LEAVE rows.
    """

    shifts: pd.DataFrame
    break_start_ns: np.ndarray
    break_end_ns: np.ndarray
    days_off: pd.DataFrame


def local_ns(dates: pd.Series, minutes: np.ndarray, tz: str) -> np.ndarray:
    """Epoch nanoseconds of wall-clock ``date + minutes`` in ``tz``.

    A wall time repeated in autumn is its first occurrence (the earlier instant), as in the
    rule checker and the coverage table; one skipped in spring moves forward.
    """
    midnight = pd.to_datetime(pd.Series(list(dates), dtype=object).astype(str))
    wall = pd.DatetimeIndex(midnight + pd.to_timedelta(np.asarray(minutes), unit="min"))
    return np.asarray(wall_clock_instant(wall, tz).as_unit("ns").asi8, dtype=np.int64)


def build_schedule(roster: pd.DataFrame, config: SiteConfig, agents: pd.Index, *,
                   label: str = "roster") -> Schedule:
    """Shift windows of every working roster row.

    Parameters
    ----------
    roster
        ``agent_id, date, shift`` frame as returned by ``read_table`` (row i is line i + 2).
    config
        Site configuration: shift templates and timezone.
    agents
        Index of every agent id; ``agent`` in the result is the position in it.
    """
    shift_codes = roster["shift"].astype(str).str.upper()
    lines = np.asarray(roster.index, dtype=np.int64) + 2
    known = {t.code for t in config.shifts}
    unknown = ~shift_codes.isin(known | set(NON_WORKING)).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InvalidInput(f"unknown shift code {shift_codes.iloc[i]!r}; known: "
                           f"{', '.join(sorted(known))}, OFF, LEAVE", file=label,
                           line=int(lines[i]), field="shift")
    working = ~shift_codes.isin(NON_WORKING).to_numpy()
    days_off = pd.DataFrame({"agent_id": roster["agent_id"].to_numpy()[~working],
                             "date": roster["date"].to_numpy()[~working],
                             "shift": shift_codes.to_numpy()[~working]})

    rows = pd.DataFrame({"agent_id": roster["agent_id"].to_numpy()[working],
                         "date": roster["date"].to_numpy()[working],
                         "shift": shift_codes.to_numpy()[working],
                         "line": lines[working]})
    templates = {t.code: t for t in config.shifts}
    start_minute = rows["shift"].map({c: t.start_minute for c, t in templates.items()}
                                     ).to_numpy(np.int64)
    duration = rows["shift"].map({c: t.duration_minutes for c, t in templates.items()}
                                 ).to_numpy(np.int64)
    rows["agent"] = agents.get_indexer(pd.Index(rows["agent_id"]))
    rows["start_ns"] = local_ns(rows["date"], start_minute, config.timezone)
    rows["end_ns"] = local_ns(rows["date"], start_minute + duration, config.timezone)

    max_breaks = max((len(t.breaks) for t in config.shifts), default=0)
    num_shifts = len(rows)
    break_start = np.repeat(rows["start_ns"].to_numpy()[:, None], max_breaks, axis=1)
    break_end = break_start.copy()
    for j in range(max_breaks):
        slot = {c: t.break_offsets()[j] if j < len(t.breaks) else (0, 0)
                for c, t in templates.items()}
        offset = rows["shift"].map({c: o for c, (o, _) in slot.items()}).to_numpy(np.int64)
        length = rows["shift"].map({c: m for c, (_, m) in slot.items()}).to_numpy(np.int64)
        has = length > 0
        if has.any():
            starts = local_ns(rows["date"][has], start_minute[has] + offset[has],
                              config.timezone)
            break_start[has, j] = starts
            break_end[has, j] = starts + length[has] * NS_PER_MINUTE
    break_ns = (break_end - break_start).sum(axis=1) if max_breaks else np.zeros(num_shifts,
                                                                               np.int64)
    rows["paid_ns"] = rows["end_ns"].to_numpy() - rows["start_ns"].to_numpy() - break_ns

    order = np.lexsort((rows["start_ns"].to_numpy(), rows["agent"].to_numpy()))
    shifts = rows.iloc[order].reset_index(drop=True)
    return Schedule(shifts=shifts, break_start_ns=break_start[order],
                    break_end_ns=break_end[order], days_off=days_off)


def to_ns(values: pd.Series) -> np.ndarray:
    """Epoch nanoseconds of a tz-aware datetime column (NaT becomes ``NaT_NS``)."""
    index = pd.DatetimeIndex(values)
    if index.tz is None:
        raise InvalidInput("datetime column must be timezone-aware (use read_table)")
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


NAT_NS = np.iinfo(np.int64).min


def next_midnight_ns(time_ns: np.ndarray, tz: str) -> np.ndarray:
    """The first local midnight strictly after each of ``time_ns``.

    Where midnight is repeated (Havana falls back from 01:00 to 00:00) both copies of the hour
    are on the new date, so the day ends at the first one.
    """
    local = pd.DatetimeIndex(np.asarray(time_ns, dtype="datetime64[ns]"), tz="UTC").tz_convert(tz)
    wall = local.tz_localize(None).normalize() + pd.Timedelta(days=1)
    return np.asarray(wall_clock_instant(wall, tz).as_unit("ns").asi8, dtype=np.int64)


def format_ns(time_ns: int, tz: str) -> str:
    """ISO 8601 local time with offset, for messages."""
    return pd.Timestamp(int(time_ns), tz="UTC").tz_convert(tz).isoformat()


def local_day_numbers(time_ns: np.ndarray, tz: str) -> np.ndarray:
    """Local calendar days of ``time_ns`` in ``tz``, as days since 1970-01-01."""
    local = pd.DatetimeIndex(np.asarray(time_ns, dtype="datetime64[ns]"), tz="UTC").tz_convert(tz)
    wall = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    return wall // NS_PER_DAY


def day_numbers_to_dates(days: np.ndarray) -> np.ndarray:
    """``datetime.date`` objects of day numbers (days since 1970-01-01)."""
    return np.asarray(np.asarray(days, dtype="datetime64[D]").astype(object), dtype=object)


NS_PER_DAY = 86_400 * 1_000_000_000


def format_many_ns(time_ns: np.ndarray, tz: str) -> list[str]:
    """``format_ns`` for an array (to the second), without a Timestamp per value."""
    time_ns = np.asarray(time_ns, dtype=np.int64)
    local = pd.DatetimeIndex(time_ns.astype("datetime64[ns]"), tz="UTC").tz_convert(tz)
    wall = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    clock = np.datetime_as_string(wall.astype("datetime64[ns]"), unit="s")
    offset = (wall - time_ns) // NS_PER_MINUTE
    return [f"{c}{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
            for c, m in zip(clock.tolist(), offset.tolist(), strict=True)]
