"""Local search on a legal roster: move a working day to a rest day, or change a shift's type or
queue, whenever that lowers the coverage cost and the agent's rules still hold.

Each move touches one agent, so legality is the solver's per-agent check; the cost change is
computed exactly on the intervals the move touches.
"""

from __future__ import annotations

import time

import numpy as np

from solvers.roster.legal import agent_violations
from solvers.roster.problem import OFF, UNKNOWN, RosterProblem, shortfall_cost


def _cell_cost(problem: RosterProblem, need: np.ndarray, scheduled: np.ndarray) -> np.ndarray:
    weights = problem.weights
    return (weights.coverage * shortfall_cost(np.clip(need - scheduled, 0, None))
            + weights.overstaffing * np.clip(scheduled - need, 0, None))


def _marginals(problem: RosterProblem, scheduled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gain of one more agent, loss of one fewer) per day, shift type and queue."""
    need = problem.required
    now = _cell_cost(problem, need, scheduled)
    plus = now - _cell_cost(problem, need, scheduled + 1)
    minus = _cell_cost(problem, need, np.maximum(scheduled - 1, 0)) - now
    gain = np.zeros((problem.num_days, problem.num_shifts, problem.num_queues))
    loss = np.zeros_like(gain)
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            t = problem.cover[d][s]
            gain[d, s] = plus[t].sum(axis=0)
            loss[d, s] = minus[t].sum(axis=0)
    return gain, loss


def _exact_delta(problem: RosterProblem, scheduled: np.ndarray,
                 changes: list[tuple[int, int, int, int]]) -> int:
    """Coverage cost change of (day, shift, queue, +1/-1) changes."""
    touched: dict[tuple[int, int], int] = {}
    for d, s, q, sign in changes:
        for t in problem.cover[d][s]:
            touched[int(t), q] = touched.get((int(t), q), 0) + sign
    cells = np.array(list(touched.keys()))
    steps = np.array(list(touched.values()))
    need = problem.required[cells[:, 0], cells[:, 1]]
    before = scheduled[cells[:, 0], cells[:, 1]]
    return int((_cell_cost(problem, need, before + steps) - _cell_cost(problem, need, before))
               .sum())


def _apply(problem: RosterProblem, scheduled: np.ndarray,
           changes: list[tuple[int, int, int, int]]) -> None:
    for d, s, q, sign in changes:
        scheduled[problem.cover[d][s], q] += sign


def improve(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
            scheduled: np.ndarray, *, deadline: float, seed: int = 0) -> int:
    """Improve ``states``/``queues``/``scheduled`` in place until no move helps or time is up;
    returns the number of moves made."""
    rng = np.random.default_rng(seed)
    moves = 0
    improved = True
    movable = (problem.forced == UNKNOWN) & (problem.fixed_shift == UNKNOWN)
    while improved and time.monotonic() < deadline:
        improved = False
        gain, loss = _marginals(problem, scheduled)
        for a in rng.permutation(problem.num_agents):
            if time.monotonic() > deadline:
                break
            change = _best_move(problem, states, queues, a, gain, loss, movable[a])
            if change is None:
                continue
            old_row, old_queues = states[a].copy(), queues[a].copy()
            changes, new_states = change
            if _exact_delta(problem, scheduled, changes) >= 0:
                continue
            for d, s, q in new_states:
                states[a, d], queues[a, d] = s, q
            if agent_violations(problem, a, states[a], first_only=True):
                states[a], queues[a] = old_row, old_queues
                continue
            _apply(problem, scheduled, changes)
            for d, _, _, _ in changes:
                for s in range(problem.num_shifts):
                    t = problem.cover[d][s]
                    need, now = problem.required[t], scheduled[t]
                    cost = _cell_cost(problem, need, now)
                    gain[d, s] = (cost - _cell_cost(problem, need, now + 1)).sum(axis=0)
                    loss[d, s] = (_cell_cost(problem, need, np.maximum(now - 1, 0))
                                  - cost).sum(axis=0)
            moves += 1
            improved = True
    return moves


def _best_move(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, a: int,
               gain: np.ndarray, loss: np.ndarray, movable: np.ndarray):
    """The agent's most promising move by marginal values, or None."""
    skills = list(problem.skills[a])
    if not skills:
        return None
    row = states[a]
    best_value, best = 0.0, None
    own = gain[:, :, skills]  # (D, S, Qa)
    flat = own.reshape(problem.num_days, -1)
    best_add = flat.max(axis=1)
    best_pick = flat.argmax(axis=1)
    rest_days = np.flatnonzero((row == OFF) & movable)
    work_days = np.flatnonzero((row >= 0) & movable)
    for d1 in map(int, work_days):
        s1, q1 = int(row[d1]), int(queues[a, d1])
        removed = loss[d1, s1, q1]
        # change the shift type or queue on the same day
        for s2 in range(problem.num_shifts):
            for q2 in skills:
                if (s2, q2) != (s1, q1):
                    value = gain[d1, s2, q2] - removed
                    if value > best_value:
                        best_value = value
                        best = ([(d1, s1, q1, -1), (d1, s2, q2, +1)], [(d1, s2, q2)])
        # move the working day to a rest day
        if len(rest_days):
            d2 = int(rest_days[np.argmax(best_add[rest_days])])
            value = best_add[d2] - removed
            if value > best_value:
                s2, k = divmod(int(best_pick[d2]), len(skills))
                q2 = skills[k]
                best_value = value
                best = ([(d1, s1, q1, -1), (d2, s2, q2, +1)], [(d1, OFF, -1), (d2, s2, q2)])
    return best
