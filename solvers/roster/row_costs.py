"""The cost of one agent's roster row in the fairness stage, vectorised over candidate rows.

Shared by every step that compares rows of one agent: the pair trades (``exchange.py``), the
rest exchanges (``rest_exchange.py``), the class-pattern model and the team re-solves.
"""

from __future__ import annotations

import numpy as np

from solvers.roster.fair_share import Target, deviation_cost
from solvers.roster.problem import UNKNOWN, RosterProblem, available
from solvers.roster.settings import DEFAULT_SETTINGS, Costs


class RowCosts:
    """Per-agent cost of a roster row (see the module docstring), vectorised over candidates,
    at the ``[roster] weights`` and the fairness stage's ``costs``."""

    def __init__(self, problem: RosterProblem, night_target: Target, rest_target: Target,
                 costs: Costs = DEFAULT_SETTINGS.costs) -> None:
        self.problem, self.costs = problem, costs
        self.night_target, self.rest_target = night_target, rest_target
        weekend = np.array([problem.weekday(d) >= 5 for d in range(problem.num_days)])
        self.weekend_free = available(problem) & weekend[None, :]
        weekday = np.array([problem.weekday(d) for d in range(problem.num_days)])
        self.preferred = problem.preferred_rest[:, weekday] & (problem.forced == UNKNOWN)
        weights = problem.weights
        self.switch_weight = weights.switches
        self.quick_weight = weights.quick_returns * costs.quick_return_factor
        self.start = problem.shift_start
        self.key = problem.shift_start * 100_000 + problem.shift_end

    def rows_of(self, members: list[int], states: np.ndarray) -> np.ndarray:
        """Each member's cost of its current row."""
        agents = np.asarray(members, dtype=np.int64)
        return self.rows_for(agents, states[agents]).astype(float)

    def rows(self, a: int, rows: np.ndarray) -> np.ndarray:
        """Cost of each candidate row (N, D) for agent ``a``."""
        return self.rows_for(np.full(len(rows), a, dtype=np.int64), rows)

    def rows_for(self, agents: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cost of each row (N, D) for its own agent ``agents[i]``."""
        problem, weights = self.problem, self.problem.weights
        working = rows >= 0
        shift = np.maximum(rows, 0)
        nights = (working & problem.night[shift]).sum(axis=1)
        rests = (self.weekend_free[agents] & ~working).sum(axis=1)
        chosen = agents.tolist()
        cost = deviation_cost(nights, self.night_target.take(chosen),
                              weights.fair_share_nights, self.costs)
        cost = cost + deviation_cost(rests, self.rest_target.take(chosen),
                                     weights.fair_share_weekend, self.costs)
        changed, backward = self._changes(agents, rows)
        cost = cost + self.switch_weight * (changed & ~backward).sum(axis=1)
        cost = cost + self.quick_weight * backward.sum(axis=1)
        return cost + weights.preferences * (self.preferred[agents] & working).sum(axis=1)

    def quick_returns(self, a: int, rows: np.ndarray) -> np.ndarray:
        """Quick returns (a shift starting earlier than the day before's) of each candidate
        row (N, D) for agent ``a``, the previous roster's last day counted."""
        return self._changes(np.full(len(rows), a, dtype=np.int64), rows)[1].sum(axis=1)

    def _changes(self, agents: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, D) where each row (of its agent ``agents[i]``) changes shift hours from the day
        before, and where that change is backward (a quick return)."""
        problem = self.problem
        working = rows >= 0
        shift = np.maximum(rows, 0)
        last = (problem.previous[agents, -1][:, None].astype(np.int64) if problem.num_previous
                else np.full((len(rows), 1), UNKNOWN))
        before = np.concatenate([last, rows[:, :-1]], axis=1)
        before_shift = np.maximum(before, 0)
        changed = (before >= 0) & working & (self.key[before_shift] != self.key[shift])
        return changed, changed & (self.start[shift] < self.start[before_shift])
