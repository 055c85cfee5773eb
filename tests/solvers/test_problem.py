"""Building the roster problem: input mistakes are named before any solving."""

from __future__ import annotations

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
