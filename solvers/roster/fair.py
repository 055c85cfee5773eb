"""Fairness stage: re-assign who works which shift inside each team, coverage kept exactly.

Agents of one team (same skills) can take each other's shifts, so a team's head-count per day,
shift type and queue can be handed out among its members in any way the rules allow without
changing coverage. This stage does that last: chunks of a team (members mixed from both ends of
the deviation ranking, so over- and under-served agents meet) are re-solved with the full
model's hard rules, the chunk's head-counts pinned, and an objective of fair-share deviations
(``fair_share.py``), shift-type switches, quick returns and preferred rest days. With
``night_pattern = "weekly_blocks"`` each agent's Monday-Sunday week is all nights or all day
shifts (a hard constraint); the head-counts are then priced by the coverage cost of what the
rest of the roster leaves uncovered instead of pinned, since the mixed roster's counts may not
be reachable by whole weeks. Each re-solve is limited by deterministic time; the number of
re-solves is fixed from the budget, so the stage is repeatable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    band,
    fair_shares,
    fairness_cost,
    horizon_counts,
    targets_tenths,
    teams,
)
from solvers.roster.hints import complete_hint
from solvers.roster.neighbourhood import subproblem
from solvers.roster.problem import RosterProblem
from solvers.roster.report import evaluate
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
QUICK_RETURN_FACTOR = 5


@dataclass
class FairnessResult:
    """What the stage did: re-solves tried and accepted, and per-agent blocks it could not make."""

    tried: int = 0
    accepted: int = 0
    block_failures: int = 0


def deviation_penalties(model: cp_model.CpModel, count: cp_model.LinearExpr, target: int,
                        band_days: int, weight: int, name: str, upper: int) -> list[Penalty]:
    """|SCALE x count - target| priced as ``fair_share.deviation_cost`` (convex, steep outside
    the band)."""
    if not weight:
        return []
    bound = SCALE * upper + abs(target)
    e = model.new_int_var(0, bound, f"{name}_dev")
    model.add(e >= SCALE * count - target)
    model.add(e >= target - SCALE * count)
    penalties = [Penalty(e, weight, f"{name}_dev")]
    for knee, cost in [*((k, 1) for k in KNEES), (SCALE * band_days, OUTSIDE_COST)]:
        over = model.new_int_var(0, bound, f"{name}_over{knee}")
        model.add(over >= e - knee)
        penalties.append(Penalty(over, weight * cost, f"{name}_over{knee}"))
    return penalties


def add_weekly_blocks(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem) -> None:
    """Every Monday-Sunday week (with the previous roster's days of a week that starts before
    the horizon) is all nights or all non-night shifts for each agent."""
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


def _chunk_model(sub: RosterProblem, states: np.ndarray, queues: np.ndarray,
                 night_target: np.ndarray, rest_target: np.ndarray, blocks: bool
                 ) -> tuple[cp_model.CpModel, WorkVars]:
    model = cp_model.CpModel()
    work = build_work_vars(model, sub)
    for add_rule in HARD_RULES:
        add_rule(model, work, sub)
    penalties: list[Penalty] = []
    if blocks:
        add_weekly_blocks(model, work, sub)
        terms: dict[tuple[int, int], list] = {}
        for (_a, d, s, q), var in work.items():
            for t in sub.cover[d][s]:
                terms.setdefault((int(t), q), []).append(var)
        penalties.extend(coverage_penalties(model, sub, terms))
    else:
        counts: dict[tuple[int, int, int], list] = {}
        for key, var in work.items():
            counts.setdefault(key[1:], []).append(var)
        pinned = {}
        for i, d in zip(*np.nonzero(states >= 0), strict=True):
            key = (int(d), int(states[i, d]), int(queues[i, d]))
            pinned[key] = pinned.get(key, 0) + 1
        for key, variables in counts.items():
            model.add(sum(variables) == pinned.get(key, 0))
    width = band(sub)
    nights = [s for s in range(sub.num_shifts) if sub.night[s]]
    weekend = [d for d in range(sub.num_days) if sub.weekday(d) >= 5]
    free = available(sub)
    for a in range(sub.num_agents):
        if nights:
            count = sum(shift_work(work, sub, a, d, s) for d in range(sub.num_days)
                        for s in nights)
            penalties += deviation_penalties(model, count, int(night_target[a]), width,
                                             sub.weights.fair_share_nights, f"nights(a={a})",
                                             sub.num_days)
        days = [d for d in weekend if free[a, d]]
        if days:
            rest = len(days) - sum(day_work(work, sub, a, d) for d in days)
            penalties += deviation_penalties(model, rest, int(rest_target[a]), width,
                                             sub.weights.fair_share_weekend,
                                             f"weekend_rest(a={a})", len(days))
    weights = sub.weights
    stricter = replace(sub, weights=replace(weights, quick_returns=QUICK_RETURN_FACTOR
                                            * weights.quick_returns))
    penalties += penalize_switches(model, work, stricter)
    penalties += penalize_preferences(model, work, sub)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work


def _chunk_cost(problem: RosterProblem, states: np.ndarray, scheduled: np.ndarray,
                night_target: np.ndarray, rest_target: np.ndarray) -> int:
    parts = evaluate(problem, states, scheduled)
    return int(fairness_cost(problem, states, night_target, rest_target).sum()
               + parts["switches"] + QUICK_RETURN_FACTOR * parts["quick_returns"]
               + parts["preferences"])


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


def block_ok(problem: RosterProblem, row: np.ndarray) -> bool:
    """Whether no Monday-Sunday week of ``row`` (horizon states) mixes nights and day shifts."""
    first = -problem.dates[0].weekday()
    working = row >= 0
    night = working & problem.night[np.clip(row, 0, None)]
    for monday in range(max(first, 0), problem.num_days, 7):
        week = slice(monday, monday + 7)
        if night[week].any() and (working[week] & ~night[week]).any():
            return False
    return True


def rebalance(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
              budget: Budget, seconds: float, solves: int, det_per_solve: float, seed: int = 0
              ) -> FairnessResult:
    """Share nights and weekend rest fairly inside each team (in place; see module docstring):
    pair exchanges for ``seconds`` of counted work, after (with weekly blocks) one re-solve of
    every team chunk that makes the blocks."""
    result = FairnessResult()
    blocks = problem.config.roster.night_pattern == "weekly_blocks"
    night, rest = fair_shares(problem, states)
    night_target, rest_target = targets_tenths(night), targets_tenths(rest)
    if blocks:
        _block_chunks(problem, states, queues, night_target, rest_target, result,
                      budget=budget, det_per_solve=det_per_solve, seed=seed)
    work = budget.work(seconds, "fairness", problem.num_days)
    check = (lambda row: block_ok(problem, row)) if blocks else None
    result.accepted += exchange(problem, states, queues, night_target, rest_target, work=work,
                                quick_return_factor=QUICK_RETURN_FACTOR, seed=seed,
                                allowed=check)
    return result


def _block_chunks(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                  night_target: np.ndarray, rest_target: np.ndarray, result: FairnessResult,
                  *, budget: Budget, det_per_solve: float, seed: int) -> None:
    """Re-solve every team in chunks with the weekly-blocks constraint and the coverage cost."""
    rng = np.random.default_rng(seed)
    nights_now, _ = horizon_counts(problem, states)
    deviation = SCALE * nights_now - night_target
    scheduled = scheduled_counts(problem, states, queues)
    for members in teams(problem):
        for chunk in _chunks(members, deviation, rng, 0):
            if all(block_ok(problem, states[a]) for a in chunk):
                continue
            mine = scheduled_counts(subproblem(problem, chunk, problem.required),
                                    states[chunk], queues[chunk])
            residual = np.clip(problem.required - (scheduled - mine), 0, None)
            sub = subproblem(problem, chunk, residual)
            model, work = _chunk_model(sub, states[chunk], queues[chunk], night_target[chunk],
                                       rest_target[chunk], True)
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
