"""Fairness stage: share nights and weekend rest fairly inside each team, coverage kept.

Agents of one team (same skills) can take each other's shifts, so trading days between two
members keeps every day's head-count per shift type and queue, and with it the coverage,
exactly. This stage runs last, on the coverage-optimised roster: pair trades
(``exchange.py``) bring each agent's nights and weekend rest within the band around its fair
share (``fair_share.py``: pro rata by availability, previous weeks counted), then lower
switches, quick returns and worked preferred rest days. With ``night_pattern =
"weekly_blocks"`` every team is first re-solved in chunks with the full model's hard rules, the
weekly-blocks constraint (a Monday-Sunday week is all nights or all day shifts, and a rest day
separates a night from a day shift) and the coverage cost of what the rest of the roster leaves
uncovered (the mixed roster's head-counts may not be reachable by whole weeks); the trades that
follow keep the blocks. Work is counted (trades) or deterministic (re-solves), so the stage is
repeatable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.aggregate import available, configure
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.exchange import exchange
from solvers.roster.fair_share import (
    KNEES,
    OUTSIDE_COST,
    SCALE,
    Target,
    band,
    fair_shares,
    horizon_counts,
    targets,
    teams,
)
from solvers.roster.hints import complete_hint
from solvers.roster.neighbourhood import subproblem
from solvers.roster.problem import RosterProblem
from solvers.roster.rules import HARD_RULES
from solvers.roster.soft import (
    Penalty,
    coverage_penalties,
    penalize_preferences,
    penalize_switches,
)
from solvers.roster.variables import WorkVars, build_work_vars, day_work, shift_work

CHUNK = 12   # agents per re-solve: small enough to solve in well under a second
ROUNDS = 8   # passes over each team at most (the budget normally ends the stage first)
# Inside the band a quick return (night then day) should cost more than a night of deviation
# (15 with the default fair_share_nights = 1), so the stage does not buy fairness the band
# does not require with quick returns.
QUICK_RETURN_FACTOR = 10
OWN_CAP = 0.25  # the stage's least wall time, as a share of its nominal seconds


@dataclass
class FairnessResult:
    """What the stage did: re-solves tried and accepted, and per-agent blocks it could not make."""

    tried: int = 0
    accepted: int = 0
    block_failures: int = 0


def deviation_penalties(model: cp_model.CpModel, count: Any, target: int, low: int,
                        high: int, weight: int, name: str, upper: int) -> list[Penalty]:
    """|SCALE x count - target| and the band ``low <= count <= high`` priced as
    ``fair_share.deviation_cost`` (convex, steep outside the band)."""
    if not weight:
        return []
    bound = SCALE * upper + abs(target)
    e = model.new_int_var(0, bound, f"{name}_dev")
    model.add(e >= SCALE * count - target)
    model.add(e >= target - SCALE * count)
    penalties = [Penalty(e, weight, f"{name}_dev")]
    for knee in KNEES:
        over = model.new_int_var(0, bound, f"{name}_over{knee}")
        model.add(over >= e - knee)
        penalties.append(Penalty(over, weight, f"{name}_over{knee}"))
    outside = model.new_int_var(0, upper + abs(low) + abs(high), f"{name}_outside_band")
    model.add(outside >= count - high)
    model.add(outside >= low - count)
    penalties.append(Penalty(outside, weight * OUTSIDE_COST * SCALE, f"{name}_outside_band"))
    return penalties


def add_weekly_blocks(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem) -> None:
    """Every Monday-Sunday week (with the previous roster's days of a week that starts before
    the horizon) is all nights or all non-night shifts for each agent, and no night is followed
    by a day shift the next day (so the change of block rests first: no quick returns)."""
    first = -problem.dates[0].weekday()
    for a in range(problem.num_agents):
        for monday in range(first, problem.num_days, 7):
            days = range(max(0, monday), min(problem.num_days, monday + 7))
            before = [problem.state_on(a, d) for d in range(monday, 0)]
            kinds = {bool(problem.night[s]) for s in before if s >= 0}
            night_week = model.new_bool_var(f"night_week(a={a},monday={monday})")
            if kinds == {True}:
                model.add(night_week == 1)
            elif kinds == {False}:
                model.add(night_week == 0)
            elif kinds:
                continue  # the previous roster already mixes this week: nothing to keep
            for d in days:
                for s in range(problem.num_shifts):
                    if problem.night[s]:
                        model.add(shift_work(work, problem, a, d, s) <= night_week)
                    else:
                        model.add(shift_work(work, problem, a, d, s) <= 1 - night_week)
        # a change from a night week to a day week passes through a rest day
        nights = [s for s in range(problem.num_shifts) if problem.night[s]]
        days_ = [s for s in range(problem.num_shifts) if not problem.night[s]]
        for d in range(problem.num_days):
            after = sum(shift_work(work, problem, a, d, s) for s in days_)
            if d == 0:
                last = problem.state_on(a, -1)
                if last >= 0 and problem.night[last]:
                    model.add(after == 0)
                continue
            model.add(sum(shift_work(work, problem, a, d - 1, s) for s in nights) + after <= 1)


def _chunk_model(sub: RosterProblem, night_target: Target, rest_target: Target
                 ) -> tuple[cp_model.CpModel, WorkVars]:
    """The full model's hard rules and weekly blocks for a chunk ``sub`` whose requirement is
    what the rest of the roster leaves uncovered; coverage, fair-share deviation, switches
    (quick returns stricter) and preferences priced."""
    model = cp_model.CpModel()
    work = build_work_vars(model, sub)
    for add_rule in HARD_RULES:
        add_rule(model, work, sub)
    penalties: list[Penalty] = []
    add_weekly_blocks(model, work, sub)
    terms: dict[tuple[int, int], list] = {}
    for (_a, d, s, q), var in work.items():
        for t in sub.cover[d][s]:
            terms.setdefault((int(t), q), []).append(var)
    penalties.extend(coverage_penalties(model, sub, terms))
    nights = [s for s in range(sub.num_shifts) if sub.night[s]]
    weekend = [d for d in range(sub.num_days) if sub.weekday(d) >= 5]
    free = available(sub)
    for a in range(sub.num_agents):
        if nights:
            count = sum(shift_work(work, sub, a, d, s) for d in range(sub.num_days)
                        for s in nights)
            penalties += deviation_penalties(model, count, int(night_target.tenths[a]),
                                             int(night_target.low[a]),
                                             int(night_target.high[a]),
                                             sub.weights.fair_share_nights, f"nights(a={a})",
                                             sub.num_days)
        days = [d for d in weekend if free[a, d]]
        if days:
            rest = len(days) - sum(day_work(work, sub, a, d) for d in days)
            penalties += deviation_penalties(model, rest, int(rest_target.tenths[a]),
                                             int(rest_target.low[a]), int(rest_target.high[a]),
                                             sub.weights.fair_share_weekend,
                                             f"weekend_rest(a={a})", len(days))
    weights = sub.weights
    stricter = replace(sub, weights=replace(weights, quick_returns=QUICK_RETURN_FACTOR
                                            * weights.quick_returns))
    penalties += penalize_switches(model, work, stricter)
    penalties += penalize_preferences(model, work, sub)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work


def _chunks(members: list[int], deviation: np.ndarray, rng: np.random.Generator,
            round_index: int) -> list[list[int]]:
    """Split a team into chunks of about CHUNK agents, each mixing agents from the whole
    deviation ranking (first round) or at random (later rounds)."""
    num = max(1, -(-len(members) // CHUNK))
    if round_index == 0:
        order = [members[i] for i in np.argsort(deviation[members], kind="stable")]
    else:
        order = [members[i] for i in rng.permutation(len(members))]
    return [sorted(order[k::num]) for k in range(num)]


def block_ok(problem: RosterProblem, a: int, row: np.ndarray) -> bool:
    """Whether agent ``a``'s horizon ``row`` keeps the weekly blocks: no Monday-Sunday week
    mixes nights and day shifts (counting the previous roster's days of the first week), and
    no night is followed by a day shift the next day."""
    full = np.concatenate([problem.previous[a], row])
    working = full >= 0
    night = working & problem.night[np.clip(full, 0, None)]
    day = working & ~night
    if (night[:-1] & day[1:])[problem.num_previous - 1:].any():
        return False
    start = problem.num_previous - problem.dates[0].weekday()
    for monday in range(max(start, 0), len(full), 7):
        week = slice(monday, monday + 7)
        if monday + 7 > problem.num_previous and night[week].any() and day[week].any():
            return False
    return True


def rebalance(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
              budget: Budget, seconds: float, det_per_solve: float, seed: int = 0
              ) -> FairnessResult:
    """Share nights and weekend rest fairly inside each team (in place; see module docstring):
    pair trades for ``seconds`` of counted work, after (with weekly blocks) one re-solve of
    every team chunk not yet in blocks, each of ``det_per_solve`` deterministic seconds."""
    result = FairnessResult()
    blocks = problem.config.roster.night_pattern == "weekly_blocks"
    night, rest = fair_shares(problem, states)
    night_target, rest_target = targets(night, band(problem)), targets(rest, band(problem))
    if blocks:
        _block_chunks(problem, states, queues, night_target, rest_target, result,
                      budget=budget, det_per_solve=det_per_solve, seed=seed)
    # the wall-clock cap is the run's deadline (the earlier stages left this stage its share),
    # or a fraction of its share from now when an earlier stage overran it all the same
    own = Budget(seconds=seconds,
                 deadline=max(budget.deadline, time.monotonic() + OWN_CAP * seconds),
                 capped=budget.capped)
    work = own.work(seconds, "fairness", problem.num_days)
    check = (lambda a, row: block_ok(problem, a, row)) if blocks else None
    result.accepted += exchange(problem, states, queues, night_target, rest_target, work=work,
                                quick_return_factor=QUICK_RETURN_FACTOR, seed=seed,
                                allowed=check)
    return result


def _block_chunks(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                  night_target: Target, rest_target: Target, result: FairnessResult,
                  *, budget: Budget, det_per_solve: float, seed: int) -> None:
    """Re-solve every team in chunks with the weekly-blocks constraint and the coverage cost."""
    rng = np.random.default_rng(seed)
    nights_now, _ = horizon_counts(problem, states)
    deviation = SCALE * nights_now - night_target.tenths
    scheduled = scheduled_counts(problem, states, queues)
    for members in teams(problem):
        for chunk in _chunks(members, deviation, rng, 0):
            if all(block_ok(problem, a, states[a]) for a in chunk):
                continue
            mine = scheduled_counts(subproblem(problem, chunk, problem.required),
                                    states[chunk], queues[chunk])
            residual = np.clip(problem.required - (scheduled - mine), 0, None)
            sub = subproblem(problem, chunk, residual)
            model, work = _chunk_model(sub, night_target.take(chunk), rest_target.take(chunk))
            complete_hint(model, [(var, int(states[chunk][a, d] == s
                                            and queues[chunk][a, d] == q))
                                  for (a, d, s, q), var in work.items()],
                          seconds=budget.wall_left(), det_seconds=0.2 * det_per_solve)
            solver = cp_model.CpSolver()
            configure(solver, sub, max(budget.wall_left(), 5 * det_per_solve),
                      det_seconds=det_per_solve)
            status = solver.solve(model)
            result.tried += 1
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                result.block_failures += len(chunk)
                continue
            new_states, new_queues = sub.rest_states(), np.full((len(chunk), problem.num_days),
                                                                -1)
            for (a, d, s, q), var in work.items():
                if solver.boolean_value(var):
                    new_states[a, d], new_queues[a, d] = s, q
            scheduled = scheduled - mine + scheduled_counts(sub, new_states, new_queues)
            states[chunk], queues[chunk] = new_states, new_queues
            result.accepted += 1
