"""Fixed assignments (``fixed``): planner-pinned shifts (and queues, when given) and rest days
are kept. A pin of OFF on approved leave, or of LEAVE without it, is a conflict of the inputs
whatever the roster (the solver names it up front; the checker sees only the roster).

The greedy pass places pinned days itself, so it needs no test.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import LEAVE, OFF, RosterProblem
from solvers.roster.rules.base import HardRule, state_name, violation
from solvers.roster.variables import WorkVars, day_work, shift_work
from wfm.errors import Violation


def add_fixed_assignments(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                          ) -> None:
    """Planner-pinned shifts (and queues, when given) or rest days."""
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            pinned, queue = int(problem.fixed_shift[a, d]), int(problem.fixed_queue[a, d])
            if pinned in (OFF, LEAVE):
                model.add(day_work(work, problem, a, d) == 0)
            elif pinned >= 0 and queue >= 0:
                model.add(work.get((a, d, pinned, queue), 0) == 1)
            elif pinned >= 0:
                model.add(shift_work(work, problem, a, d, pinned) == 1)


def fixed_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None) -> Iterator[Violation]:
    for d in problem.fixed_days[a]:
        s, forced = int(states[d]), int(problem.forced[a, d])
        pinned, queue = int(problem.fixed_shift[a, d]), int(problem.fixed_queue[a, d])
        if pinned == OFF and forced == LEAVE:
            yield violation(problem, "fixed", a, d, "pinned to OFF on a day of approved leave "
                            "(pin LEAVE or drop the pin)")
        if pinned == LEAVE and problem.leave_known and forced != LEAVE:
            yield violation(problem, "fixed", a, d, "pinned to LEAVE on a day without approved "
                            "leave (add the day to the leave table or drop the pin)")
        if pinned != s:  # OFF and LEAVE differ too: the checker tells them apart
            yield violation(problem, "fixed", a, d, f"pinned to {state_name(problem, pinned)} "
                            f"but has {state_name(problem, s)}")
        elif queues is not None and pinned >= 0 and queue >= 0 and int(queues[d]) != queue:
            yield violation(problem, "fixed", a, d,
                            f"pinned to queue {problem.queues[queue]} but serves another")


RULE = HardRule(codes=("fixed",), add_constraints=add_fixed_assignments,
                violations=fixed_violations)
