"""Weekend rest released at a coverage price: the fairness stage's last step.

With one rest day a week and a run limit, a rest day only moves earlier from one week to the
next, so a team's weekend rest stays with the agents who rested at the previous weekend (the
planner guide's "known limit"); when no exchange with a team-mate is left, an agent above its
weekend-rest band can only come back by working one of its weekend rest days and resting on a
weekday of the same week instead. The weekly rest stays, and the run before the new rest day
shortens, but the run after it lengthens by as many days: in the plan's last week nothing
follows, earlier the agent's next rest must come soon enough, which the rule check decides.
Such a move changes coverage: the only step
after the coverage stages that does besides the class-pattern model, so the two together give
up at most ``[roster] coverage_tolerance`` of the coverage cost the stage started from (what
the pattern model used is not given again), cheapest moves first.

A move keeps the shift's night or day kind (the nights count stays) and its queue or another
of the agent's skills, and is kept only when the agent's rules (``legal.agent_violations``)
and night pattern hold.
"""

from __future__ import annotations

import heapq

import numpy as np

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import WorkLimit
from solvers.roster.fair_share import Target
from solvers.roster.improve import apply_changes, coverage_change
from solvers.roster.legal import agent_violations, pattern_ok
from solvers.roster.problem import OFF, UNKNOWN, RosterProblem, available
from solvers.roster.row_costs import RowCosts


def release_weekend_rest(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                         rest_target: Target, costs: RowCosts, *, allowance: float,
                         work: WorkLimit) -> int:
    """Bring agents above their weekend-rest band back one weekend rest day at a time, the
    cheapest move of any such agent first, while the coverage cost they add stays within
    ``allowance`` (in place); the number of days moved."""
    scheduled = scheduled_counts(problem, states, queues)
    weekday = np.array([problem.weekday(d) for d in range(problem.num_days)])
    movable = (problem.forced == UNKNOWN) & available(problem)
    rests = (costs.weekend_free & (states == OFF)).sum(axis=1)
    heap = []
    for a in np.flatnonzero(rests > rest_target.high).tolist():
        move = _cheapest_move(problem, states, queues, scheduled, costs, movable, a, weekday,
                              work)
        if move is not None:
            heap.append((move[0], a))
    heapq.heapify(heap)
    moved = 0
    while heap and work.left():
        _, a = heapq.heappop(heap)
        # lazy greedy: re-price the cheapest (the moves made since may have changed it) and
        # make it only while it is still no dearer than the next one
        move = _cheapest_move(problem, states, queues, scheduled, costs, movable, a, weekday,
                              work)
        if move is None:
            continue
        if heap and move[0] > heap[0][0]:
            heapq.heappush(heap, (move[0], a))
            continue
        spent, row, row_queues, changes = move
        if spent > allowance:
            break
        allowance -= max(spent, 0)
        states[a], queues[a] = row, row_queues
        apply_changes(problem, scheduled, changes)
        rests[a] -= 1
        moved += 1
        if rests[a] > rest_target.high[a]:
            heapq.heappush(heap, (spent, a))
    return moved


def _cheapest_move(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                   scheduled: np.ndarray, costs: RowCosts, movable: np.ndarray, a: int,
                   weekday: np.ndarray, work: WorkLimit
                   ) -> tuple[int, np.ndarray, np.ndarray, list] | None:
    """The legal move of one of ``a``'s weekend rest days to a working weekday of its week
    with the least coverage cost plus change of the row's own cost (``RowCosts``): its
    coverage cost, new row and queues, and the changes, or None."""
    row, row_queues = states[a], queues[a]
    deltas: list[int] = []
    rows: list[np.ndarray] = []
    row_queues_of: list[np.ndarray] = []
    changes_of: list[list] = []
    for rest in np.flatnonzero((weekday >= 5) & (row == OFF) & movable[a]).tolist():
        week = np.flatnonzero(_week_days(problem, rest))
        for day in week[(weekday[week] < 5) & (row[week] >= 0) & movable[a, week]].tolist():
            shift, queue = int(row[day]), int(row_queues[day])
            for s in range(problem.num_shifts):
                if problem.night[s] != problem.night[shift]:
                    continue
                for q in problem.skills[a]:
                    changes = [(day, shift, queue, -1), (rest, s, q, +1)]
                    new_row, new_queues = row.copy(), row_queues.copy()
                    new_row[day], new_queues[day] = OFF, -1
                    new_row[rest], new_queues[rest] = s, q
                    deltas.append(coverage_change(problem, scheduled, changes))
                    rows.append(new_row)
                    row_queues_of.append(new_queues)
                    changes_of.append(changes)
    if not rows:
        return None
    here = costs.rows(a, row[None, :])[0]
    total = np.array(deltas) + (costs.rows(a, np.array(rows)) - here)
    for k in np.argsort(total, kind="stable").tolist():
        if not work.spend():
            return None
        if agent_violations(problem, a, rows[k], row_queues_of[k], first_only=True):
            continue
        if not pattern_ok(problem, a, rows[k]):
            continue
        return deltas[k], rows[k], row_queues_of[k], changes_of[k]
    return None


def _week_days(problem: RosterProblem, day: int) -> np.ndarray:
    """(D,) True on the horizon days of ``day``'s Monday-Sunday week."""
    first = day - problem.weekday(day)
    days = np.arange(problem.num_days)
    return (days >= first) & (days < first + 7)
