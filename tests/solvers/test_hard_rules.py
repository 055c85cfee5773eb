"""Each hard rule alone on a tiny problem: a pinned violation is INFEASIBLE, a compliant pin is
OPTIMAL (the ConstraintVerifier idea applied to CP-SAT)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.consecutive import add_max_consecutive_days
from solvers.roster.rules.fixed import add_fixed_assignments
from solvers.roster.rules.leave import add_leave_and_contract
from solvers.roster.rules.nights import add_max_nights_per_week
from solvers.roster.rules.one_shift import add_one_shift_per_day
from solvers.roster.rules.rest_hours import add_min_rest_between_shifts
from solvers.roster.rules.weekly_rest import add_min_rest_days_per_week
from solvers.roster.variables import build_work_vars

from .factories import agents_frame, day, leave_frame, rows, site, tiny_problem

DAY, NIGHT = 0, 1  # default templates: DAY 08:30-16:00, NIGHT 16:00-23:30


def solve_pinned(problem: RosterProblem, rule: Callable, pins: list[tuple[int, int, int]],
                 rest: list[tuple[int, int]] = ()) -> str:
    """Status with only ``rule``, the given (agent, day, shift) worked and (agent, day) rested."""
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    rule(model, work, problem)
    for a, d, s in pins:
        model.add(sum(work[a, d, s, q] for q in problem.skills[a]) == 1)
    for a, d in rest:
        model.add(sum(v for (aa, dd, _, _), v in work.items() if (aa, dd) == (a, d)) == 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.status_name(solver.solve(model))


def test_add_one_shift_per_day_forbids_two_shifts():
    problem = tiny_problem()
    assert solve_pinned(problem, add_one_shift_per_day, [(0, 0, DAY), (0, 0, NIGHT)]) == \
        "INFEASIBLE"
    assert solve_pinned(problem, add_one_shift_per_day, [(0, 0, DAY), (0, 1, NIGHT)]) == "OPTIMAL"


def test_add_leave_and_contract_keeps_leave_and_contract_dates():
    problem = tiny_problem(leave=leave_frame([("A0", day(1))]))
    assert solve_pinned(problem, add_leave_and_contract, [(0, 1, DAY)]) == "INFEASIBLE"
    assert solve_pinned(problem, add_leave_and_contract, [(0, 0, DAY)]) == "OPTIMAL"
    hired = tiny_problem(agents=agents_frame(1, start_date=[day(1)]))
    assert solve_pinned(hired, add_leave_and_contract, [(0, 0, DAY)]) == "INFEASIBLE"
    assert solve_pinned(hired, add_leave_and_contract, [(0, 1, DAY)]) == "OPTIMAL"


def test_add_fixed_assignments_keeps_pins():
    problem = tiny_problem(fixed=rows([("A0", day(0), "NIGHT"), ("A0", day(1), "OFF")]))
    assert solve_pinned(problem, add_fixed_assignments, [], rest=[(0, 0)]) == "INFEASIBLE"
    assert solve_pinned(problem, add_fixed_assignments, [(0, 1, DAY)]) == "INFEASIBLE"
    assert solve_pinned(problem, add_fixed_assignments, [(0, 0, NIGHT)]) == "OPTIMAL"


def test_add_max_consecutive_days_counts_the_horizon():
    problem = tiny_problem(num_days=3, config=site(rules={"max_consecutive_days": 2}))
    three = [(0, d, DAY) for d in range(3)]
    assert solve_pinned(problem, add_max_consecutive_days, three) == "INFEASIBLE"
    assert solve_pinned(problem, add_max_consecutive_days, three[:2]) == "OPTIMAL"


def test_add_max_consecutive_days_counts_the_previous_tail():
    previous = rows([("A0", day(-2), "OFF"), ("A0", day(-1), "DAY")])
    problem = tiny_problem(num_days=3, config=site(rules={"max_consecutive_days": 2}),
                           previous=previous)
    assert solve_pinned(problem, add_max_consecutive_days, [(0, 0, DAY), (0, 1, DAY)]) == \
        "INFEASIBLE"
    assert solve_pinned(problem, add_max_consecutive_days, [(0, 0, DAY), (0, 2, DAY)]) == \
        "OPTIMAL"


@pytest.mark.parametrize("previous_rest, expected", [(True, "OPTIMAL"), (False, "INFEASIBLE")])
def test_add_min_rest_days_per_week_uses_previous_days_of_the_week(previous_rest, expected):
    # horizon Thu-Sun; Mon-Wed come from the previous roster
    thursday = day(3)
    states = ["OFF" if previous_rest else "DAY", "DAY", "DAY"]
    previous = rows([("A0", day(i), states[i]) for i in range(3)])
    config = site(rules={"max_consecutive_days": 14, "min_rest_days_per_week": 1})
    problem = tiny_problem(num_days=4, start=thursday, config=config, previous=previous)
    all_days = [(0, d, DAY) for d in range(4)]
    assert solve_pinned(problem, add_min_rest_days_per_week, all_days) == expected


def test_add_min_rest_days_per_week_ignores_partly_unknown_weeks():
    config = site(rules={"max_consecutive_days": 14})
    problem = tiny_problem(num_days=3, start=day(4), config=config)  # Fri-Sun, Mon-Thu unknown
    assert solve_pinned(problem, add_min_rest_days_per_week, [(0, d, DAY) for d in range(3)]) \
        == "OPTIMAL"
    week = tiny_problem(num_days=7, config=config)
    assert solve_pinned(week, add_min_rest_days_per_week, [(0, d, DAY) for d in range(7)]) \
        == "INFEASIBLE"


def _early_late_site(min_rest_hours: float) -> object:
    return site(shifts=[{"code": "EARLY", "start": "06:00", "end": "14:00"},
                        {"code": "LATE", "start": "14:00", "end": "22:00"}],
                rules={"min_rest_hours": min_rest_hours})


def test_add_min_rest_between_shifts_forbids_late_then_early():
    early, late = 0, 1
    problem = tiny_problem(config=_early_late_site(9))  # LATE 22:00 -> EARLY 06:00 is 8 h
    assert solve_pinned(problem, add_min_rest_between_shifts, [(0, 0, late), (0, 1, early)]) \
        == "INFEASIBLE"
    assert solve_pinned(problem, add_min_rest_between_shifts, [(0, 0, early), (0, 1, late)]) \
        == "OPTIMAL"
    relaxed = tiny_problem(config=_early_late_site(8))
    assert solve_pinned(relaxed, add_min_rest_between_shifts, [(0, 0, late), (0, 1, early)]) \
        == "OPTIMAL"


def test_add_min_rest_between_shifts_sees_the_previous_last_shift():
    early = 0
    problem = tiny_problem(config=_early_late_site(9), previous=rows([("A0", day(-1), "LATE")]))
    assert solve_pinned(problem, add_min_rest_between_shifts, [(0, 0, early)]) == "INFEASIBLE"
    assert solve_pinned(problem, add_min_rest_between_shifts, [(0, 1, early)]) == "OPTIMAL"


def test_add_max_nights_per_week_caps_nights():
    agents = agents_frame(1, max_nights_per_week=[1])
    problem = tiny_problem(num_days=3, agents=agents)
    assert solve_pinned(problem, add_max_nights_per_week, [(0, 0, NIGHT), (0, 2, NIGHT)]) == \
        "INFEASIBLE"
    assert solve_pinned(problem, add_max_nights_per_week, [(0, 0, NIGHT), (0, 2, DAY)]) == \
        "OPTIMAL"
    previous = rows([("A0", day(-7 + 6), "NIGHT")])  # Sunday before: another week
    later = tiny_problem(num_days=3, agents=agents, previous=previous)
    assert solve_pinned(later, add_max_nights_per_week, [(0, 0, NIGHT)]) == "OPTIMAL"
