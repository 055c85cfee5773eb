"""Weekend rest released at a coverage price (``weekend_release.py``), on a hand-made team."""

from __future__ import annotations

import numpy as np

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import band, fair_shares, horizon_counts, targets
from solvers.roster.problem import OFF
from solvers.roster.report import coverage_cost, roster_frame
from solvers.roster.row_costs import RowCosts
from solvers.roster.weekend_release import release_weekend_rest
from wfm.rules import check_roster

from .factories import agents_frame, day, rows, site, tiny_problem


def _team():
    """Eight agents over four weeks, all off the Sunday before: A0 rests every Sunday, the
    others on weekdays (A1-A5 Monday to Friday, A6 and A7 Monday and Tuesday). A0's 4 weekend
    rest days are 3.5 above a share of about 0.5, outside the band of 1 + 28 // 14 = 3; no
    team-mate is ever off on a day A0 is, so no exchange can hand one over."""
    previous = rows([(f"A{i}", day(-1), "OFF") for i in range(8)])
    problem = tiny_problem(num_agents=8, num_days=28, previous=previous)
    day_shift = problem.shift_codes.index("DAY")
    states = np.full((8, 28), day_shift)
    weekday_of = [0, 0, 1, 2, 3, 4, 0, 1]
    for a in range(8):
        rest = 6 if a == 0 else weekday_of[a]
        states[a, rest::7] = OFF
    queues = np.where(states >= 0, 0, -1)
    # one agent short on every interval as rostered: any move shortens a weekday by one more
    # than it lengthens the weekend day, which the convex shortfall cost prices above zero
    problem.required[:] = scheduled_counts(problem, states, queues) + 1
    night, rest = fair_shares(problem, states)
    width = band(problem)
    return problem, previous, states, queues, targets(night, width), targets(rest, width)


def _release(problem, states, queues, night_target, rest_target, tolerance: float) -> int:
    cost = coverage_cost(problem, scheduled_counts(problem, states, queues))
    return release_weekend_rest(problem, states, queues, rest_target,
                                RowCosts(problem, night_target, rest_target),
                                allowance=tolerance * cost, work=WorkLimit(units=10_000))


def test_release_brings_the_agent_inside_its_band_within_the_allowance():
    problem, previous, states, queues, night_target, rest_target = _team()
    _, counts = horizon_counts(problem, states)
    assert counts[0] == 4 and counts[0] > rest_target.high[0]
    others = states[1:].copy()
    before = coverage_cost(problem, scheduled_counts(problem, states, queues))
    moved = _release(problem, states, queues, night_target, rest_target, tolerance=0.5)
    _, counts = horizon_counts(problem, states)
    assert moved >= 1 and counts[0] <= rest_target.high[0]
    assert np.array_equal(states[1:], others)  # only the agent outside moves
    assert (states[0] >= 0).sum() == 24  # a rest day moved, none added or taken away
    after = coverage_cost(problem, scheduled_counts(problem, states, queues))
    assert before < after <= before * 1.5
    found = check_roster(roster_frame(problem, states, queues), agents_frame(8), site(),
                         previous=previous)
    assert [v for v in found if not v.code.startswith("fair_share")] == []


def test_release_without_tolerance_never_raises_the_coverage_cost():
    problem, _, states, queues, night_target, rest_target = _team()
    before = coverage_cost(problem, scheduled_counts(problem, states, queues))
    assert _release(problem, states, queues, night_target, rest_target, tolerance=0.0) == 0
    assert coverage_cost(problem, scheduled_counts(problem, states, queues)) == before
