"""The full agent x day x shift model: every hard rule, every soft goal, one CP-SAT objective.

It is the exact model of the roster problem without the fairness stage's fair-share terms (see
``objective.py``). Small instances are solved with it whole, warm-started from the decomposition's
roster; the neighbourhood search (``neighbourhood.py``) solves it for a few agents at a time.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.aggregate import solve_budgeted
from solvers.roster.budget import Budget
from solvers.roster.hints import complete_hint
from solvers.roster.problem import RosterProblem
from solvers.roster.rules import COVERAGE_RULES
from solvers.roster.soft import SOFT_RULES, Penalty
from solvers.roster.variables import WorkVars, build_work_vars


def build_model(problem: RosterProblem) -> tuple[cp_model.CpModel, WorkVars, list[Penalty]]:
    """Variables, every hard rule, every soft goal and the objective in one CP-SAT model."""
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    for add_rule in COVERAGE_RULES:
        add_rule(model, work, problem)
    penalties: list[Penalty] = []
    for penalize in SOFT_RULES:
        penalties.extend(penalize(model, work, problem))
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work, penalties


def solve_full(problem: RosterProblem, *, budget: Budget, det_seconds: float,
               hint: tuple[np.ndarray, np.ndarray] | None = None, hint_share: float = 0.2
               ) -> tuple[str, float, float, np.ndarray, np.ndarray] | None:
    """Solve the full model within ``det_seconds`` of deterministic time (``hint_share`` of
    them to complete the hint) and the budget's wall-clock cap; (status, objective, bound,
    states, queues) or None if no solution."""
    model, work, _ = build_model(problem)
    if hint is not None:
        states, queues = hint
        complete_hint(model, [(var, int(states[a, d] == s and queues[a, d] == q))
                              for (a, d, s, q), var in work.items()],
                      seconds=budget.wall_left(), det_seconds=hint_share * det_seconds)
    solver = cp_model.CpSolver()
    status = solve_budgeted(solver, model, problem, budget.wall_left(), budget, det_seconds,
                            "full model")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    states = problem.rest_states()
    queues = np.full_like(states, -1)
    for (a, d, s, q), var in work.items():
        if solver.boolean_value(var):
            states[a, d], queues[a, d] = s, q
    return (solver.status_name(status), float(solver.objective_value),
            float(solver.best_objective_bound), states, queues)
