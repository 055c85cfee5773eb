"""Fair shares of nights and weekend rest inside each team, and what a deviation costs.

A team is the agents with the same skills (``wfm.teams``, also the fairness group: night caps
enter through the capacity, not the grouping). Over the previous ``fairness_weeks`` weeks plus the
horizon, the team's nights are shared in proportion to each member's night capacity: the
available days (not on leave, inside the contract, not pinned to rest; a previous day counts
when the previous roster shows it and it is not leave), capped in each Monday-Sunday week at
the member's ``max_nights_per_week``. So

    fair_share[a] = team nights / team night capacity x night capacity[a]

and the same for weekend rest: rest days on available Saturdays and Sundays, shared in
proportion to each member's available weekend days. The horizon cannot undo the past, so the
share is water-filled (``water_fill``): an agent who already carried more than its share of the
total gets none in the horizon, and the others share the team's horizon nights in the same
proportion; with an even history this is exactly the pro-rata share. Each agent should stay within
``band = 1 + days // 14`` (horizon days) of its share. The cost of a deviation ``e`` (in tenths
of a day) is convex and every agent's deviation counts: ``weight x (e + max(0, e - 5) +
max(0, e - 10))`` (the knees are ``settings.Costs.deviation_knees``), plus
``outside_band_cost`` per tenth beyond the band (judged on the exact share), so the band holds
wherever the roster's head-counts allow it and the smallest excess is chosen otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem, available
from solvers.roster.settings import DEFAULT_SETTINGS, Costs

SCALE = 10           # deviations are priced in tenths of a day


@dataclass(frozen=True)
class Shares:
    """Per-agent history counts, capacities and fair shares (history + horizon) of one kind."""

    history: np.ndarray    # (A,) nights (or weekend rest days) in the counted previous weeks
    capacity: np.ndarray   # (A,) night capacity (or available weekend days), history + horizon
    share: np.ndarray      # (A,) fair share of the total (history + horizon)


def band(problem: RosterProblem) -> int:
    """Allowed deviation from the fair share: 1 + horizon days // 14."""
    return 1 + problem.num_days // 14


def teams(problem: RosterProblem) -> list[list[int]]:
    """The fairness groups: the teams of ``wfm.teams`` (the same skill set, any night cap)."""
    return problem.teams()


def _grid(problem: RosterProblem, states: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray, np.ndarray]:
    """History + horizon: states, availability, weekday and Monday-week index per column."""
    history = problem.history
    if history.shape[0] != problem.num_agents:
        history = np.full((problem.num_agents, 0), UNKNOWN, dtype=np.int64)
    width = history.shape[1]
    grid = np.concatenate([history, states], axis=1)
    free = np.concatenate([(history != UNKNOWN) & (history != LEAVE), available(problem)],
                          axis=1)
    first = problem.dates[0].weekday() - width  # weekday of the first column, may be < 0
    offsets = np.arange(grid.shape[1]) + first
    return grid, free, offsets % 7, offsets // 7


def nights_worked(problem: RosterProblem, grid: np.ndarray) -> np.ndarray:
    """(A, C) True where the state is a night shift."""
    return (grid >= 0) & problem.night[np.clip(grid, 0, None)]


def night_capacity(problem: RosterProblem, free: np.ndarray, week: np.ndarray) -> np.ndarray:
    """(A,) available days, each Monday-Sunday week capped at the agent's night cap."""
    total = np.zeros(problem.num_agents)
    caps = np.where(problem.max_nights >= 0, problem.max_nights, 7)
    for w in np.unique(week):
        total += np.minimum(free[:, week == w].sum(axis=1), caps)
    return total


def horizon_capacity(problem: RosterProblem) -> tuple[np.ndarray, np.ndarray]:
    """(A,) night capacity in the horizon and (A, D) available weekend days: the ``room`` the
    fair shares give each agent, which the full model's spread terms share pro rata."""
    no_history = np.full((problem.num_agents, problem.num_days), OFF, dtype=np.int64)
    _, free, weekday, week = _grid(problem, no_history)
    width = free.shape[1] - problem.num_days
    free[:, :width] = False
    weekend = free[:, width:] & (weekday[width:] >= 5)[None, :]
    return night_capacity(problem, free, week), weekend


def team_spread(counts: np.ndarray, capacity: np.ndarray) -> int:
    """One team's spread for the full model's goals: most minus fewest deviation from the
    pro-rata share of the team's horizon total (``count - total x capacity / team capacity``),
    in whole days rounded up. With equal capacities it is most minus fewest ``counts``."""
    capacity = np.asarray(capacity).astype(np.int64)
    whole = int(capacity.sum())
    if len(counts) < 2 or not whole:
        return 0
    deviation = whole * np.asarray(counts, dtype=np.int64) - capacity * int(np.sum(counts))
    return -(-int(deviation.max() - deviation.min()) // whole)


def water_fill(horizon_total: float, history: np.ndarray, capacity: np.ndarray,
               room: np.ndarray) -> np.ndarray:
    """Horizon targets ``clip(rate x capacity - history, 0, room)`` summing to
    ``horizon_total``: the pro-rata share of history + horizon, except that an agent who
    already carried more than its share gets none now (and never more than ``room``, its
    horizon capacity), the others sharing the rest in the same proportion. Bisection on the
    rate (the sum rises monotonically with it)."""
    if horizon_total <= 0 or capacity.sum() <= 0:
        return np.zeros(len(history))
    low, high = 0.0, float((history + room).max() / max(capacity[capacity > 0].min(), 1e-9) + 1)
    for _ in range(100):
        rate = (low + high) / 2
        if np.clip(rate * capacity - history, 0, room).sum() < horizon_total:
            low = rate
        else:
            high = rate
    return np.clip(high * capacity - history, 0, room)


def _night_room(problem: RosterProblem, free: np.ndarray, week: np.ndarray, width: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(A,) night capacity over history + horizon and (A,) over the horizon alone."""
    horizon_free = free.copy()
    horizon_free[:, :width] = False
    return night_capacity(problem, free, week), night_capacity(problem, horizon_free, week)


def _water_filled(members_of: list[list[int]], history: np.ndarray, totals: list[float],
                  capacity: np.ndarray, room: np.ndarray) -> Shares:
    """Each team's horizon ``totals`` water-filled over its members (``water_fill``)."""
    share = history.copy()
    for members, total in zip(members_of, totals, strict=True):
        share[members] += water_fill(total, history[members], capacity[members], room[members])
    return Shares(history, capacity, share)


def _shares(problem: RosterProblem, marked: np.ndarray, width: int, capacity: np.ndarray,
            room: np.ndarray) -> Shares:
    history = marked[:, :width].sum(axis=1).astype(float)
    horizon = marked[:, width:].sum(axis=1).astype(float)
    members_of = teams(problem)
    return _water_filled(members_of, history, [float(horizon[m].sum()) for m in members_of],
                         capacity, room)


def fair_shares(problem: RosterProblem, states: np.ndarray) -> tuple[Shares, Shares]:
    """(nights, weekend rest) shares for roster ``states`` (A, D). A team's horizon totals
    depend only on its head-count per day and shift, so re-assignments inside it keep them."""
    grid, free, weekday, week = _grid(problem, states)
    width = grid.shape[1] - problem.num_days
    night = _shares(problem, nights_worked(problem, grid), width,
                    *_night_room(problem, free, week, width))
    weekend = free & (weekday >= 5)[None, :]
    rest = weekend & ((grid == OFF) | (grid == UNKNOWN))
    weekend_rest = _shares(problem, rest, width, weekend.sum(axis=1).astype(float),
                           weekend[:, width:].sum(axis=1).astype(float))
    return night, weekend_rest


def planned_night_shares(problem: RosterProblem, groups: list[list[int]], counts: np.ndarray
                         ) -> np.ndarray:
    """(A,) each agent's fair share of its team's planned horizon nights (the plan's
    ``counts[g, d, s, q]``), less what its history already holds: the shares ``fair_shares``
    gives any roster of that plan, known before the roster is built."""
    grid, free, _, week = _grid(problem, np.full((problem.num_agents, problem.num_days), OFF,
                                                 dtype=np.int64))
    width = grid.shape[1] - problem.num_days
    history = nights_worked(problem, grid)[:, :width].sum(axis=1).astype(float)
    members_of = teams(problem)
    team_of = np.zeros(problem.num_agents, dtype=np.int64)
    for t, members in enumerate(members_of):
        team_of[members] = t
    totals = [0.0] * len(members_of)
    for g, members in enumerate(groups):  # a class lies inside one team (same skills)
        totals[team_of[members[0]]] += float(counts[g][:, problem.night].sum())
    shares = _water_filled(members_of, history, totals, *_night_room(problem, free, week, width))
    return shares.share - history


def horizon_counts(problem: RosterProblem, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A,) nights and (A,) weekend rest days (on available days) inside the horizon."""
    nights = nights_worked(problem, states).sum(axis=1)
    weekend = np.array([problem.weekday(d) >= 5 for d in range(problem.num_days)])
    rest = available(problem) & weekend[None, :] & (states < 0)
    return nights, rest.sum(axis=1)


@dataclass(frozen=True)
class Target:
    """Per-agent horizon target: in tenths (for the convex cost) and the band as whole counts
    ``low..high`` (``|count - exact share| <= band``, so the band is judged on the exact share,
    as the checker does)."""

    tenths: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def take(self, agents: list[int]) -> Target:
        return Target(self.tenths[agents], self.low[agents], self.high[agents])


def targets(shares: Shares, band_days: int) -> Target:
    """The horizon target of ``shares``: the fair share less what the history already holds."""
    exact = shares.share - shares.history
    return Target(np.rint(SCALE * exact).astype(np.int64),
                  np.ceil(exact - band_days - 1e-9).astype(np.int64),
                  np.floor(exact + band_days + 1e-9).astype(np.int64))


def band_targets(problem: RosterProblem, states: np.ndarray) -> tuple[Target, Target]:
    """(nights, weekend rest) targets and bands on the fair shares of roster ``states``."""
    night, rest = fair_shares(problem, states)
    width = band(problem)
    return targets(night, width), targets(rest, width)


def deviation_cost(counts: np.ndarray, target: Target | tuple, weight: int,
                   costs: Costs = DEFAULT_SETTINGS.costs) -> np.ndarray:
    """Cost of horizon ``counts`` against ``target`` (tenths, low, high) (module docstring),
    with the knees and the outside-band cost of ``costs``."""
    tenths, low, high = (target.tenths, target.low, target.high) if isinstance(
        target, Target) else target
    counts = np.asarray(counts, dtype=np.int64)
    e = np.abs(SCALE * counts - tenths)
    inside = e.copy()
    for knee in costs.deviation_knees:
        inside += np.maximum(e - knee, 0)
    outside = np.maximum(counts - high, 0) + np.maximum(low - counts, 0)
    return weight * (inside + costs.outside_band_cost * SCALE * outside)


def fairness_cost(problem: RosterProblem, states: np.ndarray, night_target: Target,
                  rest_target: Target, costs: Costs = DEFAULT_SETTINGS.costs) -> np.ndarray:
    """(A,) each agent's night and weekend-rest deviation cost for horizon ``states``."""
    nights, rests = horizon_counts(problem, states)
    weights = problem.weights
    return (deviation_cost(nights, night_target, weights.fair_share_nights, costs)
            + deviation_cost(rests, rest_target, weights.fair_share_weekend, costs))


def summary(problem: RosterProblem, states: np.ndarray) -> list[dict[str, object]]:
    """Per team: size, fewest / median / most nights and weekend rest in the horizon, the
    median fair share (history removed) and how many agents are outside the band."""
    night, rest = fair_shares(problem, states)
    nights, rests = horizon_counts(problem, states)
    width = band(problem)
    rows: list[dict[str, object]] = []
    for members in teams(problem):
        row: dict[str, object] = {
            "skills": ";".join(problem.queues[q] for q in problem.skills[members[0]]),
            "agents": len(members)}
        for kind, counts, shares in (("nights", nights, night), ("weekend_rest", rests, rest)):
            mine = counts[members]
            target = (shares.share - shares.history)[members]
            deviation = mine - target
            row[kind] = {"fewest": int(mine.min()), "median": float(np.median(mine)),
                         "most": int(mine.max()),
                         "median_share": round(float(np.median(target)), 2),
                         "max_deviation": round(float(np.abs(deviation).max()), 2),
                         "outside_band": int((np.abs(deviation) > width + 1e-9).sum())}
        rows.append(row)
    return rows
