"""Weekly night blocks (``weekly_blocks``, with ``[roster] night_pattern = "weekly_blocks"``):
a Monday-Sunday week is all nights or all day shifts for each agent (the previous roster's days
of a week that starts before the horizon count), and no night is followed by a day shift the
next day, so a change of block rests first.

A pattern rule: the coverage stages plan a mixed roster and the fairness stage re-solves it
into blocks, keeping them in its trades (see ``HardRule.pattern``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import HardRule, violation, with_tail
from solvers.roster.variables import WorkVars, shift_work
from wfm.errors import Violation


def add_weekly_blocks(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem) -> None:
    """Every week all nights or all day shifts per agent, and no day shift straight after a
    night. A week the previous roster already mixes is left free: no roster mends it."""
    first = -problem.dates[0].weekday()
    for a in range(problem.num_agents):
        for monday in range(first, problem.num_days, 7):
            days = range(max(0, monday), min(problem.num_days, monday + 7))
            before = [problem.state_on(a, d) for d in range(monday, 0)]
            kinds = {bool(problem.night[s]) for s in before if s >= 0}
            night_week = model.new_bool_var(f"night_week(a={a},monday={monday})")
            if kinds == {True}:
                model.add(night_week == 1)
            elif kinds == {False}:
                model.add(night_week == 0)
            elif kinds:
                continue  # the previous roster already mixes this week: nothing to keep
            for d in days:
                for s in range(problem.num_shifts):
                    if problem.night[s]:
                        model.add(shift_work(work, problem, a, d, s) <= night_week)
                    else:
                        model.add(shift_work(work, problem, a, d, s) <= 1 - night_week)
        # a change from a night week to a day week passes through a rest day
        nights = [s for s in range(problem.num_shifts) if problem.night[s]]
        days_ = [s for s in range(problem.num_shifts) if not problem.night[s]]
        for d in range(problem.num_days):
            after = sum(shift_work(work, problem, a, d, s) for s in days_)
            if d == 0:
                last = problem.state_on(a, -1)
                if last >= 0 and problem.night[last]:
                    model.add(after == 0)
                continue
            model.add(sum(shift_work(work, problem, a, d - 1, s) for s in nights) + after <= 1)


def block_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None) -> Iterator[Violation]:
    """Day shifts straight after a night, then weeks mixing nights and day shifts."""
    full = with_tail(problem, a, states)
    offset = problem.num_previous
    working = full >= 0
    night = working & problem.night[np.clip(full, 0, None)]
    day = working & ~night
    for j in (np.flatnonzero(night[:-1] & day[1:]) + 1).tolist():
        if j >= offset:
            yield violation(problem, "weekly_blocks", a, j - offset,
                            "a day shift straight after a night shift")
    start = offset - problem.dates[0].weekday()
    for monday in range(max(start, 0), len(full), 7):
        week = slice(monday, monday + 7)
        if monday + 7 > offset and night[week].any() and day[week].any():
            yield violation(problem, "weekly_blocks", a, max(monday - offset, 0),
                            "nights and day shifts in one week")


RULE = HardRule(codes=("weekly_blocks",), add_constraints=add_weekly_blocks,
                violations=block_violations, pattern=True,
                applies=lambda problem: problem.config.roster.night_pattern == "weekly_blocks")
