"""Leave and contract (``leave``, ``outside_contract``): no work on approved leave or outside
the agent's start/end dates, and, when a leave table is given, LEAVE only on approved leave.

The greedy pass never offers these days (they start at rest), so it needs no test.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem
from solvers.roster.rules.base import HardRule, violation
from solvers.roster.variables import WorkVars, day_work
from wfm.errors import Violation


def add_leave_and_contract(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                           ) -> None:
    """No work on approved leave or outside the agent's start/end dates."""
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            if problem.forced[a, d] != UNKNOWN:
                model.add(day_work(work, problem, a, d) == 0)


def leave_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None) -> Iterator[Violation]:
    if not problem.has_forced_day[a] and not (problem.leave_known and (states == LEAVE).any()):
        return  # no day of leave or outside the contract, and no LEAVE rostered
    forced = problem.forced[a]
    working = states >= 0
    unapproved = (states == LEAVE) & (forced != LEAVE) if problem.leave_known else False
    for d in np.flatnonzero((working & (forced != UNKNOWN)) | unapproved).tolist():
        s = int(states[d])
        if s == LEAVE:
            yield violation(problem, "leave", a, d, "rostered LEAVE without approved leave")
        elif forced[d] == LEAVE:
            yield violation(problem, "leave", a, d,
                            f"works {problem.shift_codes[s]} on approved leave")
        elif forced[d] == OFF:
            yield violation(problem, "outside_contract", a, d,
                            f"works {problem.shift_codes[s]} outside the contract dates")


RULE = HardRule(codes=("leave", "outside_contract"), add_constraints=add_leave_and_contract,
                violations=leave_violations)
