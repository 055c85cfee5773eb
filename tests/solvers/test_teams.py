"""One notion of a team (``wfm.teams``) everywhere: agents whose skills are listed in another
order or with repeats land in the same team in the checker's fairness report, the solver's
fair-share targets, its trades and pattern classes, and the full model's spread terms; a
coverage class is a team split by night cap, never a fairness group."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from ortools.sat.python import cp_model

from solvers.roster import fair_share
from solvers.roster.assign import scheduled_counts
from solvers.roster.patterns import agent_classes, team_members
from solvers.roster.problem import OFF, build_problem
from solvers.roster.report import evaluate
from solvers.roster.soft import penalize_night_spread, penalize_weekend_spread
from solvers.roster.variables import build_work_vars
from wfm.rules.fairness import check_fairness
from wfm.teams import coverage_class_of, team_of, teams_of

from .factories import MONDAY, requirement_frame, site, tiny_problem
from .test_soft_rules import objective

DAY, NIGHT = 0, 1
SKILLS = [("sales", "support"), ("support", "sales"), ("sales", "support", "sales"),
          ("sales",), ("sales", "sales"), ("sales",)]
CAPS = [None, None, None, None, 1, 2]
WORK = ["NNDDOND", "DNNODDN", "NDDNODD", "NNNODDO", "NDDODDO", "DNDNODD"]


def _agents() -> pd.DataFrame:
    ids = [f"A{i}" for i in range(len(SKILLS))]
    return pd.DataFrame({"agent_id": ids, "name": ids, "skills": SKILLS,
                         "max_nights_per_week": pd.array(CAPS, dtype="Int64")})


def _roster() -> pd.DataFrame:
    codes = {"N": "NIGHT", "D": "DAY", "O": "OFF"}
    return pd.DataFrame([(f"A{a}", MONDAY + timedelta(days=d), codes[c],
                          "sales" if c != "O" else "")
                         for a, line in enumerate(WORK) for d, c in enumerate(line)],
                        columns=["agent_id", "date", "shift", "queue"])


def _partition(groups: list[list[int]]) -> set[frozenset[int]]:
    return {frozenset(int(a) for a in members) for members in groups}


EXPECTED = {frozenset({0, 1, 2}), frozenset({3, 4, 5})}


def test_team_of_ignores_order_repeats_and_the_file_s_separators():
    assert team_of(("support", "sales")) == team_of(["sales", "support", "sales"]) == (
        "sales", "support")
    assert team_of("support;sales; ") == ("sales", "support")
    assert team_of(()) == team_of("") == ()
    assert _partition(list(teams_of(SKILLS).values())) == EXPECTED
    assert coverage_class_of(("sales", "sales"), 1) == (("sales",), 1)
    assert coverage_class_of(("sales",), None) == coverage_class_of(["sales"], -1)


def test_checker_solver_and_patterns_form_the_same_teams():
    config = site()
    agents, roster = _agents(), _roster()
    problem = build_problem(requirement_frame(config, num_days=7, queues=("sales", "support")),
                            agents, config)
    # the checker's fairness report: one line per team and kind, every agent labelled
    check = check_fairness(roster, agents, config)
    assert {(s.skills, s.agents) for s in check.teams} == {("sales;support", 3), ("sales", 3)}
    by_label: dict[str, set[int]] = {}
    for record in check.agents:
        by_label.setdefault(record.skills, set()).add(int(record.agent_id[1:]))
    assert {frozenset(v) for v in by_label.values()} == EXPECTED
    # the solver: teams, the fairness stage's groups and the pattern model's team lookup
    assert _partition(problem.teams()) == _partition(fair_share.teams(problem)) == EXPECTED
    assert _partition(list(team_members(problem).values())) == EXPECTED
    # the fair-share targets are the checker's shares (shared inside the same teams)
    index = {c: i for i, c in enumerate(problem.shift_codes)}
    states = np.array([[index.get({"N": "NIGHT", "D": "DAY"}.get(c, ""), OFF) for c in line]
                       for line in WORK])
    nights, rests = fair_share.fair_shares(problem, states)
    assert nights.share == pytest.approx([r.night_share for r in check.agents], abs=0.006)
    assert rests.share == pytest.approx([r.weekend_rest_share for r in check.agents], abs=0.006)
    # pattern classes and coverage classes refine the teams, never cross them
    band = fair_share.band(problem)
    classes = agent_classes(problem, fair_share.targets(nights, band),
                            fair_share.targets(rests, band))
    for grouping in (classes, problem.coverage_classes()):
        assert all(any(set(c) <= team for team in EXPECTED) for c in grouping)
    assert _partition(problem.coverage_classes()) == {
        frozenset({0, 1, 2}), frozenset({3}), frozenset({4}), frozenset({5})}


@pytest.mark.parametrize(("nights", "spread"), [((1, 7), 0), ((1, 1), 2), ((1, 5), 1)])
def test_full_model_spreads_nights_in_the_team_by_night_capacity(nights, spread):
    """A0 may work one night a week, A1 seven: one team, shares 1/8 and 7/8 of its nights."""
    agents = pd.DataFrame({"agent_id": ["A0", "A1"], "name": ["A0", "A1"],
                           "skills": [("sales",), ("sales", "sales")],
                           "max_nights_per_week": pd.array([1, None], dtype="Int64")})
    problem = tiny_problem(agents=agents, num_days=7)
    pins = {(a, d): NIGHT for a, count in enumerate(nights) for d in range(count)}
    weight = problem.weights.fairness_nights
    model = cp_model.CpModel()
    terms = penalize_night_spread(model, build_work_vars(model, problem), problem)
    assert len(terms) == 1  # one team, not one group per night cap
    assert objective(problem, penalize_night_spread, pins) == spread * weight
    states = np.full((2, 7), OFF)
    for (a, d), s in pins.items():
        states[a, d] = s
    queues = np.where(states >= 0, 0, -1)
    parts = evaluate(problem, states, scheduled_counts(problem, states, queues))
    assert parts["fairness_nights"] == spread * weight


def test_full_model_spreads_weekend_rest_over_available_weekend_days():
    """A0 is on leave on Saturday: its one available weekend day is shared pro rata."""
    agents = pd.DataFrame({"agent_id": ["A0", "A1"], "name": ["A0", "A1"],
                           "skills": [("sales",), ("sales",)]})
    leave = pd.DataFrame({"agent_id": ["A0"], "date": [MONDAY + timedelta(days=5)]})
    problem = tiny_problem(agents=agents, num_days=7, leave=leave)
    weight = problem.weights.fairness_weekend
    # both rest on every available weekend day: A0 1 of 1, A1 2 of 2, no deviation
    assert objective(problem, penalize_weekend_spread, {}) == 0
    # A1 works Sunday: shares of 2 rest days are 2/3 and 4/3, rests 1 and 1
    assert objective(problem, penalize_weekend_spread, {(1, 6): DAY}) == weight
