"""Consecutive working days (``max_consecutive_days``): at most ``max_consecutive_days``
working days in a row, counting the previous roster's tail.

Encoded as caps: in every window of ``max_consecutive_days + 1`` days at most
``max_consecutive_days`` are worked (the previous roster's working days in the window count).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import Cap, HardRule, Lookahead, violation, with_tail
from solvers.roster.variables import WorkVars, day_work
from wfm.errors import Violation


def window_caps(problem: RosterProblem, a: int) -> list[Cap]:
    """(horizon days of a window of ``max_consecutive_days + 1`` days, most working days there),
    counting the previous roster's working days inside the window."""
    caps = []
    limit = problem.max_consecutive_days
    for start in range(-limit, problem.num_days - limit):
        days = range(start, start + limit + 1)
        inside = tuple(d for d in days if 0 <= d < problem.num_days)
        worked = sum(1 for d in days if d < 0 and problem.state_on(a, d) >= 0)
        caps.append(Cap(inside, max(0, limit - worked)))
    return caps


def add_working_day_caps(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem,
                         caps: list[Cap], a: int) -> None:
    """At most ``most`` working days among ``days`` for each cap (a cap the days cannot
    exceed adds no constraint)."""
    for days, most in caps:
        if len(days) > most:
            model.add(sum(day_work(work, problem, a, d) for d in days) <= most)


def add_max_consecutive_days(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                             ) -> None:
    """At most ``max_consecutive_days`` working days in any window of one more day, counting
    the previous roster's working days inside the window."""
    for a in range(problem.num_agents):
        add_working_day_caps(model, work, problem, window_caps(problem, a), a)


def consecutive_violations(problem: RosterProblem, a: int, states: np.ndarray,
                           queues: np.ndarray | None) -> Iterator[Violation]:
    limit = problem.max_consecutive_days
    horizon = (states >= 0).tobytes()
    leading = horizon.find(b"\x00")  # working days the horizon starts with
    if (int(problem.entering_runs[a]) + (len(horizon) if leading < 0 else leading) <= limit
            and horizon.find(b"\x01" * (limit + 1)) < 0):
        return  # no run past the limit, entering or inside (the common case, found in C)
    working = with_tail(problem, a, states) >= 0
    offset, run = problem.num_previous, 0
    for i in range(len(working)):
        run = run + 1 if working[i] else 0
        if run > limit and i >= offset:
            yield violation(problem, "max_consecutive_days", a, i - offset,
                            f"{run} working days in a row (max {limit})")


def rows_within_run(problem: RosterProblem, a: int, rows: np.ndarray) -> np.ndarray:
    """(N,) whether each candidate horizon row (N, D) of agent ``a`` keeps the run limit, the
    previous roster's tail counted: ``consecutive_violations``' test, vectorised over rows."""
    tail = np.repeat(problem.previous[a][None, :], len(rows), axis=0)
    working = np.concatenate([tail, rows], axis=1) >= 0
    worked = np.cumsum(working, axis=1)  # run length = worked days since the last rest
    last_rest = np.maximum.accumulate(np.where(working, 0, worked), axis=1)
    longest: np.ndarray = (worked - last_rest)[:, problem.num_previous:].max(axis=1, initial=0)
    return longest <= problem.max_consecutive_days


def may_work_in_a_row(view: Lookahead, a: int, d: int, s: int) -> bool:
    """The run so far, this day and the pinned shifts straight after stay within the limit."""
    run = int(view.run[a]) + 1 + int(view.fixed_run_after[a, d + 1])
    return run <= view.problem.max_consecutive_days


RULE = HardRule(codes=("max_consecutive_days",), add_constraints=add_max_consecutive_days,
                violations=consecutive_violations, may_take=may_work_in_a_row,
                rows_keep=rows_within_run, caps=window_caps, cap_order=1)
