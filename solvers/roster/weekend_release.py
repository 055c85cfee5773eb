"""Weekend rest released at a coverage price: the fairness stage's last step.

With one rest day a week and a run limit, a rest day only moves earlier from one week to the
next, so a team's weekend rest stays with the agents who rested at the previous weekend (the
planner guide's "known limit"); when no exchange with a team-mate is left, an agent above its
weekend-rest band can only come back by working one of its weekend rest days and resting on a
weekday of the same week instead. The weekly rest stays, and the run before the new rest day
shortens, but the run after it lengthens by as many days: in the plan's last week nothing
follows, earlier the agent's next rest must come soon enough, which the rule check decides.
Such a move changes coverage: the only step after the coverage stages that does besides the
class-pattern model, so the two together give up at most ``[roster] weekend_release_tolerance``
of the coverage cost the stage started from (what the pattern model used, within its own
``coverage_tolerance``, is not given again), cheapest moves first, and no move takes the
roster's total shortfall above a ceiling in agent-intervals (``fair.shortfall_ceiling``: the
tolerance is a share of the convex coverage cost, which a move can lower without lowering the
shortfall, so it alone does not keep a coverage target). On a decomposed site the release runs
on the whole site once the teams' rosters are merged (``team_tasks.site_release``).

Releases are paid for first by *takes*, the opposite move: an agent with room below the top of
its band whose previous rest came early enough moves a weekday rest day later in its week onto a
weekend day it works, where that lowers the coverage cost (a worker back on a short weekday, one
fewer on a lighter weekend) and its row's own cost; the coverage they save is added to what the
releases may spend, and their agents stay inside their bands.

A move keeps the shift's night or day kind (the nights count stays) and its queue or another
of the agent's skills, and is kept only when the agent's rules (``legal.agent_violations``)
and night pattern hold. Takes and shuffles add no quick return (they buy only coverage, which
the fairness stage has already weighed against quick returns); a release may, at the price
the fairness stage gives quick returns (in the row's own cost).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import Target, band_targets, horizon_counts
from solvers.roster.improve import apply_changes, coverage_and_shortfall_change, step_prices
from solvers.roster.legal import agent_violations, pattern_ok
from solvers.roster.problem import OFF, UNKNOWN, RosterProblem, available
from solvers.roster.report import total_shortfall
from solvers.roster.row_costs import RowCosts


@dataclass(frozen=True)
class Released:
    """What the step did: weekend rest days released, taken, and rest days shuffled."""

    released: int = 0
    taken: int = 0
    shuffled: int = 0


def release_weekend_rest(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                         rest_target: Target, costs: RowCosts, *, allowance: float,
                         work: WorkLimit, ceiling: int | None = None) -> Released:
    """Bring agents above their weekend-rest band back one weekend rest day at a time, the
    cheapest move of any such agent first, while the coverage cost they add stays within
    ``allowance`` plus what the takes and shuffles saved, and no move takes the roster's
    total shortfall (agent-intervals) above ``ceiling`` (in place; module docstring).

    Rounds of takes, then shuffles (a rest day to another day of its week of the same kind,
    weekday or weekend, where that lowers the coverage cost: the releases crowd the weekdays
    of the weeks they can use, and other agents' rest days can make room), then releases with
    what is left, until a round moves nothing (the last rounds, with every agent inside its
    band, only take back coverage).
    """
    moves = _Moves.on(problem, states, queues, costs, work, ceiling)
    if not (moves.rests > rest_target.high).any():
        return Released()
    left, done = allowance, Released()
    while work.left():
        taken, shuffled, change = _takes_and_shuffles(moves, rest_target)
        left -= change  # below zero: coverage saved
        still_over = np.flatnonzero(moves.rests > rest_target.high).tolist()
        released, spent = _greedy(moves, still_over, rest_target, "release", left)
        left -= spent
        done = Released(done.released + released, done.taken + taken,
                        done.shuffled + shuffled)
        if not (taken or shuffled or released):
            break
    return done


def _takes_and_shuffles(moves: _Moves, rest_target: Target) -> tuple[int, int, int]:
    """One round of takes, then shuffles: (takes, shuffles, their coverage cost change).

    Each take adds a weekend rest day to the team's total, which raises every member's fair
    share a little (a take is judged on the shares the round started from): the round's
    takes are undone when, on the shares recomputed, they leave an agent outside its band that
    was not."""
    problem = moves.problem
    room = np.flatnonzero(moves.rests + 1 <= rest_target.high).tolist()
    outside = _outside_band(problem, moves.states)
    kept = moves.snapshot()
    taken, took = _greedy(moves, room, rest_target, "take", 0.0)
    if taken and (_outside_band(problem, moves.states) & ~outside).any():
        moves.restore(kept)
        taken, took = 0, 0
    everyone = list(range(problem.num_agents))
    shuffled, moved = _greedy(moves, everyone, rest_target, "shuffle", 0.0)
    return taken, shuffled, took + moved


def _greedy(moves: _Moves, agents: list[int], rest_target: Target, kind: str,
            allowance: float) -> tuple[int, int]:
    """Make the agents' cheapest moves of ``kind`` one at a time, cheapest of any agent first,
    an agent again while it still has room (a take), is still above its band (a release) or
    at all (a shuffle); lazy greedy on a heap: the cheapest is re-priced, since the moves made
    since may have changed it, and made only while no dearer than the next one. Takes and
    shuffles only while they lower the cost and the coverage cost; releases while their
    coverage cost stays within ``allowance``. (Moves made, their coverage cost change.)"""
    rests = moves.rests

    def again(a: int) -> bool:
        if kind == "take":
            return bool(rests[a] + 1 <= rest_target.high[a])
        return kind == "shuffle" or bool(rests[a] > rest_target.high[a])

    heap = []
    if kind != "release":  # skip the agents with no move that can lower the coverage cost
        may = moves.may_lower(kind)
        agents = [a for a in agents if may[a]]
    for a in agents:
        move = moves.cheapest(a, kind)
        if move is not None:
            heap.append((move.total, a))
    heapq.heapify(heap)
    made, change = 0, 0
    while heap and moves.work.left():
        _, a = heapq.heappop(heap)
        move = moves.cheapest(a, kind)
        if move is None:
            continue
        if heap and move.total > heap[0][0]:
            heapq.heappush(heap, (move.total, a))
            continue
        if kind == "release" and move.coverage > allowance - change:
            break
        if kind != "release" and move.total >= 0:
            break
        if kind != "release" and move.coverage >= 0:
            continue  # the row's own cost alone: not what these moves are for
        moves.make(a, move, kind)
        change += move.coverage
        made += 1
        if again(a):
            heapq.heappush(heap, (move.total, a))
    return made, change


@dataclass(frozen=True)
class _Move:
    """One agent's move of a rest day within its week: its coverage cost change, that plus
    the change of the row's own cost (``total``), its total shortfall change (agent-intervals),
    the new row and queues, the changes."""

    coverage: int
    total: int
    shortfall: int
    row: np.ndarray
    queues: np.ndarray
    changes: list[tuple[int, int, int, int]]


@dataclass
class _Moves:
    """Prices and makes moves of a rest day to another day of its week on the roster (in
    place), ``scheduled`` (head-counts), ``rests`` (weekend rest days per agent) and
    ``shortfall`` (the total, agent-intervals) kept up to date; no move takes ``shortfall``
    above ``ceiling`` (None: no ceiling)."""

    problem: RosterProblem
    states: np.ndarray
    queues: np.ndarray
    costs: RowCosts
    work: WorkLimit
    scheduled: np.ndarray
    rests: np.ndarray
    movable: np.ndarray
    weekend: np.ndarray
    shortfall: int
    ceiling: int | None
    prices: tuple[np.ndarray, ...] = field(init=False)  # improve.step_prices of scheduled
    overlaps: np.ndarray = field(init=False)  # _overlaps of the problem
    weeks: list[np.ndarray] = field(init=False)  # each day's Monday-Sunday week, its days
    same_kind: list[list[int]] = field(init=False)  # each shift's types of its night kind

    def __post_init__(self) -> None:
        problem = self.problem
        self.prices = step_prices(problem, self.scheduled)
        self.overlaps = _overlaps(problem)
        self.weeks = [np.flatnonzero(_week_days(problem, d)) for d in range(problem.num_days)]
        self.same_kind = [[s for s in range(problem.num_shifts)
                           if problem.night[s] == problem.night[shift]]
                          for shift in range(problem.num_shifts)]

    @classmethod
    def on(cls, problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
           costs: RowCosts, work: WorkLimit, ceiling: int | None = None) -> _Moves:
        """Moves on this roster, with the head-counts, weekend rest, movable days and total
        shortfall derived from it."""
        weekend = np.array([problem.weekday(d) >= 5 for d in range(problem.num_days)])
        scheduled = scheduled_counts(problem, states, queues)
        return cls(problem, states, queues, costs, work, scheduled=scheduled,
                   rests=(costs.weekend_free & (states == OFF)).sum(axis=1),
                   movable=(problem.forced == UNKNOWN) & available(problem), weekend=weekend,
                   shortfall=total_shortfall(problem, scheduled),
                   ceiling=ceiling)

    def shortfall_room(self) -> float:
        """How much a move may raise the total shortfall: up to the ceiling, never past it
        (a move that lowers it is always allowed)."""
        if self.ceiling is None:
            return float("inf")
        return max(0, self.ceiling - self.shortfall)

    def _changed(self) -> list[np.ndarray]:
        """The arrays moves change (in place): the roster, head-counts and weekend rest."""
        return [self.states, self.queues, self.scheduled, self.rests]

    def snapshot(self) -> tuple[list[np.ndarray], int]:
        """A copy of what moves change: the arrays of ``_changed`` and the shortfall."""
        return [array.copy() for array in self._changed()], self.shortfall

    def restore(self, snapshot: tuple[list[np.ndarray], int]) -> None:
        """Undo every move made since ``snapshot`` (in place: the roster is the caller's)."""
        arrays, self.shortfall = snapshot
        for now, before in zip(self._changed(), arrays, strict=True):
            now[:] = before
        self.prices = step_prices(self.problem, self.scheduled)

    def make(self, a: int, move: _Move, kind: str) -> None:
        self.states[a], self.queues[a] = move.row, move.queues
        apply_changes(self.problem, self.scheduled, move.changes)
        self.prices = step_prices(self.problem, self.scheduled)
        self.rests[a] += {"take": 1, "release": -1, "shuffle": 0}[kind]
        self.shortfall += move.shortfall

    def may_lower(self, kind: str) -> np.ndarray:
        """(A,) False for the agents none of whose moves of ``kind`` (a take or shuffle) can
        lower the coverage cost, so ``cheapest`` would find none: by the step prices, the
        least cost of dropping a worked day plus adding a shift of its kind on a rest day of
        its week (the run and other rules not checked: a lower bound). All True where shifts
        can overlap across midnight (a move there is priced cell by cell)."""
        problem, states, queues = self.problem, self.states, self.queues
        if self.overlaps.any():
            return np.ones(problem.num_agents, dtype=bool)
        add_cost, drop_cost, _, _ = self.prices
        day = np.arange(problem.num_days)[None, :]
        worked = (states >= 0) & self.movable
        drop = np.where(worked, drop_cost[day, np.maximum(states, 0), np.maximum(queues, 0)],
                        np.inf)
        night = problem.night[np.maximum(states, 0)]
        rest = (states == OFF) & self.movable
        # (rest days, worked days) of one week a move of ``kind`` joins: a shuffle's of the
        # same kind, weekday or weekend; a take's a weekday rest and a weekend day worked
        spans = []
        for days in {tuple(days.tolist()): days for days in self.weeks}.values():
            for rest_weekend in (False, True) if kind == "shuffle" else (False,):
                rests = days[self.weekend[days] == rest_weekend]
                works = days[self.weekend[days] == (rest_weekend == (kind == "shuffle"))]
                if len(rests) and len(works):
                    spans.append((rests, works))
        lower = np.full(problem.num_agents, np.inf)
        for members in problem.teams():  # the same skill set: the same shifts to add
            skills = list(problem.skills[members[0]])
            for is_night in (False, True):
                kind_shifts = np.flatnonzero(problem.night == is_night)
                if not len(kind_shifts):
                    continue
                add = add_cost[:, kind_shifts][:, :, skills].min(axis=(1, 2))
                added = np.where(rest[members], add[None, :], np.inf)
                dropped = np.where(night[members] == is_night, drop[members], np.inf)
                for rests, works in spans:
                    bound = dropped[:, works].min(axis=1) + added[:, rests].min(axis=1)
                    lower[members] = np.minimum(lower[members], bound)
        return lower < 0

    def price(self, changes: list[tuple[int, int, int, int]]) -> tuple[int, int]:
        """The coverage cost and total shortfall change of a move that works ``rest`` instead
        of ``day`` (``changes``: the day's shift dropped, the rest day's added)."""
        (day, shift, queue, _), (rest, s, q, _) = changes
        coverage, short = self.prices_of(*(np.array([v]) for v in (rest, day, shift, queue,
                                                                    s, q)))
        return int(coverage[0]), int(short[0])

    def prices_of(self, rests: np.ndarray, days: np.ndarray, shifts: np.ndarray,
                  queues: np.ndarray, new_shifts: np.ndarray, new_queues: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """The coverage cost and total shortfall changes of moves that work ``rests[k]``
        (shift ``new_shifts[k]``, queue ``new_queues[k]``) instead of ``days[k]`` (shift
        ``shifts[k]``, queue ``queues[k]``): the sum of the two steps' prices, or counted cell
        by cell where the two shifts' intervals can overlap (adjacent days, one queue)."""
        add_cost, drop_cost, add_short, drop_short = self.prices
        coverage = drop_cost[days, shifts, queues] + add_cost[rests, new_shifts, new_queues]
        short = drop_short[days, shifts, queues] + add_short[rests, new_shifts, new_queues]
        first = np.minimum(days, rests)
        later = np.where(days < rests, new_shifts, shifts)
        earlier = np.where(days < rests, shifts, new_shifts)
        adjacent = (new_queues == queues) & (np.abs(rests - days) == 1)
        overlap = adjacent & self.overlaps[first, earlier, later]
        for k in np.flatnonzero(overlap).tolist():
            changes = [(int(days[k]), int(shifts[k]), int(queues[k]), -1),
                       (int(rests[k]), int(new_shifts[k]), int(new_queues[k]), +1)]
            coverage[k], short[k] = coverage_and_shortfall_change(self.problem, self.scheduled,
                                                                  changes)
        return coverage, short

    def cheapest(self, a: int, kind: str) -> _Move | None:
        """The legal move of ``kind`` of one of ``a``'s rest days to a day of its week it
        works: a weekend day's to a weekday (``release``), a weekday's to a weekend day
        (``take``), or to a day of the same kind (``shuffle``); the one with the least coverage
        cost plus change of the row's own cost (``RowCosts``), or None (a take or shuffle: None
        unless that sum is below zero); none that would take the total shortfall above the
        ceiling. The worked day's shift moves with its night or day kind kept, on the same
        queue or another of the agent's skills."""
        problem, row, row_queues = self.problem, self.states[a], self.queues[a]
        weekend = self.weekend
        rest_days = (row == OFF) & self.movable[a]
        if kind != "shuffle":  # a release leaves a weekend day, a take a weekday
            rest_days &= weekend == (kind == "release")
        left, right = _run_lengths(problem.previous[a] >= 0, row >= 0)
        before = problem.num_previous
        picks: list[tuple[int, int, int, int]] = []  # (rest day, worked day, shift, queue)
        for rest in np.flatnonzero(rest_days).tolist():
            week = self.weeks[rest]
            # a shuffle lands on a day of the same kind, a release or take on the other kind
            lands = (weekend[week] == weekend[rest]) == (kind == "shuffle")
            days = week[lands & (row[week] >= 0) & self.movable[a, week]]
            for day in days.tolist():
                if (_run_through(left, right, before + rest, before + day)
                        > problem.max_consecutive_days):
                    continue  # the days between the two join the runs beside them
                for s in self.same_kind[int(row[day])]:
                    picks.extend((rest, day, s, q) for q in problem.skills[a])
        if not picks:
            return None
        rests, days, shifts, skills = np.array(picks, dtype=np.int64).T
        coverage, short = self.prices_of(rests, days, row[days], row_queues[days], shifts,
                                         skills)
        keep = short <= self.shortfall_room()
        if not keep.any() or (kind != "release" and coverage[keep].min() >= 0):
            return None  # a take or shuffle must lower the coverage cost (``_greedy``)
        rests, days, shifts, skills = rests[keep], days[keep], shifts[keep], skills[keep]
        coverage, short = coverage[keep], short[keep]
        count = np.arange(len(rests))
        candidates = np.repeat(row[None, :], len(rests), axis=0)
        candidates[count, days], candidates[count, rests] = OFF, shifts
        here = self.costs.rows(a, row[None, :])[0]
        totals = coverage + (self.costs.rows(a, candidates) - here)
        # a take or shuffle buys only coverage, which the fairness stage has already priced
        # against quick returns: it adds none (a release buys fairness and pays their price)
        adds = np.zeros(len(rests), dtype=bool)
        if kind != "release":
            adds = (self.costs.quick_returns(a, candidates)
                    > self.costs.quick_returns(a, row[None, :])[0])
        for k in np.argsort(totals, kind="stable").tolist():
            if adds[k]:
                continue
            if kind != "release" and totals[k] >= 0:
                return None
            if not self.work.spend():
                return None
            day, rest = int(days[k]), int(rests[k])
            new_row, new_queues = candidates[k].copy(), row_queues.copy()
            new_queues[day], new_queues[rest] = -1, int(skills[k])
            if agent_violations(problem, a, new_row, new_queues, first_only=True):
                continue
            if not pattern_ok(problem, a, new_row):
                continue
            changes = [(day, int(row[day]), int(row_queues[day]), -1),
                       (rest, int(shifts[k]), int(skills[k]), +1)]
            return _Move(int(coverage[k]), int(totals[k]), int(short[k]), new_row, new_queues,
                         changes)
        return None


def _outside_band(problem: RosterProblem, states: np.ndarray) -> np.ndarray:
    """(A,) whether each agent's weekend rest is outside its band, on the shares of
    ``states``."""
    _, target = band_targets(problem, states)
    _, rests = horizon_counts(problem, states)
    return (rests < target.low) | (rests > target.high)


def _overlaps(problem: RosterProblem) -> np.ndarray:
    """(D, S, S) whether shift ``s`` on day ``d`` and shift ``s2`` on day ``d + 1`` share an
    interval (shifts past midnight can)."""
    overlaps = np.zeros((problem.num_days, problem.num_shifts, problem.num_shifts), dtype=bool)
    for d in range(problem.num_days - 1):
        for s in range(problem.num_shifts):
            for s2 in range(problem.num_shifts):
                overlaps[d, s, s2] = bool(np.intersect1d(problem.cover[d][s],
                                                         problem.cover[d + 1][s2]).size)
    return overlaps


def _run_lengths(before: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the working days ``before`` the horizon (the previous roster's) then ``row``'s, the
    run of working days ending at each day and the run starting at each (0 on a rest day)."""
    works = np.concatenate([before, row])
    index = np.arange(len(works))
    ending = index - np.maximum.accumulate(np.where(works, -1, index))
    backwards = np.maximum.accumulate(np.where(works[::-1], -1, index))
    return ending, (index - backwards)[::-1]


def _run_through(ending: np.ndarray, starting: np.ndarray, worked: int, rest: int) -> int:
    """The run of working days through ``worked`` (a rest day now worked) once ``rest`` (a
    day worked now) is a rest day, from the row's ``_run_lengths``; both days are indices
    into them (the previous roster's days first)."""
    left = int(ending[worked - 1]) if worked > 0 else 0
    if worked - left <= rest < worked:
        left = worked - 1 - rest
    right = int(starting[worked + 1]) if worked + 1 < len(starting) else 0
    if worked < rest <= worked + right:
        right = rest - worked - 1
    return 1 + left + right


def _week_days(problem: RosterProblem, day: int) -> np.ndarray:
    """(D,) True on the horizon days of ``day``'s Monday-Sunday week."""
    first = day - problem.weekday(day)
    days = np.arange(problem.num_days)
    return (days >= first) & (days < first + 7)
