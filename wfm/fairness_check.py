"""Fairness of a roster inside each team, and the weekly-blocks night pattern (checker side).

Independent of the solver: it reads the roster tables and recomputes every figure.

A *team* is the agents with the same skills. For each agent the checker counts nights (shifts
``wfm.rules.is_night_shift`` calls night) and weekend rest (OFF on an available Saturday or
Sunday) over the previous ``[roster] fairness_weeks`` weeks plus the roster's horizon. An agent's
*capacity* is its available days (horizon: not LEAVE, not on approved leave, inside its contract
dates, not pinned to rest by the fixed table; previous weeks: a row that is not LEAVE), for
nights capped in each Monday-Sunday week at its ``max_nights_per_week``; for weekend rest its
available weekend days. The team's horizon total is shared in proportion to capacity over
history + horizon, except that what an agent already carried is not given back: the horizon
share is ``clip(rate x capacity - history, 0, horizon capacity)`` with the rate that makes the
shares add up to the team's horizon total (exact, by a sweep over the rate's breakpoints). An
agent is *outside the band* when its horizon count is more than ``1 + days // 14`` from its
share: a note, or a violation when ``[roster] fairness_band = "hard"``.

With ``[roster] night_pattern = "weekly_blocks"`` every Monday-Sunday week with a horizon day
is all nights or all day shifts (previous-roster days of that week count) and no night is
followed by a day shift the next day: violations of code ``weekly_blocks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import InvalidInput, Violation
from wfm.rules import is_night_shift

FAIRNESS_CODES: dict[str, str] = {
    "fair_share_nights": "each agent's nights within 1 + days // 14 of its team's fair share "
                         "(pro rata by available days and night caps, previous fairness_weeks "
                         "counted); a violation only with [roster] fairness_band = \"hard\"",
    "fair_share_weekend_rest": "each agent's weekend rest days within 1 + days // 14 of its "
                               "team's fair share (same definition)",
    "weekly_blocks": "with [roster] night_pattern = \"weekly_blocks\": no Monday-Sunday week "
                     "mixes nights and day shifts, and no night is followed by a day shift",
}

_OFF, _LEAVE, _UNKNOWN = -1, -2, -3


@dataclass(frozen=True)
class TeamSpread:
    """One team's figures for one kind (``nights`` or ``weekend_rest``), horizon only."""

    skills: str
    kind: str
    agents: int
    fewest: int
    median: float
    most: int
    median_share: float
    max_deviation: float
    outside_band: int


@dataclass(frozen=True)
class AgentFairness:
    """One agent's running totals (previous weeks + horizon) and horizon share, per kind."""

    agent_id: str
    skills: str
    nights_before: int
    nights: int
    night_share: float
    weekend_rest_before: int
    weekend_rest: int
    weekend_rest_share: float


@dataclass(frozen=True)
class FairnessCheck:
    """The checker's verdict: team spreads, per-agent totals, out-of-band findings."""

    band: int
    teams: list[TeamSpread] = field(default_factory=list)
    agents: list[AgentFairness] = field(default_factory=list)
    outside: list[Violation] = field(default_factory=list)   # notes or violations (hard)
    pattern: list[Violation] = field(default_factory=list)   # weekly_blocks violations
    hard: bool = False

    @property
    def violations(self) -> list[Violation]:
        """What makes the roster fail: the pattern rule, and the band when it is hard."""
        return [*self.pattern, *(self.outside if self.hard else [])]


def water_fill_exact(total: float, history: np.ndarray, capacity: np.ndarray,
                     room: np.ndarray) -> np.ndarray:
    """Shares ``clip(r c - h, 0, u)`` summing to ``total``: the sum is piecewise linear and
    rising in r with breakpoints h/c and (h+u)/c, so sweep the breakpoints and interpolate."""
    take = capacity > 0
    shares = np.zeros(len(history))
    if total <= 0 or not take.any():
        return shares
    c, h, u = capacity[take], history[take], room[take]
    points = np.unique(np.concatenate([[0.0], h / c, (h + u) / c]))

    def filled(rate: float) -> float:
        return float(np.clip(rate * c - h, 0, u).sum())

    rate = float(points[-1])
    for low, high in zip(points[:-1], points[1:], strict=True):
        if filled(high) >= total:
            at_low, at_high = filled(low), filled(high)
            rate = low + (high - low) * (total - at_low) / max(at_high - at_low, 1e-12)
            break
    shares[take] = np.clip(rate * c - h, 0, u)
    return shares


def _days(values: pd.Series, label: str) -> np.ndarray:
    try:
        stamps = pd.to_datetime(values.astype(str).str.slice(0, 10), format="%Y-%m-%d")
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"cannot read the dates: {error}", file=label, field="date") from error
    return np.array([d.toordinal() for d in stamps.dt.date], dtype=np.int64)


def _skills(value: object) -> str:
    if isinstance(value, tuple | list):
        names = [str(v).strip() for v in value]
    else:
        names = [] if value is None or value != value else str(value).split(";")
    return ";".join(sorted({n.strip() for n in names if n.strip()}))


def _optional_day(value: object) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if str(value).strip() == "":
        return None
    return date.fromisoformat(str(value)[:10]).toordinal()


class _Grid:
    """States (agents x history + horizon days) and availability, built from the tables."""

    def __init__(self, roster: pd.DataFrame, agents: pd.DataFrame, config: SiteConfig,
                 previous: pd.DataFrame | None, leave: pd.DataFrame | None,
                 fixed: pd.DataFrame | None) -> None:
        codes = {t.code: i for i, t in enumerate(config.shifts)}
        self.night = np.array([is_night_shift(t) for t in config.shifts] + [False] * 3)
        days = _days(roster["date"], "roster")
        self.first, self.last = int(days.min()), int(days.max())
        # at least the week before the horizon: the weekly-blocks rule looks back into it
        self.width = 7 * max(config.roster.fairness_weeks, 1)
        self.counted = 7 * config.roster.fairness_weeks  # previous days fairness counts
        self.origin = self.first - self.width
        self.ids = sorted({str(a).strip() for a in roster["agent_id"]})
        index = {a: i for i, a in enumerate(self.ids)}
        columns = self.last - self.origin + 1
        self.state = np.full((len(self.ids), columns), _UNKNOWN, dtype=np.int64)
        self.unavailable = np.zeros_like(self.state, dtype=bool)

        def code(text: object) -> int:
            name = str(text).strip()
            upper = name.upper()
            return _OFF if upper == "OFF" else _LEAVE if upper == "LEAVE" else codes.get(
                name, _UNKNOWN)

        if previous is not None and len(previous):
            previous_days = _days(previous["date"], "previous")
            for agent, day, shift in zip(previous["agent_id"], previous_days,
                                         previous["shift"], strict=True):
                a = index.get(str(agent).strip())
                if a is not None and self.origin <= day < self.first:
                    self.state[a, day - self.origin] = code(shift)
        for agent, day, shift in zip(roster["agent_id"], days, roster["shift"], strict=True):
            a = index[str(agent).strip()]
            if self.state[a, day - self.origin] == _UNKNOWN or day >= self.first:
                self.state[a, day - self.origin] = code(shift)
        self.unavailable |= self.state == _LEAVE
        self.unavailable[:, :self.width] |= self.state[:, :self.width] == _UNKNOWN
        for frame, label, pinned_only in ((leave, "leave", False), (fixed, "fixed", True)):
            if frame is None or not len(frame):
                continue
            frame_days = _days(frame["date"], label)
            shifts = frame["shift"] if pinned_only else pd.Series(["LEAVE"] * len(frame))
            for agent, day, shift in zip(frame["agent_id"], frame_days, shifts, strict=True):
                a = index.get(str(agent).strip())
                if a is not None and self.first <= day <= self.last and code(shift) < 0:
                    self.unavailable[a, day - self.origin] = True
        table = agents.assign(agent_id=agents["agent_id"].astype(str).str.strip())
        table = table.drop_duplicates("agent_id").set_index("agent_id")
        self.skills = [_skills(table["skills"].get(a)) if "skills" in table else ""
                       for a in self.ids]
        caps = []
        for agent in self.ids:
            value = (table["max_nights_per_week"].get(agent)
                     if "max_nights_per_week" in table else None)
            caps.append(7 if value is None or pd.isna(value) else int(value))
            for column, after in (("start_date", False), ("end_date", True)):
                bound = _optional_day(table[column].get(agent)) if column in table else None
                if bound is None:
                    continue
                offsets = np.arange(columns) + self.origin
                outside = offsets > bound if after else offsets < bound
                outside[:self.width] = False
                self.unavailable[index[agent]] |= outside
        self.caps = np.array(caps, dtype=np.int64)
        ordinals = np.arange(columns) + self.origin
        self.weekday = np.array([date.fromordinal(int(o)).weekday() for o in ordinals])
        self.week = (ordinals - self.weekday) // 7  # same value for one Monday-Sunday week


def _capacity(grid: _Grid, free: np.ndarray) -> np.ndarray:
    total = np.zeros(len(grid.ids))
    for w in np.unique(grid.week):
        total += np.minimum(free[:, grid.week == w].sum(axis=1), grid.caps)
    return total


def check_fairness(roster: pd.DataFrame, agents: pd.DataFrame, config: SiteConfig, *,
                   previous: pd.DataFrame | None = None, leave: pd.DataFrame | None = None,
                   fixed: pd.DataFrame | None = None) -> FairnessCheck:
    """Team spreads, agents outside the fair-share band, and the weekly-blocks rule.

    Tables as ``wfm.tables.read_table`` returns them (see the module docstring for the
    definitions). Agents of the roster missing from the agents table form a team of their own
    (no skills).
    """
    settings = config.roster
    if roster.empty:
        return FairnessCheck(band=1)
    grid = _Grid(roster, agents, config, previous, leave, fixed)
    num_days = grid.last - grid.first + 1
    band = 1 + num_days // 14
    width = grid.width
    working = grid.state >= 0
    night = working & grid.night[np.where(working, grid.state, 0)]
    free = ~grid.unavailable
    counted = np.arange(grid.state.shape[1]) >= width - grid.counted  # the counted weeks
    free &= counted[None, :]
    horizon_free = free.copy()
    horizon_free[:, :width] = False
    weekend = free & (grid.weekday >= 5)[None, :]
    rest = weekend & (grid.state == _OFF)
    kinds = {
        "nights": (night & counted[None, :], _capacity(grid, free),
                   _capacity(grid, horizon_free)),
        "weekend_rest": (rest, weekend.sum(axis=1).astype(float),
                         weekend[:, width:].sum(axis=1).astype(float)),
    }
    teams: dict[str, list[int]] = {}
    for a, skills in enumerate(grid.skills):
        teams.setdefault(skills, []).append(a)
    found: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    spreads: list[TeamSpread] = []
    outside: list[Violation] = []
    start = date.fromordinal(grid.first).isoformat()
    for kind, (marked, capacity, room) in kinds.items():
        before = marked[:, :width].sum(axis=1).astype(float)
        now = marked[:, width:].sum(axis=1)
        share = np.zeros(len(grid.ids))
        for members in teams.values():
            share[members] = water_fill_exact(float(now[members].sum()), before[members],
                                              capacity[members], room[members])
        found[kind] = (before, now, share)
        for skills, members in sorted(teams.items()):
            deviation = now[members] - share[members]
            off_band = [a for a, e in zip(members, deviation, strict=True)
                        if abs(e) > band + 1e-9]
            spreads.append(TeamSpread(
                skills=skills or "(none)", kind=kind, agents=len(members),
                fewest=int(now[members].min()), median=float(np.median(now[members])),
                most=int(now[members].max()), median_share=round(float(np.median(
                    share[members])), 2), max_deviation=round(float(np.abs(deviation).max()), 2),
                outside_band=len(off_band)))
            label = "nights" if kind == "nights" else "weekend rest days"
            code = "fair_share_nights" if kind == "nights" else "fair_share_weekend_rest"
            for a in off_band:
                outside.append(Violation(code, grid.ids[a], start, (
                    f"{grid.ids[a]} has {int(now[a])} {label} in the roster against a fair "
                    f"share of {share[a]:.1f} in team {skills or '(none)'} (band ±{band}; "
                    f"{int(before[a])} in the previous {settings.fairness_weeks} weeks count)")))
    records = [AgentFairness(grid.ids[a], grid.skills[a], int(found["nights"][0][a]),
                             int(found["nights"][1][a]), round(float(found["nights"][2][a]), 2),
                             int(found["weekend_rest"][0][a]), int(found["weekend_rest"][1][a]),
                             round(float(found["weekend_rest"][2][a]), 2))
               for a in range(len(grid.ids))]
    pattern = (_weekly_blocks(grid, working, night)
               if settings.night_pattern == "weekly_blocks" else [])
    outside.sort(key=lambda v: (v.agent_id, v.code))
    return FairnessCheck(band=band, teams=spreads, agents=records, outside=outside,
                         pattern=pattern, hard=settings.fairness_band == "hard")


def _weekly_blocks(grid: _Grid, working: np.ndarray, night: np.ndarray) -> list[Violation]:
    found = []
    day = working & ~night
    horizon = grid.first - grid.origin
    for a, agent in enumerate(grid.ids):
        for w in np.unique(grid.week[horizon:]):
            columns = np.flatnonzero(grid.week == w)
            if night[a, columns].any() and day[a, columns].any():
                monday = date.fromordinal(int(w * 7 + 1))
                found.append(Violation("weekly_blocks", agent, monday.isoformat(), (
                    f"{agent} works both night and day shifts in the week {monday.isoformat()}"
                    f"..{(monday + timedelta(days=6)).isoformat()} (night_pattern = "
                    "weekly_blocks)")))
        returns = np.flatnonzero(night[a, :-1] & day[a, 1:]) + 1
        for column in returns[returns >= horizon]:
            when = date.fromordinal(int(grid.origin + column)).isoformat()
            found.append(Violation("weekly_blocks", agent, when, (
                f"{agent} works a day shift on {when} straight after a night shift "
                "(night_pattern = weekly_blocks: a rest day between night and day weeks)")))
    return sorted(found, key=lambda v: (v.agent_id, v.date))


def fairness_figures(check: FairnessCheck) -> dict[str, object]:
    """The verdict as plain JSON-ready data (command summaries, the API)."""
    return {"band": check.band, "hard": check.hard,
            "teams": [spread.__dict__ for spread in check.teams],
            "outside_band": [v.as_dict() for v in check.outside],
            "weekly_blocks_violations": len(check.pattern)}


def fairness_lines(check: FairnessCheck) -> list[str]:
    """Short text for a planner: one line per team and kind, then the agents outside the band
    (as notes unless the band is hard) and how far the farthest one is."""
    lines = []
    for spread in check.teams:
        label = "nights" if spread.kind == "nights" else "weekend rest"
        lines.append(
            f"fairness {spread.skills} ({spread.agents} agents) {label}: fewest {spread.fewest}"
            f", median {spread.median:g}, most {spread.most}; median fair share "
            f"{spread.median_share:g}; {spread.outside_band} outside ±{check.band}"
            + (f" (farthest {spread.max_deviation:g} from its share)"
               if spread.outside_band else ""))
    prefix = "violation" if check.hard else "note"
    lines += [f"{prefix}: {v.agent_id} {v.code}: {v.message}" for v in check.outside[:20]]
    if len(check.outside) > 20:
        lines.append(f"{prefix}: ... and {len(check.outside) - 20} more outside the band")
    return lines
