"""Each soft goal alone: pin an assignment and check the objective equals the expected penalty
in domain units (agent-intervals short, switches, nights ...)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solvers.roster.assign import scheduled_counts
from solvers.roster.problem import OFF, RosterProblem, Weights, shortfall_cost
from solvers.roster.report import evaluate
from solvers.roster.soft import (
    penalize_coverage,
    penalize_night_spread,
    penalize_preferences,
    penalize_switches,
    penalize_weekend_spread,
)
from solvers.roster.solve import build_model
from solvers.roster.variables import build_work_vars

from .factories import agents_frame, day, rows, site, tiny_problem

DAY, NIGHT = 0, 1
DAY_INTERVALS = 15  # 08:30-16:00 in 30-minute intervals
W = Weights()


def objective(problem: RosterProblem, goal: Callable, pins: dict[tuple[int, int], int]) -> float:
    """Objective of ``goal`` alone with every agent-day pinned (shift index or OFF)."""
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    penalties = goal(model, work, problem)
    for (a, d, s, _q), var in work.items():
        model.add(var == int(pins.get((a, d), OFF) == s))
    model.minimize(sum(p.weight * p.var for p in penalties))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value


def test_shortfall_cost_is_convex_by_hand():
    # unit k short costs 1, 2, 3, 3, 4, 4, 4, 4, 6 ...
    assert shortfall_cost(np.arange(10)).tolist() == [0, 1, 3, 6, 9, 13, 17, 21, 25, 31]
    assert shortfall_cost(5) > 5 * shortfall_cost(1)


def test_penalize_coverage_short_and_over():
    problem = tiny_problem(num_days=1, need=2)  # 2 needed on every DAY and NIGHT interval
    night_intervals = 15
    # DAY worked: DAY intervals 1 short, NIGHT intervals 2 short
    expected = W.coverage * (DAY_INTERVALS * 1 + night_intervals * (1 + 2))
    assert objective(problem, penalize_coverage, {(0, 0): DAY}) == expected
    nobody = W.coverage * (DAY_INTERVALS + night_intervals) * 3
    assert objective(problem, penalize_coverage, {}) == nobody
    idle = tiny_problem(num_days=1, need=0)
    assert objective(idle, penalize_coverage, {(0, 0): DAY}) == W.overstaffing * DAY_INTERVALS


def test_penalize_switches_counts_changes_and_quick_returns():
    problem = tiny_problem(num_days=3)
    assert objective(problem, penalize_switches, {(0, 0): DAY, (0, 1): DAY}) == 0
    assert objective(problem, penalize_switches, {(0, 0): DAY, (0, 1): NIGHT}) == W.switches
    assert objective(problem, penalize_switches, {(0, 0): NIGHT, (0, 1): DAY}) == W.quick_returns
    assert objective(problem, penalize_switches, {(0, 0): NIGHT, (0, 2): DAY}) == 0
    after_previous = tiny_problem(previous=rows([("A0", day(-1), "NIGHT")]))
    assert objective(after_previous, penalize_switches, {(0, 0): DAY}) == W.quick_returns


def test_penalize_preferences_counts_worked_preferred_days():
    agents = agents_frame(1, preferred_rest_days=[("Mon",)])
    problem = tiny_problem(agents=agents)
    assert objective(problem, penalize_preferences, {(0, 0): DAY, (0, 1): DAY}) == W.preferences
    assert objective(problem, penalize_preferences, {(0, 1): DAY}) == 0


def test_penalize_night_spread_is_most_minus_fewest():
    problem = tiny_problem(num_agents=2, num_days=3)
    pins = {(0, 0): NIGHT, (0, 1): NIGHT, (1, 0): DAY}
    assert objective(problem, penalize_night_spread, pins) == 2 * W.fairness_nights
    even = {(0, 0): NIGHT, (1, 1): NIGHT}
    assert objective(problem, penalize_night_spread, even) == 0


def test_penalize_weekend_spread_is_most_minus_fewest():
    problem = tiny_problem(num_agents=2, num_days=2, start=day(5))  # Sat, Sun
    pins = {(0, 0): DAY, (0, 1): DAY}
    assert objective(problem, penalize_weekend_spread, pins) == 2 * W.fairness_weekend
    assert objective(problem, penalize_weekend_spread, {(0, 0): DAY, (1, 1): DAY}) == 0


@pytest.mark.parametrize("pins", [
    {(0, 0): DAY, (0, 1): NIGHT, (1, 0): NIGHT, (1, 2): DAY},
    {(0, 0): NIGHT, (0, 1): DAY, (0, 2): DAY},
    {},
])
def test_evaluate_prices_a_roster_like_the_full_model(pins):
    agents = agents_frame(2, preferred_rest_days=[("Tue",), ()])
    problem = tiny_problem(num_agents=2, num_days=3, agents=agents, need=1,
                           config=site(rules={"min_rest_hours": 8}))
    model, work, _ = build_model(problem)
    for (a, d, s, _q), var in work.items():
        model.add(var == int(pins.get((a, d), OFF) == s))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    states = np.full((2, 3), OFF)
    queues = np.full((2, 3), -1)
    for (a, d), s in pins.items():
        states[a, d], queues[a, d] = s, 0
    parts = evaluate(problem, states, scheduled_counts(problem, states, queues))
    assert parts["total"] == solver.objective_value


def test_a_change_between_types_with_the_same_hours_is_no_switch():
    """DAY and DAYB start and end together and differ only in their fixed break."""
    config = site(shifts=[{"code": "DAY", "start": "08:00", "end": "16:30",
                           "breaks": [["12:00", 30]]},
                          {"code": "DAYB", "start": "08:00", "end": "16:30",
                           "breaks": [["12:30", 30]]},
                          {"code": "LATE", "start": "12:00", "end": "20:30"}])
    problem = tiny_problem(num_days=3, config=config)
    day_a, day_b, late = 0, 1, 2
    assert objective(problem, penalize_switches, {(0, 0): day_a, (0, 1): day_b}) == 0
    assert objective(problem, penalize_switches, {(0, 0): day_b, (0, 1): late}) == W.switches
    assert objective(problem, penalize_switches, {(0, 0): late, (0, 1): day_b}) == (
        W.quick_returns)
    # the decomposition prices rosters with the same rule
    states = np.array([[day_a, day_b, day_a]])
    queues = np.zeros_like(states)
    assert evaluate(problem, states, scheduled_counts(problem, states, queues))["switches"] == 0
    states = np.array([[day_a, late, late]])
    parts = evaluate(problem, states, scheduled_counts(problem, states, queues))
    assert parts["switches"] == W.switches
