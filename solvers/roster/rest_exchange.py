"""Weekend rest and nights handed on at a common rest day, for agents outside their bands.

With one rest day per Monday-Sunday week and at most six days in a row, an agent's rest day can
move earlier from one week to the next but never later (a later one would make a run of seven).
An agent whose rest sits on a Saturday or Sunday therefore keeps it there, week after week,
unless a team-mate takes the rest of its roster over; and where a night must be followed by a
night or a rest day (a short rest before an early shift), nights come in blocks bound to the
rest days the same way. Two team-mates can exchange their rosters between two days on which
both are off (or from one such day to the horizon's end): each keeps its own runs of working
days, its weekly rest and its rest after nights, since both rows are off at the seams, and
every day's head-count per shift type and queue stays the same, so coverage is unchanged.

The pair trades (``exchange.py``) offer an agent outside its band to a dozen team-mates ranked
by their deviation; the most under-served are often never off on the same day, and so can take
nothing over. Here, for each agent outside its weekend-rest or nights band, every such exchange
with every team-mate is listed and priced at once (``row_costs.RowCosts``, vectorised); those
that break a weekly night cap are dropped before pricing, those that leave both agents inside
their bands are tried first, and the cheapest one both rule checks accept is made. The pricing
and every rule check are counted work, so the stage stays repeatable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import Target, teams
from solvers.roster.legal import trade_if_legal
from solvers.roster.problem import RosterProblem
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules.nights import agent_night_caps
from solvers.roster.settings import Fairness


def exchange_spans(off_a: np.ndarray, off_mates: np.ndarray, movable_a: np.ndarray,
                   movable_mates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The day ranges ``[start, end)`` agent ``a`` can exchange with each mate, all mates at
    once, ordered by mate, start and end: (mate index, start, end) arrays. A span runs from
    the day after a day both are off up to a later such day (exclusive) or the horizon's end,
    every day in it movable for both (no leave, contract or pinned day), at least one day
    long."""
    num_mates, num_days = off_mates.shape
    common = off_mates & off_a[None, :]
    # the span's end: a later common day, or the horizon's end (column num_days)
    ends_at = np.concatenate([common, np.ones((num_mates, 1), dtype=bool)], axis=1)
    fixed = np.concatenate([np.zeros((num_mates, 1), dtype=np.int64), np.cumsum(
        ~(movable_mates & movable_a[None, :]), axis=1)], axis=1)  # (M, D + 1) prefix counts
    first = np.arange(num_days)[:, None]
    last = np.arange(num_days + 1)[None, :]
    long_enough = last - first >= 2  # (D, D + 1)
    spans = (common[:, :, None] & ends_at[:, None, :] & long_enough[None, :, :]
             # every day in [first + 1, last) movable for both
             & (fixed[:, None, :] - fixed[:, np.minimum(first[:, 0] + 1, num_days), None]
                == 0))
    mate, start, end = np.nonzero(spans)
    return mate, start + 1, end


def within_night_cap(problem: RosterProblem, agent: int, rows: np.ndarray) -> np.ndarray:
    """(N,) whether candidate rows keep the agent's ``max_nights_per_week`` in every
    Monday-Sunday week, with the rule's own caps (``agent_night_caps``: the previous roster's
    nights of the first week taken off): a cheap, vectorised filter, since an exchange moves
    nights between agents whose caps differ and the cheapest exchanges are often the ones that
    break a cap."""
    nights = (rows >= 0) & problem.night[np.clip(rows, 0, None)]
    ok = np.ones(len(rows), dtype=bool)
    for days, cap in agent_night_caps(problem, agent):
        ok &= nights[:, list(days)].sum(axis=1) <= cap
    return ok


def repair_bands(problem: RosterProblem, costs: RowCosts, states: np.ndarray,
                 queues: np.ndarray, movable: np.ndarray, work: WorkLimit,
                 allowed: Callable[[int, np.ndarray], bool] | None, settings: Fairness,
                 fruitless: dict[tuple[str, int], bytes] | None = None) -> int:
    """For each agent outside its weekend-rest or nights band, make the cheapest improving
    exchange at a common rest day with any team-mate (module docstring), in place; the
    exchanges made. ``fruitless`` (kept by the caller across rounds) remembers, per band and
    agent, the team's rosters when nothing was found, so an unchanged team is not priced
    again."""
    fruitless = {} if fruitless is None else fruitless
    made = 0
    for members in teams(problem):
        if len(members) < 2:
            continue
        team = np.asarray(members)
        for kind in ("weekend", "nights"):
            marked, target = _marked(problem, costs, states, kind)
            seen: bytes | None = None  # the team's rosters, fingerprinted when first needed
            for a in team.tolist():
                if not work.left():
                    return made
                own = int(marked[a].sum())
                if target.low[a] <= own <= target.high[a]:
                    continue
                if seen is None:
                    seen = hashlib.blake2b(states[team].tobytes(), digest_size=16).digest()
                if fruitless.get((kind, a)) == seen:
                    continue
                if _exchange_one(problem, costs, states, queues, movable, work, allowed,
                                 settings, a, team, marked, target,
                                 over=own > target.high[a]):
                    made += 1
                    marked, _ = _marked(problem, costs, states, kind)  # two rows changed
                    seen = None
                else:
                    fruitless[(kind, a)] = seen
    return made


def _marked(problem: RosterProblem, costs: RowCosts, states: np.ndarray, kind: str
            ) -> tuple[np.ndarray, Target]:
    """(A, D) the days that count for a band (weekend rest days or nights), and its target."""
    if kind == "weekend":
        return costs.weekend_free & (states < 0), costs.rest_target
    return (states >= 0) & problem.night[np.clip(states, 0, None)], costs.night_target


def _exchange_one(problem: RosterProblem, costs: RowCosts, states: np.ndarray,
                  queues: np.ndarray, movable: np.ndarray, work: WorkLimit,
                  allowed: Callable[[int, np.ndarray], bool] | None, settings: Fairness,
                  a: int, team: np.ndarray, marked: np.ndarray, target: Target, *,
                  over: bool) -> bool:
    """The best improving exchange of agent ``a`` with a team-mate that moves ``marked``
    days away from it (``over``) or to it; whether one was made."""
    off = states < 0
    mates = team[(team != a) & (off[team] & off[a][None, :]).any(axis=1)]
    partner_index, starts, ends = exchange_spans(off[a], off[mates], movable[a], movable[mates])
    # marked days up to each day, of ``a`` (row 0) and its mates: a span's count is a difference
    counted = np.concatenate([[a], mates])
    cumulative = np.concatenate([np.zeros((len(counted), 1), dtype=np.int64),
                                 np.cumsum(marked[counted], axis=1)], axis=1)
    others = mates[partner_index]
    mine = cumulative[0, ends] - cumulative[0, starts]
    theirs = cumulative[1 + partner_index, ends] - cumulative[1 + partner_index, starts]
    keep = (theirs < mine) if over else (theirs > mine)
    others, starts, ends = others[keep], starts[keep], ends[keep]
    if not work.spend(1 + len(others) // settings.candidates_per_unit) or not len(others):
        return False
    days = np.arange(problem.num_days)
    mask_rows = (days[None, :] >= starts[:, None]) & (days[None, :] < ends[:, None])
    rows_a = np.where(mask_rows, states[others], states[a][None, :])
    rows_b = np.where(mask_rows, states[a][None, :], states[others])
    delta = (costs.rows(a, rows_a) - costs.rows(a, states[a][None, :])[0]).astype(float)
    delta += costs.rows_for(others, rows_b) - costs.rows_for(others, states[others])
    delta[~within_night_cap(problem, a, rows_a)] = np.inf
    for b in np.unique(others).tolist():
        mine_rows = np.flatnonzero(others == b)
        delta[mine_rows[~within_night_cap(problem, b, rows_b[mine_rows])]] = np.inf
    # both inside their bands first (the band is the planner's figure; the cost alone would
    # also take an exchange that only moves the excess to the team-mate), then the cost
    counts = marked[[a, *others.tolist()]].sum(axis=1)
    new_a = counts[0] + (mask_rows & marked[others]).sum(axis=1) - (
        mask_rows & marked[a][None, :]).sum(axis=1)
    new_b = counts[1:] + counts[0] - new_a
    inside = ((target.low[a] <= new_a) & (new_a <= target.high[a])
              & (target.low[others] <= new_b) & (new_b <= target.high[others]))
    for i in np.lexsort((delta, ~inside))[:settings.tries_per_pair]:
        if delta[i] >= 0 or not work.spend(2):
            return False
        if trade_if_legal(problem, states, queues, allowed, a, int(others[i]), mask_rows[i],
                          rows_a[i], rows_b[i]):
            return True
    return False
