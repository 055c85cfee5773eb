"""Building the roster problem: input mistakes are named before any solving."""

from __future__ import annotations

import pandas as pd
import pytest

from solvers.roster.problem import build_problem
from tests.solvers.factories import agents_frame, requirement_frame, site
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
