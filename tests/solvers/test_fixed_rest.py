"""Pins of OFF and LEAVE: kept exactly as pinned (the checker tells them apart), and a pin that
contradicts the leave table is refused before solving, naming the agent and the date."""

from __future__ import annotations

import pandas as pd
import pytest

from solvers.roster import plan_roster
from solvers.roster.instances import InstanceParameters, make_instance
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


def _shift(solution, agent: str, on) -> str:
    table = solution.assignments
    return table[(table["agent_id"] == agent) & (table["date"] == on)]["shift"].item()


@pytest.mark.parametrize("full_model", [True, False])
def test_rest_pins_are_written_as_pinned_and_pass_the_checker(full_model):
    settings = {} if full_model else {"settings": decomposition_settings()}
    config = site()
    requirement = requirement_frame(config, num_days=3, need=3)  # everybody is needed
    agents = agents_frame(3)
    fixed = rows([("A0", day(1), "LEAVE"), ("A1", day(1), "OFF"), ("A2", day(2), "LEAVE")])
    leave = leave_frame([("A0", day(1)), ("A2", day(2))])
    solution = plan_roster(requirement, agents, config, fixed=fixed, leave=leave,
                           time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP, **settings)
    assert _shift(solution, "A0", day(1)) == "LEAVE"
    assert _shift(solution, "A1", day(1)) == "OFF"
    assert _shift(solution, "A2", day(2)) == "LEAVE"
    assert check_roster(solution.assignments, agents, config, fixed=fixed, leave=leave) == []


def test_a_leave_pin_without_a_leave_table_is_kept():
    config = site()
    requirement = requirement_frame(config, num_days=2, need=2)
    agents = agents_frame(2)
    fixed = rows([("A1", day(0), "LEAVE")])
    solution = plan_roster(requirement, agents, config, fixed=fixed, time_limit_seconds=2,
                           wall_cap_seconds=ROOMY_CAP)
    assert _shift(solution, "A1", day(0)) == "LEAVE"
    assert check_roster(solution.assignments, agents, config, fixed=fixed) == []


def test_an_off_pin_on_approved_leave_is_a_named_conflict():
    config = site()
    with pytest.raises(Infeasible) as caught:
        plan_roster(requirement_frame(config, num_days=2), agents_frame(2), config,
                    leave=leave_frame([("A1", day(1))]), fixed=rows([("A1", day(1), "OFF")]),
                    time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    message = str(caught.value)
    assert "A1" in message and day(1).isoformat() in message and "fixed" in message
    assert "OFF" in message and "leave" in message


def test_a_leave_pin_outside_the_leave_table_is_a_named_conflict():
    config = site()
    with pytest.raises(Infeasible) as caught:
        plan_roster(requirement_frame(config, num_days=2), agents_frame(2), config,
                    leave=leave_frame([("A0", day(0))]), fixed=rows([("A1", day(1), "LEAVE")]),
                    time_limit_seconds=2, wall_cap_seconds=ROOMY_CAP)
    message = str(caught.value)
    assert "A1" in message and day(1).isoformat() in message and "LEAVE" in message


def test_rest_pins_on_a_generated_instance_pass_the_checker():
    config = site(rules={"min_rest_hours": 10})
    params = InstanceParameters(num_agents=20, num_days=7, load=1.2, random_seed=5)
    instance = make_instance(params, config)
    ids = list(instance.agents["agent_id"])
    on_leave = set(zip(instance.leave["agent_id"], instance.leave["date"], strict=True))
    pins = [(a, params.start + pd.Timedelta(days=d).to_pytimedelta(), shift)
            for a, d, shift in ((ids[0], 2, "OFF"), (ids[1], 3, "OFF"), (ids[2], 4, "OFF"))]
    pins = [p for p in pins if (p[0], p[1]) not in on_leave]
    leave_pins = [(a, d, "LEAVE") for a, d in sorted(on_leave)[:3]]
    fixed = rows(pins + leave_pins)
    solution = plan_roster(instance.requirement, instance.agents, config, leave=instance.leave,
                           previous=instance.previous, fixed=fixed, time_limit_seconds=3,
                           wall_cap_seconds=ROOMY_CAP)
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave, fixed=fixed) == []
    for agent, on, shift in pins + leave_pins:
        assert _shift(solution, agent, on) == shift
