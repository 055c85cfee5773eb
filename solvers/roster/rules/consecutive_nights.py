"""Consecutive nights (``max_consecutive_nights``; 0 = off): at most ``max_consecutive_nights``
night shifts on consecutive days, counting the previous roster's tail. A rest day or a day
shift breaks the run.

Encoded as caps: in every window of ``max_consecutive_nights + 1`` days whose previous-roster
days are all nights, not every horizon day is a night. The sums over a group of agents are a
valid relaxation, so the aggregate model keeps them too.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import (
    Cap,
    HardRule,
    Lookahead,
    is_night,
    night_shifts,
    violation,
    with_tail,
)
from solvers.roster.variables import WorkVars, shift_work
from wfm.errors import Violation


def night_run_caps(problem: RosterProblem, a: int) -> list[Cap]:
    """(horizon days of a window of ``max_consecutive_nights + 1`` days, most nights there):
    one fewer than its horizon days when the window's previous days are all nights (a window
    with another day before the horizon cannot fill with nights: no limit below its length)."""
    limit = problem.max_consecutive_nights
    caps = []
    for start in range(-limit, problem.num_days - limit):
        days = range(start, start + limit + 1)
        inside = tuple(d for d in days if d >= 0)
        all_nights = all(is_night(problem, problem.state_on(a, d)) for d in days if d < 0)
        caps.append(Cap(inside, len(inside) - 1 if all_nights else len(inside)))
    return caps


def add_max_consecutive_nights(model: cp_model.CpModel, work: WorkVars,
                               problem: RosterProblem) -> None:
    """At most ``max_consecutive_nights`` nights in a row (with the previous roster's tail)."""
    nights = night_shifts(problem)
    for a in range(problem.num_agents):
        for days, most in night_run_caps(problem, a):
            if len(days) > most:
                model.add(sum(shift_work(work, problem, a, d, s) for d in days for s in nights)
                          <= most)


def night_run_violations(problem: RosterProblem, a: int, states: np.ndarray,
                         queues: np.ndarray | None) -> Iterator[Violation]:
    """One violation per run of nights over the limit, on its first horizon day over it."""
    full = with_tail(problem, a, states)
    offset, limit, run = problem.num_previous, problem.max_consecutive_nights, 0
    for i in range(len(full)):
        run = run + 1 if is_night(problem, int(full[i])) else 0
        if run > limit and (run == limit + 1 or i == offset) and i >= offset:
            yield violation(problem, "max_consecutive_nights", a, i - offset,
                            f"{run} night shifts in a row so far (max {limit})")


def may_take_night(view: Lookahead, a: int, d: int, s: int) -> bool:
    """A night keeps the run (nights decided before ``d``, pinned nights after) in the limit."""
    problem = view.problem
    if not problem.night[s]:
        return True
    run = 1
    e = d - 1
    while is_night(problem, view.state(a, e)):
        run, e = run + 1, e - 1
    e = d + 1
    while e < problem.num_days and is_night(problem, int(problem.fixed_shift[a, e])):
        run, e = run + 1, e + 1
    return run <= problem.max_consecutive_nights


RULE = HardRule(codes=("max_consecutive_nights",), add_constraints=add_max_consecutive_nights,
                violations=night_run_violations, may_take=may_take_night,
                caps=night_run_caps, cap_kind="nights", cap_order=2,
                applies=lambda problem: problem.max_consecutive_nights > 0)
