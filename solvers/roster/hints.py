"""Complete solution hints: CP-SAT uses a hint far better when every variable has a value."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.aggregate import configure
from solvers.roster.budget import Budget
from solvers.roster.problem import RosterProblem
from solvers.roster.variables import WorkVars


def complete_hint(model: cp_model.CpModel, values: Iterable[tuple[cp_model.IntVar, int]], *,
                  seconds: float, det_seconds: float | None = None,
                  num_workers: int = 1) -> bool:
    """Hint ``model`` with a whole solution extending ``values`` (decision variables only).

    A copy with the given variables fixed is solved (easy: only penalty variables are left) and
    its solution becomes the hint. Returns False (and leaves no hint) when the values are
    infeasible or the copy is not solved in ``seconds`` (wall clock) or ``det_seconds``
    (deterministic time: with one worker the outcome is then the same on every run).
    """
    pinned = model.clone()
    for var, value in values:
        pinned.add(pinned.get_int_var_from_proto_index(var.index) == int(value))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = num_workers
    if det_seconds is not None:
        solver.parameters.max_deterministic_time = max(0.01, det_seconds)
    if solver.solve(pinned) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    solution = solver.response_proto.solution
    model.clear_hints()
    model.proto.solution_hint.vars.extend(range(len(solution)))
    model.proto.solution_hint.values.extend(solution)
    return True


def solve_from(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem,
               states: np.ndarray, queues: np.ndarray, *, det_seconds: float, budget: Budget,
               stage: str, hint_share: float = 0.2) -> tuple[np.ndarray, np.ndarray] | None:
    """Solve ``model`` over ``work`` (the variables of ``problem``'s agents) from the rows
    ``states``/``queues`` as a complete hint, within ``det_seconds`` (``hint_share`` of them for
    completing the hint) and the budget's wall clock; the new (states, queues), or None when
    no solution was found. A stop by the wall clock is recorded against ``stage``."""
    complete_hint(model, [(var, int(states[a, d] == s and queues[a, d] == q))
                          for (a, d, s, q), var in work.items()], seconds=budget.wall_left(),
                  det_seconds=hint_share * det_seconds)
    solver = cp_model.CpSolver()
    configure(solver, problem, budget.wall_left(), det_seconds=det_seconds)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        budget.expired(stage)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new_states = problem.rest_states()
    new_queues = np.full_like(new_states, -1)
    for (a, d, s, q), var in work.items():
        if solver.boolean_value(var):
            new_states[a, d], new_queues[a, d] = s, q
    return new_states, new_queues
