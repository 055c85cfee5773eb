"""Day-to-day transitions: the summed cuts hold on every legal roster (brute force), they
steer the shift-mix smoothing, and the assignment keeps agents who work tomorrow off shifts
that leave them nothing to work."""

from __future__ import annotations

import itertools
from datetime import timedelta
from unittest import mock

import numpy as np

from solvers.roster import aggregate
from solvers.roster.aggregate import smooth_shift_mix, solve_aggregate
from solvers.roster.assign import assign_counts
from solvers.roster.budget import Budget
from solvers.roster.legal import agent_violations
from solvers.roster.problem import OFF, available
from solvers.roster.transitions import (
    blocked_counts,
    first_day_cuts,
    night_pairs_blocked,
    transition_cuts,
)

from .factories import (
    MONDAY,
    ROOMY_CAP,
    agents_frame,
    generated_problem,
    leave_frame,
    rows,
    site,
    tiny_problem,
)

ROUND_THE_CLOCK = [{"code": "EARLY", "start": "07:00", "end": "15:00"},
                   {"code": "LATE", "start": "15:00", "end": "23:00"},
                   {"code": "NIGHT", "start": "23:00", "end": "07:00"}]
EARLY, LATE, NIGHT = 0, 1, 2


def _config(**rules):
    return site(shifts=ROUND_THE_CLOCK, rules={"min_rest_hours": 9, **rules})


def _legal_rows(problem, a):
    """Every row of shifts and rest days agent ``a`` may work (brute force, every rule)."""
    options = [OFF, *range(problem.num_shifts)]
    free = available(problem)[a]
    keep = []
    for row in itertools.product(options, repeat=problem.num_days):
        states = np.array(row)
        if (states[~free] >= 0).any():
            continue
        queues = np.where(states >= 0, problem.skills[a][0], -1)
        if not agent_violations(problem, a, states, queues, first_only=True):
            keep.append(states)
    return np.array(keep)


def test_hand_worked_cuts_of_round_the_clock_shifts():
    # 9 hours' rest: after a night (ends 07:00) neither an early (07:00) nor a late (15:00);
    # after a late (ends 23:00) no early (07:00, 8 hours). A cap of one night a week also
    # rules out night after night inside the week
    # (the requirement of 24x7 shifts runs into the morning after its last day: one more day)
    free = tiny_problem(num_agents=1, num_days=3, config=_config())
    assert sorted((a, b) for d, a, b, _room in transition_cuts(free, [0]) if d == 0) == [
        ((LATE, NIGHT), (EARLY,)), ((NIGHT,), (EARLY, LATE))]
    capped = tiny_problem(num_agents=1, num_days=3, config=_config(),
                          agents=agents_frame(1, max_nights_per_week=[1]))
    assert night_pairs_blocked(capped)[0].tolist() == [True, True, True, False]
    # the checker counts LATE (until 23:00) as a night too: after either, a capped agent has
    # nothing to work the next day inside the week; the others lose one or two types
    assert [(a, b) for d, a, b, _room in transition_cuts(capped, [0]) if d == 0] == [
        ((LATE, NIGHT), (EARLY, LATE, NIGHT))]
    assert blocked_counts(capped).tolist() == [[0, 1, 2], [0, 3, 3]]


def test_no_cuts_where_the_rest_between_shifts_forbids_nothing():
    # the default day and night shifts leave 9 hours from 23:30 to 08:30: nothing to plan
    problem = tiny_problem(num_agents=2, num_days=7,
                           agents=agents_frame(2, max_nights_per_week=[1, 1]))
    assert list(transition_cuts(problem, [0, 1])) == []
    assert not night_pairs_blocked(problem).any()


def test_cuts_hold_on_every_legal_roster():
    # each cut counts distinct members, so it holds on every roster exactly when no member's
    # legal row works A on day d and B on day d + 1 and the room covers the members free on
    # either day: brute force over every row of random small cases
    rng = np.random.default_rng(3)
    checked = cutting = 0
    for case in range(10):
        num_days = int(rng.integers(3, 6))
        start = MONDAY + timedelta(days=int(rng.integers(0, 7)))
        caps = [int(rng.choice([-1, 1, 2])) for _ in range(2)]
        last = [str(rng.choice(["EARLY", "LATE", "NIGHT", "OFF"])) for _ in range(2)]
        previous = rows([(f"A{a}", start - timedelta(days=1), last[a]) for a in range(2)])
        leave = leave_frame([("A1", start + timedelta(days=int(rng.integers(0, num_days))))])
        problem = tiny_problem(num_agents=2, num_days=num_days, start=start, config=_config(),
                               agents=agents_frame(2, max_nights_per_week=caps),
                               previous=previous, leave=leave)
        legal = [_legal_rows(problem, a) for a in range(2)]
        free = available(problem)
        for d, inside, blocked, room in transition_cuts(problem, [0, 1]):
            assert room == int((free[:, d] | free[:, d + 1]).sum()), case
            for a in range(2):
                both = np.isin(legal[a][:, d], inside) & np.isin(legal[a][:, d + 1], blocked)
                assert not both.any(), (case, a, d, inside, blocked)
            checked += 1
        for blocked, most in first_day_cuts(problem, [0, 1]):
            may = [a for a in range(2) if np.isin(legal[a][:, 0], blocked).any()]
            assert len(may) <= most, case
            cutting += most < 2
        # and the cuts are not empty: the legal rows reach every pair they leave out
        for d, inside, blocked, _room in transition_cuts(problem, [0, 1]):
            reach = {(int(r[d]), int(r[d + 1])) for rows_a in legal for r in rows_a}
            assert {(s, t) for s in inside for t in blocked}.isdisjoint(reach)
    assert checked > 20 and cutting > 0


def _deficit(problem, groups, counts):
    """Workers the plan puts past its transition cuts, summed over classes and days."""
    total = 0
    for g, members in enumerate(groups):
        per_type = counts[g].sum(axis=2)
        for d, inside, blocked, room in transition_cuts(problem, members):
            total += max(0, per_type[d, list(inside)].sum()
                         + per_type[d + 1, list(blocked)].sum() - room)
        for blocked, most in first_day_cuts(problem, members):
            total += max(0, per_type[0, list(blocked)].sum() - most)
    return total


def test_smoothing_re_shares_shift_types_within_the_transitions():
    # generated 24x7 sites: the aggregate plan (no cuts) asks for transitions no member can
    # make; the smoothing keeps every day's head-count per class and every (day, type, queue)
    # total and re-shares the types so that at most one is left, fewer than its switch
    # costs alone leave (2-7 on these seeds)
    config = _config()
    for seed in (2, 4, 7):
        problem = generated_problem(config, num_agents=60, num_days=14, random_seed=seed)
        # repeatable: deterministic time, the wall clock only a roomy safety net
        budget = Budget.start(20, wall_cap_seconds=ROOMY_CAP)
        plan = solve_aggregate(problem, time_limit_seconds=ROOMY_CAP, budget=budget,
                               det_seconds=5)
        smoothed = smooth_shift_mix(problem, plan, time_limit_seconds=ROOMY_CAP, budget=budget,
                                    det_seconds=5).counts
        with mock.patch.object(aggregate, "_add_transition_cuts", lambda *_args: []):
            switches_only = smooth_shift_mix(problem, plan, time_limit_seconds=ROOMY_CAP,
                                             budget=budget, det_seconds=5).counts
        np.testing.assert_array_equal(smoothed.sum(axis=0), plan.counts.sum(axis=0))
        np.testing.assert_array_equal(smoothed.sum(axis=(2, 3)),
                                      plan.counts.sum(axis=(2, 3)))
        before = _deficit(problem, plan.groups, plan.counts)
        after = _deficit(problem, plan.groups, smoothed)
        assert before > 50 and after <= 1, (seed, before, after)
        assert after < _deficit(problem, plan.groups, switches_only), seed


def test_assignment_gives_the_night_to_the_agent_resting_tomorrow():
    # Monday: one night and one early; Tuesday: one early. Agent 0 should work both days,
    # agent 1 only Monday: the night goes to agent 1 (after it agent 0 could not work Tuesday)
    config = _config()
    problem = tiny_problem(num_agents=2, num_days=2, config=config)
    groups = problem.coverage_classes()
    counts = np.zeros((1, problem.num_days, 3, 1), dtype=np.int64)
    counts[0, 0, NIGHT] = counts[0, 0, EARLY] = counts[0, 1, EARLY] = 1
    for tomorrow in (0, 1):
        workdays = np.zeros((2, problem.num_days), dtype=bool)
        workdays[:, 0] = True
        workdays[tomorrow, 1] = True
        states, _ = assign_counts(problem, groups, counts, workdays=workdays)
        assert states[tomorrow, :2].tolist() == [EARLY, EARLY]
        assert states[1 - tomorrow, :2].tolist() == [NIGHT, OFF]
