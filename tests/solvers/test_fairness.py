"""The fairness stage: convex deviation cost, coverage kept exactly, rosters judged by the
independent checker (``wfm.fairness_check``), weekly blocks."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solvers.roster import plan_roster
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.fair import rebalance
from solvers.roster.fair_share import (
    Shares,
    deviation_cost,
    fair_shares,
    nights_worked,
    planned_night_shares,
    targets,
    water_fill,
)
from solvers.roster.fair_terms import deviation_penalties
from solvers.roster.instances import InstanceParameters, make_instance
from solvers.roster.problem import build_problem
from solvers.roster.report import roster_frame
from solvers.roster.solve import solve_problem
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness, water_fill_exact

from .factories import ROOMY_CAP, roster_arrays, site


@pytest.mark.parametrize(("count", "share", "expected"), [
    (2, 2.0, 0),                       # on the share
    (3, 2.0, 10 + 5 + 0),              # one night over: 10 tenths, past the first knee
    (0, 0.5, 5),                       # half a night under
    (5, 2.5, 25 + 20 + 15 + 50 * 10 * 2),  # 2.5 from the share, band 1: at most 3, 2 over
])
def test_deviation_penalties_price_like_deviation_cost(count, share, expected):
    target = targets(Shares(np.zeros(1), np.ones(1), np.array([share])), 1)
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "count")
    model.add(x == count)
    penalties = deviation_penalties(model, x, int(target.tenths[0]), int(target.low[0]),
                                    int(target.high[0]), 1, "nights", 10)
    model.minimize(sum(p.weight * p.var for p in penalties))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert solver.objective_value == expected  # hand-worked above
    assert int(deviation_cost(np.array([count]), target, 1)[0]) == expected


def test_band_is_judged_on_the_exact_share():
    # a share of 3.98 with band 2 allows 2..5 nights (6 is 2.02 away), 4.0 allows 2..6
    target = targets(Shares(np.zeros(2), np.ones(2), np.array([3.98, 4.0])), 2)
    assert target.low.tolist() == [2, 2] and target.high.tolist() == [5, 6]


def test_solver_water_fill_matches_the_checkers_exact_sweep():
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(2, 12))
        history = rng.integers(0, 10, n).astype(float)
        room = rng.integers(0, 8, n).astype(float)
        capacity = room + rng.integers(0, 20, n)
        total = float(rng.integers(0, int(room.sum()) + 1))
        assert water_fill(total, history, capacity, room) == pytest.approx(
            water_fill_exact(total, history, capacity, room), abs=1e-6)


def _instance(num_agents=60, num_days=14, **config):
    settings = site(roster={"time_limit_seconds": 8, **config})
    instance = make_instance(InstanceParameters(
        num_agents=num_agents, num_days=num_days, queues=("sales", "service"),
        leave_share=0.05, random_seed=11), settings)
    return settings, instance


def test_rebalance_keeps_every_head_count_and_the_rules():
    # a roster planned with fairness priced at zero, then shared out by the stage; both on
    # work alone (a wall-clock cap far away), so a busy machine cannot cut either short
    unfair, instance = _instance(weights={"fair_share_nights": 0, "fair_share_weekend": 0})
    problem = build_problem(instance.requirement, instance.agents, unfair,
                            leave=instance.leave, previous=instance.previous)
    solution = solve_problem(problem, time_limit_seconds=4, wall_cap_seconds=ROOMY_CAP)
    settings = site(roster={"fairness_band": "hard"})
    fair_problem = build_problem(instance.requirement, instance.agents, settings,
                                 leave=instance.leave, previous=instance.previous)
    states, queues = roster_arrays(fair_problem, solution.assignments)
    before = scheduled_counts(fair_problem, states, queues)
    budget = Budget.start(2, wall_cap_seconds=ROOMY_CAP)
    rebalance(fair_problem, states, queues, budget=budget, seconds=2)
    assert budget.capped == []
    assert np.array_equal(scheduled_counts(fair_problem, states, queues), before)
    roster = roster_frame(fair_problem, states, queues)
    assert check_roster(roster, instance.agents, settings, previous=instance.previous,
                        leave=instance.leave) == []
    outside_before = check_fairness(solution.assignments, instance.agents, settings,
                                    previous=instance.previous, leave=instance.leave).outside
    outside_after = check_fairness(roster, instance.agents, settings,
                                   previous=instance.previous, leave=instance.leave).outside
    assert len(outside_before) > 5
    assert outside_after == []


def test_planned_roster_is_fair_by_the_independent_checker():
    settings, instance = _instance(fairness_band="hard")
    solution = plan_roster(instance.requirement, instance.agents, settings,
                           leave=instance.leave, previous=instance.previous,
                           wall_cap_seconds=ROOMY_CAP)
    check = check_fairness(solution.assignments, instance.agents, settings,
                           previous=instance.previous, leave=instance.leave)
    assert check.violations == [], check.violations[:3]
    assert check_roster(solution.assignments, instance.agents, settings,
                        previous=instance.previous, leave=instance.leave) == []
    assert solution.figures["fairness"]["band"] == 2


def test_weekly_blocks_roster_passes_the_pattern_rule():
    settings, instance = _instance(num_agents=30, num_days=14, night_pattern="weekly_blocks")
    solution = plan_roster(instance.requirement, instance.agents, settings,
                           leave=instance.leave, previous=instance.previous,
                           wall_cap_seconds=ROOMY_CAP)
    check = check_fairness(solution.assignments, instance.agents, settings,
                           previous=instance.previous, leave=instance.leave)
    assert check.pattern == [], check.pattern[:3]
    assert solution.figures["fairness"]["weekly_blocks_violations"] == 0


def test_planned_night_shares_are_the_shares_of_any_roster_of_the_plan():
    """Known before the roster exists: each team's planned nights water-filled over its
    members' history and capacity equal the shares (less history) the fairness stage reads
    from a roster with those head-counts."""
    settings, instance = _instance(num_agents=40)
    problem = build_problem(instance.requirement, instance.agents, settings,
                            leave=instance.leave, previous=instance.previous)
    solution = solve_problem(problem, time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    states, queues = roster_arrays(problem, solution.assignments)
    groups = problem.coverage_classes()
    counts = np.zeros((len(groups), problem.num_days, problem.num_shifts, len(problem.queues)),
                      dtype=np.int64)
    for g, members in enumerate(groups):
        for a in members:
            for d in np.flatnonzero(states[a] >= 0):
                counts[g, d, states[a, d], queues[a, d]] += 1
    planned = planned_night_shares(problem, groups, counts)
    nights, _ = fair_shares(problem, states)
    assert planned == pytest.approx(nights.share - nights.history, abs=1e-6)
    assert planned.sum() == pytest.approx(float(nights_worked(problem, states).sum()))
    assert len(set(np.round(planned, 3))) > 2  # history makes the shares differ
