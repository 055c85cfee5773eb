"""Complete solution hints: CP-SAT uses a hint far better when every variable has a value."""

from __future__ import annotations

from collections.abc import Iterable

from ortools.sat.python import cp_model


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
