"""The aggregate head-count model: summed per-agent caps, and the shift-mix smoothing."""

from __future__ import annotations

import numpy as np

from solvers.roster.aggregate import (
    agent_work_caps,
    plan_shortfall,
    prefix_caps,
    smooth_shift_mix,
    solve_aggregate,
)

from .factories import agents_frame, day, generated_problem, leave_frame, rows, site, tiny_problem

CAP_SECONDS = 300  # a wall-clock cap for solves that must reach optimality: never reached


def test_prefix_caps_rest_as_late_as_the_rules_allow():
    # 5 days worked before the horizon (max 6 in a row): day 0 may be worked, day 1 not
    tail = rows([("A0", day(-6), "OFF")] + [("A0", day(-5 + i), "DAY") for i in range(5)])
    problem = tiny_problem(num_days=4, previous=tail)
    assert [cap for _, cap in prefix_caps(problem, 0)] == [1, 1, 2, 3]


def test_agent_work_caps_count_leave_inside_a_window():
    # 6 worked before; leave on day 1 ends the run, so days 0..6 allow 0 + 5 working days
    tail = rows([("A0", day(-7), "OFF")] + [("A0", day(-6 + i), "DAY") for i in range(6)])
    problem = tiny_problem(num_days=7, previous=tail, leave=leave_frame([("A0", day(1))]))
    caps = dict(agent_work_caps(problem, 0))
    assert caps[tuple(range(7))] == 5  # the week: day 0 must rest after the tail, day 1 leave


def test_smooth_shift_mix_keeps_coverage_and_head_counts():
    config = site()
    problem = generated_problem(config, num_agents=30, num_days=7, random_seed=9)
    plan = solve_aggregate(problem, time_limit_seconds=3)
    smoothed = smooth_shift_mix(problem, plan, time_limit_seconds=2)
    np.testing.assert_array_equal(smoothed.counts.sum(axis=0), plan.counts.sum(axis=0))
    np.testing.assert_array_equal(smoothed.counts.sum(axis=(2, 3)), plan.counts.sum(axis=(2, 3)))


def test_solve_aggregate_bound_needs_two_agents_for_two_shifts():
    problem = tiny_problem(num_days=1, agents=agents_frame(1), need=1)
    plan = solve_aggregate(problem, time_limit_seconds=2)
    # one agent covers DAY or NIGHT, never both: 15 intervals stay one short
    assert plan.status == "OPTIMAL"
    assert plan.best_bound == problem.weights.coverage * 15


def test_plan_shortfall_counts_one_agent_short_on_every_uncovered_interval():
    # the hand-worked case above: one agent, one day, one needed on DAY and NIGHT intervals
    problem = tiny_problem(num_days=1, agents=agents_frame(1), need=1)
    plan = solve_aggregate(problem, time_limit_seconds=2)
    assert plan_shortfall(problem, plan.counts) == 15


def test_capped_plan_keeps_the_least_total_shortfall():
    problem = generated_problem(site(), num_agents=40, num_days=14, random_seed=3)
    # the comparisons hold between optimal plans: each solve stops when it proves optimality
    # (about 2 s each on a busy 2-core machine); the wall-clock limit is a cap never reached
    least = solve_aggregate(problem, time_limit_seconds=CAP_SECONDS, convex=False)
    even = solve_aggregate(problem, time_limit_seconds=CAP_SECONDS)
    assert least.status == even.status == "OPTIMAL"
    # the convex cost trades total shortfall for evenness: the uncapped plan has more
    assert plan_shortfall(problem, least.counts) == least.objective
    assert plan_shortfall(problem, even.counts) > least.objective
    capped = solve_aggregate(problem, time_limit_seconds=CAP_SECONDS,
                             max_shortfall=int(least.objective))
    assert capped.status == "OPTIMAL"
    assert plan_shortfall(problem, capped.counts) <= least.objective
    assert capped.objective >= even.objective  # the cap costs evenness, never more than that
