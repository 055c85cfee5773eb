"""The weekly-blocks night pattern in the solver: a Monday-Sunday week is all nights or all
day shifts for each agent, and a rest day separates a night from a day shift. The CP-SAT
constraint for re-solves and the per-row check for trades."""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.variables import WorkVars, shift_work


def add_weekly_blocks(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem) -> None:
    """Every Monday-Sunday week (with the previous roster's days of a week that starts before
    the horizon) is all nights or all non-night shifts for each agent, and no night is followed
    by a day shift the next day (so the change of block rests first: no quick returns)."""
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


def block_ok(problem: RosterProblem, a: int, row: np.ndarray) -> bool:
    """Whether agent ``a``'s horizon ``row`` keeps the weekly blocks: no Monday-Sunday week
    mixes nights and day shifts (counting the previous roster's days of the first week), and
    no night is followed by a day shift the next day."""
    full = np.concatenate([problem.previous[a], row])
    working = full >= 0
    night = working & problem.night[np.clip(full, 0, None)]
    day = working & ~night
    if (night[:-1] & day[1:])[problem.num_previous - 1:].any():
        return False
    start = problem.num_previous - problem.dates[0].weekday()
    for monday in range(max(start, 0), len(full), 7):
        week = slice(monday, monday + 7)
        if monday + 7 > problem.num_previous and night[week].any() and day[week].any():
            return False
    return True
