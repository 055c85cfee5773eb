"""Hard rules of the full model, one function each: ``add_<rule>(model, work, problem)``.

Skills need no constraint: an agent only has variables for the queues in its skills.
The previous roster's tail enters as constants (days worked, rest days, the last shift).
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.sat.python import cp_model

from solvers.roster.aggregate import agent_night_caps, week_caps, window_caps
from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem
from solvers.roster.variables import WorkVars, day_work, shift_work


def add_one_shift_per_day(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                          ) -> None:
    """At most one shift (of one queue) per agent and day."""
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            model.add(day_work(work, problem, a, d) <= 1)


def add_leave_and_contract(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                           ) -> None:
    """No work on approved leave or outside the agent's start/end dates."""
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            if problem.forced[a, d] != UNKNOWN:
                model.add(day_work(work, problem, a, d) == 0)


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


def add_max_consecutive_days(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                             ) -> None:
    """At most ``max_consecutive_days`` working days in any window of one more day, counting
    the previous roster's working days inside the window."""
    _cap_working_days(model, work, problem, window_caps)


def add_min_rest_days_per_week(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                               ) -> None:
    """At least ``min_rest_days_per_week`` rest days in each fully known Monday-Sunday week
    (rest days of the previous roster in that week count)."""
    _cap_working_days(model, work, problem, week_caps)


def _cap_working_days(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem,
                      caps: Callable[[RosterProblem, int], list[tuple[tuple[int, ...], int]]]
                      ) -> None:
    """At most ``cap`` working horizon days among ``days``, for each (days, cap) ``caps``
    gives an agent (a cap the days cannot exceed adds no constraint)."""
    for a in range(problem.num_agents):
        for days, cap in caps(problem, a):
            if len(days) > cap:
                model.add(sum(day_work(work, problem, a, d) for d in days) <= cap)


def add_min_rest_between_shifts(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                                ) -> None:
    """No pair of shifts (this roster or the previous one's tail) closer than the minimum rest."""
    span = problem.rest_span_days
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            for s in range(problem.num_shifts):
                this = shift_work(work, problem, a, d, s)
                for k in range(1, span + 1):
                    before = problem.state_on(a, d - k) if d - k < 0 else None
                    if before is not None and before >= 0 and problem.forbidden_gap(before, s, k):
                        model.add(this == 0)
                    if d + k >= problem.num_days:
                        continue
                    for s_after in range(problem.num_shifts):
                        if problem.forbidden_gap(s, s_after, k):
                            model.add(this + shift_work(work, problem, a, d + k, s_after) <= 1)


def add_max_nights_per_week(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                            ) -> None:
    """An agent's ``max_nights_per_week`` in every Monday-Sunday week (with the previous tail)."""
    nights = [s for s in range(problem.num_shifts) if problem.night[s]]
    for a in range(problem.num_agents):
        for days, cap in agent_night_caps(problem, a):
            model.add(sum(shift_work(work, problem, a, d, s) for d in days for s in nights)
                      <= cap)
