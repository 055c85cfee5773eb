"""Choosing each group's working days by LP before the greedy pass."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.roster.aggregate import solve_aggregate
from solvers.roster.assign import assign_counts
from solvers.roster.budget import Budget
from solvers.roster.pipeline import (
    STAGES,
    SolveContext,
    Stage,
    StagePlan,
    assignment_reserve,
    run_stages,
)
from solvers.roster.problem import available
from solvers.roster.realize import group_workdays, plan_workdays
from solvers.roster.rules import rule_caps
from solvers.roster.settings import DEFAULT_SETTINGS

from .factories import ROOMY_CAP, day, generated_problem, rows, site, tiny_problem


def test_group_workdays_rests_where_the_tail_forces_it():
    # 6 worked before the horizon: day 0 must be a rest day, whatever the plan asks
    tail = rows([("A0", day(-7), "OFF")] + [("A0", day(-6 + i), "DAY") for i in range(6)])
    problem = tiny_problem(num_days=3, previous=tail)
    chosen = group_workdays(problem, [0], np.array([1, 1, 1]))
    assert chosen is not None
    assert chosen[0].tolist() == [False, True, True]


def test_plan_workdays_keep_every_cap_and_guide_a_legal_assignment():
    config = site()
    problem = generated_problem(config, num_agents=40, num_days=14, random_seed=4)
    plan = solve_aggregate(problem, time_limit_seconds=3)
    workdays = plan_workdays(problem, plan.groups, plan.counts)
    assert workdays is not None
    assert not (workdays & ~available(problem)).any()
    for a in range(problem.num_agents):
        for days, cap in rule_caps(problem, a, "work"):
            assert workdays[a, list(days)].sum() <= cap
    states, _ = assign_counts(problem, plan.groups, plan.counts, workdays=workdays)
    planned = plan.counts.sum(axis=(2, 3))
    for g, members in enumerate(plan.groups):
        assert ((states[members] >= 0).sum(axis=0) <= planned[g]).all()


def test_the_final_check_reserve_is_the_calibrations_time_for_one_unit_per_agent():
    budget = Budget.start(60.0)
    for days in (7, 14, 28, 56):
        assert budget.units(budget.seconds_of(4_000, days), days) in (3_999, 4_000)


def test_the_stages_before_the_assignment_leave_it_its_reserve():
    """The plan's stages are cut short first: their wall-clock cap leaves the assignment its
    reserve (per agent-day) and the fairness stage its own."""
    problem = generated_problem(site(), num_agents=30, num_days=7, random_seed=5)
    budget = Budget.start(10.0, ROOMY_CAP)
    ctx = SolveContext(problem=problem, settings=DEFAULT_SETTINGS,
                       plan=StagePlan.of(problem, 10.0, DEFAULT_SETTINGS), run_budget=budget,
                       say=lambda _line: None)
    seen: list[float] = []
    probe = Stage("probe", lambda c: seen.append(c.budget.deadline))
    reserves = {stage.name: stage.reserve for stage in STAGES}
    later = tuple(Stage(name, lambda _c: None, reserve=reserves[name])
                  for name in ("assignment", "fairness"))  # their reserves, not their work
    run_stages(ctx, (probe, *later))
    reserve = DEFAULT_SETTINGS.shares.assignment_seconds_per_agent_day * 30 * 7
    assert assignment_reserve(ctx) == pytest.approx(reserve) and reserve > 0
    assert seen[0] == pytest.approx(budget.deadline - reserve - ctx.plan.fair_seconds)
