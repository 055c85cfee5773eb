"""Who works which day: match each group's planned daily head-counts with an exact LP.

The aggregate model only knows summed caps, so its daily head-counts may not be reachable by the
group's agents once each agent's leave, previous-week tail, weekly rest and run limit apply; and
the day-by-day greedy pass, choosing without looking ahead, reaches fewer of them than possible
(on the 1,000 x 28 benchmark instance it left 40 working days per large group open where 10-22
are unavoidable). Here each group's working days are chosen at once:

    minimise    sum_d open_d
    subject to  sum_a work[a, d] + open_d >= planned_d           for every day d
                sum_{d in W} work[a, d] <= cap(a, W)              for every agent a and every
                                                                  window / known week W
                work[a, d] = 0 where agent a is unavailable,      0 <= work <= 1

with the same per-agent caps as the full model's run and weekly-rest rules. Each agent's rows are
windows of consecutive days (an interval matrix), so the LP optimum found by GLOP is integral in
practice; any fractional value is rounded down, which keeps every cap. The result only guides the
greedy assignment (``assign.assign_counts(workdays=...)``), which still checks every rule.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import pywraplp

from solvers.roster.aggregate import available, week_caps, window_caps
from solvers.roster.problem import RosterProblem


def group_workdays(problem: RosterProblem, members: list[int], planned: np.ndarray
                   ) -> np.ndarray | None:
    """(len(members), D) bool: working days meeting ``planned[d]`` workers as closely as the
    members' rules allow; None when the LP solver fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    free = available(problem)
    num_days = problem.num_days
    work = {}
    for i, a in enumerate(members):
        for d in range(num_days):
            work[i, d] = solver.NumVar(0.0, 1.0 if free[a, d] else 0.0, f"work({a},{d})")
        for days, cap in (*window_caps(problem, a), *week_caps(problem, a)):
            if days and len(days) > cap:
                solver.Add(sum(work[i, d] for d in days) <= cap)
    short = []
    for d in range(num_days):
        open_d = solver.NumVar(0.0, float(max(planned[d], 0)), f"open({d})")
        solver.Add(sum(work[i, d] for i in range(len(members))) + open_d >= float(planned[d]))
        short.append(open_d)
    solver.Minimize(sum(short))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    chosen = np.zeros((len(members), num_days), dtype=bool)
    for (i, d), var in work.items():
        chosen[i, d] = var.solution_value() > 1 - 1e-6
    return chosen


def plan_workdays(problem: RosterProblem, groups: list[list[int]], counts: np.ndarray
                  ) -> np.ndarray | None:
    """(A, D) bool working days for every agent from the plan's ``counts[g, d, s, q]``; None
    when any group's LP fails (the greedy pass then decides alone)."""
    workdays = np.zeros((problem.num_agents, problem.num_days), dtype=bool)
    for g, members in enumerate(groups):
        chosen = group_workdays(problem, members, counts[g].sum(axis=(1, 2)))
        if chosen is None:
            return None
        workdays[members] = chosen
    return workdays
