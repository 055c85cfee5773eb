"""Fairness from the first roster on: targets from the plan, the greedy pass's night pace and
slot regret, and the models pricing every agent's deviation as ``evaluate`` does."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from solvers.roster.aggregate import available, solve_aggregate
from solvers.roster.assign import assign_counts, scheduled_counts
from solvers.roster.fair_share import Shares, horizon_counts, plan_states, targets, teams
from solvers.roster.problem import OFF
from solvers.roster.report import evaluate
from solvers.roster.solve import build_model, solve_problem, with_fair_targets

from .factories import agents_frame, day, generated_problem, site, tiny_problem


def test_plan_states_carry_the_plans_team_totals():
    problem = generated_problem(site(), num_agents=40, num_days=14, random_seed=5)
    plan = solve_aggregate(problem, time_limit_seconds=10)
    states = plan_states(problem, plan.groups, plan.counts)
    nights, rests = horizon_counts(problem, states)
    night_shifts = problem.night
    weekend = np.array([problem.weekday(d) >= 5 for d in range(problem.num_days)])
    free_weekend = available(problem)[:, weekend].sum(axis=1)
    group_of = {a: g for g, members in enumerate(plan.groups) for a in members}
    for members in teams(problem):
        groups = sorted({group_of[a] for a in members})
        planned_nights = int(plan.counts[groups][:, :, night_shifts].sum())
        planned_weekend_work = int(plan.counts[groups][:, weekend].sum())
        assert nights[members].sum() == planned_nights
        assert rests[members].sum() == free_weekend[members].sum() - planned_weekend_work


def _night_then_choice(with_targets: bool) -> np.ndarray:
    """Two agents, one day needing a day and a night shift; A0 ends the previous roster on a
    night and has no nights left in its share, A1 rested and should work a night."""
    config = site()
    previous = pd.DataFrame([("A0", day(-1), "NIGHT", "sales"), ("A1", day(-1), "OFF", "")],
                            columns=["agent_id", "date", "shift", "queue"])
    problem = tiny_problem(num_days=1, config=config, agents=agents_frame(2),
                           previous=previous)
    if with_targets:
        shares = Shares(np.zeros(2), np.ones(2), np.array([0.0, 1.0]))
        problem = replace(problem, fair_targets=(targets(shares, 1), targets(shares, 1)))
    counts = np.zeros((1, 1, problem.num_shifts, 1), dtype=np.int64)
    counts[0, 0, problem.shift_codes.index("DAY"), 0] = 1
    counts[0, 0, problem.shift_codes.index("NIGHT"), 0] = 1
    states, _ = assign_counts(problem, problem.groups(), counts)
    return np.array([problem.shift_codes[s] for s in states[:, 0]])


def test_an_agent_just_off_a_night_keeps_nights_before_one_who_wants_them():
    # A1's pace asks for a night (its share is 1 of 1 day), but giving it the night would
    # leave A0 a day shift straight after its night: the slot goes to whoever loses least
    assert _night_then_choice(with_targets=True).tolist() == ["NIGHT", "DAY"]
    assert _night_then_choice(with_targets=False).tolist() == ["NIGHT", "DAY"]


def test_night_pace_gives_nights_to_the_agent_furthest_below_its_share():
    config = site()
    problem = tiny_problem(num_days=4, config=config, agents=agents_frame(2))
    shares = Shares(np.zeros(2), np.ones(2), np.array([0.0, 4.0]))  # A1 should take the nights
    problem = replace(problem, fair_targets=(targets(shares, 1), targets(shares, 1)))
    counts = np.zeros((1, 4, problem.num_shifts, 1), dtype=np.int64)
    counts[0, :, problem.shift_codes.index("DAY"), 0] = 1
    counts[0, :, problem.shift_codes.index("NIGHT"), 0] = 1
    states, _ = assign_counts(problem, problem.groups(), counts)
    night = problem.shift_codes.index("NIGHT")
    assert (states[1] == night).sum() == 4 and (states[0] == night).sum() == 0


def test_the_full_model_prices_a_roster_as_evaluate_does():
    problem = generated_problem(site(), num_agents=12, num_days=7, random_seed=9)
    solution = solve_problem(problem, time_limit_seconds=3)
    index = {code: s for s, code in enumerate(problem.shift_codes)}
    queue = {q: i for i, q in enumerate(problem.queues)}
    states = problem.rest_states()
    queues = np.full_like(states, -1)
    for row in solution.assignments.itertuples():
        a, d = problem.agent_index[row.agent_id], problem.dates.index(row.date)
        if row.shift in index:
            states[a, d], queues[a, d] = index[row.shift], queue[row.queue]
        elif row.shift == "OFF":
            states[a, d] = OFF
    priced = with_fair_targets(problem, states)
    model, work, _ = build_model(priced)
    for (a, d, s, q), var in work.items():
        model.add(var == int(states[a, d] == s and queues[a, d] == q))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    parts = evaluate(priced, states, scheduled_counts(priced, states, queues))
    assert parts["fair_share"] > 0  # the check is not vacuous
    assert solver.objective_value == parts["total"]
