"""``max_consecutive_nights`` in the solver: its CP-SAT constraint on a tiny problem (pinned
violation infeasible, compliant pin optimal), and whole rosters that keep it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from solvers.roster import plan_roster
from solvers.roster.rules.consecutive_nights import RULE as MAX_CONSECUTIVE_NIGHTS
from solvers.roster.rules.consecutive_nights import add_max_consecutive_nights
from wfm.rules import check_roster

from .factories import (
    MONDAY,
    ROOMY_CAP,
    agents_frame,
    day,
    requirement_frame,
    rows,
    site,
    tiny_problem,
)
from .test_hard_rules import solve_pinned

DAY, NIGHT = 0, 1
MAX_3 = {"max_consecutive_nights": 3, "min_rest_days_per_week": 0}


def test_add_max_consecutive_nights_caps_a_run():
    problem = tiny_problem(num_days=5, config=site(rules=MAX_3))
    four = [(0, d, NIGHT) for d in range(4)]
    assert solve_pinned(problem, add_max_consecutive_nights, four) == "INFEASIBLE"
    broken = [(0, 0, NIGHT), (0, 1, NIGHT), (0, 2, NIGHT), (0, 3, DAY), (0, 4, NIGHT)]
    assert solve_pinned(problem, add_max_consecutive_nights, broken) == "OPTIMAL"


def test_add_max_consecutive_nights_counts_the_previous_roster():
    previous = rows([("A0", MONDAY - timedelta(days=k), "NIGHT") for k in (1, 2)])
    problem = tiny_problem(num_days=3, config=site(rules=MAX_3), previous=previous)
    assert solve_pinned(problem, add_max_consecutive_nights, [(0, 0, NIGHT), (0, 1, NIGHT)]) \
        == "INFEASIBLE"
    assert solve_pinned(problem, add_max_consecutive_nights, [(0, 0, NIGHT), (0, 2, NIGHT)]) \
        == "OPTIMAL"


def test_off_by_default():
    assert not MAX_CONSECUTIVE_NIGHTS.applies(tiny_problem())
    assert MAX_CONSECUTIVE_NIGHTS.applies(tiny_problem(config=site(rules=MAX_3)))


def _night_runs(assignments: pd.DataFrame) -> list[int]:
    runs = []
    for _, rows_ in assignments.sort_values("date").groupby("agent_id"):
        run = 0
        for shift in rows_["shift"]:
            run = run + 1 if shift == "NIGHT" else 0
            runs.append(run)
    return runs


def test_plan_roster_never_works_four_nights_in_a_row_with_max_3():
    """Only nights are needed, every day: without the rule agents would work nights for up to
    six days in a row."""
    config = site(rules={"max_consecutive_nights": 3})
    requirement = requirement_frame(config, num_days=10, need=2)
    night_hours = requirement["interval_start"].dt.hour >= 16
    requirement.loc[~night_hours, ["scheduled_agents", "agents"]] = 0
    agents = agents_frame(4)
    solution = plan_roster(requirement, agents, config, time_limit_seconds=2,
                           wall_cap_seconds=ROOMY_CAP)
    assert max(_night_runs(solution.assignments)) == 3
    assert check_roster(solution.assignments, agents, config) == []
    unlimited = plan_roster(requirement, agents, site(), time_limit_seconds=2,
                            wall_cap_seconds=ROOMY_CAP)
    assert max(_night_runs(unlimited.assignments)) > 3


def test_plan_roster_keeps_a_pinned_run_within_the_limit():
    config = site(rules={"max_consecutive_nights": 2})
    requirement = requirement_frame(config, num_days=5, need=1)
    agents = agents_frame(2)
    fixed = rows([("A0", day(1), "NIGHT"), ("A0", day(2), "NIGHT")])
    solution = plan_roster(requirement, agents, config, fixed=fixed, time_limit_seconds=2,
                           wall_cap_seconds=ROOMY_CAP)
    table = solution.assignments.set_index(["agent_id", "date"])["shift"]
    assert table["A0", day(0)] != "NIGHT" and table["A0", day(3)] != "NIGHT"
    assert check_roster(solution.assignments, agents, config, fixed=fixed) == []
    assert np.all(np.array(_night_runs(solution.assignments)) <= 2)
