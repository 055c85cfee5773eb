"""Build, solve and extract: the full model for small instances, the decomposition for large.

``plan_roster`` runs: pre-check (conflicts named by agent, date and rule) → aggregate
head-count model per group of interchangeable agents (coverage-optimal counts and the
independent lower bound) → each group's working days chosen by an exact LP on the per-agent
caps (``realize``) → constructive assignment of individuals → gap filling and local
moves → for small instances the full agent x day x shift model warm-started from that roster,
for large ones a neighbourhood search that re-solves a few agents at a time with the full
model → the fairness stage (``fair.py``): on short horizons an exact class-pattern re-plan that
may give up ``coverage_tolerance`` of the coverage cost for fewer quick returns and fairer
shares, then trades and team re-solves that keep every head-count bring each agent's nights
and weekend rest within the band around its fair share (and, with ``night_pattern =
"weekly_blocks"``, re-solves that make whole weeks of nights or days).
Every stage is limited by work sized from the time limit, not by the clock, so the same inputs
and seed give the same roster (``budget.py``). Every roster returned passes the solver's
own rule check and, in ``plan_roster``, the independent ``wfm.rules.check_roster``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from solvers.roster import neighbourhood
from solvers.roster.aggregate import (
    AggregatePlan,
    plan_shortfall,
    smooth_shift_mix,
    solve_aggregate,
    solve_budgeted,
)
from solvers.roster.assign import assign_counts, fill_gaps, scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.fair import rebalance
from solvers.roster.hints import complete_hint
from solvers.roster.improve import improve
from solvers.roster.legal import agent_violations, precheck
from solvers.roster.problem import RosterProblem, build_problem
from solvers.roster.realize import plan_workdays
from solvers.roster.report import (
    coverage_shortfall_figures,
    evaluate,
    roster_frame,
    shortfall_figures,
)
from solvers.roster.rules import COVERAGE_RULES
from solvers.roster.soft import SOFT_RULES, Penalty
from solvers.roster.variables import WorkVars, build_work_vars
from wfm.config import SiteConfig
from wfm.coverage import coverage_table
from wfm.errors import Infeasible
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness, fairness_figures, fairness_lines

# Checker rules the solver pursues but reports rather than guarantees: the fair-share band is
# kept where the head-counts allow (else the smallest deviation, in figures["fairness"]), and
# weekly blocks can be impossible with pinned shifts
REPORTED_GOALS = frozenset({"fair_share_nights", "fair_share_weekend_rest", "weekly_blocks"})
FULL_MODEL_MAX_VARS = 12_000  # work variables up to which the full model is worth solving
LOCAL_ROUNDS = 4              # rounds of gap filling + local moves
MATCH_WORKDAYS = True         # choose each group's working days by LP before the greedy pass
# Work per stage, sized from the time limit (see budget.py). The aggregate model, the shift-mix
# smoothing and the assignment together take about SECONDS_PER_AGENT_DAY per agent-day (measured,
# 1000 x 28); of what is left of 0.75 of the limit (at least a quarter of the limit) the local
# moves get LOCAL_SHARE_* and the full model or the neighbourhood search the remainder. The
# margin keeps the wall-clock cap rarely hit on a busy machine.
SECONDS_PER_AGENT_DAY = 2.0e-4
SHORTFALL_SLACK = 0.0         # total shortfall at most this share above the least possible
AGGREGATE_SHARE = 0.3         # deterministic-time cap of each aggregate model (it is normally
SMOOTH_SHARE = 0.1            # solved to optimality well within it) as a share of the limit
LOCAL_SHARE_FULL = 0.5        # local moves before the full model (small instances; they
                              # improve these rosters more than the full model does)
LOCAL_SHARE_LARGE = 0.85      # local moves before the neighbourhood search (large instances;
                              # per second they gain about 7x more than neighbourhood moves)
SECONDS_PER_MOVE = 1.0        # wall time of one neighbourhood move (measured, 1000 x 28)
DET_PER_MOVE = 0.5            # deterministic time of one neighbourhood sub-solve
FAIR_SHARE = 0.4             # of the flexible time: the fairness stage (fair.py), last
FAIR_SHARE_FULL = 0.6        # the same for small instances: their local moves and full model
                             # end well inside their shares (150 x 14: 17 s of 60 in all), and
                             # the team re-solves were still improving when their work ran out
DET_PER_FAIR_SOLVE = 0.5      # deterministic time of one weekly-blocks chunk re-solve
FULL_DET_PER_SECOND = 0.3     # the full model's deterministic time per second: measured 0.2
                              # (60 x 7) to 0.5 (200 x 14) with the machine shared


@dataclass(frozen=True)
class RosterSolution:
    """A solved roster and how good it is.

    ``objective`` prices the roster with every soft goal; ``best_bound`` is a proven lower bound
    on it; ``lower_bound`` is the aggregate model's bound on the coverage part alone (independent
    of agent identities); ``gap = (objective - best_bound) / objective``.
    """

    status: str
    objective: float
    best_bound: float
    gap: float
    seconds: float
    lower_bound: float
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    penalties: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    method: str = "decomposition"


def build_model(problem: RosterProblem) -> tuple[cp_model.CpModel, WorkVars, list[Penalty]]:
    """Variables, every hard rule, every soft goal and the objective in one CP-SAT model."""
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    for add_rule in COVERAGE_RULES:
        add_rule(model, work, problem)
    penalties: list[Penalty] = []
    for penalize in SOFT_RULES:
        penalties.extend(penalize(model, work, problem))
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work, penalties


def solve_full(problem: RosterProblem, *, budget: Budget, det_seconds: float,
               hint: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[str, float, float, np.ndarray, np.ndarray] | None:
    """Solve the full model within ``det_seconds`` of deterministic time (and the budget's
    wall-clock cap); (status, objective, bound, states, queues) or None if no solution."""
    model, work, _ = build_model(problem)
    if hint is not None:
        states, queues = hint
        complete_hint(model, [(var, int(states[a, d] == s and queues[a, d] == q))
                              for (a, d, s, q), var in work.items()],
                      seconds=budget.wall_left(), det_seconds=0.2 * det_seconds)
    solver = cp_model.CpSolver()
    status = solve_budgeted(solver, model, problem, budget.wall_left(), budget, det_seconds,
                            "full model")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    states = problem.rest_states()
    queues = np.full_like(states, -1)
    for (a, d, s, q), var in work.items():
        if solver.boolean_value(var):
            states[a, d], queues[a, d] = s, q
    return (solver.status_name(status), float(solver.objective_value),
            float(solver.best_objective_bound), states, queues)


def _infeasible(problem: RosterProblem) -> None:
    conflicts = precheck(problem)
    if conflicts:
        shown = "; ".join(f"agent {v.agent_id} on {v.date} breaks rule {v.code}: {v.message}"
                          for v in conflicts[:3])
        more = f" (and {len(conflicts) - 3} more)" if len(conflicts) > 3 else ""
        raise Infeasible(f"no legal roster: {shown}{more}", conflicts=conflicts)


def _within_least_shortfall(problem: RosterProblem, plan: AggregatePlan, budget: Budget,
                            time_limit_seconds: float, say: Callable[[str], None]
                            ) -> AggregatePlan:
    """The convex cost evens the shortfall out across intervals, at the price of more of it in
    all (150 x 14: 2,509 agent-intervals against the least 2,463); keep the total within
    SHORTFALL_SLACK of the least possible (the plain-shortfall aggregate's optimum), re-solving
    with that cap when the plan exceeds it: fewest agent-intervals short first, then as even
    as possible. The returned plan keeps the first solve's bound, which holds for every
    roster. On the bench the final rosters' convex cost fell too (the rosters realise the
    capped plans more closely)."""
    if plan.status not in ("OPTIMAL", "FEASIBLE") or (
            problem.config.roster.night_pattern == "weekly_blocks"):
        return plan  # blocks re-solve the head-counts in whole weeks: the capped plan's sharper
        # day-to-day changes of the shift mix left them 6% more coverage cost (bench, 150 x 14)
    det = budget.det_seconds(AGGREGATE_SHARE * time_limit_seconds)
    least = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), convex=False,
                            budget=budget, det_seconds=det)
    if least.status not in ("OPTIMAL", "FEASIBLE"):
        return plan
    cap = int(np.floor((1 + SHORTFALL_SLACK) * least.objective))
    if plan_shortfall(problem, plan.counts) <= cap:
        return plan
    capped = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), budget=budget,
                             det_seconds=det, max_shortfall=cap)
    if capped.status not in ("OPTIMAL", "FEASIBLE"):
        return plan
    say(f"aggregate with the shortfall capped at {cap} agent-intervals (least "
        f"{least.objective:g}): coverage cost {capped.objective:g}")
    return replace(capped, best_bound=plan.best_bound, status=plan.status)


def solve_problem(problem: RosterProblem, *, time_limit_seconds: float,
                  progress: Callable[[str], None] | None = None) -> RosterSolution:
    """Solve a built problem (see module docstring).

    Every stage is limited by work sized from ``time_limit_seconds`` (see ``budget.py``), so the
    same problem and seed give the same roster; the time limit itself is only a wall-clock cap,
    and ``figures["wall_clock_capped"]`` names the stages it cut short (the roster may then
    differ from run to run).
    """
    say = progress or (lambda _message: None)
    started = time.monotonic()
    budget = Budget.start(time_limit_seconds)
    _infeasible(problem)
    seed = problem.config.roster.random_seed

    say(f"aggregate model: {problem.num_agents} agents, {problem.num_days} days, "
        f"{len(problem.groups())} groups")
    plan = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), budget=budget,
                           det_seconds=budget.det_seconds(AGGREGATE_SHARE * time_limit_seconds))
    say(f"aggregate {plan.status}: coverage cost {plan.objective:g}, lower bound "
        f"{plan.best_bound:g} ({plan.seconds:.1f} s)")
    plan = _within_least_shortfall(problem, plan, budget, time_limit_seconds, say)
    plan = smooth_shift_mix(problem, plan, time_limit_seconds=budget.wall_left(), budget=budget,
                            det_seconds=budget.det_seconds(SMOOTH_SHARE * time_limit_seconds))
    workdays = plan_workdays(problem, plan.groups, plan.counts) if MATCH_WORKDAYS else None
    states, queues = assign_counts(problem, plan.groups, plan.counts, seed=seed,
                                   workdays=workdays)
    work_vars = sum(len(problem.skills[a]) for a in range(problem.num_agents)) * (
        problem.num_days * problem.num_shifts)
    full = work_vars <= FULL_MODEL_MAX_VARS
    flexible = max(0.25 * time_limit_seconds, 0.75 * time_limit_seconds
                   - SECONDS_PER_AGENT_DAY * problem.num_agents * problem.num_days)
    fair_seconds = (FAIR_SHARE_FULL if full else FAIR_SHARE) * flexible
    flexible -= fair_seconds
    budget.deadline -= fair_seconds  # the stages before it stop in time to leave the stage its
    # share of the wall clock (on a busy machine they are cut short rather than the last stage)
    local_seconds = (LOCAL_SHARE_FULL if full else LOCAL_SHARE_LARGE) * flexible
    moves = 0
    work = budget.work(local_seconds, "local moves", problem.num_days)
    for _ in range(LOCAL_ROUNDS):  # alternate: add shifts where short, then move days
        added = fill_gaps(problem, states, queues, work=work)
        scheduled = scheduled_counts(problem, states, queues)
        moved = improve(problem, states, queues, scheduled, work=work, seed=seed)
        moves += added + moved
        if not (added or moved) or not work.left():
            break
    parts = evaluate(problem, states, scheduled)
    say(f"assigned agents ({moves} local moves): objective {parts['total']}")
    status, method = "FEASIBLE", "decomposition"
    best_bound = max(plan.best_bound, 0.0)

    if full:
        det_seconds = FULL_DET_PER_SECOND * (flexible - local_seconds)
        say(f"full model: {work_vars} work variables, {det_seconds:.1f} deterministic s")
        found = solve_full(problem, budget=budget, det_seconds=det_seconds, hint=(states, queues))
        if found is not None:
            full_status, objective, bound, full_states, full_queues = found
            best_bound = max(best_bound, bound)
            if objective <= parts["total"]:
                states, queues, status, method = full_states, full_queues, full_status, "full"
    else:
        tries = max(1, int((flexible - local_seconds) / SECONDS_PER_MOVE))
        accepted = neighbourhood.search(problem, states, queues, moves=tries, budget=budget,
                                        det_per_move=DET_PER_MOVE, seed=seed)
        say(f"neighbourhood search: {accepted} improving moves of {tries}")
    budget.deadline += fair_seconds
    fair_started = time.monotonic()
    fairness = rebalance(problem, states, queues, budget=budget, seconds=fair_seconds,
                         det_per_solve=DET_PER_FAIR_SOLVE, seed=seed)
    say(f"fairness: {'re-planned by week patterns, ' if fairness.replanned else ''}"
        f"{fairness.accepted} trades inside teams, {fairness.resolved} team re-solves kept"
        f"{f', {fairness.tried} weekly-block re-solves' if fairness.tried else ''} "
        f"({time.monotonic() - fair_started:.1f} s)")
    if budget.capped:
        say(f"time limit of {time_limit_seconds:g} s reached in: {', '.join(budget.capped)} "
            "(stopped early: the roster may differ from run to run)")
    scheduled = scheduled_counts(problem, states, queues)
    parts = evaluate(problem, states, scheduled)
    if status != "OPTIMAL" and parts["total"] <= best_bound:
        status = "OPTIMAL"

    broken = [v for a in range(problem.num_agents)
              for v in agent_violations(problem, a, states[a], queues[a], first_only=True)]
    if broken:  # a bug, never a property of the input: fail loudly rather than return it
        raise RuntimeError(f"internal error: roster breaks {broken[0]}")

    objective = float(parts["total"])
    gap = (objective - best_bound) / objective if objective > 0 else 0.0
    assignments = roster_frame(problem, states, queues)
    return RosterSolution(
        status=status, objective=objective, best_bound=best_bound, gap=max(gap, 0.0),
        seconds=time.monotonic() - started, lower_bound=plan.best_bound,
        assignments=assignments, coverage=pd.DataFrame(), penalties=parts,
        figures={**shortfall_figures(problem, scheduled),
                 "wall_clock_capped": list(budget.capped)},
        method=method)


def plan_roster(requirement: pd.DataFrame, agents: pd.DataFrame, config: SiteConfig, *,
                leave: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                fixed: pd.DataFrame | None = None, time_limit_seconds: float | None = None,
                progress: Callable[[str], None] | None = None) -> RosterSolution:
    """Plan a roster for the requirement's dates; raises ``Infeasible`` naming agent, date, rule.

    Parameters
    ----------
    requirement, agents, leave, previous, fixed
        Tables as ``wfm.tables.read_table`` returns them.
    config
        Site configuration (shift templates, rules, weights, solver settings).
    time_limit_seconds
        Wall-clock budget; defaults to ``config.roster.time_limit_seconds``.
    progress
        Called with a short line at each phase.
    """
    problem = build_problem(requirement, agents, config, leave=leave, previous=previous,
                            fixed=fixed)
    limit = time_limit_seconds or config.roster.time_limit_seconds
    solution = solve_problem(problem, time_limit_seconds=float(limit), progress=progress)
    violations = [v for v in check_roster(solution.assignments, agents, config,
                                          previous=previous, leave=leave, fixed=fixed,
                                          agent_ids=problem.agent_ids)
                  if v.code not in REPORTED_GOALS]
    if violations:  # a solver bug, never a property of the input: refuse to return the roster
        raise RuntimeError(f"internal error: the independent checker rejects the roster: "
                           f"{violations[0]}")
    fairness = check_fairness(solution.assignments, agents, config, previous=previous,
                              leave=leave, fixed=fixed)
    coverage = coverage_table(solution.assignments, requirement, config)
    figures = {**solution.figures,
               **coverage_shortfall_figures(coverage, config.interval_minutes),
               "fairness": fairness_figures(fairness), "fairness_lines": fairness_lines(fairness)}
    return RosterSolution(**{**solution.__dict__, "coverage": coverage, "figures": figures})
