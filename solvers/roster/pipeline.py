"""The roster pipeline: a list of stages over one context.

``solve.solve_problem`` builds a ``SolveContext`` (the problem, the settings, the plan of each
stage's time, the budget), runs every stage of ``STAGES`` in order, then extracts the solution.
A stage is a plain function ``stage(context) -> None`` that reads and updates the context: the
aggregate head-count plan, the individual roster (``states``, ``queues``), the best bound, the
figures. The stages, in order:

1. *pre-check*: conflicts named by agent, date and rule (``Infeasible``).
2. *aggregate model*: coverage-optimal head-counts per group of interchangeable agents and the
   independent lower bound on the coverage cost.
3. *least shortfall*: the convex cost evens the shortfall out across intervals at the price of
   more of it in all; the plan is re-solved with its total capped near the least possible.
4. *shift-mix smoothing*: each group's shift types re-shared so its mix changes little from
   day to day (same coverage).
5. *assignment*: each group's working days by an exact LP on the per-agent caps, then
   individuals by a constructive pass.
6. *local moves*: rounds of gap filling and single-agent moves.
7. *full model* (small instances), warm-started from the roster, or
8. *neighbourhood search* (large ones): the full model on a few agents at a time.
9. *fairness*: the sub-stages of ``fair.FAIRNESS_STAGES`` (fair-share targets, class-pattern
   model, weekly-block chunks, pair trades, team re-solves).

On a large site (``settings.Decomposition``) stages 5-9 run per team as parallel tasks, with a
cross-team repair between the coverage stages and the fairness stage (``team_tasks.py``).

Every stage is limited by work sized from the time limit in one place (``StagePlan``), never by
the clock, so the same inputs, seed and settings give the same roster. The wall-clock cap is a
safety net: each stage's cap leaves the stages after it the wall time they reserve (the
assignment, which every roster needs, and the fairness stage: on a busy machine the stages
that only improve the plan are cut short rather than those), and a stage it cuts short is
named in ``figures["wall_clock_capped"]``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from solvers.roster import neighbourhood
from solvers.roster.aggregate import (
    AggregatePlan,
    plan_shortfall,
    smooth_shift_mix,
    solve_aggregate,
)
from solvers.roster.assign import assign_counts, fill_gaps, scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.fair import FairnessResult, rebalance, shortfall_ceiling
from solvers.roster.full_model import solve_full
from solvers.roster.improve import improve
from solvers.roster.legal import precheck
from solvers.roster.problem import RosterProblem
from solvers.roster.realize import plan_workdays
from solvers.roster.report import evaluate, total_shortfall
from solvers.roster.settings import SolverSettings
from wfm.errors import Infeasible


@dataclass(frozen=True)
class StagePlan:
    """Each stage's share of the time limit, computed once from ``settings.TimeShares``.

    The aggregate models and the smoothing are capped at a share of the limit (they normally
    finish well inside it). What is left of ``flexible_share`` of the limit after the setup
    (about ``setup_seconds_per_agent_day`` per agent-day), never less than
    ``least_flexible_share`` of it, is the flexible time: the fairness stage takes its share
    first, the local moves theirs of the rest, and the full model or the neighbourhood search
    the remainder.
    """

    limit_seconds: float
    work_vars: int
    full: bool              # the full model is solved (else the neighbourhood search)
    aggregate_seconds: float
    smooth_seconds: float
    fair_seconds: float
    local_seconds: float
    search_seconds: float

    @property
    def flexible_seconds(self) -> float:
        """The flexible time: fairness, local moves and search together."""
        return self.fair_seconds + self.local_seconds + self.search_seconds

    @classmethod
    def of(cls, problem: RosterProblem, limit_seconds: float,
           settings: SolverSettings) -> StagePlan:
        shares = settings.shares
        work_vars = sum(len(problem.skills[a]) for a in range(problem.num_agents)) * (
            problem.num_days * problem.num_shifts)
        full = work_vars <= settings.search.full_model_max_vars
        flexible = max(shares.least_flexible_share * limit_seconds,
                       shares.flexible_share * limit_seconds
                       - shares.setup_seconds_per_agent_day * problem.num_agents
                       * problem.num_days)
        fair = (shares.fair_share_full if full else shares.fair_share_large) * flexible
        flexible = flexible - fair
        local = (shares.local_share_full if full else shares.local_share_large) * flexible
        return cls(limit_seconds=limit_seconds, work_vars=work_vars, full=full,
                   aggregate_seconds=shares.aggregate_share * limit_seconds,
                   smooth_seconds=shares.smooth_share * limit_seconds, fair_seconds=fair,
                   local_seconds=local, search_seconds=flexible - local)


@dataclass
class SolveContext:
    """What the stages share. ``budget`` is the current stage's view of the run's budget (its
    wall-clock cap; the cut-short stages are recorded in one list for the whole run);
    ``figures`` collects what the stages report (``say`` prints progress lines), ``extras``
    what a stage keeps for a later one (e.g. the team tasks' runner, ``team_tasks.py``)."""

    problem: RosterProblem
    settings: SolverSettings
    plan: StagePlan
    run_budget: Budget
    say: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    budget: Budget = field(init=False)
    aggregate: AggregatePlan | None = None
    workdays: np.ndarray | None = None
    states: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    queues: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    objective_before_search: int = 0   # the roster's objective (report.evaluate) after local moves
    method: str = "decomposition"
    best_bound: float = 0.0
    least_shortfall: float | None = None  # the least total shortfall any roster has
    fairness: FairnessResult | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # stages' private state, not reported

    def __post_init__(self) -> None:
        self.budget = self.run_budget

    @property
    def seed(self) -> int:
        return self.problem.config.roster.random_seed

    @property
    def lower_bound(self) -> float:
        """The aggregate model's bound on the coverage cost alone."""
        return self.aggregate.best_bound if self.aggregate is not None else 0.0


def pre_check(ctx: SolveContext) -> None:
    """Refuse an input no roster can satisfy, naming agent, date and rule."""
    conflicts = precheck(ctx.problem)
    if conflicts:
        shown = "; ".join(f"agent {v.agent_id} on {v.date} breaks rule {v.code}: {v.message}"
                          for v in conflicts[:3])
        more = f" (and {len(conflicts) - 3} more)" if len(conflicts) > 3 else ""
        raise Infeasible(f"no legal roster: {shown}{more}", conflicts=conflicts)


def aggregate_model(ctx: SolveContext) -> None:
    """Coverage-optimal head-counts and the coverage lower bound (``aggregate.py``)."""
    problem, budget = ctx.problem, ctx.budget
    ctx.say(f"aggregate model: {problem.num_agents} agents, {problem.num_days} days, "
            f"{len(problem.coverage_classes())} coverage classes")
    plan = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), budget=budget,
                           det_seconds=budget.det_seconds(ctx.plan.aggregate_seconds))
    ctx.say(f"aggregate {plan.status}: coverage cost {plan.objective:g}, lower bound "
            f"{plan.best_bound:g} ({plan.seconds:.1f} s)")
    ctx.aggregate = plan
    ctx.best_bound = max(plan.best_bound, 0.0)


def least_shortfall(ctx: SolveContext) -> None:
    """Keep the plan's total shortfall within ``shortfall_slack`` of the least possible (the
    plain-shortfall aggregate's optimum), re-solving with that cap when it exceeds it: fewest
    agent-intervals short first, then as even as the convex cost wants. The plan keeps the
    first solve's bound, which holds for every roster. Not with weekly blocks: they re-solve
    the head-counts in whole weeks, and the capped plan's sharper day-to-day changes of the
    shift mix leave them more coverage cost. The least total's bound is kept
    (``least_shortfall``): the weekend release's shortfall ceiling is measured from it."""
    problem, budget, plan = ctx.problem, ctx.budget, ctx.aggregate
    assert plan is not None
    if plan.status not in ("OPTIMAL", "FEASIBLE") or (
            problem.config.roster.night_pattern == "weekly_blocks"):
        return
    det = budget.det_seconds(ctx.plan.aggregate_seconds)
    # the least total without the tail pools: only a cap is taken from it, and the pooled
    # model took 59 s of a 120 s run on a five-queue site with many multi-skilled agents
    least = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), convex=False,
                            budget=budget, det_seconds=det, pooled=False)
    if least.status not in ("OPTIMAL", "FEASIBLE"):
        return
    ctx.least_shortfall = max(0.0, least.best_bound)
    cap = int(np.floor((1 + ctx.settings.construction.shortfall_slack) * least.objective))
    if plan_shortfall(problem, plan.counts) <= cap:
        return
    capped = solve_aggregate(problem, time_limit_seconds=budget.wall_left(), budget=budget,
                             det_seconds=det, max_shortfall=cap)
    if capped.status not in ("OPTIMAL", "FEASIBLE"):
        return
    ctx.say(f"aggregate with the shortfall capped at {cap} agent-intervals (least "
            f"{least.objective:g}): coverage cost {capped.objective:g}")
    ctx.aggregate = replace(capped, best_bound=plan.best_bound, status=plan.status)


def shift_mix_smoothing(ctx: SolveContext) -> None:
    """Re-share shift types among groups so each group's mix changes little day to day."""
    assert ctx.aggregate is not None
    budget = ctx.budget
    ctx.aggregate = smooth_shift_mix(ctx.problem, ctx.aggregate,
                                     time_limit_seconds=budget.wall_left(), budget=budget,
                                     det_seconds=budget.det_seconds(ctx.plan.smooth_seconds),
                                     gap=ctx.settings.construction.smooth_gap)


def assignment_reserve(ctx: SolveContext) -> float:
    """Wall seconds the assignment keeps from the stages before it. Its working-day LPs are not
    counted work and always run (every roster needs them: cut, the greedy pass alone left four
    queues 4,000 x 28 at 120 s 0.25% above the bound and 6% quick returns, against 0.13% and
    0.2%), so the plan's stages are cut short first to leave them their time."""
    problem = ctx.problem
    return (ctx.settings.shares.assignment_seconds_per_agent_day * problem.num_agents
            * problem.num_days)


def assignment(ctx: SolveContext) -> None:
    """Working days per group by LP (``realize.py``), then individuals (``assign.py``)."""
    problem, plan = ctx.problem, ctx.aggregate
    assert plan is not None
    if ctx.settings.construction.match_workdays:
        ctx.workdays = plan_workdays(problem, plan.groups, plan.counts)
    ctx.states, ctx.queues = assign_counts(problem, plan.groups, plan.counts, seed=ctx.seed,
                                           workdays=ctx.workdays)


def local_moves(ctx: SolveContext) -> None:
    """Alternate gap filling (add shifts where short) and single-agent moves, on counted work."""
    problem, states, queues = ctx.problem, ctx.states, ctx.queues
    construction = ctx.settings.construction
    work = ctx.budget.work(ctx.plan.local_seconds, "local moves", problem.num_days)
    moves = 0
    for _ in range(construction.local_rounds):
        added = fill_gaps(problem, states, queues, work=work)
        scheduled = scheduled_counts(problem, states, queues)
        moved = improve(problem, states, queues, scheduled, work=work, seed=ctx.seed,
                        tries_per_agent=construction.tries_per_agent)
        moves += added + moved
        if not (added or moved) or not work.left():
            break
    ctx.objective_before_search = evaluate(problem, states, scheduled)["total"]
    ctx.say(f"assigned agents ({moves} local moves): objective {ctx.objective_before_search}")


def full_model(ctx: SolveContext) -> None:
    """Small instances: the full model from the roster as a hint; its roster is kept when it
    is no worse, its bound always (it bounds the whole coverage-stage objective)."""
    if not ctx.plan.full:
        return
    search = ctx.settings.search
    det_seconds = search.full_det_per_second * ctx.plan.search_seconds
    ctx.say(f"full model: {ctx.plan.work_vars} work variables, {det_seconds:.1f} "
            "deterministic s")
    found = solve_full(ctx.problem, budget=ctx.budget, det_seconds=det_seconds,
                       hint=(ctx.states, ctx.queues), hint_share=search.full_hint_share)
    if found is None:
        return
    status, objective, bound, states, queues = found
    ctx.figures["full_model_status"] = status
    ctx.best_bound = max(ctx.best_bound, bound)
    if objective <= ctx.objective_before_search:
        ctx.states, ctx.queues, ctx.method = states, queues, "full"


def neighbourhood_search(ctx: SolveContext) -> None:
    """Large instances: re-solve a few agents of one group at a time with the full model."""
    if ctx.plan.full:
        return
    search = ctx.settings.search
    tries = max(1, int(ctx.plan.search_seconds / search.seconds_per_move))
    accepted = neighbourhood.search(ctx.problem, ctx.states, ctx.queues, moves=tries,
                                    budget=ctx.budget, det_per_move=search.det_per_move,
                                    size=search.move_agents,
                                    window_days=search.move_window_days,
                                    hint_share=search.move_hint_share, seed=ctx.seed)
    ctx.say(f"neighbourhood search: {accepted} improving moves of {tries}")


def fairness_figures(result: FairnessResult, shortfall_before: int,
                     ceiling: int | None) -> dict[str, Any]:
    """What the fairness stage reports in the solution's figures (``fairness_stage``): with
    the total shortfall it started from and the weekend release's ceiling."""
    return {"shortfall_before": shortfall_before, "shortfall_ceiling": ceiling,
            "pattern_model_changed": result.replanned, "trades": result.accepted,
            "team_resolves_kept": result.resolved, "weekly_block_resolves": result.tried,
            "weekly_block_failures": result.block_failures,
            "weekend_rest_released": result.released,
            "weekend_rest_taken": result.taken, "rest_days_shuffled": result.shuffled}


def fairness(ctx: SolveContext) -> None:
    """Share nights and weekend rest inside teams: ``fair.FAIRNESS_STAGES`` in order."""
    started = time.monotonic()
    ceiling = shortfall_ceiling(ctx.problem, ctx.least_shortfall)
    before = total_shortfall(ctx.problem, scheduled_counts(ctx.problem, ctx.states, ctx.queues))
    result = rebalance(ctx.problem, ctx.states, ctx.queues, budget=ctx.budget,
                       seconds=ctx.plan.fair_seconds, settings=ctx.settings, seed=ctx.seed,
                       shortfall_ceiling=ceiling)
    ctx.fairness = result
    ctx.figures["fairness_stage"] = fairness_figures(result, before, ceiling)
    ctx.say(f"fairness: {'re-planned by week patterns, ' if result.replanned else ''}"
            f"{result.accepted} trades inside teams, {result.resolved} team re-solves kept"
            f"{f', {result.tried} weekly-block re-solves' if result.tried else ''} "
            f"({time.monotonic() - started:.1f} s)")


@dataclass(frozen=True)
class Stage:
    """A named stage and the wall-clock seconds it keeps from the stages before it."""

    name: str
    run: Callable[[SolveContext], None]
    reserve: Callable[[SolveContext], float] = lambda _ctx: 0.0


STAGES: tuple[Stage, ...] = (
    Stage("pre-check", pre_check),
    Stage("aggregate model", aggregate_model),
    Stage("least shortfall", least_shortfall),
    Stage("shift-mix smoothing", shift_mix_smoothing),
    Stage("assignment", assignment, reserve=assignment_reserve),
    Stage("local moves", local_moves),
    Stage("full model", full_model),
    Stage("neighbourhood search", neighbourhood_search),
    Stage("fairness", fairness, reserve=lambda ctx: ctx.plan.fair_seconds),
)


def run_stages(ctx: SolveContext, stages: tuple[Stage, ...] = STAGES) -> SolveContext:
    """Run ``stages`` in order, each within its wall-clock cap: the run's deadline less what
    the stages after it reserve. Each stage's wall seconds go to ``figures["stage_seconds"]``,
    the stages the cap cut short to ``figures["wall_clock_capped"]``."""
    seconds = ctx.figures.setdefault("stage_seconds", {})
    for i, stage in enumerate(stages):
        reserved = sum(later.reserve(ctx) for later in stages[i + 1:])
        ctx.budget = ctx.run_budget.until(ctx.run_budget.deadline - reserved)
        started = time.monotonic()
        stage.run(ctx)
        seconds[stage.name] = round(time.monotonic() - started, 3)
    ctx.budget = ctx.run_budget
    ctx.figures["wall_clock_capped"] = list(ctx.run_budget.capped)
    return ctx
