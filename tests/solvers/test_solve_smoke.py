"""End to end: solver rosters on varied random instances pass the independent checker, and the
reported figures agree with wfm.coverage; tiny instances match brute force; conflicts are named."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from solvers.roster import plan_roster
from solvers.roster.assign import scheduled_counts
from solvers.roster.instances import InstanceParameters, make_instance
from solvers.roster.objective import BOUND_COVERS
from solvers.roster.problem import OFF, build_problem
from solvers.roster.report import evaluate, roster_frame
from wfm.coverage import coverage_table
from wfm.errors import Infeasible
from wfm.rules import check_roster

from .factories import (
    ROOMY_CAP,
    agents_frame,
    day,
    decomposition_settings,
    leave_frame,
    requirement_frame,
    rows,
    site,
)

CASES = {
    "one queue, previous week, leave": InstanceParameters(num_agents=24, num_days=7,
                                                          random_seed=1),
    "two queues, uneven skills, two weeks": InstanceParameters(
        num_agents=30, num_days=14, queues=("sales", "service"), multi_skill_share=0.2,
        night_cap_share=0.3, leave_share=0.05, random_seed=2),
    "mid-week start, no previous": InstanceParameters(
        num_agents=16, num_days=10, start=day(3), with_previous=False, load=1.1,
        random_seed=3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_plan_roster_passes_the_checker(name):
    params = CASES[name]
    config = site(rules={"min_rest_hours": 10})  # forbids NIGHT (ends 23:30) -> DAY (08:30)
    instance = make_instance(params, config)
    agents = instance.agents.copy()
    agents["start_date"] = [params.start + timedelta(days=2) if i == 0 else None
                            for i in range(len(agents))]
    agents["end_date"] = [params.start + timedelta(days=4) if i == 1 else None
                          for i in range(len(agents))]
    fixed = pd.concat([rows([(agents["agent_id"][2], params.start + timedelta(days=1), "NIGHT")],
                            queue=agents["skills"][2][0]),
                       rows([(agents["agent_id"][3], params.start, "OFF")])], ignore_index=True)
    solution = plan_roster(instance.requirement, agents, config, leave=instance.leave,
                           previous=instance.previous, fixed=fixed, time_limit_seconds=3,
                           wall_cap_seconds=ROOMY_CAP)

    violations = check_roster(solution.assignments, agents, config, previous=instance.previous,
                              leave=instance.leave, fixed=fixed,
                              requirement_queues=list(params.queues))
    assert violations == []
    assert len(solution.assignments) == len(agents) * params.num_days

    coverage = coverage_table(solution.assignments, instance.requirement, config)
    pd.testing.assert_frame_equal(solution.coverage, coverage)
    assert solution.figures["shortfall_agent_intervals"] == coverage["shortfall"].sum()
    assert solution.objective >= solution.best_bound >= solution.lower_bound - 1e-6
    assert 0 <= solution.gap <= 1


def test_plan_roster_matches_brute_force_on_a_tiny_instance():
    config = site(rules={"max_consecutive_days": 2, "min_rest_hours": 10})
    requirement = requirement_frame(config, num_days=3, need=1)
    agents = agents_frame(2, preferred_rest_days=[("Tue",), ()])
    solution = plan_roster(requirement, agents, config, time_limit_seconds=5,
                           wall_cap_seconds=ROOMY_CAP)

    problem = build_problem(requirement, agents, config)
    names = {OFF: "OFF", 0: "DAY", 1: "NIGHT"}
    legal = {}  # the rules are per agent: check each agent's 27 possible weeks once
    for a in range(2):
        for combo in itertools.product((OFF, 0, 1), repeat=3):
            frame = pd.DataFrame([(f"A{a}", day(d), names[s], "sales")
                                  for d, s in enumerate(combo)],
                                 columns=["agent_id", "date", "shift", "queue"])
            legal[a, combo] = not check_roster(frame, agents, config)
    best = best_coverage = None
    for first, second in itertools.product(itertools.product((OFF, 0, 1), repeat=3), repeat=2):
        if not (legal[0, first] and legal[1, second]):
            continue
        states = np.array([first, second])
        queues = np.where(states >= 0, 0, -1)
        parts = evaluate(problem, states, scheduled_counts(problem, states, queues))
        best = parts["total"] if best is None else min(best, parts["total"])
        coverage = parts["coverage"]
        best_coverage = coverage if best_coverage is None else min(best_coverage, coverage)
    # the full model's terms are optimal and proven so; the fair-share terms come on top
    bound = solution.figures["objective_bound"]
    assert bound["covers"] == list(BOUND_COVERS)
    assert bound["covered_objective"] == solution.best_bound == best
    assert solution.objective == best + sum(
        v for k, v in solution.penalties.items() if k not in (*BOUND_COVERS, "total"))
    assert solution.status == ("OPTIMAL" if solution.objective == best else "FEASIBLE")
    assert solution.lower_bound <= best_coverage  # the aggregate bound is a true lower bound


def test_plan_roster_names_the_agent_date_and_rule_of_a_conflict():
    config = site()
    requirement = requirement_frame(config, num_days=2)
    agents = agents_frame(2)
    fixed = rows([("A1", day(1), "DAY")])
    with pytest.raises(Infeasible) as caught:
        plan_roster(requirement, agents, config, leave=leave_frame([("A1", day(1))]),
                    fixed=fixed, time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    message = str(caught.value)
    assert "A1" in message and day(1).isoformat() in message and "leave" in message

    tail = rows([("A0", day(-7 + i), "OFF" if i == 0 else "DAY") for i in range(7)])
    with pytest.raises(Infeasible) as caught:
        plan_roster(requirement, agents, config, previous=tail,
                    fixed=rows([("A0", day(0), "NIGHT")]), time_limit_seconds=2,
                    wall_cap_seconds=ROOMY_CAP)
    assert "A0" in str(caught.value) and "max_consecutive_days" in str(caught.value)


def test_plan_roster_rests_after_a_full_previous_run():
    config = site()
    requirement = requirement_frame(config, num_days=2, need=3)
    tail = rows([("A0", day(-7 + i), "OFF" if i == 0 else "DAY") for i in range(7)])
    solution = plan_roster(requirement, agents_frame(1), config, previous=tail,
                           time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    shifts = solution.assignments.set_index("date")["shift"]
    assert shifts[day(0)] == "OFF" and shifts[day(1)] != "OFF"


def test_plan_roster_with_a_shift_crossing_midnight_and_breaks():
    config = site(interval_minutes=15, rules={"min_rest_hours": 11},
                  shifts=[{"code": "EARLY", "start": "06:00", "end": "14:30",
                           "breaks": [["10:00", 30]]},
                          {"code": "LATE", "start": "14:00", "end": "22:30"},
                          {"code": "NIGHT", "start": "22:00", "end": "06:30"}])
    instance = make_instance(InstanceParameters(num_agents=14, num_days=7, random_seed=11),
                             config)
    solution = plan_roster(instance.requirement, instance.agents, config, leave=instance.leave,
                           previous=instance.previous, time_limit_seconds=3,
                           wall_cap_seconds=ROOMY_CAP)
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave) == []
    coverage = coverage_table(solution.assignments, instance.requirement, config)
    assert solution.figures["shortfall_agent_intervals"] == coverage["shortfall"].sum()
    assert set(solution.assignments["shift"]) <= {"EARLY", "LATE", "NIGHT", "OFF", "LEAVE"}


def test_plan_roster_decomposition_path_passes_the_checker():
    """Large instances skip the full model: aggregate, assignment, local moves and the
    neighbourhood search must still give a legal roster (forced here on a small instance)."""
    config = site(rules={"min_rest_hours": 10})
    params = InstanceParameters(num_agents=40, num_days=14, queues=("sales", "service"),
                                night_cap_share=0.3, leave_share=0.05, random_seed=12)
    instance = make_instance(params, config)
    solution = plan_roster(instance.requirement, instance.agents, config, leave=instance.leave,
                           previous=instance.previous, time_limit_seconds=4,
                           wall_cap_seconds=ROOMY_CAP, settings=decomposition_settings())
    assert solution.method == "decomposition"
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave,
                        requirement_queues=list(params.queues)) == []
    assert solution.objective >= solution.lower_bound


@pytest.mark.parametrize("shifts", ["default", "round the clock"])
def test_scheduled_counts_agree_with_the_independent_coverage_table(shifts):
    """The solver's head-counts per interval (counted per day and shift, then spread over each
    shift's intervals) against wfm.coverage on random rosters: two queues, rest and leave days,
    a night shift running past midnight into the next day."""
    changes = {} if shifts == "default" else {"shifts": [
        {"code": "EARLY", "start": "07:00", "end": "15:00"},
        {"code": "LATE", "start": "15:00", "end": "23:00"},
        {"code": "NIGHT", "start": "23:00", "end": "07:00"}]}
    config = site(**changes)
    instance = make_instance(InstanceParameters(num_agents=40, num_days=9,
                                                queues=("sales", "service"), random_seed=4),
                             config)
    problem = build_problem(instance.requirement, instance.agents, config,
                            leave=instance.leave, previous=instance.previous)
    rng = np.random.default_rng(8)
    for _ in range(5):
        states = rng.integers(-2, problem.num_shifts, size=(problem.num_agents, problem.num_days))
        queues = np.array([[rng.choice(problem.skills[a]) for _ in range(problem.num_days)]
                           for a in range(problem.num_agents)])
        queues[states < 0] = -1
        table = coverage_table(roster_frame(problem, states, queues), instance.requirement,
                               config)
        local = table["interval_start"].dt.tz_localize(None)
        keys = zip(local, table["queue"], strict=True)
        scheduled = dict(zip(keys, table["scheduled"], strict=True))
        expected = np.array([[scheduled.get((pd.Timestamp(t), q), 0) for q in problem.queues]
                             for t in problem.interval_starts])
        counts = scheduled_counts(problem, states, queues)
        assert counts.sum() > 0
        assert (counts == expected).all()
