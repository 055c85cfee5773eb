"""The solver settings: one object, documented field by field in the planner guide, and each
field reaches its stage (a ``SolverSettings`` passed in changes what the stage does)."""

from __future__ import annotations

import ast
import re
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solvers.roster.budget import Budget
from solvers.roster.fair import rebalance
from solvers.roster.fair_share import Shares, deviation_cost, summary, targets
from solvers.roster.fair_terms import deviation_penalties
from solvers.roster.objective import fair_share_costs
from solvers.roster.settings import DEFAULT_SETTINGS, SolverSettings
from solvers.roster.solve import solve_problem

from .factories import ROOMY_CAP, day, generated_problem, roster_arrays, site, tiny_problem

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "planner-guide.md"


def _documented() -> dict[str, object]:
    """Setting name -> default as the planner guide's table writes it (1,000 and true read as
    numbers and booleans), for the groups of ``SolverSettings``."""
    groups = {group.name for group in fields(DEFAULT_SETTINGS)}
    rows = re.findall(r"^\| `([a-z_]+)\.([a-z_]+)` \| ([^|]+) \|", GUIDE.read_text(), re.M)
    return {f"{group}.{name}": ast.literal_eval(default.strip().replace(",", "")
                                                .replace("true", "True")
                                                .replace("false", "False").replace(" ", ", "))
            for group, name, default in rows if group in groups}


def test_every_setting_is_in_the_planner_guide_with_its_default():
    expected = {f"{group.name}.{item.name}": getattr(getattr(DEFAULT_SETTINGS, group.name),
                                                     item.name)
                for group in fields(DEFAULT_SETTINGS)
                for item in fields(getattr(DEFAULT_SETTINGS, group.name))}
    assert _documented() == expected


def _settings(*, fairness: dict | None = None, costs: dict | None = None) -> SolverSettings:
    return replace(DEFAULT_SETTINGS,
                   fairness=replace(DEFAULT_SETTINGS.fairness, **(fairness or {})),
                   costs=replace(DEFAULT_SETTINGS.costs, **(costs or {})))


def _solved(settings: SolverSettings):
    """30 agents x 14 days (too long for the pattern model: the pair trades do the sharing)."""
    problem = generated_problem(site(), num_agents=30, num_days=14, random_seed=4)
    solution = solve_problem(problem, time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP,
                             settings=settings)
    return problem, solution, roster_arrays(problem, solution.assignments)[0]


@pytest.mark.usefixtures("roomy_cap")
def test_trade_settings_reach_the_pair_trades():
    # exchange.py: with no improving trade checked per pair, the trades accept nothing
    _, solution, _ = _solved(DEFAULT_SETTINGS)
    assert solution.figures["fairness_stage"]["trades"] > 0
    _, solution, _ = _solved(_settings(fairness={"tries_per_pair": 0}))
    assert solution.figures["fairness_stage"]["trades"] == 0


@pytest.mark.usefixtures("roomy_cap")
def test_outside_band_cost_reaches_the_reported_objective():
    # fair_share.py: without trades agents stay outside the band, and the reported fair-share
    # penalty prices them at the outside_band_cost passed in, not the default
    settings = _settings(fairness={"tries_per_pair": 0}, costs={"outside_band_cost": 7})
    problem, solution, states = _solved(settings)
    assert sum(row[kind]["outside_band"] for row in summary(problem, states)
               for kind in ("nights", "weekend_rest"))
    reported = (solution.penalties["fair_share_nights"], solution.penalties["fair_share_weekend"])
    assert reported == fair_share_costs(problem, states, settings.costs)
    assert reported != fair_share_costs(problem, states, DEFAULT_SETTINGS.costs)


def test_pattern_max_checks_reaches_the_pattern_model():
    # patterns.py: three agents over Friday-Sunday on a roster the class-pattern model makes
    # fairer (test_patterns.py); with pattern_max_checks = 0 the model is skipped
    problem = tiny_problem(num_agents=3, num_days=3, start=day(4))
    found = {}
    for max_checks in (DEFAULT_SETTINGS.fairness.pattern_max_checks, 0):
        states = np.array([[0, 0, 0], [-1, -1, 0], [-1, 0, 0]])
        result = rebalance(problem, states, np.where(states >= 0, 0, -1),
                           budget=Budget.start(30, ROOMY_CAP), seconds=2,
                           settings=_settings(fairness={"pattern_max_checks": max_checks}))
        found[max_checks] = result.replanned
    assert found == {DEFAULT_SETTINGS.fairness.pattern_max_checks: True, 0: False}


def test_the_cp_sat_deviation_terms_price_with_the_costs_passed_in():
    # fair_terms.py prices a count as fair_share.deviation_cost does, knees and band included
    costs = replace(DEFAULT_SETTINGS.costs, outside_band_cost=7, deviation_knees=(3,))
    target = targets(Shares(np.zeros(1), np.ones(1), np.array([2.5])), 1)
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "count")
    model.add(x == 5)
    penalties = deviation_penalties(model, x, int(target.tenths[0]), int(target.low[0]),
                                    int(target.high[0]), 1, "nights", 10, costs)
    model.minimize(sum(p.weight * p.var for p in penalties))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    expected = 25 + 22 + 7 * 10 * 2  # 25 tenths, 22 past the knee, 2 over the band (at most 3)
    assert solver.objective_value == expected
    assert int(deviation_cost(np.array([5]), target, 1, costs)[0]) == expected
    assert int(deviation_cost(np.array([5]), target, 1)[0]) != expected
