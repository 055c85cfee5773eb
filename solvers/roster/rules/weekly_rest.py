"""Rest days per week (``min_rest_days_per_week``): at least ``min_rest_days_per_week`` rest
days (OFF or LEAVE) in each fully known Monday-Sunday week, the previous roster's days of the
first week counting. Encoded as caps on the working days of each such week."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import Cap, HardRule, Lookahead, violation, with_tail
from solvers.roster.rules.consecutive import add_working_day_caps
from solvers.roster.variables import WorkVars
from wfm.errors import Violation


def owed_rest(problem: RosterProblem, a: int) -> list[tuple[list[int], int]]:
    """(horizon days, rest days still owed there) for each fully known week of agent ``a``:
    the rule's minimum less the previous roster's rest days in that week."""
    need = problem.min_rest_days_per_week
    owed = []
    for inside, before in problem.weeks():
        if problem.week_known(a, before):
            rest_before = sum(1 for d in before if problem.state_on(a, d) < 0)
            owed.append((inside, max(0, need - rest_before)))
    return owed


def week_caps(problem: RosterProblem, a: int) -> list[Cap]:
    """(horizon days of a fully known week, most working days there) for agent ``a``."""
    return [Cap(tuple(inside), max(0, len(inside) - owed))
            for inside, owed in owed_rest(problem, a)]


def add_min_rest_days_per_week(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                               ) -> None:
    """At least ``min_rest_days_per_week`` rest days in each fully known Monday-Sunday week
    (rest days of the previous roster in that week count)."""
    for a in range(problem.num_agents):
        add_working_day_caps(model, work, problem, week_caps(problem, a), a)


def weekly_rest_violations(problem: RosterProblem, a: int, states: np.ndarray,
                           queues: np.ndarray | None) -> Iterator[Violation]:
    working = with_tail(problem, a, states) >= 0
    offset, need = problem.num_previous, problem.min_rest_days_per_week
    for inside, before in problem.weeks():
        if not problem.week_known(a, before):
            continue
        rest = int(np.sum(~working[[offset + d for d in (*before, *inside)]]))
        if rest < need:
            yield violation(problem, "min_rest_days_per_week", a, inside[-1],
                            f"{rest} rest day(s) in the week ending "
                            f"{problem.dates[inside[-1]]} (min {need})")


def rows_rest_weekly(problem: RosterProblem, a: int, rows: np.ndarray) -> np.ndarray:
    """(N,) whether each candidate horizon row (N, D) of agent ``a`` has its rest days in every
    fully known week, the previous roster's days of the first week counting:
    ``weekly_rest_violations``' test, vectorised over rows."""
    ok = np.ones(len(rows), dtype=bool)
    for inside, owed in owed_rest(problem, a):
        ok &= (rows[:, inside] < 0).sum(axis=1) >= owed
    return ok


def may_work_this_week(view: Lookahead, a: int, d: int, s: int) -> bool:
    """The free days left in the week can still give the rest days it owes."""
    owed, free = view.week_slack(a, d)
    return owed <= free


RULE = HardRule(codes=("min_rest_days_per_week",), add_constraints=add_min_rest_days_per_week,
                violations=weekly_rest_violations, may_take=may_work_this_week,
                rows_keep=rows_rest_weekly, caps=week_caps, cap_order=0)
