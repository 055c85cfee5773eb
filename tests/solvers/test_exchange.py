"""Pair trades of the fairness stage: their work is counted, the cheap legality filter agrees
with the rule checker on run lengths, and two-day trades leave the days between alone."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.roster import exchange, rest_exchange
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import band, fair_shares, horizon_counts, targets
from solvers.roster.problem import OFF, UNKNOWN
from solvers.roster.report import roster_frame
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules import rest_hours
from solvers.roster.settings import DEFAULT_SETTINGS
from solvers.roster.solve import solve_problem
from wfm.rules import check_roster

from .factories import (
    ROOMY_CAP,
    agents_frame,
    day,
    generated_problem,
    roster_arrays,
    rows,
    site,
    tiny_problem,
)

# the rosters traded on come from short solves: only their work, not the clock, may shape them
pytestmark = pytest.mark.usefixtures("roomy_cap")


def _solved(num_agents: int = 30, num_days: int = 14):
    """A problem and a roster planned with fair shares priced at zero (so trades pay)."""
    unfair = site(roster={"weights": {"fair_share_nights": 0, "fair_share_weekend": 0}})
    solution = solve_problem(generated_problem(unfair, num_agents=num_agents,
                                               num_days=num_days, random_seed=4),
                             time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    problem = generated_problem(site(), num_agents=num_agents, num_days=num_days,
                                random_seed=4)
    return (problem, *roster_arrays(problem, solution.assignments))


def test_every_pair_tried_costs_work_so_the_stage_ends_on_its_work(monkeypatch):
    # a roster the solver already shared out: few trades still pay, so most pairs are tried
    # in vain, and those tries must be counted
    problem = generated_problem(site(), num_agents=30, num_days=14, random_seed=4)
    states, queues = roster_arrays(
        problem, solve_problem(problem, time_limit_seconds=2,
                               wall_cap_seconds=ROOMY_CAP).assignments)
    night, rest = fair_shares(problem, states)
    calls = []
    original = exchange._trade

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(exchange, "_trade", counted)
    work = WorkLimit(units=5)
    exchange.exchange(problem, states, queues, targets(night, band(problem)),
                      targets(rest, band(problem)), work=work)
    # a pair whose candidates are priced but none improves still spends a unit: before, such
    # pairs were free and the loop ran on until the wall clock stopped it
    assert 0 < len(calls) <= work.units + 1


def test_trades_keep_every_head_count():
    problem, states, queues = _solved()
    before = scheduled_counts(problem, states, queues)
    night, rest = fair_shares(problem, states)
    made = exchange.exchange(problem, states, queues, targets(night, band(problem)),
                             targets(rest, band(problem)), work=WorkLimit(units=3000))
    assert made > 0
    assert np.array_equal(scheduled_counts(problem, states, queues), before)


def _longest_run(working: np.ndarray, skip: int) -> int:
    run = best = 0
    for t, on in enumerate(working):
        run = run + 1 if on else 0
        if t >= skip:
            best = max(best, run)
    return best


def test_plausible_run_limit_matches_a_plain_count():
    problem, states, _ = _solved(num_agents=12, num_days=14)
    rng = np.random.default_rng(1)
    for a in range(problem.num_agents):
        rows = np.where(rng.random((40, problem.num_days)) < 0.85, 0, -1)
        ok = exchange.plausible(problem, a, rows)
        for row, verdict in zip(rows, ok, strict=True):
            working = np.concatenate([problem.previous[a], row]) >= 0
            if _longest_run(working, problem.num_previous) > problem.max_consecutive_days:
                assert not verdict


def test_day_pairs_are_two_separate_days_within_a_week():
    movable = np.ones(10, dtype=bool)
    differs = np.zeros(10, dtype=bool)
    differs[[0, 1, 3, 9]] = True
    masks = exchange._day_pairs(10, movable, differs)
    pairs = sorted(tuple(np.flatnonzero(m)) for m in masks)
    assert pairs == [(0, 3), (1, 3), (3, 9)]  # (0, 1) touch; (0, 9), (1, 9) are > 7 apart



def _spans(off_a, off_b, movable) -> list[tuple[int, int]]:
    mate, start, end = rest_exchange.exchange_spans(off_a, off_b[None, :], movable,
                                                    movable[None, :])
    assert (mate == 0).all()
    return list(zip(start.tolist(), end.tolist(), strict=True))


def test_exchange_spans_run_between_days_both_agents_are_off():
    # hand-worked: both are off on days 6 and 13 (Sundays); b is also off on day 2
    off_a = np.zeros(14, dtype=bool)
    off_a[[6, 13]] = True
    off_b = off_a.copy()
    off_b[2] = True
    movable = np.ones(14, dtype=bool)
    # from day 6 to the next common day, or to the end; from 13 nothing is left to exchange
    assert _spans(off_a, off_b, movable) == [(7, 13), (7, 14)]
    movable[9] = False  # a leave day inside: no span may cross it
    assert _spans(off_a, off_b, movable) == []


def _spans_by_loop(off_a, off_b, movable) -> list[tuple[int, int]]:
    """The reference: every later common day (or the horizon's end) from every common day,
    stopping at the first day not movable."""
    common = np.flatnonzero(off_a & off_b).tolist()
    spans = []
    for i, first in enumerate(common):
        for last in [*common[i + 1:], len(off_a)]:
            if last - first < 2:
                continue
            if not movable[first + 1:last].all():
                break
            spans.append((first + 1, last))
    return spans


def test_exchange_spans_of_many_mates_match_a_loop_over_each():
    """Random rest days and leave: all mates at once give each mate's spans of the loop, in
    the loop's order (mate, start, end)."""
    rng = np.random.default_rng(7)
    for _ in range(30):
        days = int(rng.integers(7, 30))
        off_a = rng.random(days) < 0.35
        off_mates = rng.random((6, days)) < 0.35
        movable_a = rng.random(days) < 0.95
        movable_mates = rng.random((6, days)) < 0.95
        mate, start, end = rest_exchange.exchange_spans(off_a, off_mates, movable_a,
                                                        movable_mates)
        expected = [(m, s, e) for m in range(6) for s, e in _spans_by_loop(
            off_a, off_mates[m], movable_a & movable_mates[m])]
        assert list(zip(mate.tolist(), start.tolist(), end.tolist(), strict=True)) == expected


def _repair_bands(problem, states, queues, night_target, rest_target) -> int:
    """The rest exchanges on a hand-made roster (in place), with ample work; exchanges made."""
    movable = (problem.forced == UNKNOWN) & (problem.fixed_shift == UNKNOWN)
    return rest_exchange.repair_bands(problem, RowCosts(problem, night_target, rest_target),
                                      states, queues, movable, WorkLimit(units=1_000), None,
                                      DEFAULT_SETTINGS.fairness)


def _weekend_fortnight():
    """Hand-worked team of six over two weeks, everyone off the Sunday before: A0 rests both
    weekends in full (4 weekend days), A1 both Sundays and a Wednesday, A2..A5 Wednesdays.
    The team's 6 weekend rest days (+ 6 Sundays before) give each a horizon share of 1 and a
    band of 1 + 14 // 14 = 2: A0 (4) is outside. (previous, problem, states, queues)."""
    previous = rows([(f"A{i}", day(-1), "OFF") for i in range(6)])
    problem = tiny_problem(num_agents=6, num_days=14, previous=previous)
    states = np.full((6, 14), problem.shift_codes.index("DAY"))
    states[0, [5, 6, 12, 13]] = OFF
    states[1, [6, 9, 13]] = OFF
    states[2:, 2] = states[2:, 9] = OFF
    return previous, problem, states, np.where(states >= 0, 0, -1)


def _no_rule_broken(problem, states, queues, previous) -> bool:
    """The independent checker finds no broken rule (the bands aside) in the roster."""
    found = check_roster(roster_frame(problem, states, queues), agents_frame(6), site(),
                         previous=previous)
    return [v for v in found if not v.code.startswith("fair_share")] == []


def test_weekend_rest_is_handed_on_at_a_day_both_agents_are_off():
    # the fortnight of _weekend_fortnight: only A1 is off on a day A0 is off, so only A1 can
    # take a weekend day over: after the first Sunday they exchange the next week's rosters,
    # and both end at 3 weekend rest days
    previous, problem, states, queues = _weekend_fortnight()
    day_shift = problem.shift_codes.index("DAY")
    before = scheduled_counts(problem, states, queues)
    night, rest = fair_shares(problem, states)
    rest_target = targets(rest, band(problem))
    assert rest_target.high[0] == 3 and rest_target.high[1] == 3
    assert _repair_bands(problem, states, queues, targets(night, band(problem)),
                         rest_target) == 1
    _, counts = horizon_counts(problem, states)
    assert counts.tolist() == [3, 3, 0, 0, 0, 0]
    assert np.array_equal(scheduled_counts(problem, states, queues), before)
    assert np.array_equal(states[2:], np.where(np.isin(np.arange(14), [2, 9]), OFF,
                                               day_shift)[None, :].repeat(4, axis=0))
    assert _no_rule_broken(problem, states, queues, previous)


def test_the_targeted_repairs_alone_bring_an_agent_back_into_its_band():
    """``exchange.repair_outside`` (the site's band repair after a team solved in parts) on
    the same fortnight: A0's 4 weekend rest days against a band top of 3 come back inside by
    a trade or an exchange, every agent ends inside its band, the head-counts stay and the
    independent checker finds no broken rule."""
    previous, problem, states, queues = _weekend_fortnight()
    before = scheduled_counts(problem, states, queues)
    night, rest = fair_shares(problem, states)
    rest_target = targets(rest, band(problem))
    assert horizon_counts(problem, states)[1][0] > rest_target.high[0]
    made = exchange.repair_outside(problem, states, queues, targets(night, band(problem)),
                                   rest_target, work=WorkLimit(units=1_000))
    assert made >= 1
    _, counts = horizon_counts(problem, states)
    assert ((rest_target.low <= counts) & (counts <= rest_target.high)).all()
    assert np.array_equal(scheduled_counts(problem, states, queues), before)
    assert _no_rule_broken(problem, states, queues, previous)


def test_nights_are_handed_on_at_a_day_both_agents_are_off():
    # hand-worked fortnight, four agents, everyone off the Sunday before: A0 works 5 nights
    # in the second week (off Wednesday and Sunday), A1 is off on the same days and works day
    # shifts, A2 and A3 are off on Wednesdays and Sundays too but in the first week only.
    # 5 nights over 4 equal capacities: a share of 1.25 and a band of ±2, so A0 (5) is
    # outside; an exchange between two days A0 and A1 are both off hands 2 or 3 nights over
    previous = rows([(f"A{i}", day(-1), "OFF") for i in range(4)])
    problem = tiny_problem(num_agents=4, num_days=14, previous=previous)
    day_shift, night_shift = problem.shift_codes.index("DAY"), problem.shift_codes.index("NIGHT")
    states = np.full((4, 14), day_shift)
    states[0, [7, 8, 10, 11, 12]] = night_shift
    states[:2, [2, 6, 9, 13]] = OFF
    states[2:, [2, 6]] = OFF
    states[2:, 13] = OFF
    queues = np.where(states >= 0, 0, -1)
    before = scheduled_counts(problem, states, queues)
    untouched = states[2:].copy()
    night, rest = fair_shares(problem, states)
    night_target = targets(night, band(problem))
    assert night_target.high[0] == 3
    assert _repair_bands(problem, states, queues, night_target,
                         targets(rest, band(problem))) == 1
    nights, _ = horizon_counts(problem, states)
    assert nights[0] <= 3 and nights[1] <= 3 and nights.sum() == 5
    assert np.array_equal(scheduled_counts(problem, states, queues), before)
    assert np.array_equal(states[2:], untouched)
    found = check_roster(roster_frame(problem, states, queues), agents_frame(4), site(),
                         previous=previous)
    assert [v for v in found if not v.code.startswith("fair_share")] == []


def _round_the_clock():
    """EARLY 07-15, LATE 15-23, NIGHT 23-07 with 9 h of rest: a shift may only start later from
    one day to the next (LATE -> EARLY rests 8 h, NIGHT -> EARLY 0 h, NIGHT -> LATE 8 h)."""
    return site(shifts=[{"code": "EARLY", "start": "07:00", "end": "15:00"},
                        {"code": "LATE", "start": "15:00", "end": "23:00"},
                        {"code": "NIGHT", "start": "23:00", "end": "07:00"}])


def test_rest_between_shifts_filter_hand_worked():
    problem = generated_problem(_round_the_clock(), num_agents=1, num_days=3, random_seed=2)
    early, late, night = (problem.shift_codes.index(c) for c in ("EARLY", "LATE", "NIGHT"))
    problem.previous[0, -1] = OFF  # no tail shift: only the rows decide
    candidates = np.array([[early, late, night],    # later every day: rests enough
                           [late, early, early],    # LATE -> EARLY: 8 h
                           [night, OFF, early],     # a rest day between: 32 h
                           [night, late, late]])    # NIGHT -> LATE: 8 h
    np.testing.assert_array_equal(rest_hours.rows_rest_enough(problem, 0, candidates),
                                  [True, False, True, False])
    problem.previous[0, -1] = night  # the previous roster's night ends 07:00 on day 0
    np.testing.assert_array_equal(rest_hours.rows_rest_enough(problem, 0, candidates[:1]),
                                  [False])


def test_rest_between_shifts_filter_matches_the_rule_check():
    problem = generated_problem(_round_the_clock(), num_agents=10, num_days=10, random_seed=5)
    rng = np.random.default_rng(3)
    verdicts = []
    for a in range(problem.num_agents):
        candidates = rng.integers(-1, problem.num_shifts, size=(30, problem.num_days))
        fast = rest_hours.rows_rest_enough(problem, a, candidates)
        for row, verdict in zip(candidates, fast, strict=True):
            slow = not any(rest_hours.rest_violations(problem, a, row, None))
            assert verdict == slow
            verdicts.append(verdict)
    assert any(verdicts) and not all(verdicts)  # both verdicts occur
