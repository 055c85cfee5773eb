"""Fair-share terms of the CP-SAT models: every agent's deviation from its team fair share.

The full model, the neighbourhood re-solves and the weekly-blocks chunks all price nights and
weekend rest the same way as ``fair_share.deviation_cost`` prices a finished roster (convex in
tenths of a day, steep beyond the band), so each stage of the solver pursues the same
fairness and their objectives stay comparable with ``report.evaluate``.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from solvers.roster.aggregate import available
from solvers.roster.fair_share import KNEES, OUTSIDE_COST, SCALE
from solvers.roster.problem import RosterProblem
from solvers.roster.soft import Penalty
from solvers.roster.variables import WorkVars, day_work, shift_work


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


def penalize_fair_share(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                        ) -> list[Penalty]:
    """Each agent's nights and weekend rest (on available Saturdays and Sundays) against its
    targets in ``problem.fair_targets``; nothing when the solver has not set them."""
    if problem.fair_targets is None:
        return []
    night_target, rest_target = problem.fair_targets
    nights = [s for s in range(problem.num_shifts) if problem.night[s]]
    weekend = [d for d in range(problem.num_days) if problem.weekday(d) >= 5]
    free = available(problem)
    weights = problem.weights
    penalties: list[Penalty] = []
    for a in range(problem.num_agents):
        if nights:
            count = sum(shift_work(work, problem, a, d, s) for d in range(problem.num_days)
                        for s in nights)
            penalties += deviation_penalties(
                model, count, int(night_target.tenths[a]), int(night_target.low[a]),
                int(night_target.high[a]), weights.fair_share_nights, f"nights(a={a})",
                problem.num_days)
        days = [d for d in weekend if free[a, d]]
        if days:
            rest = len(days) - sum(day_work(work, problem, a, d) for d in days)
            penalties += deviation_penalties(
                model, rest, int(rest_target.tenths[a]), int(rest_target.low[a]),
                int(rest_target.high[a]), weights.fair_share_weekend,
                f"weekend_rest(a={a})", len(days))
    return penalties
