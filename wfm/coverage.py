"""How many agents a roster puts on each interval and queue, and the shortfall against a
requirement.

A shift covers interval ``[t, t + Δ)`` when the interval lies inside the shift's ``[start, end)``
and outside its fixed breaks (DESIGN.md, "Coverage"). Shifts that end before they start cross
midnight. ``required`` is the requirement's ``scheduled_agents`` (shrinkage already applied).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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


# ---- a short roster in a planner's words -----------------------------------------------------

SPAN_SLACK_MINUTES = 60  # days join a span when its hours move by at most this at either end

@dataclass(frozen=True)
class GapSpan:
    """Consecutive days short of agents in the same hours (whole hours, site time)."""

    days: tuple[date, ...]
    start: str  # "16:00"
    end: str  # "21:00" ("24:00" at midnight)
    peak_agents: int  # the most agents missing at once on these days
    agent_hours: float

    def as_dict(self) -> dict[str, Any]:
        return {"first_day": self.days[0].isoformat(), "last_day": self.days[-1].isoformat(),
                "weekdays": [d.strftime("%a") for d in self.days], "start": self.start,
                "end": self.end, "peak_agents": self.peak_agents,
                "agent_hours": round(self.agent_hours, 2)}


@dataclass(frozen=True)
class StaffingGap:
    """How far a roster falls short of the requirement, in agents, days and hours.

    ``peak_agents`` is the most agents missing in one interval (summed over queues): at least
    that many more agents are needed on the worst day, even with perfect shifts.
    ``agent_hours`` is the total shortfall, ``spans`` where it falls.
    """

    agent_hours: float
    peak_agents: int
    spans: tuple[GapSpan, ...]

    @property
    def short(self) -> bool:
        return self.agent_hours > 0

    def as_dict(self) -> dict[str, Any]:
        return {"agent_hours": round(self.agent_hours, 2), "peak_agents": self.peak_agents,
                "spans": [s.as_dict() for s in self.spans], "text": describe_gap(self)}


def staffing_gap(coverage: pd.DataFrame, *, timezone: str,
                 interval_minutes: int) -> StaffingGap:
    """The shortfall of a coverage table (``interval_start, queue, ..., shortfall``) as extra
    agents per day and hour range.

    Shortfalls are summed over queues per interval (an extra agent serves one queue at a
    time). Each local day with a shortfall gets its hour range (the first short interval's
    hour to the end of the last short interval's hour); consecutive days whose ranges start
    and end within ``SPAN_SLACK_MINUTES`` of the span's form one span over the union of their
    ranges, whose ``peak_agents`` is its largest interval shortfall.
    """
    if coverage.empty or not (coverage["shortfall"] > 0).any():
        return StaffingGap(0.0, 0, ())
    short = coverage[coverage["shortfall"] > 0]
    starts = pd.DatetimeIndex(pd.to_datetime(short["interval_start"]))
    local = (starts.tz_convert(timezone) if starts.tz is not None else starts)
    per_interval = (pd.DataFrame({"start": local.tz_localize(None),
                                  "shortfall": short["shortfall"].to_numpy()})
                    .groupby("start", as_index=False)["shortfall"].sum())
    per_interval["day"] = per_interval["start"].dt.date
    minutes = per_interval["start"].dt.hour * 60 + per_interval["start"].dt.minute
    per_interval["from"] = (minutes // 60) * 60
    per_interval["to"] = -(-(minutes + interval_minutes) // 60) * 60
    days = per_interval.groupby("day").agg(first=("from", "min"), last=("to", "max"),
                                           peak=("shortfall", "max"), total=("shortfall", "sum"))
    spans: list[GapSpan] = []
    run: list[tuple[date, int, int, int, float]] = []

    def close() -> None:
        if run:
            spans.append(GapSpan(tuple(r[0] for r in run), _clock(min(r[1] for r in run)),
                                 _clock(max(r[2] for r in run)), max(r[3] for r in run),
                                 sum(r[4] for r in run)))

    def joins(entry: tuple[date, int, int, int, float]) -> bool:
        first, last = min(r[1] for r in run), max(r[2] for r in run)
        return ((entry[0] - run[-1][0]).days == 1
                and abs(entry[1] - first) <= SPAN_SLACK_MINUTES
                and abs(entry[2] - last) <= SPAN_SLACK_MINUTES)

    for day, row in days.iterrows():
        entry = (day, int(row["first"]), int(row["last"]), int(row["peak"]),
                 float(row["total"]) * interval_minutes / 60)
        if run and not joins(entry):
            close()
            run = []
        run.append(entry)
    close()
    total = float(short["shortfall"].sum()) * interval_minutes / 60
    return StaffingGap(total, int(per_interval["shortfall"].max()), tuple(spans))


def describe_gap(gap: StaffingGap, *, spans_shown: int = 6) -> str:
    """The gap in plain English: ``about 12 more agents at the busiest time (2,229
    agent-hours short): Mon-Fri 2026-12-07..2026-12-11 16:00-21:00 up to 12; ...``."""
    if not gap.short:
        return "no shortfall: every interval has the agents it requires"
    parts = [f"{_days_text(s.days)} {s.start}-{s.end} up to {s.peak_agents}"
             for s in gap.spans[:spans_shown]]
    more = len(gap.spans) - spans_shown
    if more > 0:
        parts.append(f"and {more} more period(s)")
    return (f"about {gap.peak_agents} more agent(s) at the busiest time "
            f"({gap.agent_hours:,.0f} agent-hours short): " + "; ".join(parts))


def _days_text(days: tuple[date, ...]) -> str:
    if len(days) == 1:
        return f"{days[0]:%a} {days[0].isoformat()}"
    return f"{days[0]:%a}-{days[-1]:%a} {days[0].isoformat()}..{days[-1].isoformat()}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
