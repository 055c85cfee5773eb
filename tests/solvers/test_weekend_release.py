"""Weekend rest released at a coverage price (``weekend_release.py``), on a hand-made team."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget, WorkLimit
from solvers.roster.fair import rebalance, shortfall_ceiling
from solvers.roster.fair_share import band, band_targets, fair_shares, horizon_counts, targets
from solvers.roster.improve import coverage_and_shortfall_change
from solvers.roster.problem import OFF
from solvers.roster.report import coverage_cost, roster_frame
from solvers.roster.row_costs import RowCosts
from solvers.roster.team_tasks import _team_problem
from solvers.roster.weekend_release import _Moves, _run_lengths, _run_through, release_weekend_rest
from wfm.rules import check_roster

from .factories import ROOMY_CAP, agents_frame, day, rows, site, tiny_problem


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
    return _release_and_take(problem, states, queues, night_target, rest_target, tolerance)[0]


def _release_and_take(problem, states, queues, night_target, rest_target, tolerance: float
                      ) -> tuple[int, int]:
    cost = coverage_cost(problem, scheduled_counts(problem, states, queues))
    done = release_weekend_rest(problem, states, queues, rest_target,
                                RowCosts(problem, night_target, rest_target),
                                allowance=tolerance * cost, work=WorkLimit(units=10_000))
    return done.released, done.taken


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


def test_a_take_pays_for_a_release_with_no_tolerance():
    """The team above, but the first Monday three short and the first Saturday covered: A1
    (resting Mondays, off the Sunday before) can rest that Saturday instead and work the
    Monday, saving 2 x 100 per interval of the shift (the 3rd and 2nd missing agents against a
    1st); A0's release costs 100 per interval (a 2nd missing agent on a weekday against a 1st
    at the weekend), so with no tolerance the take pays for it."""
    problem, previous, states, queues, night_target, rest_target = _team()
    day_shift = problem.shift_codes.index("DAY")
    monday, saturday = problem.cover[0][day_shift], problem.cover[5][day_shift]
    problem.required[monday] += 2
    problem.required[saturday] -= 1
    before = coverage_cost(problem, scheduled_counts(problem, states, queues))
    released, taken = _release_and_take(problem, states, queues, night_target, rest_target,
                                        tolerance=0.0)
    _, counts = horizon_counts(problem, states)
    assert (released, taken) == (1, 1)
    assert states[1, 0] == day_shift and states[1, 5] == OFF  # the take
    assert counts[0] <= rest_target.high[0] and counts[1] <= rest_target.high[1]
    assert coverage_cost(problem, scheduled_counts(problem, states, queues)) <= before
    assert (states >= 0).sum(axis=1).tolist() == [24] * 8  # rest days moved, none added
    found = check_roster(roster_frame(problem, states, queues), agents_frame(8), site(),
                         previous=previous)
    assert [v for v in found if not v.code.startswith("fair_share")] == []


def test_a_shuffled_rest_day_pays_for_a_release_with_no_tolerance():
    """The team above, but the last Wednesday five short: A3 (resting Wednesdays) can rest
    on that week's Monday or Tuesday instead (earlier in the week: its runs stay within six),
    saving 4 - 2 = 2 x 100 per interval (its 5th missing agent against a 2nd); that pays for
    A0's release (100 per interval), which nothing else could: every other day is one short,
    so no take and no other shuffle lowers the cost."""
    problem, previous, states, queues, night_target, rest_target = _team()
    day_shift = problem.shift_codes.index("DAY")
    problem.required[problem.cover[23][day_shift]] += 4
    cost = coverage_cost(problem, scheduled_counts(problem, states, queues))
    done = release_weekend_rest(problem, states, queues, rest_target,
                                RowCosts(problem, night_target, rest_target),
                                allowance=0.0, work=WorkLimit(units=10_000))
    assert (done.released, done.taken) == (1, 0) and done.shuffled >= 1
    assert states[3, 23] == day_shift and OFF in states[3, 21:23]  # the shuffle
    _, counts = horizon_counts(problem, states)
    assert counts[0] <= rest_target.high[0]
    assert coverage_cost(problem, scheduled_counts(problem, states, queues)) <= cost
    assert (states >= 0).sum(axis=1).tolist() == [24] * 8
    found = check_roster(roster_frame(problem, states, queues), agents_frame(8), site(),
                         previous=previous)
    assert [v for v in found if not v.code.startswith("fair_share")] == []


def test_no_shuffle_adds_a_quick_return():
    """The crowded last Wednesday of the shuffle test above, but A3 works a night on the
    Tuesday before it: resting the Monday puts Wednesday's day shift right after that night, and
    resting the Tuesday moves the night to Wednesday, before Thursday's day shift; both are
    quick returns (hand-worked count below), so A3 keeps its roster."""
    problem, _, states, queues, night_target, rest_target = _team()
    day_shift, night = problem.shift_codes.index("DAY"), problem.shift_codes.index("NIGHT")
    problem.required[problem.cover[23][day_shift]] += 4
    states[3, 22] = night
    costs = RowCosts(problem, night_target, rest_target)
    monday, tuesday = states[3].copy(), states[3].copy()
    monday[21], monday[23] = OFF, day_shift
    tuesday[22], tuesday[23] = OFF, night
    assert costs.quick_returns(3, np.array([states[3], monday, tuesday])).tolist() == [0, 1, 1]
    before = states[3].copy()
    done = release_weekend_rest(problem, states, queues, rest_target, costs, allowance=0.0,
                                work=WorkLimit(units=10_000))
    assert done.shuffled == 0 and np.array_equal(states[3], before)


def test_takes_that_push_an_agent_out_of_its_band_are_undone(monkeypatch):
    """The take of the test above, judged to leave some agent outside its band on the shares
    it raises: the round's takes are undone, and A1 works its Saturdays again (a shuffle of
    its Monday rest to the Tuesday may stay: it changes no weekend)."""
    import solvers.roster.weekend_release as release

    problem, _, states, queues, night_target, rest_target = _team()
    day_shift = problem.shift_codes.index("DAY")
    problem.required[problem.cover[0][day_shift]] += 2
    problem.required[problem.cover[5][day_shift]] -= 1
    before = states.copy()
    calls = []

    def outside_band(problem, states):  # nobody before each round's takes, A7 after them
        calls.append(states[1].copy())
        return np.eye(8, dtype=bool)[7] if len(calls) % 2 == 0 else np.zeros(8, dtype=bool)

    monkeypatch.setattr(release, "_outside_band", outside_band)
    released, taken = _release_and_take(problem, states, queues, night_target, rest_target,
                                        tolerance=0.0)
    _, counts = horizon_counts(problem, states)
    assert taken == 0 and counts[1] == 0 and (states[1, 5::7] >= 0).all()
    assert calls[1][5] == OFF and before[1, 5] >= 0  # the take was made, then undone


@pytest.mark.parametrize(("release_tolerance", "inside"), [(0.5, True), (0.0, False)])
def test_the_fairness_stage_releases_within_the_weekend_release_tolerance(release_tolerance,
                                                                          inside):
    """The whole fairness stage on the team above (A0 locked: no exchange can help it): the
    release brings A0 inside its band with ``weekend_release_tolerance`` to spend, and not
    with none, however large ``coverage_tolerance`` (the class-pattern model's) is."""
    problem, _, states, queues, _, rest_target = _team()
    roster = problem.config.roster.model_copy(update={
        "coverage_tolerance": 0.5, "weekend_release_tolerance": release_tolerance})
    problem = replace(problem, config=problem.config.model_copy(update={"roster": roster}))
    budget = Budget.start(30, wall_cap_seconds=ROOMY_CAP)  # work decides, never the clock
    result = rebalance(problem, states, queues, budget=budget, seconds=5)
    _, counts = horizon_counts(problem, states)
    assert (counts[0] <= rest_target.high[0]) == inside
    assert (result.released >= 1) == inside


def test_a_team_task_gets_its_share_of_the_coverage_tolerance_and_no_release_tolerance():
    """The site's release runs after the merge: a team task releases only what its own takes
    and shuffles pay for."""
    problem = _team()[0]
    sub = _team_problem(problem, 7, 0.5)
    assert sub.config.roster.random_seed == 7
    assert sub.config.roster.coverage_tolerance == 0.5 * problem.config.roster.coverage_tolerance
    assert sub.config.roster.weekend_release_tolerance == 0.0
    assert problem.config.roster.weekend_release_tolerance == 0.02


def _shortfall(problem, states, queues) -> int:
    """Agent-intervals short, counted interval by interval from the roster (the reference)."""
    short = 0
    for t in range(problem.required.shape[0]):
        for q in range(problem.required.shape[1]):
            on = sum(1 for a in range(problem.num_agents) for d in range(problem.num_days)
                     if states[a, d] >= 0 and queues[a, d] == q
                     and t in set(problem.cover[d][states[a, d]].tolist()))
            short += max(0, int(problem.required[t, q]) - on)
    return short


def _sundays_covered():
    """The team above, but every Sunday exactly covered: A0's release (work a Sunday, rest on
    a weekday) leaves the Sunday one over and the weekday one more short, so it raises the
    total shortfall by the day shift's intervals."""
    problem, previous, states, queues, night_target, rest_target = _team()
    day_shift = problem.shift_codes.index("DAY")
    for sunday in range(6, 28, 7):
        problem.required[problem.cover[sunday][day_shift]] -= 1
    return problem, previous, states, queues, night_target, rest_target


@pytest.mark.parametrize("room_short_by", [0, 1])
def test_no_release_takes_the_shortfall_above_the_ceiling(room_short_by):
    """A0 (locked above its band) can come back only by a release that adds the day shift's
    intervals to the total shortfall: made with a ceiling that leaves exactly that room,
    not with one interval less, however large the coverage-cost allowance."""
    problem, previous, states, queues, night_target, rest_target = _sundays_covered()
    intervals = len(problem.cover[0][problem.shift_codes.index("DAY")])
    before = _shortfall(problem, states, queues)
    ceiling = before + intervals - room_short_by
    cost = coverage_cost(problem, scheduled_counts(problem, states, queues))
    done = release_weekend_rest(problem, states, queues, rest_target,
                                RowCosts(problem, night_target, rest_target),
                                allowance=10.0 * cost, work=WorkLimit(units=10_000),
                                ceiling=ceiling)
    after = _shortfall(problem, states, queues)
    assert after <= ceiling
    if room_short_by:
        assert done.released == 0 and after == before
    else:
        assert done.released == 1 and after == before + intervals
    found = check_roster(roster_frame(problem, states, queues), agents_frame(8), site(),
                         previous=previous)
    assert [v for v in found if not v.code.startswith("fair_share")] == []


@pytest.mark.parametrize(("ceiling_room", "inside"), [(None, True), (0, False)])
def test_the_fairness_stage_keeps_the_shortfall_ceiling(ceiling_room, inside):
    """The whole stage on the covered-Sundays team: without a ceiling the release brings A0
    inside its band; with the ceiling at the shortfall it starts from, it does not, and the
    total shortfall does not rise."""
    problem, _, states, queues, _, rest_target = _sundays_covered()
    roster = problem.config.roster.model_copy(update={"weekend_release_tolerance": 0.1})
    problem = replace(problem, config=problem.config.model_copy(update={"roster": roster}))
    before = _shortfall(problem, states, queues)
    ceiling = None if ceiling_room is None else before + ceiling_room
    budget = Budget.start(30, wall_cap_seconds=ROOMY_CAP)  # work decides, never the clock
    result = rebalance(problem, states, queues, budget=budget, seconds=5,
                       shortfall_ceiling=ceiling)
    _, counts = horizon_counts(problem, states)
    assert (counts[0] <= rest_target.high[0]) == inside
    assert (result.released >= 1) == inside
    if ceiling is not None:
        assert _shortfall(problem, states, queues) <= ceiling


def test_the_shortfall_ceiling_is_the_coverage_target():
    """Hand-worked: least 1,000 agent-intervals, a requirement of 200,000 agent-intervals:
    1,000 x 1.01 + 200,000 x 0.0005 = 1,110; none without a least shortfall."""
    problem = _team()[0]
    problem.required[:] = 0
    problem.required[:100, 0] = 2000
    assert problem.required.sum() == 200_000
    assert shortfall_ceiling(problem, 1000.0) == 1110
    roster = problem.config.roster.model_copy(update={
        "shortfall_ceiling_least_share": 0.0, "shortfall_ceiling_requirement_share": 0.001})
    other = replace(problem, config=problem.config.model_copy(update={"roster": roster}))
    assert shortfall_ceiling(other, 1000.0) == 1200
    assert shortfall_ceiling(problem, None) is None


def test_coverage_and_shortfall_change_match_a_recount():
    """Random one-agent moves on the team above: the shortfall change the moves are priced
    with equals the recount after the move, and the coverage cost change the recomputed cost."""
    problem, _, states, queues, _, _ = _sundays_covered()
    rng = np.random.default_rng(5)
    shifts = [problem.shift_codes.index("DAY"), problem.shift_codes.index("NIGHT")]
    for _ in range(25):
        scheduled = scheduled_counts(problem, states, queues)
        a = int(rng.integers(8))
        worked = rng.choice(np.flatnonzero(states[a] >= 0))
        rest = rng.choice(np.flatnonzero(states[a] == OFF))
        shift = int(rng.choice(shifts))
        changes = [(int(worked), int(states[a, worked]), 0, -1), (int(rest), shift, 0, +1)]
        cost, short = coverage_and_shortfall_change(problem, scheduled, changes)
        before_short = _shortfall(problem, states, queues)
        before_cost = coverage_cost(problem, scheduled)
        moved_states, moved_queues = states.copy(), queues.copy()
        moved_states[a, worked], moved_queues[a, worked] = OFF, -1
        moved_states[a, rest], moved_queues[a, rest] = shift, 0
        assert short == _shortfall(problem, moved_states, moved_queues) - before_short
        assert cost == coverage_cost(
            problem, scheduled_counts(problem, moved_states, moved_queues)) - before_cost


def test_tabled_move_prices_match_a_recount_with_shifts_past_midnight():
    """A night shift 22:00-08:00 shares two hours with the next day's 06:00 shift: the
    release's priced moves (one step's price plus the other's, or counted cell by cell where
    two shifts can overlap) equal the coverage cost and shortfall recounted on the whole
    roster after the move, on random rosters and requirements, adjacent days included."""
    config = site(shifts=[{"code": "EARLY", "start": "06:00", "end": "14:00"},
                          {"code": "LATE", "start": "14:00", "end": "22:00"},
                          {"code": "NIGHT", "start": "22:00", "end": "08:00"}])
    problem = tiny_problem(num_agents=6, num_days=14, config=config)
    rng = np.random.default_rng(3)
    states = rng.integers(-1, 3, size=(6, problem.num_days))
    queues = np.where(states >= 0, 0, -1)
    problem.required[:] = rng.integers(0, 5, size=problem.required.shape)
    night_target, rest_target = band_targets(problem, states)
    moves = _Moves.on(problem, states, queues, RowCosts(problem, night_target, rest_target),
                      WorkLimit(units=10))
    cost = coverage_cost(problem, moves.scheduled)
    short = int(np.clip(problem.required - moves.scheduled, 0, None).sum())
    checked = overlapping = 0
    for a in range(6):
        for day_ in np.flatnonzero(states[a] >= 0).tolist():
            for rest in np.flatnonzero(states[a] < 0).tolist():
                for s in range(3):
                    changes = [(day_, int(states[a, day_]), 0, -1), (rest, s, 0, +1)]
                    moved = states.copy()
                    moved[a, day_], moved[a, rest] = OFF, s
                    after = scheduled_counts(problem, moved, np.where(moved >= 0, 0, -1))
                    expected = (coverage_cost(problem, after) - cost, int(np.clip(
                        problem.required - after, 0, None).sum()) - short)
                    assert moves.price(changes) == expected
                    checked += 1
                    overlapping += abs(rest - day_) == 1 and 2 in (s, states[a, day_])
    assert checked > 500 and overlapping > 20


def test_undone_moves_leave_the_prices_of_the_roster_as_it_was():
    """A take made and undone (the guard above): the roster, head-counts, shortfall and every
    move's price are those of a fresh look at the roster."""
    problem, _, states, queues, night_target, rest_target = _team()
    day_shift = problem.shift_codes.index("DAY")
    problem.required[problem.cover[0][day_shift]] += 2
    costs = RowCosts(problem, night_target, rest_target)
    moves = _Moves.on(problem, states, queues, costs, WorkLimit(units=10_000))
    before = states.copy()
    kept = moves.snapshot()
    take = moves.cheapest(1, "take")
    assert take is not None
    moves.make(1, take, "take")
    assert not np.array_equal(states, before)
    moves.restore(kept)
    fresh = _Moves.on(problem, states.copy(), queues.copy(), costs, WorkLimit(units=10_000))
    assert np.array_equal(states, before) and moves.shortfall == fresh.shortfall
    assert all(np.array_equal(a, b) for a, b in zip(moves.prices, fresh.prices, strict=True))
    again, first = moves.cheapest(1, "take"), fresh.cheapest(1, "take")
    assert again is not None and first is not None
    assert (again.changes, again.total, again.shortfall) == (
        first.changes, first.total, first.shortfall)


def test_run_through_a_moved_rest_day_matches_a_recount():
    """The run through a rest day once worked, with another day of the row rested instead,
    read from the row's run lengths, equals the run counted day by day on the changed row
    (the previous roster's days before it), on random rows and every pair of days."""
    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(200):
        before = rng.random(7) < 0.8
        row = rng.random(28) < 0.8
        ending, starting = _run_lengths(before, row)
        works = np.concatenate([before, row])
        for rest in np.flatnonzero(~row).tolist():
            for day_ in np.flatnonzero(row).tolist():
                changed = works.copy()
                changed[7 + rest], changed[7 + day_] = True, False
                first = last = 7 + rest
                while first > 0 and changed[first - 1]:
                    first -= 1
                while last + 1 < len(changed) and changed[last + 1]:
                    last += 1
                assert _run_through(ending, starting, 7 + rest, 7 + day_) == last - first + 1
                checked += 1
    assert checked > 10_000


def _weekly_rest_roster(rng: np.random.Generator, num_agents: int, num_shifts: int
                        ) -> np.ndarray:
    """Four weeks of one shift type per agent, a rest day in each week on a random day (or
    sooner, so no run passes six days) and now and then a second one."""
    states = np.zeros((num_agents, 28), dtype=np.int64)
    for a in range(num_agents):
        states[a] = rng.integers(num_shifts)
        last = -1
        for week in range(4):
            rest = min(week * 7 + int(rng.integers(7)), last + 7)
            states[a, rest] = OFF
            if rng.random() < 0.3:
                states[a, week * 7 + int(rng.integers(7))] = OFF
            last = int(np.flatnonzero(states[a] == OFF).max())
    return states


@pytest.mark.parametrize("kind", ["take", "shuffle"])
def test_agents_skipped_before_the_search_have_no_move_of_that_kind(kind: str) -> None:
    """``_Moves.may_lower`` is only a shortcut: every agent it rules out has no take or
    shuffle that lowers the coverage cost (``cheapest`` finds none), on random rosters and
    requirements; it rules out most agents, and the ones with a move are among those kept."""
    problem = tiny_problem(num_agents=12, num_days=28)
    rng = np.random.default_rng(11)
    skipped = found = 0
    for _ in range(10):
        states = _weekly_rest_roster(rng, 12, problem.num_shifts)
        queues = np.where(states >= 0, 0, -1)
        problem.required[:] = rng.integers(0, 4, size=problem.required.shape)
        night_target, rest_target = band_targets(problem, states)
        moves = _Moves.on(problem, states, queues, RowCosts(problem, night_target, rest_target),
                          WorkLimit(units=10**9))
        may = moves.may_lower(kind)
        for a in range(12):
            move = moves.cheapest(a, kind)
            assert may[a] or move is None
            skipped += not may[a]
            found += move is not None
    assert skipped > 50 and found > 10
