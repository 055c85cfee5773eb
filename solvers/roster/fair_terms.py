"""CP-SAT terms of the fair-share goal: each agent's deviation from its horizon target of nights
and weekend rest, priced exactly as ``fair_share.deviation_cost`` prices a finished roster."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from solvers.roster.fair_share import SCALE, Target
from solvers.roster.problem import RosterProblem, available
from solvers.roster.settings import DEFAULT_SETTINGS, Costs
from solvers.roster.soft import Penalty, penalize_preferences, penalize_switches
from solvers.roster.variables import WorkVars, day_work, shift_work


def deviation_penalties(model: cp_model.CpModel, count: Any, target: int, low: int,
                        high: int, weight: int, name: str, upper: int,
                        costs: Costs = DEFAULT_SETTINGS.costs) -> list[Penalty]:
    """|SCALE x count - target| and the band ``low <= count <= high`` priced as
    ``fair_share.deviation_cost`` prices them with ``costs`` (convex, steep outside the band)."""
    if not weight:
        return []
    bound = SCALE * upper + abs(target)
    e = model.new_int_var(0, bound, f"{name}_dev")
    model.add(e >= SCALE * count - target)
    model.add(e >= target - SCALE * count)
    penalties = [Penalty(e, weight, f"{name}_dev")]
    for knee in costs.deviation_knees:
        over = model.new_int_var(0, bound, f"{name}_over{knee}")
        model.add(over >= e - knee)
        penalties.append(Penalty(over, weight, f"{name}_over{knee}"))
    outside = model.new_int_var(0, upper + abs(low) + abs(high), f"{name}_outside_band")
    model.add(outside >= count - high)
    model.add(outside >= low - count)
    penalties.append(Penalty(outside, weight * costs.outside_band_cost * SCALE,
                             f"{name}_outside_band"))
    return penalties


def share_penalties(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem,
                    night_target: Target, rest_target: Target, costs: Costs
                    ) -> list[Penalty]:
    """Every agent's night and weekend-rest deviation from its target (``take``-n to the
    problem's agents), with the band, priced with ``costs``."""
    penalties: list[Penalty] = []
    nights = [s for s in range(problem.num_shifts) if problem.night[s]]
    weekend = [d for d in range(problem.num_days) if problem.weekday(d) >= 5]
    free = available(problem)
    for a in range(problem.num_agents):
        if nights:
            count = sum(shift_work(work, problem, a, d, s) for d in range(problem.num_days)
                        for s in nights)
            penalties += deviation_penalties(model, count, int(night_target.tenths[a]),
                                             int(night_target.low[a]),
                                             int(night_target.high[a]),
                                             problem.weights.fair_share_nights,
                                             f"nights(a={a})", problem.num_days, costs)
        days = [d for d in weekend if free[a, d]]
        if days:
            rest = len(days) - sum(day_work(work, problem, a, d) for d in days)
            penalties += deviation_penalties(model, rest, int(rest_target.tenths[a]),
                                             int(rest_target.low[a]), int(rest_target.high[a]),
                                             problem.weights.fair_share_weekend,
                                             f"weekend_rest(a={a})", len(days), costs)
    return penalties


def stage_penalties(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem,
                    night_target: Target, rest_target: Target, costs: Costs
                    ) -> list[Penalty]:
    """The fairness stage's costs in CP-SAT, as ``row_costs.RowCosts`` prices a row: fair-share
    deviation, switches with quick returns ``costs.quick_return_factor`` times heavier, worked
    preferred rest days."""
    weights = problem.weights
    stricter = replace(problem, weights=replace(
        weights, quick_returns=costs.quick_return_factor * weights.quick_returns))
    return (share_penalties(model, work, problem, night_target, rest_target, costs)
            + penalize_switches(model, work, stricter)
            + penalize_preferences(model, work, problem))
