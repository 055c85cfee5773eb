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


def common_rest_spans(off_a: np.ndarray, off_b: np.ndarray, movable: np.ndarray
                      ) -> list[tuple[int, int]]:
    """Day ranges ``[start, end)`` two agents can exchange: after a day both are off, up to
    the next day both are off (exclusive) or the horizon's end, every day between ``movable``
    for both (no leave, contract or pinned day), at least one day long."""
    num_days = len(off_a)
    common = np.flatnonzero(off_a & off_b).tolist()
    spans = []
    for i, first in enumerate(common):
        for last in common[i + 1:] + [num_days]:
            if last - first < 2:
                continue
            if not movable[first + 1:last].all():
                break
            spans.append((first + 1, last))
    return spans


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
    partner, masks = [], []
    for b in mates.tolist():
        both = movable[a] & movable[b]
        for start, end in common_rest_spans(off[a], off[b], both):
            mine = int(marked[a, start:end].sum())
            theirs = int(marked[b, start:end].sum())
            if (theirs < mine) if over else (theirs > mine):
                mask = np.zeros(problem.num_days, dtype=bool)
                mask[start:end] = True
                partner.append(b)
                masks.append(mask)
    if not work.spend(1 + len(masks) // settings.candidates_per_unit) or not masks:
        return False
    others = np.asarray(partner)
    mask_rows = np.asarray(masks)
    rows_a = np.where(mask_rows, states[others], states[a][None, :])
    rows_b = np.where(mask_rows, states[a][None, :], states[others])
    delta = (costs.rows(a, rows_a) - costs.rows(a, states[a][None, :])[0]).astype(float)
    delta[~within_night_cap(problem, a, rows_a)] = np.inf
    for b in np.unique(others).tolist():
        mine = others == b
        delta[mine] += costs.rows(b, rows_b[mine]) - costs.rows(b, states[b][None, :])[0]
        delta[np.flatnonzero(mine)[~within_night_cap(problem, b, rows_b[mine])]] = np.inf
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
