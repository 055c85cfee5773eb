"""Fair shares of nights and weekend rest inside each team (``fair_share_nights``,
``fair_share_weekend_rest``).

Independent of the solver: every figure is recomputed from the roster tables.

A *team* is the agents with the same skills (``wfm.teams``; also the fairness group: night caps
enter through the capacity, not the grouping). For each agent the checker counts nights (shifts
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
share: a note (``check_fairness``, which ``wfm check-roster`` prints), or a violation of the
registry's rules when ``[roster] fairness_band = "hard"``; one no exchange of rosters can
bring back is called *locked*, with why (``wfm.rules.band_locks``). A check of a few agents (a
swap) does not judge the band: a share is a property of the whole team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.rules.band_locks import WHY, band_locked, rows_of
from wfm.rules.cells import (
    EPOCH_ORDINAL,
    LEAVE,
    OFF,
    UNKNOWN,
    agent_facts,
    cells_from_frame,
    shift_codes,
)
from wfm.rules.context import RosterContext
from wfm.rules.night_pattern import weekly_block_breaks
from wfm.rules.nights import is_night_shift
from wfm.teams import team_of, teams_of


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


class _Grid:
    """States (agents x counted previous weeks + horizon days) and availability, from a
    checker context (ordinal day numbers)."""

    def __init__(self, ctx: RosterContext) -> None:
        config = ctx.config
        self.night = np.array([is_night_shift(t) for t in config.shifts] + [False] * 3)
        self.first = ctx.horizon[0] + EPOCH_ORDINAL
        self.last = ctx.horizon[1] + EPOCH_ORDINAL
        # at least the week before the horizon: the weekly-blocks rule looks back into it
        self.width = 7 * max(config.roster.fairness_weeks, 1)
        self.counted = 7 * config.roster.fairness_weeks  # previous days fairness counts
        self.origin = self.first - self.width
        self.ids = list(ctx.names)
        index = ctx.position
        columns = self.last - self.origin + 1
        self.state = np.full((len(self.ids), columns), UNKNOWN, dtype=np.int64)
        if ctx.previous is not None and len(ctx.previous):
            for agent, day, state in zip(ctx.previous.agent_id.tolist(),
                                         (ctx.previous.day + EPOCH_ORDINAL).tolist(),
                                         ctx.previous.state.tolist(), strict=True):
                a = index.get(agent)
                if a is not None and self.origin <= day < self.first and state != UNKNOWN:
                    if self.state[a, day - self.origin] == UNKNOWN:
                        self.state[a, day - self.origin] = state
        unique = ctx.unique
        self.state[ctx.unique_code, unique.day + EPOCH_ORDINAL - self.origin] = unique.state
        self.unavailable = self.state == LEAVE
        self.unavailable[:, :self.width] |= self.state[:, :self.width] == UNKNOWN
        for cells, pinned_only in ((ctx.leave, False), (ctx.fixed, True)):
            if cells is None or not len(cells):
                continue
            for agent, day, state in zip(cells.agent_id.tolist(),
                                         (cells.day + EPOCH_ORDINAL).tolist(),
                                         cells.state.tolist(), strict=True):
                a = index.get(agent)
                if a is not None and self.first <= day <= self.last and (
                        not pinned_only or state in (OFF, LEAVE)):
                    self.unavailable[a, day - self.origin] = True
        facts = ctx.agents
        self.teams = [team_of(facts.skills[k]) if k >= 0 else ()
                      for k in ctx.fact_index.tolist()]
        self.skills = [";".join(team) for team in self.teams]
        caps = ctx.agent_values(facts.max_nights)
        self.caps = np.where(np.isnan(caps), 7, caps).astype(np.int64)
        ordinals = np.arange(columns) + self.origin
        for bounds, after in ((ctx.agent_values(facts.start_day), False),
                              (ctx.agent_values(facts.end_day), True)):
            limit = bounds[:, None] + EPOCH_ORDINAL
            outside = ordinals[None, :] > limit if after else ordinals[None, :] < limit
            outside[:, :self.width] = False
            self.unavailable |= outside & ~np.isnan(bounds)[:, None]
        self.weekday = (ordinals - 1) % 7  # ordinal 1 (0001-01-01) was a Monday
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
    codes = shift_codes(config)
    rows = cells_from_frame(roster, "roster", codes)
    if not len(rows):
        return FairnessCheck(band=1)
    horizon = (int(rows.day.min()), int(rows.day.max()))
    fixed_cells = None if fixed is None else cells_from_frame(fixed, "fixed", codes)
    ctx = RosterContext(
        config=config, rows=rows, agents=agent_facts(agents), several_queues=False,
        horizon=horizon,
        previous=None if previous is None else cells_from_frame(previous, "previous", codes),
        leave=None if leave is None else cells_from_frame(leave, "leave", codes,
                                                          ("agent_id", "date")),
        fixed=fixed_cells)
    return fairness_of(ctx)


def fairness_of(ctx: RosterContext) -> FairnessCheck:
    """``check_fairness`` on a checker context."""
    config = ctx.config
    settings = config.roster
    grid = _Grid(ctx)
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
    rest = weekend & (grid.state == OFF)
    rows = rows_of(grid.state, width, grid.week, config)  # what the locked verdict reads
    kinds = {
        "nights": (night & counted[None, :], _capacity(grid, free),
                   _capacity(grid, horizon_free)),
        "weekend_rest": (rest, weekend.sum(axis=1).astype(float),
                         weekend[:, width:].sum(axis=1).astype(float)),
    }
    teams = {";".join(team): members for team, members in teams_of(grid.teams).items()}
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
                params: dict[str, object] = {
                    "count": int(now[a]), "share": f"{share[a]:.1f}", "team": skills or "–",
                    "band": band, "before": int(before[a]), "weeks": settings.fairness_weeks}
                message = (f"{grid.ids[a]} has {int(now[a])} {label} in the roster against a "
                           f"fair share of {share[a]:.1f} in team {skills or '(none)'} (band "
                           f"±{band}; {int(before[a])} in the previous "
                           f"{settings.fairness_weeks} weeks count)")
                over = bool(now[a] > share[a])
                if band_locked(a, members, now, share, band, marked[:, width:],
                               free[:, width:], rows, over=over):
                    variant = "locked" if over else "locked_below"
                    params["variant"] = variant
                    message += f"; {WHY[(kind, variant)]}"
                outside.append(Violation(code, grid.ids[a], start, message, params))
    records = [AgentFairness(grid.ids[a], grid.skills[a], int(found["nights"][0][a]),
                             int(found["nights"][1][a]), round(float(found["nights"][2][a]), 2),
                             int(found["weekend_rest"][0][a]), int(found["weekend_rest"][1][a]),
                             round(float(found["weekend_rest"][2][a]), 2))
               for a in range(len(grid.ids))]
    pattern = (weekly_block_breaks(ctx.names, grid.state, grid.night, grid.week,
                                   grid.origin, grid.first - grid.origin)
               if settings.night_pattern == "weekly_blocks" else [])
    outside.sort(key=lambda v: (v.agent_id, v.code))
    return FairnessCheck(band=band, teams=spreads, agents=records, outside=outside,
                         pattern=pattern, hard=settings.fairness_band == "hard")


def check_fair_share(ctx: RosterContext) -> None:
    """Registry check: with ``[roster] fairness_band = "hard"``, every agent outside the band is
    a violation (a whole roster only: shares belong to whole teams)."""
    if ctx.config.roster.fairness_band != "hard" or ctx.subset or not len(ctx.unique):
        return
    for v in fairness_of(ctx).outside:
        ctx.found.add(v.code, v.agent_id, date.fromisoformat(v.date).toordinal()
                      - EPOCH_ORDINAL, v.message, v.params)


def fairness_figures(check: FairnessCheck) -> dict[str, object]:
    """The verdict as plain JSON-ready data (command summaries, the API)."""
    return {"band": check.band, "hard": check.hard,
            "teams": [spread.__dict__ for spread in check.teams],
            "outside_band": [v.as_dict() for v in check.outside],
            "weekly_blocks_violations": len(check.pattern)}


def fairness_lines(check: FairnessCheck) -> list[str]:
    """Short text for a planner: one line per team and kind, then the agents outside the band
    (as notes unless the band is hard) and how far the farthest one is, and how many are
    locked (``band_locks``) with why."""
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
    # why some are outside: a note even when the band is hard (the agents are the violations)
    for (kind, variant), why in WHY.items():
        code = "fair_share_nights" if kind == "nights" else "fair_share_weekend_rest"
        locked = sum(1 for v in check.outside
                     if v.code == code and v.params.get("variant") == variant)
        if locked:
            side = "above" if variant == "locked" else "below"
            label = "night" if kind == "nights" else "weekend-rest"
            lines.append(f"note: {locked} agent(s) {side} their {label} share are locked: {why} "
                         "(planner guide, 'weekend rest after a weekend rest day')")
    return lines
