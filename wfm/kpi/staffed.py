"""Staffed agent-seconds per interval and queue from login data and the roster.

An agent's working time (the working states of ``wfm.adherence``: login, ready, talk, hold,
acw; with sessions, all logged-in time) counts for the queue their roster row names for the
shift it is attributed to (``wfm.adherence`` attribution: the overlapping shift, or the nearest
within 3 h). Working time attributed to no shift has no queue and is counted separately as
``unattributed_seconds``. Intervals are local wall-clock buckets of ``interval_minutes``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.adherence.activity import Activity, attributed_activity
from wfm.config import SiteConfig
from wfm.coverage import resolve_queues

NS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True)
class Staffed:
    """``table``: ``local_ns`` (wall-clock interval start as naive epoch ns), ``queue``,
    ``staffed_seconds``; ``unattributed_seconds``: working time attributed to no shift."""

    table: pd.DataFrame
    unattributed_seconds: float


def local_wall_ns(instants: pd.Series) -> np.ndarray:
    """Wall-clock epoch nanoseconds of tz-aware instants (the key intervals are matched on)."""
    naive = instants.dt.tz_localize(None).dt.as_unit("ns")  # pandas 3 may hold us or s
    return np.asarray(naive.astype("int64"), dtype=np.int64)


def _utc_offset_ns(utc_ns: np.ndarray, tz: str) -> np.ndarray:
    stamps = pd.DatetimeIndex(utc_ns.astype("datetime64[ns]"), tz="UTC").tz_convert(tz)
    return np.asarray(stamps.tz_localize(None).asi8, dtype=np.int64) - utc_ns


def staffed_per_interval(roster: pd.DataFrame, config: SiteConfig, queues: list[str], *,
                         events: pd.DataFrame | None = None,
                         sessions: pd.DataFrame | None = None,
                         roster_label: str = "roster",
                         activity: Activity | None = None) -> Staffed:
    """Working agent-seconds per (interval, queue); see the module docstring.

    ``activity``: ``wfm.adherence.attributed_activity`` of this roster and login data, when
    the caller has it (``compute_kpis`` shares it with the adherence figures); else built here.
    """
    tz = config.timezone
    if activity is None:
        activity = attributed_activity(roster, config, events=events, sessions=sessions,
                                       roster_label=roster_label)
    schedule, pieces = activity.schedule, activity.pieces
    seg = pieces.segments
    working = seg.working.astype(bool)
    attributed = working & (pieces.shift_row >= 0)
    loose = working & ~attributed
    unattributed = float((seg.end_ns[loose] - seg.start_ns[loose]).sum()) / NS_PER_SECOND
    names, codes = _queue_codes(resolve_queues(roster, queues, label=roster_label))
    shift_line = schedule.shifts["line"].to_numpy(np.int64)
    queue = codes[shift_line[pieces.shift_row[attributed]] - 2]
    start, end = seg.start_ns[attributed], seg.end_ns[attributed]
    offset = _utc_offset_ns(start, tz)  # a piece is cut at midnights, so one offset holds
    local_start, local_end = start + offset, end + offset
    step = config.interval_minutes * 60 * NS_PER_SECOND
    first = local_start // step
    last = (local_end - 1) // step
    count = np.maximum(last - first + 1, 0)
    owner = np.repeat(np.arange(len(first)), count)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    bucket = first[owner] + within
    overlap = (np.minimum(local_end[owner], (bucket + 1) * step)
               - np.maximum(local_start[owner], bucket * step))
    # sum per (bucket, queue) with one bincount on a combined integer key
    base = int(bucket.min()) if len(bucket) else 0
    key = (bucket - base) * len(names) + queue[owner]
    totals = np.bincount(key, weights=overlap / NS_PER_SECOND) if len(key) else np.zeros(0)
    used = np.flatnonzero(np.bincount(key) > 0) if len(key) else np.zeros(0, np.int64)
    table = pd.DataFrame({"local_ns": (used // len(names) + base) * step,
                          "queue": np.asarray(names, dtype=object)[used % len(names)],
                          "staffed_seconds": totals[used]})
    return Staffed(table=table, unattributed_seconds=unattributed)


def _queue_codes(queues: pd.Series) -> tuple[list[str], np.ndarray]:
    """Queue names and, per roster row, the position of its queue among them."""
    codes, names = pd.factorize(queues.astype(str), sort=True)
    return [str(n) for n in names], np.asarray(codes, dtype=np.int64)
