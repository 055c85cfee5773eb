"""Rest between shifts (``min_rest_hours``): at least ``min_rest_hours`` between the end of one
shift and the start of the next, across days off and the previous roster's tail (wall-clock
minutes; the checker's real-time rest differs only across a daylight-saving change)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import HardRule, Lookahead, violation, with_tail
from solvers.roster.variables import WorkVars, shift_work
from wfm.errors import Violation


def add_min_rest_between_shifts(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                                ) -> None:
    """No pair of shifts (this roster or the previous one's tail) closer than the minimum rest."""
    span = problem.rest_span_days
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            for s in range(problem.num_shifts):
                this = shift_work(work, problem, a, d, s)
                for k in range(1, span + 1):
                    before = problem.state_on(a, d - k) if d - k < 0 else None
                    if before is not None and before >= 0 and problem.forbidden_gap(before, s, k):
                        model.add(this == 0)
                    if d + k >= problem.num_days:
                        continue
                    for s_after in range(problem.num_shifts):
                        if problem.forbidden_gap(s, s_after, k):
                            model.add(this + shift_work(work, problem, a, d + k, s_after) <= 1)


def rest_violations(problem: RosterProblem, a: int, states: np.ndarray,
                    queues: np.ndarray | None) -> Iterator[Violation]:
    full = with_tail(problem, a, states)
    working = full >= 0
    offset, codes = problem.num_previous, problem.shift_codes
    for i in np.flatnonzero(working).tolist():
        for k in range(1, problem.rest_span_days + 1):
            j = i + k
            if j < len(full) and working[j] and j >= offset and problem.forbidden_gap(
                    int(full[i]), int(full[j]), k):
                yield violation(problem, "min_rest_hours", a, j - offset,
                                f"{codes[int(full[j])]} starts less than "
                                f"{problem.min_rest_minutes / 60:g} h after the "
                                f"{codes[int(full[i])]} shift {k} day(s) before ends")


def rows_rest_enough(problem: RosterProblem, a: int, rows: np.ndarray) -> np.ndarray:
    """(N,) whether each candidate horizon row (N, D) of agent ``a`` keeps the minimum rest
    between shifts, the previous roster's tail included: the same test as
    ``rest_violations``, vectorised over rows for the fairness trades' cheap filter."""
    ok = np.ones(len(rows), dtype=bool)
    if not problem.forbidden_gaps.any():
        return ok
    full = np.concatenate([np.repeat(problem.previous[a][None, :], len(rows), axis=0), rows],
                          axis=1)
    working = full >= 0
    shift = np.clip(full, 0, None)
    offset = problem.num_previous
    for k, table in enumerate(problem.forbidden_gaps, start=1):
        if not table.any() or full.shape[1] <= k:
            continue
        before, after = slice(0, full.shape[1] - k), slice(k, full.shape[1])
        broken = working[:, before] & working[:, after] & table[shift[:, before],
                                                                shift[:, after]]
        ok &= ~broken[:, max(0, offset - k):].any(axis=1)
    return ok


def may_rest_enough(view: Lookahead, a: int, d: int, s: int) -> bool:
    """Enough rest after the shifts decided before ``d`` and before the pinned ones after."""
    problem = view.problem
    for k in range(1, problem.rest_span_days + 1):
        before = view.state(a, d - k)
        if before >= 0 and problem.forbidden_gap(before, s, k):
            return False
        if d + k < problem.num_days:
            after = int(view.states[a, d + k])
            if after < 0:
                after = int(problem.fixed_shift[a, d + k])
            if after >= 0 and problem.forbidden_gap(s, after, k):
                return False
    return True


RULE = HardRule(codes=("min_rest_hours",), add_constraints=add_min_rest_between_shifts,
                violations=rest_violations, may_take=may_rest_enough,
                rows_keep=rows_rest_enough)
