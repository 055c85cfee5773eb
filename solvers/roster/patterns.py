"""Class-pattern model: the exact aggregate of a short roster, where a little coverage can
buy quick returns and fair shares.

Agents with identical attributes (skills, night cap, preferred rest days, leave and contract
days, pins, previous roster, fair-share targets) are interchangeable in every rule and every
cost, so a roster is fully described by how many agents of each class work each horizon
pattern (one shift type or rest per day). On a short horizon the patterns can be listed and
each checked once per class with the solver's per-agent rule check, and CP-SAT then solves the
pattern counts far more easily than the agent x day model (whose symmetric agents it cannot
tell apart). It minimises the fairness stage's costs (``row_costs.RowCosts``: fair-share
deviation, switches, quick returns, worked preferred rest days) with the coverage cost (the
solver's own, convex) at most ``[roster] coverage_tolerance`` above the roster found so far.

Why the tolerance: with the coverage-optimal head-counts fixed, quick returns can be
structurally unavoidable even with every agent inside the band, while a little more coverage
cost, often at the same shortfall in agent-intervals (the cost moves to which intervals are
short and by how much), removes most of them. The default weights price one quick return at a
fifth of one agent-interval short, so without a tolerance coverage would always win. Why the
weight ``fair_first`` (``settings.Costs``) on the fairness cost: within the tolerance fairness
decides, and coverage only breaks ties between equally fair rosters. The model is skipped when
classes x patterns exceed ``settings.Fairness.pattern_max_checks``. Measurements:
``bench/README.md``.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.exchange import plausible
from solvers.roster.fair_share import Target, teams
from solvers.roster.hints import complete_hint
from solvers.roster.legal import agent_violations
from solvers.roster.problem import UNKNOWN, RosterProblem
from solvers.roster.report import coverage_cost
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules import HARD_RULES
from solvers.roster.settings import DEFAULT_SETTINGS, Costs, Fairness
from solvers.roster.soft import coverage_penalties


def previous_signature(problem: RosterProblem, a: int) -> tuple:
    """What the rules and costs read of agent ``a``'s previous roster: its last days within
    reach of the minimum rest, the working run it ends on, and its days in the week the horizon
    starts in (weekly rest, night cap, weekly blocks). Agents who differ only further back are
    interchangeable: without this the previous roster would make nearly every agent a class."""
    tail = problem.previous[a]
    if not len(tail):
        return ()
    working = tail >= 0
    idle = np.flatnonzero(~working)
    run = len(tail) - 1 - int(idle[-1]) if len(idle) else len(tail)
    week = problem.dates[0].weekday()
    return (tail[-problem.rest_span_days:].tobytes(), run,
            tail[len(tail) - week:].tobytes() if week else b"")


def agent_classes(problem: RosterProblem, night_target: Target, rest_target: Target
                  ) -> list[list[int]]:
    """Agents identical in every attribute a rule or a cost reads: each class lies inside one
    coverage class (``wfm.teams``: team and night cap, the first two parts of the key)."""
    found: dict[tuple, list[int]] = {}
    for a in range(problem.num_agents):
        key = (problem.skills[a], int(problem.max_nights[a]),
               problem.preferred_rest[a].tobytes(), problem.forced[a].tobytes(),
               problem.fixed_shift[a].tobytes(), problem.fixed_queue[a].tobytes(),
               previous_signature(problem, a),
               int(night_target.tenths[a]), int(night_target.low[a]), int(night_target.high[a]),
               int(rest_target.tenths[a]), int(rest_target.low[a]), int(rest_target.high[a]))
        found.setdefault(key, []).append(a)
    return list(found.values())


def _candidates(problem: RosterProblem) -> np.ndarray:
    """Every row of rest or one shift type per day: (S + 1) ** D rows."""
    return np.array(list(itertools.product(range(-1, problem.num_shifts),
                                           repeat=problem.num_days)), dtype=np.int64)


def applies(problem: RosterProblem, num_classes: int,
            max_checks: int = DEFAULT_SETTINGS.fairness.pattern_max_checks) -> bool:
    """Whether listing the patterns is affordable (at most ``max_checks`` class x pattern
    rule checks), and no agent has a pinned queue on a multi-skill team (the model splits a
    team's head-counts between queues freely)."""
    rows = (problem.num_shifts + 1) ** problem.num_days
    pinned_queue = any(len(problem.skills[a]) > 1 and (problem.fixed_queue[a] >= 0).any()
                       for a in range(problem.num_agents))
    return rows * num_classes <= max_checks and not pinned_queue


def legal_patterns(problem: RosterProblem, a: int, candidates: np.ndarray) -> np.ndarray:
    """Agent ``a``'s legal rows among ``candidates`` (leave and contract days forced first;
    with ``night_pattern = "weekly_blocks"`` only rows that keep the blocks)."""
    rows = candidates.copy()
    forced = problem.forced[a] != UNKNOWN
    rows[:, forced] = problem.forced[a][forced]
    rows = np.unique(rows, axis=0)
    rows = rows[plausible(problem, a, rows)]
    queue = np.full(problem.num_days, problem.skills[a][0] if problem.skills[a] else -1)
    queue = np.where(problem.fixed_queue[a] >= 0, problem.fixed_queue[a], queue)
    keep = [i for i, row in enumerate(rows)
            if not agent_violations(problem, a, row, np.where(row >= 0, queue, -1),
                                    first_only=True, rules=HARD_RULES)]
    return rows[keep]


def inside_band(costs: RowCosts, a: int, rows: np.ndarray) -> np.ndarray:
    """(N,) rows whose nights and weekend rest are inside agent ``a``'s band. The model keeps
    only these and the class's current rows: a fraction of the legal rows, so it proves its
    optimum far faster; a row outside the band costs ``outside_band_cost`` per tenth beyond
    it, so an optimum seldom needs one (and the current rows keep the old roster reachable)."""
    problem, night, rest = costs.problem, costs.night_target, costs.rest_target
    working = rows >= 0
    nights = (working & problem.night[np.clip(rows, 0, None)]).sum(axis=1)
    rests = (costs.weekend_free[a][None, :] & ~working).sum(axis=1)
    return ((nights >= night.low[a]) & (nights <= night.high[a])
            & (rests >= rest.low[a]) & (rests <= rest.high[a]))


def replan(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
           night_target: Target, rest_target: Target, *, tolerance: float,
           det_seconds: float, budget: Budget,
           settings: Fairness = DEFAULT_SETTINGS.fairness,
           costs: Costs = DEFAULT_SETTINGS.costs) -> bool:
    """Re-plan the roster by class-pattern counts (in place; module docstring), rows priced
    with ``costs``; whether it changed. Skipped (False) when the patterns are too many to list
    (``settings.pattern_max_checks``)."""
    classes = agent_classes(problem, night_target, rest_target)
    if not applies(problem, len(classes), settings.pattern_max_checks) or tolerance < 0:
        return False
    fair_first = costs.fair_first
    row_costs = RowCosts(problem, night_target, rest_target, costs)
    candidates = _candidates(problem)
    model = cp_model.CpModel()
    counts: list[list[tuple[np.ndarray, cp_model.IntVar]]] = []
    team_terms: dict[tuple[tuple[int, ...], int, int], list] = {}
    fair_terms = []
    hint: list[tuple[cp_model.IntVar, int]] = []
    for members in classes:
        a = members[0]
        rows = legal_patterns(problem, a, candidates)
        price = row_costs.rows(a, rows).astype(np.int64)
        current = Counter(states[b].tobytes() for b in members)
        keep = inside_band(row_costs, a, rows) | np.array(
            [row.tobytes() in current for row in rows], dtype=bool)
        rows, price = rows[keep], price[keep]
        mine = []
        for row, cost in zip(rows, price, strict=True):
            var = model.new_int_var(0, len(members), "")
            mine.append((row, var))
            fair_terms.append(int(cost) * var)
            hint.append((var, current[row.tobytes()]))
            for d in np.flatnonzero(row >= 0):
                team_terms.setdefault((problem.skills[a], int(d), int(row[d])), []).append(var)
        if sum(current[row.tobytes()] for row, _ in mine) != len(members):
            return False  # a current row is not among the listed ones (a bug): leave it be
        model.add(sum(var for _, var in mine) == len(members))
        counts.append(mine)
    split = _queue_split(model, problem, states, queues, team_terms, hint)
    terms: dict[tuple[int, int], list] = {}
    for (_skills, on_day, shift, queue), expr in split.items():
        for t in problem.cover[on_day][shift]:
            terms.setdefault((int(t), queue), []).append(expr)
    penalties = coverage_penalties(model, problem, terms)
    coverage = sum(p.weight * p.var for p in penalties)
    now = coverage_cost(problem, scheduled_counts(problem, states, queues))
    model.add(coverage <= int(np.floor((1 + tolerance) * now)))
    fairness = sum(fair_terms)
    model.minimize(fair_first * fairness + coverage)
    complete_hint(model, hint, seconds=budget.wall_left(), det_seconds=0.2 * det_seconds)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # repeatable (budget.py)
    solver.parameters.max_deterministic_time = max(0.01, det_seconds)
    solver.parameters.max_time_in_seconds = budget.wall_left()
    solver.parameters.random_seed = problem.config.roster.random_seed
    # presolve (probing) spent 3.5 deterministic seconds on the 200 x 7 model without a
    # search step; without it the LP, tight on pattern counts, proves the optimum in about 2
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        budget.expired("pattern model")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    before = fair_first * row_costs.rows_of(list(range(problem.num_agents)), states).sum() + now
    if solver.objective_value >= before:
        return False
    new_states = states.copy()
    for members, mine in zip(classes, counts, strict=True):
        _assign_rows(members, [(row, solver.value(var)) for row, var in mine], states,
                     new_states)
    new_queues = _assign_queues(problem, new_states, queues,
                                {key: solver.value(expr) for key, expr in split.items()})
    for a in range(problem.num_agents):
        if agent_violations(problem, a, new_states[a], new_queues[a], first_only=True):
            return False  # cannot happen when the classes are right: keep the old roster
    states[:], queues[:] = new_states, new_queues
    return True


def team_members(problem: RosterProblem) -> dict[tuple[int, ...], list[int]]:
    """The agents of each team, by skills."""
    return {problem.skills[members[0]]: members for members in teams(problem)}


def _queue_split(model: cp_model.CpModel, problem: RosterProblem, states: np.ndarray,
                 queues: np.ndarray, team_terms: dict, hint: list
                 ) -> dict[tuple[tuple[int, ...], int, int, int], cp_model.LinearExprT]:
    """Each team's head-count per day and shift type, split between its queues: an expression
    per (skills, day, shift, queue). A one-queue team's is the count itself."""
    split: dict[tuple[tuple[int, ...], int, int, int], cp_model.LinearExprT] = {}
    members = team_members(problem)
    for (skills, d, s), variables in team_terms.items():
        team = members[skills]
        total = model.new_int_var(0, len(team), "")  # one variable: each interval the shift
        model.add(total == sum(variables))  # covers reads it, not thousands of pattern counts
        hint.append((total, int((states[team, d] == s).sum())))
        if len(skills) == 1:
            split[skills, d, s, skills[0]] = total
            continue
        parts = []
        for q in skills:
            var = model.new_int_var(0, len(team), "")
            parts.append(var)
            split[skills, d, s, q] = var
            hint.append((var, int(((states[team, d] == s) & (queues[team, d] == q)).sum())))
        model.add(sum(parts) == total)
    return split


def _assign_rows(members: list[int], chosen: list[tuple[np.ndarray, int]],
                 states: np.ndarray, new_states: np.ndarray) -> None:
    """Give a class's chosen rows to its agents, each keeping its own row where it was chosen."""
    left = {row.tobytes(): (row, n) for row, n in chosen if n}
    waiting = []
    for a in members:
        key = states[a].tobytes()
        if key in left and left[key][1] > 0:
            row, n = left[key]
            left[key] = (row, n - 1)
        else:
            waiting.append(a)
    pool = [row for row, n in left.values() for _ in range(n)]
    for a, row in zip(waiting, pool, strict=True):
        new_states[a] = row


def _assign_queues(problem: RosterProblem, new_states: np.ndarray, queues: np.ndarray,
                   split: dict[tuple[tuple[int, ...], int, int, int], int]) -> np.ndarray:
    """Queues for the new rows: a one-skill agent's own; on a multi-skill team the model's
    split per day and shift, each agent keeping its old queue that day where the split allows."""
    new_queues = np.full_like(queues, -1)
    for a in range(problem.num_agents):
        if len(problem.skills[a]) == 1:
            new_queues[a] = np.where(new_states[a] >= 0, problem.skills[a][0], -1)
    wanted_by: dict[tuple[tuple[int, ...], int, int], dict[int, int]] = {}
    for (skills, d, s, q), n in split.items():
        if len(skills) > 1:
            wanted_by.setdefault((skills, d, s), {})[q] = int(n)
    members = team_members(problem)
    for (skills, d, s), wanted in wanted_by.items():
        on = [a for a in members[skills] if new_states[a, d] == s]
        waiting = []
        for a in on:
            q = int(queues[a, d])
            if wanted.get(q, 0) > 0:
                new_queues[a, d] = q
                wanted[q] -= 1
            else:
                waiting.append(a)
        pool = [q for q, n in wanted.items() for _ in range(n)]
        for a, q in zip(waiting, pool, strict=True):
            new_queues[a, d] = q
    return new_queues

