"""Same inputs, seed and settings -> the same roster, also with another process competing for
the CPU (every stage is limited by work, not by the clock); a run cut short by the wall-clock
cap says so and is still legal."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from solvers.roster import plan_roster
from solvers.roster.instances import InstanceParameters, make_instance
from wfm.rules import check_roster

from .factories import ROOMY_CAP, decomposition_settings, site

PARAMS = InstanceParameters(num_agents=30, num_days=14, queues=("sales", "service"),
                            night_cap_share=0.3, leave_share=0.05, random_seed=21)


def _solve(instance, config, seconds: float = 3, **options):
    """Work sized from ``seconds``; by default the wall-clock safety cap is far away, so a slow
    test machine cannot cut a stage short (the properties under test assume it is not)."""
    options = {"wall_cap_seconds": ROOMY_CAP, **options}
    return plan_roster(instance.requirement, instance.agents, config, leave=instance.leave,
                       previous=instance.previous, time_limit_seconds=seconds, **options)


@pytest.mark.parametrize("full_model", [True, False])
def test_the_same_solve_twice_gives_the_same_roster(full_model):
    # without the full model: large instances' local moves and neighbourhood search
    options = {} if full_model else {"settings": decomposition_settings()}
    config = site(rules={"min_rest_hours": 10})
    instance = make_instance(PARAMS, config)
    first = _solve(instance, config, **options)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:  # the second run competes with a busy process for the CPU
        second = _solve(instance, config, **options)
    finally:
        busy.kill()
        busy.wait()
    assert first.figures["wall_clock_capped"] == second.figures["wall_clock_capped"] == []
    assert first.method == second.method == ("full" if full_model else "decomposition")
    pd.testing.assert_frame_equal(first.assignments, second.assignments)
    assert first.objective == second.objective
    assert first.penalties == second.penalties


def test_another_seed_may_differ_but_is_repeatable():
    config = site(rules={"min_rest_hours": 10}, roster={"random_seed": 5})
    instance = make_instance(PARAMS, config)
    runs = [_solve(instance, config, seconds=2) for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0].assignments, runs[1].assignments)


def test_a_run_cut_short_by_the_wall_clock_says_so_and_is_legal():
    config = site(rules={"min_rest_hours": 10})
    instance = make_instance(PARAMS, config)
    solution = _solve(instance, config, seconds=0.01, wall_cap_seconds=None)
    assert solution.figures["wall_clock_capped"]  # names the stages cut short
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave,
                        requirement_queues=list(PARAMS.queues)) == []
