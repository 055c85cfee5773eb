"""Who works which day: match each group's planned daily head-counts with an exact LP.

The aggregate model only knows summed caps, so its daily head-counts may not be reachable by the
group's agents once each agent's leave, previous-week tail, weekly rest and run limit apply; and
the day-by-day greedy pass, choosing without looking ahead, reaches fewer of them than possible.
Here each group's working days are chosen at once:

    minimise    sum_d value_d * open_d
    subject to  sum_a work[a, d] + open_d >= planned_d           for every day d
                sum_{d in W} work[a, d] <= cap(a, W)              for every agent a and every
                                                                  cap (W, cap) of the rules
                work[a, d] = 0 where agent a is unavailable,      0 <= work <= 1

with the hard rules' per-agent working-day caps (``HardRule.caps``: run windows, known weeks).
Each agent's rows are windows of consecutive days (an interval matrix), so the LP optimum found
by GLOP is integral in practice; any fractional value is rounded down, which keeps every cap.
The result only guides the greedy assignment (``assign.assign_counts(workdays=...)``), which
still checks every rule. Where not every planned worker can be found, ``open_d`` is priced by
the coverage cost of the group's cheapest planned slot that day, so the LP leaves open the
slots that matter least.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import pywraplp

from solvers.roster.improve import marginals
from solvers.roster.problem import RosterProblem, available
from solvers.roster.rules import rule_caps


def group_workdays(problem: RosterProblem, members: list[int], planned: np.ndarray,
                   value: np.ndarray | None = None) -> np.ndarray | None:
    """(len(members), D) bool: working days meeting ``planned[d]`` workers as closely as the
    members' rules allow, a day's missing worker costing ``value[d]`` (default 1); None when
    the LP solver fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    free = available(problem)
    num_days = problem.num_days
    infinity = solver.infinity()
    work = {}
    # rows by coefficient (``Constraint`` and ``SetCoefficient``): the same model as sums of
    # variables, without building an expression per row (most of this step's time on 4,000
    # agents)
    for i, a in enumerate(members):
        for d in range(num_days):
            work[i, d] = solver.NumVar(0.0, 1.0 if free[a, d] else 0.0, f"work({a},{d})")
        for days, cap in rule_caps(problem, a, "work"):
            if days and len(days) > cap:
                row = solver.Constraint(-infinity, float(cap))
                for d in days:
                    row.SetCoefficient(work[i, d], 1.0)
    short = []
    for d in range(num_days):
        open_d = solver.NumVar(0.0, float(max(planned[d], 0)), f"open({d})")
        row = solver.Constraint(float(planned[d]), infinity)
        for i in range(len(members)):
            row.SetCoefficient(work[i, d], 1.0)
        row.SetCoefficient(open_d, 1.0)
        short.append(open_d)
    cost = np.ones(num_days) if value is None else np.maximum(value, 1e-3)
    objective = solver.Objective()
    for d in range(num_days):
        objective.SetCoefficient(short[d], float(cost[d]))
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    chosen = np.zeros((len(members), num_days), dtype=bool)
    for (i, d), var in work.items():
        chosen[i, d] = var.solution_value() > 1 - 1e-6
    return chosen


def slot_values(problem: RosterProblem, groups: list[list[int]], counts: np.ndarray
                ) -> np.ndarray:
    """(G, D) coverage cost of one planned worker of group ``g`` missing on day ``d`` (its
    cheapest planned shift and queue, priced on the plan's own coverage)."""
    scheduled = np.zeros_like(problem.required)
    for (_g, d, s, q), n in np.ndenumerate(counts):
        if n:
            scheduled[problem.cover[d][s], q] += n
    _, loss = marginals(problem, scheduled)
    value = np.zeros((len(groups), problem.num_days))
    for g in range(len(groups)):
        for d in range(problem.num_days):
            planned = counts[g, d] > 0
            value[g, d] = loss[d][planned].min() if planned.any() else 0.0
    return value


def plan_workdays(problem: RosterProblem, groups: list[list[int]], counts: np.ndarray
                  ) -> np.ndarray | None:
    """(A, D) bool working days for every agent from the plan's ``counts[g, d, s, q]``; None
    when any group's LP fails (the greedy pass then decides alone)."""
    workdays = np.zeros((problem.num_agents, problem.num_days), dtype=bool)
    value = slot_values(problem, groups, counts)
    for g, members in enumerate(groups):
        chosen = group_workdays(problem, members, counts[g].sum(axis=(1, 2)),
                                value[g])
        if chosen is None:
            return None
        workdays[members] = chosen
    return workdays
