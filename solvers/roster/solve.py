"""Solve a roster problem: build the context, run the pipeline's stages, extract the solution.

``plan_roster`` builds the problem from the input tables, ``solve_problem`` runs the stages of
``pipeline.STAGES`` (aggregate head-counts and bound, assignment of individuals, local moves,
the full model or a neighbourhood search, the fairness stage; on a large site the stages after
the aggregate run per team, ``team_tasks.py``) and extracts a ``RosterSolution``
priced by ``objective.py``. Every stage is limited by work sized from the time limit, not by the
clock, so the same inputs, seed and settings give the same roster (``budget.py``). Every roster
returned passes the solver's own rule check and, in ``plan_roster``, the independent
``wfm.rules.check_roster``: a roster that fails either is a solver bug and raises rather than
being returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.full_model import build_model
from solvers.roster.legal import agent_violations
from solvers.roster.objective import bound_figures, price
from solvers.roster.pipeline import SolveContext, StagePlan, run_stages
from solvers.roster.problem import RosterProblem, build_problem
from solvers.roster.report import coverage_shortfall_figures, roster_frame, shortfall_figures
from solvers.roster.settings import DEFAULT_SETTINGS, SolverSettings
from solvers.roster.team_tasks import (
    DECOMPOSED_STAGES,
    ProcessMap,
    TaskMap,
    decomposes,
    worker_count,
)
from wfm.config import SiteConfig
from wfm.coverage import coverage_table
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness, fairness_figures, fairness_lines

__all__ = ["REPORTED_GOALS", "RosterSolution", "build_model", "plan_roster", "solve_problem"]

# Checker rules the solver pursues but reports rather than guarantees: the fair-share band is
# kept where the head-counts allow (else the smallest deviation, in figures["fairness"]), and
# weekly blocks can be impossible with pinned shifts
REPORTED_GOALS = frozenset({"fair_share_nights", "fair_share_weekend_rest", "weekly_blocks"})


@dataclass(frozen=True)
class RosterSolution:
    """A solved roster and how good it is.

    ``objective`` prices the roster with everything the stages optimise (``objective.py``),
    ``penalties`` term by term; ``best_bound`` is a proven lower bound on it that covers the full
    model's terms (``figures["objective_bound"]`` names them), the fair-share terms being bounded
    by zero; ``lower_bound`` is the aggregate model's bound on the coverage part alone
    (independent of agent identities); ``gap = (objective - best_bound) / objective``.
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


def solve_problem(problem: RosterProblem, *, time_limit_seconds: float,
                  wall_cap_seconds: float | None = None,
                  settings: SolverSettings = DEFAULT_SETTINGS,
                  progress: Callable[[str], None] | None = None,
                  map_tasks: TaskMap | None = None) -> RosterSolution:
    """Solve a built problem (see module docstring).

    Every stage is limited by work sized from ``time_limit_seconds`` (see ``budget.py``), so the
    same problem, seed and settings give the same roster. The wall clock is capped after
    ``wall_cap_seconds`` (default: the time limit), the stages stopping early enough for the
    final check to end within it; ``figures["wall_clock_capped"]`` names the
    stages the cap cut short (the roster may then differ from run to run). A large site
    (``settings.decomposition``) is solved team by team (``team_tasks.py``), its team tasks
    run by ``map_tasks`` (default: a process pool of ``decomposition.workers``).
    """
    budget = Budget.start(time_limit_seconds, wall_cap_seconds, settings.calibration)
    # the stages stop early enough for the final rule check of every agent (``extract``,
    # one work unit per agent) to end within the cap: 1.3 s on 4,000 agents
    budget = budget.until(budget.deadline - budget.seconds_of(problem.num_agents,
                                                              problem.num_days))
    ctx = SolveContext(problem=problem, settings=settings,
                       plan=StagePlan.of(problem, float(time_limit_seconds), settings),
                       run_budget=budget, say=progress or (lambda _message: None))
    if not decomposes(problem, settings):
        run_stages(ctx)
        return extract(ctx)
    pool = ProcessMap(worker_count(settings)) if map_tasks is None else None
    ctx.extras["map_tasks"] = map_tasks or pool
    try:
        run_stages(ctx, DECOMPOSED_STAGES)
    finally:
        if pool is not None:
            pool.close()
    return extract(ctx)


def extract(ctx: SolveContext) -> RosterSolution:
    """The solution of a finished pipeline: priced, checked, as tables."""
    problem, states, queues = ctx.problem, ctx.states, ctx.queues
    if ctx.run_budget.capped:
        ctx.say(f"time limit of {ctx.plan.limit_seconds:g} s reached in: "
                f"{', '.join(ctx.run_budget.capped)} (stopped early: the roster may differ "
                "from run to run)")
    broken = [v for a in range(problem.num_agents)
              for v in agent_violations(problem, a, states[a], queues[a], first_only=True)]
    if broken:  # a bug, never a property of the input: fail loudly rather than return it
        raise RuntimeError(f"internal error: roster breaks {broken[0]}")
    scheduled = scheduled_counts(problem, states, queues)
    parts = price(problem, states, scheduled, ctx.settings.costs)
    objective = float(parts["total"])
    status = "OPTIMAL" if objective <= ctx.best_bound else "FEASIBLE"
    gap = (objective - ctx.best_bound) / objective if objective > 0 else 0.0
    return RosterSolution(
        status=status, objective=objective, best_bound=ctx.best_bound, gap=max(gap, 0.0),
        seconds=time.monotonic() - ctx.started, lower_bound=ctx.lower_bound,
        assignments=roster_frame(problem, states, queues), coverage=pd.DataFrame(),
        penalties=parts,
        figures={**shortfall_figures(problem, scheduled), **ctx.figures,
                 "objective_bound": bound_figures(parts, ctx.best_bound)},
        method=ctx.method)


def plan_roster(requirement: pd.DataFrame, agents: pd.DataFrame, config: SiteConfig, *,
                leave: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                fixed: pd.DataFrame | None = None, time_limit_seconds: float | None = None,
                wall_cap_seconds: float | None = None,
                settings: SolverSettings = DEFAULT_SETTINGS,
                progress: Callable[[str], None] | None = None,
                map_tasks: TaskMap | None = None) -> RosterSolution:
    """Plan a roster for the requirement's dates; raises ``Infeasible`` naming agent, date, rule.

    Parameters
    ----------
    requirement, agents, leave, previous, fixed
        Tables as ``wfm.tables.read_table`` returns them.
    config
        Site configuration (shift templates, rules, weights, solver settings).
    time_limit_seconds
        Sizes every stage's work (about this long on an unloaded machine); defaults to
        ``config.roster.time_limit_seconds``.
    wall_cap_seconds
        Wall-clock safety cap (default: the time limit); a stage it cuts short is named in
        ``figures["wall_clock_capped"]``.
    settings
        The stages' tunables (``settings.py``; not site keys).
    progress
        Called with a short line at each phase.
    map_tasks
        Runs a large site's team tasks (``team_tasks.TaskMap``; default: a process pool).
    """
    problem = build_problem(requirement, agents, config, leave=leave, previous=previous,
                            fixed=fixed)
    limit = time_limit_seconds or config.roster.time_limit_seconds
    solution = solve_problem(problem, time_limit_seconds=float(limit),
                             wall_cap_seconds=wall_cap_seconds, settings=settings,
                             progress=progress, map_tasks=map_tasks)
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
