"""Local search on a legal roster: move a working day to a rest day, or change a shift's type or
queue, whenever that lowers the coverage cost (net of the agent's added switches and quick
returns) and the agent's rules still hold.

Each move touches one agent, so legality is the solver's per-agent check; the cost change is
computed exactly on the intervals the move touches. The search is limited by counted work (a
unit per agent visited and per rule check), not by the clock, so it is repeatable.
"""

from __future__ import annotations

import numpy as np

from solvers.roster.budget import WorkLimit, unlimited
from solvers.roster.legal import agent_violations
from solvers.roster.problem import OFF, UNKNOWN, RosterProblem, shortfall_cost


def _cell_cost(problem: RosterProblem, need: np.ndarray, scheduled: np.ndarray) -> np.ndarray:
    weights = problem.weights
    return (weights.coverage * shortfall_cost(np.clip(need - scheduled, 0, None))
            + weights.overstaffing * np.clip(scheduled - need, 0, None))


def marginals(problem: RosterProblem, scheduled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gain of one more agent, loss of one fewer) per day, shift type and queue."""
    add_cost, drop_cost, _, _ = step_prices(problem, scheduled)
    return -add_cost.astype(float), drop_cost.astype(float)


def step_prices(problem: RosterProblem, scheduled: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(D, S, Q) changes of the coverage cost and of the total shortfall (agent-intervals) of
    one more agent on a day's shift and queue, and of one fewer: the price of any move that
    adds and drops shifts whose intervals do not overlap is a sum of these."""
    need = problem.required
    now = _cell_cost(problem, need, scheduled)
    short = np.clip(need - scheduled, 0, None)
    cells = (_cell_cost(problem, need, scheduled + 1) - now,
             _cell_cost(problem, need, np.maximum(scheduled - 1, 0)) - now,
             np.clip(need - scheduled - 1, 0, None) - short,
             np.clip(need - scheduled + 1, 0, None) - short)
    prices = [np.zeros((problem.num_days, problem.num_shifts, problem.num_queues),
                       dtype=np.int64) for _ in cells]
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            t = problem.cover[d][s]
            for price, cell in zip(prices, cells, strict=True):
                price[d, s] = cell[t].sum(axis=0)
    add_cost, drop_cost, add_short, drop_short = prices
    return add_cost, drop_cost, add_short, drop_short


def coverage_change(problem: RosterProblem, scheduled: np.ndarray,
                    changes: list[tuple[int, int, int, int]]) -> int:
    """Coverage cost change of (day, shift, queue, +1/-1) changes."""
    return coverage_and_shortfall_change(problem, scheduled, changes)[0]


def coverage_and_shortfall_change(problem: RosterProblem, scheduled: np.ndarray,
                                  changes: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """Coverage cost change and plain shortfall change (agent-intervals) of (day, shift,
    queue, +1/-1) changes."""
    touched: dict[tuple[int, int], int] = {}
    for d, s, q, sign in changes:
        for t in problem.cover[d][s]:
            touched[int(t), q] = touched.get((int(t), q), 0) + sign
    cells = np.array(list(touched.keys()))
    steps = np.array(list(touched.values()))
    need = problem.required[cells[:, 0], cells[:, 1]]
    before = scheduled[cells[:, 0], cells[:, 1]]
    after = before + steps
    cost = int((_cell_cost(problem, need, after) - _cell_cost(problem, need, before)).sum())
    short = int((np.clip(need - after, 0, None) - np.clip(need - before, 0, None)).sum())
    return cost, short


def apply_changes(problem: RosterProblem, scheduled: np.ndarray,
                  changes: list[tuple[int, int, int, int]]) -> None:
    """Add (day, shift, queue, +1/-1) changes to ``scheduled`` (in place)."""
    for d, s, q, sign in changes:
        scheduled[problem.cover[d][s], q] += sign


def improve(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
            scheduled: np.ndarray, *, work: WorkLimit | None = None, seed: int = 0,
            tries_per_agent: int = 30) -> int:
    """Improve ``states``/``queues``/``scheduled`` in place until no move helps or ``work`` is
    spent, trying each visited agent's ``tries_per_agent`` most promising moves; returns the
    number of moves made."""
    work = work or unlimited()
    rng = np.random.default_rng(seed)
    moves = 0
    improved = True
    movable = problem.assignable
    while improved and work.left():
        improved = False
        gain, loss = marginals(problem, scheduled)
        for a in rng.permutation(problem.num_agents):
            if not work.spend():
                break
            for changes, new_states in _moves(problem, states, queues, a, gain, loss,
                                              movable[a], tries_per_agent)[:tries_per_agent]:
                if _try(problem, states, queues, scheduled, a, changes, new_states, work):
                    for d, _, _, _ in changes:
                        _refresh(problem, scheduled, gain, loss, d)
                    moves += 1
                    improved = True
                    break
    return moves



def _try(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, scheduled: np.ndarray,
         a: int, changes: list[tuple[int, int, int, int]],
         new_states: list[tuple[int, int, int]], work: WorkLimit) -> bool:
    """Apply the move when it lowers the coverage cost plus the agent's switch and quick-return
    cost (a move that buys a little coverage with a quick return is no gain) and keeps agent
    ``a`` legal."""
    coverage_delta = coverage_change(problem, scheduled, changes)
    if coverage_delta >= 0:
        return False
    work.spend()
    old_row, old_queues = states[a].copy(), queues[a].copy()
    for d, s, q in new_states:
        states[a, d], queues[a, d] = s, q
    transitions = _transition_cost(problem, a, states[a]) - _transition_cost(problem, a, old_row)
    if coverage_delta + transitions >= 0 or agent_violations(problem, a, states[a],
                                                             first_only=True):
        states[a], queues[a] = old_row, old_queues
        return False
    apply_changes(problem, scheduled, changes)
    return True


def _transition_cost(problem: RosterProblem, a: int, row: np.ndarray) -> int:
    """Weighted shift-type switches and quick returns along agent ``a``'s ``row`` (with the
    previous roster's last day), as ``report.evaluate`` prices them."""
    last = problem.previous[a, -1:] if problem.num_previous else np.array([UNKNOWN])
    before = np.concatenate([last, row[:-1]])
    working = row >= 0
    changed = (before >= 0) & working & (problem.hours_key(before) != problem.hours_key(row))
    start = problem.shift_start
    backward = changed & (start[np.clip(row, 0, None)] < start[np.clip(before, 0, None)])
    weights = problem.weights
    return int(weights.switches * (changed & ~backward).sum()
               + weights.quick_returns * backward.sum())


def _refresh(problem: RosterProblem, scheduled: np.ndarray, gain: np.ndarray, loss: np.ndarray,
             d: int) -> None:
    for s in range(problem.num_shifts):
        t = problem.cover[d][s]
        need, now = problem.required[t], scheduled[t]
        cost = _cell_cost(problem, need, now)
        gain[d, s] = (cost - _cell_cost(problem, need, now + 1)).sum(axis=0)
        loss[d, s] = (_cell_cost(problem, need, np.maximum(now - 1, 0)) - cost).sum(axis=0)


def _moves(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, a: int,
           gain: np.ndarray, loss: np.ndarray, movable: np.ndarray, tries: int
           ) -> list[tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int]]]]:
    """The agent's promising moves by marginal values, best first: change a shift's type or
    queue, or move a working day to one of its ``tries`` most valuable rest days."""
    skills = list(problem.skills[a])
    if not skills:
        return []
    row = states[a]
    found: list[tuple[float, list[tuple[int, int, int, int]], list[tuple[int, int, int]]]] = []
    flat = gain[:, :, skills].reshape(problem.num_days, -1)
    best_add = flat.max(axis=1)
    best_pick = flat.argmax(axis=1)
    rest_days = np.flatnonzero((row == OFF) & movable)
    ranked_rest = rest_days[np.argsort(-best_add[rest_days])][:tries]
    for d1 in map(int, np.flatnonzero((row >= 0) & movable)):
        s1, q1 = int(row[d1]), int(queues[a, d1])
        removed = loss[d1, s1, q1]
        for s2 in range(problem.num_shifts):
            for q2 in skills:
                value = gain[d1, s2, q2] - removed
                if (s2, q2) != (s1, q1) and value > 0:
                    found.append((value, [(d1, s1, q1, -1), (d1, s2, q2, +1)], [(d1, s2, q2)]))
        for d2 in map(int, ranked_rest):
            value = best_add[d2] - removed
            if value <= 0:
                break
            s2, k = divmod(int(best_pick[d2]), len(skills))
            found.append((value, [(d1, s1, q1, -1), (d2, s2, skills[k], +1)],
                          [(d1, OFF, -1), (d2, s2, skills[k])]))
    found.sort(key=lambda item: -item[0])
    return [(changes, new_states) for _, changes, new_states in found]
