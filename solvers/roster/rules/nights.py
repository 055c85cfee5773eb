"""Nights per week (``max_nights_per_week``): no more night shifts in a Monday-Sunday week than
the agent's cap (agents table; -1: none), the previous roster's nights of the first week
counting. A week is broken only when the horizon adds a night to it (the previous roster alone
is context, as in the checker)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import (
    Cap,
    HardRule,
    Lookahead,
    calendar_weeks,
    is_night,
    night_shifts,
    violation,
)
from solvers.roster.variables import WorkVars, shift_work
from wfm.errors import Violation


def agent_night_caps(problem: RosterProblem, a: int) -> list[Cap]:
    """(horizon days of a week, most night shifts agent ``a`` can work in them)."""
    cap = int(problem.max_nights[a])
    if cap < 0:
        return []
    out = []
    for days in calendar_weeks(problem):
        inside = tuple(d for d in days if 0 <= d < problem.num_days)
        before = sum(1 for d in days if d < 0 and is_night(problem, problem.state_on(a, d)))
        out.append(Cap(inside, max(0, cap - before)))
    return out


def add_max_nights_per_week(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                            ) -> None:
    """An agent's ``max_nights_per_week`` in every Monday-Sunday week (with the previous tail)."""
    nights = night_shifts(problem)
    for a in range(problem.num_agents):
        for days, cap in agent_night_caps(problem, a):
            model.add(sum(shift_work(work, problem, a, d, s) for d in days for s in nights)
                      <= cap)


def nights_violations(problem: RosterProblem, a: int, states: np.ndarray,
                      queues: np.ndarray | None) -> Iterator[Violation]:
    cap = int(problem.max_nights[a])
    if cap < 0:
        return
    for days in calendar_weeks(problem):
        inside = [d for d in days if 0 <= d < problem.num_days]
        added = sum(1 for d in inside if is_night(problem, int(states[d])))
        before = sum(1 for d in days if d < 0 and is_night(problem, problem.state_on(a, d)))
        if added and added + before > cap:
            yield violation(problem, "max_nights_per_week", a, inside[-1],
                            f"{added + before} night shifts in the week (max {cap})")


def may_take_night(view: Lookahead, a: int, d: int, s: int) -> bool:
    """A night fits the week's cap with the nights decided and pinned in the same week."""
    problem = view.problem
    cap = int(problem.max_nights[a])
    if cap < 0 or not problem.night[s]:
        return True
    monday = d - problem.weekday(d)
    nights = 0
    for e in range(monday, monday + 7):
        value = view.state(a, e) if e != d else -1
        if d < e < problem.num_days and value < 0:
            value = int(problem.fixed_shift[a, e])
        nights += is_night(problem, value)
    return nights + 1 <= cap


RULE = HardRule(codes=("max_nights_per_week",), add_constraints=add_max_nights_per_week,
                violations=nights_violations, may_take=may_take_night,
                caps=agent_night_caps, cap_kind="nights",
                applies=lambda problem: bool((problem.max_nights >= 0).any()))
