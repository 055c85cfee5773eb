"""One shift per day (``one_shift_per_day``): at most one shift, of one queue, per agent and
day. A row of states holds one state per day, so only the CP-SAT model needs the rule."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import HardRule
from solvers.roster.variables import WorkVars, day_work


def add_one_shift_per_day(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                          ) -> None:
    """At most one shift (of one queue) per agent and day."""
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            model.add(day_work(work, problem, a, d) <= 1)


RULE = HardRule(codes=("one_shift_per_day",), add_constraints=add_one_shift_per_day)
