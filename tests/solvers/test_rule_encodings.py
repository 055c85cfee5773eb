"""Every encoding of every solver hard rule against the independent checker.

On tiny random rosters (2-3 agents, 3-9 days from any weekday, a random previous roster tail,
leave, contract dates, pins, night caps, minimum rest, weekly blocks on or off, a limit on
nights in a row) each ``HardRule`` in ``HARD_RULES`` must agree with ``wfm.rules.check_roster``:

(a) its per-agent check finds a violation of an agent iff the checker reports one of the rule's
    codes for that agent;
(b) its CP-SAT constraints, with one agent's work variables fixed to its row, are feasible iff
    the checker finds none of the rule's codes for that agent in the roster as the solver writes
    it (rest days as ``problem.rest_states``: the variables do not tell OFF from LEAVE), unless
    the inputs break the rule whatever the roster (the previous roster leaves a week too little
    rest or mixes its nights and days, pins break it): ``legal.precheck`` refuses those before
    any model is built;
(c) its greedy test ``may_take`` never allows a shift that makes the roster illegal: with the
    days decided so far, the shift, and every later day at rest (or as pinned), the agent's row
    passes the per-agent check and the checker. A refusal guarantees nothing: the test is
    sound, not complete (it may refuse a shift some later choice would have made legal);
(d) its vectorised row test ``rows_keep`` (the fairness trades' filter), over the roster's rows
    and random ones, gives the per-agent check's verdict on every row.

Inputs that conflict whatever the roster (a pin of OFF on approved leave, of LEAVE without it,
leave outside the contract dates) are not drawn: the solver names them before solving
(``legal.precheck``) while the checker sees only a roster.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solvers.roster.assign import _State
from solvers.roster.legal import agent_violations, pinned_states, precheck
from solvers.roster.neighbourhood import subproblem
from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem, build_problem
from solvers.roster.report import roster_frame
from solvers.roster.rules import COVERAGE_RULES, HARD_RULES, HardRule
from solvers.roster.variables import build_work_vars
from wfm.rules import check_roster

from .factories import MONDAY, requirement_frame, site

SHIFTS = [{"code": "EARLY", "start": "06:00", "end": "14:00"},
          {"code": "DAY", "start": "09:00", "end": "17:00"},
          {"code": "NIGHT", "start": "22:00", "end": "06:00"}]  # crosses midnight
QUEUES = ("sales", "service")
CHECKER_ONLY = {"unknown_agent", "unknown_shift", "one_shift_per_day", "missing_queue",
                "fair_share_nights", "fair_share_weekend_rest"}


@st.composite
def cases(draw: st.DrawFn) -> tuple[RosterProblem, np.ndarray, np.ndarray, dict]:
    """A problem, a random roster (states, queues) for it, and the tables it was built from."""
    num_agents = draw(st.integers(2, 3))
    num_days = draw(st.integers(3, 9))
    start = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    rules = {"max_consecutive_days": draw(st.integers(1, 6)),
             "min_rest_days_per_week": draw(st.sampled_from([0, 1, 2, 2])),
             "min_rest_hours": draw(st.sampled_from([0, 8, 11, 16])),
             "max_consecutive_nights": draw(st.sampled_from([0, 0, 1, 2, 3]))}
    pattern = draw(st.sampled_from(["mixed", "weekly_blocks"]))
    config = site(shifts=SHIFTS, rules=rules,
                  roster={"night_pattern": pattern, "fairness_weeks": 0})
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    codes = [s["code"] for s in SHIFTS]
    dates = [start + timedelta(days=d) for d in range(num_days)]
    ids = [f"A{i}" for i in range(num_agents)]

    skills = [tuple(sorted(rng.choice(QUEUES, size=int(rng.integers(1, 3)), replace=False)))
              for _ in ids]
    caps = [float(rng.integers(0, 4)) if rng.random() < 0.5 else np.nan for _ in ids]
    first_day = [dates[int(rng.integers(0, num_days))] if rng.random() < 0.2 else None
                 for _ in ids]
    last_day = [dates[int(rng.integers(0, num_days))] if rng.random() < 0.2 else None
                for _ in ids]
    agents = pd.DataFrame({"agent_id": ids, "name": ids, "skills": skills,
                           "max_nights_per_week": caps, "start_date": first_day,
                           "end_date": last_day})

    def in_contract(a: int, day) -> bool:
        return ((first_day[a] is None or day >= first_day[a])
                and (last_day[a] is None or day <= last_day[a]))

    leave = None
    if rng.random() < 0.6:
        leave = pd.DataFrame([(ids[a], day) for a in range(num_agents) for day in dates
                              if in_contract(a, day) and rng.random() < 0.12],
                             columns=["agent_id", "date"])
    on_leave = set() if leave is None else set(zip(leave["agent_id"], leave["date"],
                                                   strict=True))
    previous = None
    tail = int(rng.choice([0, 3, 7, 10]))
    if tail:
        states = ["OFF", "LEAVE", *codes, *codes]
        if rng.random() < 0.3:
            states = ["OFF", "NIGHT", "NIGHT"]  # nights just before the horizon, often
        missing = rng.choice([0.0, 0.1])  # unknown days
        previous = pd.DataFrame(
            [(agent, start - timedelta(days=k), states[int(rng.integers(0, len(states)))], "")
             for agent in ids for k in range(1, tail + 1) if rng.random() >= missing],
            columns=["agent_id", "date", "shift", "queue"])
    fixed_rows = []
    for a, agent in enumerate(ids):
        for day in dates:
            if rng.random() < 0.12:
                leave_day = (agent, day) in on_leave
                if leave_day or (leave is None and rng.random() < 0.3):
                    choice = "LEAVE" if leave_day else str(rng.choice(["LEAVE", "OFF"]))
                else:
                    choice = str(rng.choice(["OFF", *codes]))
                queue = str(rng.choice(skills[a])) if choice in codes and rng.random() < 0.5 \
                    else ""
                fixed_rows.append((agent, day, choice, queue))
    fixed = pd.DataFrame(fixed_rows, columns=["agent_id", "date", "shift", "queue"]) \
        if fixed_rows else None
    requirement = requirement_frame(config, start=start, num_days=num_days, need=0,
                                    queues=QUEUES)
    local = requirement["interval_start"].dt.date
    requirement = requirement[local < start + timedelta(days=num_days)]  # not the night's end
    problem = build_problem(requirement, agents, config, leave=leave, previous=previous,
                            fixed=fixed)
    assert problem.num_days == num_days

    # the roster: pinned days mostly kept, the rest random (rest days as the solver writes them)
    works = rng.choice([0.5, 0.9], size=(num_agents, 1))  # some agents work nearly every day
    mostly = rng.choice([0.34, 0.8], size=(num_agents, 1))  # ... or mostly nights
    shift = np.where(rng.random((num_agents, num_days)) < mostly, codes.index("NIGHT"),
                     rng.integers(0, len(codes), (num_agents, num_days)))
    if rng.random() < 0.5:  # rows in weekly blocks: each week all nights or all day shifts
        week = np.array([(day - dates[0]).days + dates[0].weekday() for day in dates]) // 7
        night_week = rng.random((num_agents, int(week[-1]) + 1)) < 0.5
        shift = np.where(night_week[:, week], codes.index("NIGHT"),
                         rng.integers(0, 2, (num_agents, num_days)))  # EARLY or DAY
    states = np.where(rng.random((num_agents, num_days)) < works, shift, problem.rest_states())
    keep_pins = (problem.fixed_shift != UNKNOWN) & (rng.random(states.shape) < 0.8)
    states = np.where(keep_pins, problem.fixed_shift, states)
    states = np.where(rng.random(states.shape) < 0.05, LEAVE, states)  # some unapproved LEAVE
    queues = np.full(states.shape, -1)
    for a in range(num_agents):
        for d in range(num_days):
            if states[a, d] >= 0:
                pinned = int(problem.fixed_queue[a, d])
                queues[a, d] = pinned if pinned >= 0 and keep_pins[a, d] and rng.random() < 0.9 \
                    else int(rng.integers(0, len(problem.queues)))
    tables = {"agents": agents, "leave": leave, "previous": previous, "fixed": fixed}
    return problem, states, queues, tables


def checker_keys(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, tables: dict
                 ) -> set[tuple[str, str, str]]:
    """(code, agent, date) of every violation the independent checker finds."""
    found = check_roster(roster_frame(problem, states, queues), tables["agents"], problem.config,
                         previous=tables["previous"], leave=tables["leave"],
                         fixed=tables["fixed"], requirement_queues=list(problem.queues))
    return {(v.code, v.agent_id, v.date) for v in found}


def by_agent(keys: set[tuple[str, str, str]], codes: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(code, agent) for code, agent, _ in keys if code in codes}


@settings(max_examples=150, deadline=None)
@given(cases())
def test_per_agent_check_agrees_with_the_checker(case):
    problem, states, queues, tables = case
    expected = checker_keys(problem, states, queues, tables)
    assert {code for code, _, _ in expected} <= {c for r in HARD_RULES for c in r.codes} \
        | CHECKER_ONLY
    assert not by_agent(expected, tuple(CHECKER_ONLY))
    for rule in HARD_RULES:
        if rule.violations is None or not rule.applies(problem):
            assert not by_agent(expected, rule.codes), rule.code
            continue
        found = {(v.code, v.agent_id) for a in range(problem.num_agents)
                 for v in rule.violations(problem, a, states[a], queues[a])}
        assert found == by_agent(expected, rule.codes), rule.code


def _feasible(problem: RosterProblem, rule: HardRule, states: np.ndarray, queues: np.ndarray
              ) -> bool:
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    rule(model, work, problem)
    for (a, d, s, q), var in work.items():
        model.add(var == int(states[a, d] == s and queues[a, d] == q))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_cp_sat_encoding_agrees_with_the_checker(case):
    """Agent by agent (a one-agent problem each), so one agent's break hides no other's."""
    problem, states, queues, tables = case
    for a in range(problem.num_agents):  # skills are structural: only skilled queues
        skilled = np.isin(queues[a], problem.skills[a])
        queues[a] = np.where(skilled, queues[a], problem.skills[a][0])
    states = np.where(states >= 0, states, problem.rest_states())  # as the solver writes it
    expected = checker_keys(problem, states, queues, tables)
    for a, agent in enumerate(problem.agent_ids):
        alone = subproblem(problem, [a], problem.required)
        lenient = pinned_states(problem, a)
        for rule in HARD_RULES:
            if rule.add_constraints is None or not rule.applies(alone):
                continue
            if rule.violations is not None and next(
                    rule.violations(problem, a, lenient, None), None):
                continue  # the inputs break the rule whatever the roster: the pre-check
                # names it before solving, and no model of the roster can mend it
            broken = {key for key in by_agent(expected, rule.codes) if key[1] == agent}
            assert _feasible(alone, rule, states[a:a + 1], queues[a:a + 1]) == (not broken), \
                (rule.code, agent, broken)


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(0, 2**32 - 1))
def test_may_take_never_allows_an_illegal_shift(case, seed):
    problem, _, _, tables = case
    if precheck(problem):
        return  # no legal roster exists: the greedy pass never runs
    rng = np.random.default_rng(seed)
    view = _State(problem)
    coverage_codes = {c for rule in COVERAGE_RULES for c in rule.codes}
    for d in range(problem.num_days):
        for a in range(problem.num_agents):
            if view.states[a, d] != UNKNOWN:
                continue
            pinned = int(problem.fixed_shift[a, d])
            if pinned >= 0:
                pinned_queue = int(problem.fixed_queue[a, d])
                view.place(a, d, pinned, pinned_queue if pinned_queue >= 0
                           else problem.skills[a][0])
                continue
            s = int(rng.integers(0, problem.num_shifts))
            if not view.can_work(a, d, s):
                continue
            view.place(a, d, s, problem.skills[a][0])
            rows = np.stack([_extended(problem, view.states[b], b) if b == a
                             else pinned_states(problem, b) for b in range(problem.num_agents)])
            queues = np.stack([_queues(problem, b, rows[b]) for b in range(problem.num_agents)])
            assert not agent_violations(problem, a, rows[a], queues[a]), (a, d, s)
            broken = {(code, agent) for code, agent, _ in
                      checker_keys(problem, rows, queues, tables)
                      if code in coverage_codes and agent == problem.agent_ids[a]}
            assert not broken, (a, d, s, broken)
            if rng.random() < 0.3:
                view.states[a, d], view.queues[a, d] = UNKNOWN, -1  # rest after all
        view.close_day(d)


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(0, 2**32 - 1))
def test_row_tests_agree_with_the_per_agent_check(case, seed):
    problem, states, queues, _ = case
    rng = np.random.default_rng(seed)
    tested = [rule for rule in HARD_RULES if rule.rows_keep is not None]
    assert {rule.code for rule in tested} >= {"max_consecutive_days", "min_rest_days_per_week",
                                             "min_rest_hours"}
    for a in range(problem.num_agents):
        rows = np.concatenate([states[a:a + 1], rng.integers(
            OFF, problem.num_shifts, size=(20, problem.num_days))])
        for rule in tested:
            if not rule.applies(problem):
                continue
            fast = rule.rows_keep(problem, a, rows)
            slow = [not any(rule.violations(problem, a, row, queues[a])) for row in rows]
            assert fast.tolist() == slow, rule.code


def _queues(problem: RosterProblem, a: int, row: np.ndarray) -> np.ndarray:
    """The pinned queue on pinned days, else the first skill (what the walk above places)."""
    pins = problem.fixed_queue[a]
    return np.where(row >= 0, np.where(pins >= 0, pins, problem.skills[a][0]), -1)


def _extended(problem: RosterProblem, decided: np.ndarray, a: int) -> np.ndarray:
    """Decided days, then pinned shifts, then rest."""
    row = np.where(decided != UNKNOWN, decided, problem.fixed_shift[a])
    row = np.where(row == UNKNOWN, problem.rest_states()[a], row)
    return np.where(row == UNKNOWN, OFF, row)


def test_weekly_blocks_after_a_previous_night():
    """The boundary the random rosters reach least: a night on the day before the horizon."""
    config = site(shifts=SHIFTS, roster={"night_pattern": "weekly_blocks", "fairness_weeks": 0},
                  rules={"min_rest_hours": 0})
    requirement = requirement_frame(config, start=MONDAY, num_days=3, need=0, queues=("sales",))
    requirement = requirement[requirement["interval_start"].dt.date < MONDAY + timedelta(days=3)]
    previous = pd.DataFrame([("A0", MONDAY - timedelta(days=1), "NIGHT", "")],
                            columns=["agent_id", "date", "shift", "queue"])
    agents = pd.DataFrame({"agent_id": ["A0"], "name": ["A0"], "skills": [("sales",)]})
    problem = build_problem(requirement, agents, config, previous=previous)
    tables = {"agents": agents, "leave": None, "previous": previous, "fixed": None}
    rule = next(r for r in HARD_RULES if r.code == "weekly_blocks")
    night, day = 2, 1
    for row, legal in (([day, day, day], False), ([OFF, day, day], True),
                       ([night, night, OFF], True), ([night, OFF, day], False)):
        states, queues = np.array([row]), np.zeros((1, 3), dtype=np.int64)
        assert not {k for k in checker_keys(problem, states, queues, tables)
                    if k[0] == "weekly_blocks"} == legal, row
        assert (not list(rule.violations(problem, 0, states[0], None))) == legal, row
        assert _feasible(problem, rule, states, queues) == legal, row
