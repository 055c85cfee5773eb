"""The aggregate head-count model: summed per-agent caps, and the shift-mix smoothing."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import numpy as np
import pandas as pd

from solvers.roster import aggregate, build_problem
from solvers.roster.aggregate import (
    AggregatePlan,
    agent_work_caps,
    binding_stretches,
    interval_caps,
    plan_shortfall,
    smooth_shift_mix,
    solve_aggregate,
    tail_pools,
)
from solvers.roster.budget import Budget
from solvers.roster.problem import OFF, available
from solvers.roster.rules import consecutive, weekly_rest

from .factories import (
    ROOMY_CAP,
    agents_frame,
    day,
    generated_problem,
    leave_frame,
    requirement_frame,
    rows,
    site,
    tiny_problem,
)


def test_interval_caps_rest_as_late_as_the_rules_allow():
    # 5 days worked before the horizon (max 6 in a row): day 0 may be worked, day 1 not
    tail = rows([("A0", day(-6), "OFF")] + [("A0", day(-5 + i), "DAY") for i in range(5)])
    problem = tiny_problem(num_days=4, previous=tail)
    most = interval_caps(problem)[0]
    assert most[0].tolist() == [1, 1, 2, 3]
    assert most[1].tolist() == [0, 1, 2, 3]  # a stretch from day 1 may follow a rest day


def _legal_rows(problem, a):
    """Every work (0) / rest (OFF) row of agent ``a`` that keeps its availability, the run
    limit and the weekly rest: brute force over all 2^D rows."""
    num_days = problem.num_days
    bits = (np.arange(2 ** num_days)[:, None] >> np.arange(num_days)) & 1
    candidates = np.where(bits == 1, 0, OFF)
    free = available(problem)[a]
    keep = [row for row in candidates if not (row[~free] >= 0).any()
            and not any(consecutive.consecutive_violations(problem, a, row, None))
            and not any(weekly_rest.weekly_rest_violations(problem, a, row, None))]
    return np.array(keep).reshape(-1, num_days)


def test_interval_caps_bound_every_legal_row_and_are_exact_from_day_zero():
    rng = np.random.default_rng(11)
    checked = tight_inside = 0
    for case in range(40):
        num_days = int(rng.integers(3, 11))
        start = day(int(rng.integers(0, 7)))
        tail_rest = set(rng.choice(7, size=int(rng.integers(0, 3)), replace=False).tolist())
        tail = rows([("A0", start - timedelta(days=7 - k), "OFF" if k in tail_rest else "DAY")
                     for k in range(7)])
        leave = leave_frame([("A0", start + timedelta(days=int(d)))
                             for d in rng.choice(num_days, size=int(rng.integers(0, 3)),
                                                 replace=False)])
        config = site(rules={"max_consecutive_days": int(rng.integers(2, 7)),
                             "min_rest_days_per_week": int(rng.integers(0, 3))})
        problem = tiny_problem(num_days=num_days, start=start, previous=tail, leave=leave,
                               config=config)
        legal = _legal_rows(problem, 0)
        if not len(legal):
            continue  # the inputs allow no roster (the pre-check refuses them)
        most = interval_caps(problem)[0]
        worked = np.concatenate([np.zeros((len(legal), 1), dtype=int),
                                 np.cumsum(legal >= 0, axis=1)], axis=1)
        for i in range(num_days):
            best = (worked[:, i + 1:] - worked[:, [i]]).max(axis=0)  # stretches i..j
            assert (most[i, i:] >= best).all(), (case, i)  # a valid cap
            if i == 0:
                assert most[0].tolist() == best.tolist(), case  # exact from day 0
            tight_inside += int((most[i, i:] == best).sum())
        checked += 1
    assert checked >= 20 and tight_inside > 0


def test_binding_stretches_leave_out_implied_and_free_caps():
    summed = np.array([[1, 2, 3], [0, 1, 1], [0, 0, 1]])
    people = np.array([1, 1, 1])
    # 0..0, 1..1, 2..2, 0..1 and 0..2 reach the free members or follow from a split; 1..2 binds
    assert binding_stretches(summed, people) == [(1, 2)]


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


def test_smooth_shift_mix_follows_the_previous_roster_into_the_first_day():
    # two coverage classes of one skill (one with a night cap): the first agent worked a
    # night the day before, the other a day shift; the plan gives the first one's class the
    # day shift on day 0 (a quick return no assignment avoids) and the other's the night
    agents = agents_frame(2).assign(max_nights_per_week=pd.array([pd.NA, 5], dtype="Int64"))
    previous = rows([("A0", day(-1), "NIGHT"), ("A1", day(-1), "DAY")])
    problem = tiny_problem(num_days=1, agents=agents, previous=previous)
    groups = problem.coverage_classes()
    assert len(groups) == 2
    first = next(g for g, members in enumerate(groups) if 0 in members)
    day_shift, night = problem.shift_codes.index("DAY"), problem.shift_codes.index("NIGHT")
    counts = np.zeros((2, 1, problem.num_shifts, problem.num_queues), dtype=np.int64)
    counts[first, 0, day_shift, 0] = counts[1 - first, 0, night, 0] = 1
    plan = AggregatePlan(groups, counts, "OPTIMAL", 0.0, 0.0, 0.0)
    smoothed = smooth_shift_mix(problem, plan, time_limit_seconds=ROOMY_CAP, det_seconds=5,
                                budget=Budget.start(5, wall_cap_seconds=ROOMY_CAP))
    assert smoothed.counts[first, 0, night, 0] == 1  # the night worker keeps nights
    assert smoothed.counts[1 - first, 0, day_shift, 0] == 1
    np.testing.assert_array_equal(smoothed.counts.sum(axis=0), counts.sum(axis=0))


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


def _optimal(problem, **options):
    """Solved on deterministic work (one worker; each solve is optimal in well under 1 of its
    20 deterministic seconds) with the wall clock far away: the same plan on any machine."""
    plan = solve_aggregate(problem, time_limit_seconds=ROOMY_CAP, det_seconds=20,
                           budget=Budget.start(20, wall_cap_seconds=ROOMY_CAP), **options)
    assert plan.status == "OPTIMAL"
    return plan


def test_capped_plan_keeps_the_least_total_shortfall():
    problem = generated_problem(site(), num_agents=40, num_days=14, random_seed=3)
    least = _optimal(problem, convex=False)
    even = _optimal(problem)
    # the convex cost trades total shortfall for evenness: the uncapped plan has more
    assert plan_shortfall(problem, least.counts) == least.objective
    assert plan_shortfall(problem, even.counts) > least.objective
    capped = _optimal(problem, max_shortfall=int(least.objective))
    assert plan_shortfall(problem, capped.counts) <= least.objective
    assert capped.objective >= even.objective  # the cap costs evenness, never more than that


def _tail(agent: str, run: int) -> list[tuple[str, object, str]]:
    """A previous week that ends with ``run`` working days in a row."""
    return [(agent, day(-7 + k), "DAY" if k >= 7 - run else "OFF") for k in range(7)]


def test_tail_pools_split_a_class_by_the_run_it_enters_with():
    previous = rows(_tail("A0", 6) + _tail("A1", 0) + _tail("A2", 6) + _tail("A3", 2))
    problem = tiny_problem(num_agents=4, num_days=7, previous=previous)
    assert tail_pools(problem, [0, 1, 2, 3]) == [[1], [3], [0, 2]]


def test_pooled_caps_keep_every_legal_roster():
    # one shift type, a need per day: the least shortfall of every pair of legal rows (brute
    # force) can never be below the aggregate's bound with the caps summed per pool
    config = site(shifts=[{"code": "DAY", "start": "08:00", "end": "12:00"}])
    rng = np.random.default_rng(5)
    for case in range(12):
        num_days = int(rng.integers(7, 10))
        runs = rng.integers(0, 7, size=3)
        previous = rows([r for a, run in enumerate(runs) for r in _tail(f"A{a}", int(run))])
        need = rng.integers(0, 4, size=num_days)
        requirement = requirement_frame(config, num_days=num_days)
        dates = pd.to_datetime(requirement["interval_start"]).dt.tz_localize(None).dt.date
        offsets = np.array([(d - day(0)).days for d in dates])
        requirement["agents"] = requirement["scheduled_agents"] = need[offsets]
        problem = build_problem(requirement, agents_frame(3), config, previous=previous)
        # each day's count of workers as a base-4 digit (at most 3): sums of codes add rows
        place = 4 ** np.arange(num_days)
        codes = np.zeros(1, dtype=np.int64)
        for a in range(3):
            codes = np.unique(np.add.outer(codes, (_legal_rows(problem, a) >= 0) @ place))
        workers = (codes[:, None] // place) % 4
        per_day = int((offsets == 0).sum())
        least = int(np.clip(need - workers, 0, None).sum(axis=1).min()) * per_day
        assert _optimal(problem, convex=False).best_bound <= least + 1e-6, case


def test_pooled_caps_tighten_the_bound_of_a_mixed_class():
    # the generated site's previous week leaves its classes mixed runs: summed per pool the
    # caps rule out plans the class-wide sums allow (optimal bounds on both sides)
    problem = generated_problem(site(), num_agents=300, num_days=28, random_seed=2)
    pooled = _optimal(problem, convex=False)
    with mock.patch.object(aggregate, "tail_pools", lambda _problem, members: [members]):
        whole = _optimal(problem, convex=False)
    assert pooled.status == whole.status == "OPTIMAL"
    assert pooled.best_bound > whole.best_bound
