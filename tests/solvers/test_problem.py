"""Building the roster problem: input mistakes are named before any solving."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from solvers.roster.legal import agent_violations
from solvers.roster.problem import build_problem
from tests.solvers.factories import agents_frame, generated_problem, requirement_frame, site
from wfm.errors import InvalidInput


def test_build_problem_names_a_queue_no_agent_can_serve() -> None:
    config = site()
    requirement = requirement_frame(config, queues=("default",))
    with pytest.raises(InvalidInput, match=r"no agent has the skill for queue\(s\) default that "
                                           r"the requirement needs; the agents' skills name: "
                                           r"phone"):
        build_problem(requirement, agents_frame(2, skills=("phone",)), config)


def test_build_problem_accepts_a_queue_without_demand_and_without_agents() -> None:
    config = site()
    requirement = requirement_frame(config, queues=("sales", "outsourced"))
    requirement.loc[requirement["queue"] == "outsourced", "scheduled_agents"] = 0
    problem = build_problem(requirement, agents_frame(2, skills=("sales",)), config)
    assert problem is not None


def test_the_repeated_autumn_hour_needs_the_larger_of_its_two_requirements() -> None:
    """New York, 2026-11-01: 01:00 happens at -04:00 and again at -05:00. The solver plans in
    wall-clock time, where a shift covers both copies, so the slot must meet the larger need
    whichever order the rows come in."""
    config = site(timezone="America/New_York", interval_minutes=60, open_hours="",
                  shifts=[{"code": "N", "start": "22:00", "end": "06:00"}])
    stamps = ["2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00",
              "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"]
    for needs in ([1, 5, 2, 1], [1, 2, 5, 1]):
        requirement = pd.DataFrame({
            "interval_start": pd.to_datetime(stamps, utc=True).tz_convert(config.timezone),
            "queue": "sales", "scheduled_agents": needs})
        problem = build_problem(requirement, agents_frame(6), config)
        one_am = [i for i, t in enumerate(problem.interval_starts)
                  if t == pd.Timestamp("2026-11-01T01:00")]
        assert len(one_am) == 1 and problem.required[one_am[0], 0] == 5


def test_the_rule_checks_found_once_stay_out_of_a_pickled_problem():
    # the memo of which rules apply is keyed by object ids, which mean nothing in a team
    # task's process: it is dropped when the problem is pickled, and found again there
    problem = generated_problem(site(), num_agents=20, num_days=7, random_seed=1)
    row = np.full(problem.num_days, 0)  # every day worked: past the run limit of six
    broken = agent_violations(problem, 0, row, first_only=True)
    assert problem.memo
    copy = pickle.loads(pickle.dumps(problem))
    assert "memo" not in copy.__dict__
    assert [v.code for v in agent_violations(copy, 0, row, first_only=True)] == [
        v.code for v in broken]
    assert agent_violations(copy, 0, np.full(problem.num_days, -1)) == []
