"""Pair exchanges inside a team: two agents trade their rosters over a few days.

Members of a team have the same skills, so when agents ``a`` and ``b`` trade their days
``d1..d2`` (shift, queue and rest), every day's head-count per shift type and queue stays the
same: coverage is unchanged exactly. A trade is kept when both agents stay legal (the solver's
per-agent rule check) and the sum of their costs falls: fair-share deviation of nights and
weekend rest (``fair_share.deviation_cost``), shift-type switches, quick returns and worked
preferred rest days. Pairs are formed from both ends of each team's deviation ranking (the most
over-served with the most under-served), then by their own cost and at random, and each quick
return is offered to team-mates on a night that day; the search is limited by counted work (one
unit per rule check), so it is repeatable. Its tunables are ``settings.Fairness``'s (segment
length, tries per pair, candidates per unit, rounds, repair partners) and its prices
``settings.Costs``' (quick-return factor, deviation knees, outside-band cost), both passed in.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import SCALE, Target, teams
from solvers.roster.legal import trade_if_legal
from solvers.roster.problem import RosterProblem
from solvers.roster.rest_exchange import repair_bands
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules import rows_keep_rules
from solvers.roster.settings import DEFAULT_SETTINGS, Costs, Fairness


def plausible(problem: RosterProblem, a: int, rows: np.ndarray) -> np.ndarray:
    """(N,) whether candidate rows keep agent ``a``'s rules that have a vectorised row test
    (run limit, weekly rest, rest between shifts: ``HardRule.rows_keep``, each in its rule's
    module): a cheap filter, the full rule check follows for the rows tried. Without the rest
    between shifts, on a site where a shift may only start later from one day to the next,
    the few rows tried were mostly illegal."""
    return rows_keep_rules(problem, a, rows)


def _segments(num_days: int, movable: np.ndarray, differs: np.ndarray, max_days: int
              ) -> list[tuple[int, int]]:
    """Day ranges [d1, d2) of at most ``max_days`` both agents may trade (no leave, contract or
    pinned day inside) that start and end on a day where their rosters differ."""
    found = []
    for d1 in map(int, np.flatnonzero(differs & movable)):
        for d2 in range(d1 + 1, min(num_days, d1 + max_days) + 1):
            if not movable[d2 - 1]:
                break
            if differs[d2 - 1]:
                found.append((d1, d2))
    return found


def _day_pairs(num_days: int, movable: np.ndarray, differs: np.ndarray) -> np.ndarray:
    """(N, D) masks of two days at most a week apart, not next to each other, that both agents
    may trade and where their rosters differ: a rest day and a working day swapped between
    them without touching the days between (a segment trade would also swap those)."""
    days = np.flatnonzero(differs & movable)
    first, second = np.triu_indices(len(days), k=1)
    gap = days[second] - days[first]
    keep = (gap > 1) & (gap <= 7)
    masks = np.zeros((int(keep.sum()), num_days), dtype=bool)
    rows = np.arange(len(masks))
    masks[rows, days[first[keep]]] = True
    masks[rows, days[second[keep]]] = True
    return masks


def _segment_masks(num_days: int, segments: list[tuple[int, int]]) -> np.ndarray:
    masks = np.zeros((len(segments), num_days), dtype=bool)
    for i, (d1, d2) in enumerate(segments):
        masks[i, d1:d2] = True
    return masks


def _trade(problem: RosterProblem, costs: RowCosts, states: np.ndarray, queues: np.ndarray,
           a: int, b: int, movable: np.ndarray, work: WorkLimit,
           allowed: Callable[[int, np.ndarray], bool] | None, settings: Fairness, *,
           day_pairs: bool = False) -> bool:
    """Make the best legal improving trade between ``a`` and ``b`` (runs of days, and with
    ``day_pairs`` also two separate days); whether one was made."""
    both = movable[a] & movable[b]
    differs = states[a] != states[b]
    masks = _segment_masks(problem.num_days, _segments(problem.num_days, both, differs,
                                                       settings.max_segment_days))
    if day_pairs:
        masks = np.concatenate([masks, _day_pairs(problem.num_days, both, differs)])
    if not work.spend(1 + len(masks) // settings.candidates_per_unit) or not len(masks):
        return False  # pricing the candidates is most of a trade's time: every try is counted
    rows_a = np.where(masks, states[b][None, :], states[a][None, :])
    rows_b = np.where(masks, states[a][None, :], states[b][None, :])
    # both agents' current rows and every candidate priced in one call (each row's cost is
    # its own: the same figures as four calls, for a quarter of the per-call overhead)
    count = len(masks)
    owners = np.repeat(np.array([a, b, a, b], dtype=np.int64), [1, 1, count, count])
    priced = costs.rows_for(owners, np.concatenate([states[[a, b]], rows_a, rows_b]))
    now = priced[0] + priced[1]
    delta = priced[2:2 + count] + priced[2 + count:] - now
    improving = delta < 0
    if not improving.any():
        return False
    keep = improving.copy()
    keep[improving] = (plausible(problem, a, rows_a[improving])
                       & plausible(problem, b, rows_b[improving]))
    delta = np.where(keep, delta, 0)
    for i in np.argsort(delta, kind="stable")[:settings.tries_per_pair]:
        if delta[i] >= 0 or not work.spend(2):
            return False
        if trade_if_legal(problem, states, queues, allowed, a, b, masks[i], rows_a[i],
                          rows_b[i]):
            return True
    return False


def exchange(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
             night_target: Target, rest_target: Target, *, work: WorkLimit,
             settings: Fairness = DEFAULT_SETTINGS.fairness,
             costs: Costs = DEFAULT_SETTINGS.costs, seed: int = 0,
             allowed: Callable[[int, np.ndarray], bool] | None = None) -> int:
    """Trade days between pairs of team members while it pays and ``work`` lasts (in place),
    with the trade tunables of ``settings`` and the prices of ``costs``; ``allowed(agent,
    row)``, when given, must hold for every traded row. Returns trades made."""
    rng = np.random.default_rng(seed)
    row_costs = RowCosts(problem, night_target, rest_target, costs)
    movable = problem.assignable
    trades = 0
    weekend = np.array([problem.weekday(d) >= 5 for d in range(problem.num_days)])
    fruitless: dict[tuple[str, int], bytes] = {}  # (band, agent) no exchange helped: rosters
    for round_index in range(settings.trade_rounds):
        # the targeted repairs first: an agent outside its band costs outside_band_cost times
        # a tenth inside it, and on a large roster the broad pairing below can use all the work
        made = _repair_outside_once(problem, row_costs, states, queues, movable, work, allowed,
                                    settings, fruitless)
        made += _repair_quick_returns(problem, row_costs, states, queues, movable, work,
                                      allowed, settings, rng)
        for members in teams(problem):
            if len(members) < 2:
                continue
            night = np.array([(states[a] >= 0) & problem.night[np.clip(states[a], 0, None)]
                              for a in members]).sum(axis=1)
            rest = (row_costs.weekend_free[members] & (states[members] < 0)).sum(axis=1)
            own = row_costs.rows_of(members, states)  # many switches, quick returns
            scores = [SCALE * night - night_target.tenths[members],
                      SCALE * rest - rest_target.tenths[members] if weekend.any() else None,
                      own + rng.random(len(members)), rng.random(len(members))]
            for score in scores:
                if score is None:
                    continue
                order = [members[i] for i in np.argsort(-score, kind="stable")]
                half = len(order) // 2
                low = order[::-1][:half]  # pair the i-th most over with the i-th most under,
                low = low[round_index % half:] + low[:round_index % half]  # then shifted
                for a, b in zip(order[:half], low, strict=True):
                    if not work.left():
                        return trades + made
                    made += _trade(problem, row_costs, states, queues, a, b, movable, work,
                                   allowed, settings)
        trades += made
        if not made or not work.left():
            break
    return trades


def repair_outside(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                   night_target: Target, rest_target: Target, *, work: WorkLimit,
                   settings: Fairness = DEFAULT_SETTINGS.fairness,
                   costs: Costs = DEFAULT_SETTINGS.costs,
                   allowed: Callable[[int, np.ndarray], bool] | None = None) -> int:
    """Only the targeted repairs of ``exchange`` (in place): trades and exchanges at a common
    rest day for the agents outside a band, rounds while they make any and ``work`` lasts;
    the trades made. For a site whose teams were solved in parts: a part's trades never
    reach the rest of its team."""
    row_costs = RowCosts(problem, night_target, rest_target, costs)
    movable = problem.assignable
    fruitless: dict[tuple[str, int], bytes] = {}
    made = 0
    for _ in range(settings.trade_rounds):
        found = _repair_outside_once(problem, row_costs, states, queues, movable, work, allowed,
                                     settings, fruitless)
        made += found
        if not found or not work.left():
            break
    return made


def _repair_outside_once(problem: RosterProblem, costs: RowCosts, states: np.ndarray,
                         queues: np.ndarray, movable: np.ndarray, work: WorkLimit,
                         allowed: Callable[[int, np.ndarray], bool] | None, settings: Fairness,
                         fruitless: dict[tuple[str, int], bytes]) -> int:
    """One round of the targeted repairs for the agents outside a band: trades with the
    team-mates farthest on the other side, then exchanges at a common rest day."""
    return (_repair_band(problem, costs, states, queues, movable, work, allowed, settings)
            + repair_bands(problem, costs, states, queues, movable, work, allowed, settings,
                           fruitless))


def _repair_band(problem: RosterProblem, costs: RowCosts, states: np.ndarray, queues: np.ndarray,
                 movable: np.ndarray, work: WorkLimit,
                 allowed: Callable[[int, np.ndarray], bool] | None, settings: Fairness) -> int:
    """Each agent outside its band (nights or weekend rest) is offered to the
    ``repair_partners`` team-mates farthest on the other side of their own share, until a
    trade is made."""
    made = 0
    for members in teams(problem):
        if len(members) < 2:
            continue
        night = np.array([((states[a] >= 0) & problem.night[np.clip(states[a], 0, None)]).sum()
                          for a in members])
        rest = (costs.weekend_free[members] & (states[members] < 0)).sum(axis=1)
        for counts, target in ((night, costs.night_target), (rest, costs.rest_target)):
            over = counts - target.high[members]
            under = target.low[members] - counts
            deviation = SCALE * counts - target.tenths[members]
            for i in np.flatnonzero((over > 0) | (under > 0)):
                if not work.left():
                    return made
                side = np.sign(deviation[i])
                order = np.argsort(side * deviation, kind="stable")  # most opposite first
                partners = [members[j] for j in order if side * deviation[j] < 0]
                for b in partners[:settings.repair_partners]:
                    if not work.left():
                        return made
                    if _trade(problem, costs, states, queues, members[i], b, movable, work,
                              allowed, settings, day_pairs=True):
                        made += 1
                        break
    return made


def _repair_quick_returns(problem: RosterProblem, costs: RowCosts, states: np.ndarray,
                          queues: np.ndarray, movable: np.ndarray, work: WorkLimit,
                          allowed: Callable[[int, np.ndarray], bool] | None,
                          settings: Fairness, rng: np.random.Generator) -> int:
    """For each quick return (a night, then a day shift on day d), try trades with up to
    ``repair_partners`` team-mates who work a night on d after a day that is not a night:
    taking their night keeps a on nights, and they get a's day shift without a quick return
    of their own."""
    mates = {a: members for members in teams(problem) for a in members}
    made = 0
    full = np.concatenate([problem.previous[:, -1:], states], axis=1)
    working = full >= 0
    night = working & problem.night[np.clip(full, 0, None)]
    returns = night[:, :-1] & working[:, 1:] & ~night[:, 1:]
    for a, d in zip(*np.nonzero(returns), strict=True):
        a, d = int(a), int(d)
        if not work.left():
            break
        if not (states[a, d] >= 0 and not problem.night[states[a, d]]):
            continue  # an earlier trade changed it
        partners = [b for b in mates[a] if b != a and states[b, d] >= 0
                    and problem.night[states[b, d]]
                    and not (problem.state_on(b, d - 1, states) >= 0
                             and problem.night[problem.state_on(b, d - 1, states)])]
        rng.shuffle(partners)
        for b in partners[:settings.repair_partners]:
            if not work.left():
                return made
            if _trade(problem, costs, states, queues, a, b, movable, work, allowed, settings):
                made += 1
                break
    return made
