"""Choosing each group's working days by LP before the greedy pass."""

from __future__ import annotations

import numpy as np

from solvers.roster.aggregate import solve_aggregate
from solvers.roster.assign import assign_counts
from solvers.roster.problem import available
from solvers.roster.realize import group_workdays, plan_workdays
from solvers.roster.rules import rule_caps

from .factories import day, generated_problem, rows, site, tiny_problem


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
