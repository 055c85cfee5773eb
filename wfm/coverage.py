"""How many agents a roster puts on each interval and queue, and the shortfall against a
requirement.

A shift covers interval ``[t, t + Δ)`` when the interval lies inside the shift's ``[start, end)``
and outside its fixed breaks (DESIGN.md, "Coverage"). Shifts that end before they start cross
midnight. ``required`` is the requirement's ``scheduled_agents`` (shrinkage already applied).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instants
from wfm.config import ShiftTemplate, SiteConfig
from wfm.errors import InvalidInput

NON_WORKING = ("OFF", "LEAVE")
COVERAGE_COLUMNS = ["interval_start", "queue", "required", "scheduled", "shortfall"]


def covered_offsets_minutes(template: ShiftTemplate, interval_minutes: int) -> np.ndarray:
    """Interval starts (minutes after the shift date's midnight) that ``template`` covers."""
    start = template.start_minute
    end = start + template.duration_minutes
    first = -(-start // interval_minutes) * interval_minutes
    starts = np.arange(first, end - interval_minutes + 1, interval_minutes)
    keep = np.ones(len(starts), dtype=bool)
    for offset, minutes in template.break_offsets():
        break_start = start + offset
        break_end = break_start + minutes
        keep &= (starts + interval_minutes <= break_start) | (starts >= break_end)
    return starts[keep]


def resolve_queues(roster: pd.DataFrame, queues: list[str], *, label: str = "roster") -> pd.Series:
    """The queue of each working roster row; a single-queue site may leave ``queue`` empty."""
    if "queue" in roster.columns:
        queue = roster["queue"].fillna("").astype(str)
    else:
        queue = pd.Series("", index=roster.index)
    working = ~roster["shift"].isin(NON_WORKING)
    missing = working & (queue == "")
    if missing.any():
        if len(queues) == 1:
            queue = queue.where(~missing, queues[0])
        elif len(queues) > 1:
            row = int(np.flatnonzero(missing.to_numpy())[0])
            raise InvalidInput(f"the site has several queues ({', '.join(queues)}); every "
                               "working row needs a queue", file=label, line=row + 2,
                               field="queue")
    return queue


def scheduled_per_interval(roster: pd.DataFrame, config: SiteConfig,
                           queues: list[str] | None = None) -> pd.DataFrame:
    """Scheduled agents per ``(interval_start, queue)`` from a roster frame.

    ``roster`` has ``agent_id, date, shift`` and optionally ``queue``; ``date`` holds
    ``datetime.date`` values. Returns ``interval_start`` (tz-aware), ``queue``, ``scheduled``.
    """
    queues = queues or []
    working = roster[~roster["shift"].isin(NON_WORKING)].copy()
    if working.empty:
        return pd.DataFrame({"interval_start": pd.Series([], dtype=f"datetime64[ns, "
                                                          f"{config.timezone}]"),
                             "queue": pd.Series([], dtype=object),
                             "scheduled": pd.Series([], dtype="int64")})
    working["queue"] = resolve_queues(working, queues)
    counts = working.groupby(["shift", "queue", "date"]).size().rename("n").reset_index()
    pieces = []
    for code, group in counts.groupby("shift"):
        offsets = covered_offsets_minutes(config.shift(str(code)), config.interval_minutes)
        if len(offsets) == 0:
            continue
        midnight = pd.to_datetime(pd.Series([_as_date(d) for d in group["date"]])).to_numpy()
        starts = (midnight[:, None] + offsets[None, :].astype("timedelta64[m]")).ravel()
        pieces.append(pd.DataFrame({
            "interval_start": starts,
            "queue": np.repeat(group["queue"].to_numpy(), len(offsets)),
            "scheduled": np.repeat(group["n"].to_numpy(), len(offsets)),
        }))
    if not pieces:
        return scheduled_per_interval(roster.iloc[0:0], config, queues)
    stacked = pd.concat(pieces, ignore_index=True)
    instants, source = wall_clock_instants(pd.DatetimeIndex(stacked["interval_start"]),
                                           config.timezone)
    stacked = stacked.iloc[source].assign(interval_start=instants)
    return (stacked.groupby(["interval_start", "queue"], as_index=False)[["scheduled"]].sum()
            .astype({"scheduled": "int64"}))


def coverage_table(roster: pd.DataFrame, requirement: pd.DataFrame,
                   config: SiteConfig) -> pd.DataFrame:
    """The coverage output table: required vs scheduled per interval and queue.

    Intervals in the requirement all appear; scheduled time outside it appears with
    ``required = 0``. ``shortfall = max(required - scheduled, 0)``.
    """
    queues = sorted(requirement["queue"].unique().tolist())
    scheduled = scheduled_per_interval(roster, config, queues)
    required = requirement[["interval_start", "queue", "scheduled_agents"]].rename(
        columns={"scheduled_agents": "required"})
    table = required.merge(scheduled, on=["interval_start", "queue"], how="outer")
    table["required"] = table["required"].fillna(0).astype("int64")
    table["scheduled"] = table["scheduled"].fillna(0).astype("int64")
    table["shortfall"] = (table["required"] - table["scheduled"]).clip(lower=0).astype("int64")
    return table.sort_values(["interval_start", "queue"]).reset_index(drop=True)[COVERAGE_COLUMNS]


def _as_date(value: object) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
