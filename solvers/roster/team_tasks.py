"""Large sites solved team by team: the stages after the aggregate plan as parallel team tasks.

A team (``wfm.teams``: the agents with the same skills) is a union of coverage classes, and the
aggregate plan fixes every class's head-count per day, shift type and queue. Given those
head-counts the teams are independent except through coverage of a queue several teams serve,
so a large site (``settings.Decomposition``: enough agents and teams) is solved as

1. the pipeline's first stages on the whole site (pre-check, aggregate model, least shortfall,
   shift-mix smoothing): the head-counts and the lower bound;
2. *team tasks*, one per team: assignment, local moves and the full model or neighbourhood
   search (``pipeline.TEAM_STAGES``) on the team's sub-problem, whose requirement is what the
   plan's other teams leave uncovered (``R - P_others``, never below 0): each team sees
   exactly the coverage cost of the whole site with the other teams as planned;
3. *cross-team repair*, on the whole site: gap filling and local moves across teams, for what
   the teams' own views miss (a team realising less than its plan, two teams covering the
   same shortfall);
4. *team fairness tasks*, one per team: the fairness stage (``fair.rebalance``) on the team's
   sub-problem with the requirement the other teams' actual roster leaves uncovered (trades and
   team re-solves keep the head-counts, so the teams stay independent; a team task releases
   weekend rest only where its own takes and shuffles pay for it);
5. where a team was solved in parts, the *band repair* on the whole merged site
   (``site_band_repair``): trades for the agents still outside a band with any team-mate;
6. the *weekend release* on the whole merged site (``site_release``), where its coverage
   price and the shortfall ceiling are counted exactly.

A team of more than ``Decomposition.max_team_agents`` agents is dealt into parts of at most that
size (``task_teams``), each a task with its share of its classes' head-counts
(``split_counts``): one solve of a team that large runs out of fairness work per agent, as a
site that large does. The parts' fairness tasks aim at the whole team's fair shares, which
the checker judges (``_whole_team_targets``).

Tasks are plain data in, plain data out (``TeamTask`` -> ``TeamResult``), run by a ``TaskMap``:
``map_tasks(fn, items) -> results`` in order. The default runs in process for one worker and on
a ``ProcessPoolExecutor`` otherwise (``Decomposition.workers``, 0 = one per CPU); another runner
(e.g. Ray's ``wfm.parallel.run_tasks``) plugs in as
``lambda fn, items: [r.value for r in run_tasks(fn, items, workers=..., address=...)]``
(raising on ``r.error``). Each team's work is its share (by agents) of the stages' work and
its seed is derived from the run's seed and the team's position, so the roster is the same
for any number of workers (unless the wall-clock cap cuts a task short, which the figures
name).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from solvers.roster.aggregate import AggregatePlan
from solvers.roster.assign import fill_gaps, scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.exchange import repair_outside
from solvers.roster.fair import (
    FairnessResult,
    rebalance,
    release_within_tolerance,
    shortfall_ceiling,
)
from solvers.roster.fair_share import Target, band_targets
from solvers.roster.improve import improve
from solvers.roster.legal import pattern_ok
from solvers.roster.neighbourhood import subproblem
from solvers.roster.pipeline import (
    STAGES,
    SolveContext,
    Stage,
    StagePlan,
    assignment_reserve,
    fairness_figures,
    run_stages,
)
from solvers.roster.problem import RosterProblem, available
from solvers.roster.report import coverage_cost, evaluate, total_shortfall
from solvers.roster.settings import SolverSettings
from solvers.roster.weekend_release import Released

T = TypeVar("T")
R = TypeVar("R")
TaskMap = Callable[[Callable[[T], R], Sequence[T]], list[R]]

# the whole-site stages before the team tasks, and the stages each team task runs
SITE_STAGES: tuple[Stage, ...] = STAGES[:4]
TEAM_STAGES: tuple[Stage, ...] = tuple(
    stage for stage in STAGES if stage.name in ("assignment", "local moves", "full model",
                                                  "neighbourhood search"))


def decomposes(problem: RosterProblem, settings: SolverSettings) -> bool:
    """Whether the site is solved team by team (``settings.decomposition`` thresholds; a team
    of more than ``max_team_agents`` counts as its parts, ``task_teams``)."""
    rule = settings.decomposition
    return (problem.num_agents >= rule.min_agents
            and len(task_teams(problem, rule.max_team_agents)) >= max(2, rule.min_teams))


def task_teams(problem: RosterProblem, most: int) -> list[list[int]]:
    """The teams the tasks solve: each team, or a team of more than ``most`` agents dealt
    into ``ceil(size / most)`` parts, its coverage classes one after another and each dealt
    round the parts, so every part holds about the same mix of night caps. A part's members
    are interchangeable with the team's for coverage, so the plan's head-counts are shared
    among the parts (``split_counts``); one solve per team of more than ``most`` agents runs
    out of fairness work per agent as a site of that size does."""
    classes = problem.coverage_classes()
    out = []
    for members in problem.teams():
        num = -(-len(members) // most) if most > 0 else 1
        if num <= 1:
            out.append(members)
            continue
        team = set(members)
        dealt = [a for group in classes for a in group if a in team]
        out += [sorted(dealt[k::num]) for k in range(num)]
    return out


def split_counts(problem: RosterProblem, plan: AggregatePlan, parts: list[list[int]]
                 ) -> list[np.ndarray]:
    """Each part's head-counts ``[g, d, s, q]`` (every class ``g`` of the plan, zero where the
    part has none of its members): a class's planned workers of a day are shared among the
    parts in proportion to their members free that day (largest remainders), and each part
    takes its share from the day's shift types and queues in turn, so the parts' mixes match
    the class's. The parts' counts sum to the plan's."""
    free = available(problem)
    where = np.full(problem.num_agents, -1)
    for k, members in enumerate(parts):
        where[members] = k
    out = [np.zeros_like(plan.counts) for _ in parts]
    for g, group in enumerate(plan.groups):
        holders = sorted({int(where[a]) for a in group if where[a] >= 0})
        if len(holders) == 1:
            out[holders[0]][g] = plan.counts[g]
            continue
        part_of = where[group]
        sizes = np.array([(part_of == k).sum() for k in holders], dtype=float)
        free_members = np.array([free[group][part_of == k].sum(axis=0) for k in holders],
                                dtype=float)  # (parts, D)
        for d in range(problem.num_days):
            labels = [(s, q) for (s, q), n in np.ndenumerate(plan.counts[g, d])
                      for _ in range(int(n))]
            if not labels:
                continue
            weight = free_members[:, d] if free_members[:, d].sum() else sizes
            quota = _largest_remainders(len(labels), weight)
            taken = np.zeros(len(holders))
            for i, (s, q) in enumerate(labels):
                due = quota * (i + 1) / len(labels) - taken
                due[taken >= quota] = -np.inf
                k = int(np.argmax(due))
                taken[k] += 1
                out[holders[k]][g, d, s, q] += 1
    return out


def _largest_remainders(total: int, weight: np.ndarray) -> np.ndarray:
    """Whole shares of ``total`` in proportion to ``weight``, summing to ``total``."""
    exact = total * weight / weight.sum()
    whole = np.floor(exact)
    rest = int(total - whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:rest]] += 1
    return whole


def worker_count(settings: SolverSettings) -> int:
    """Parallel team tasks: the setting, or one per CPU when it is 0."""
    workers = settings.decomposition.workers
    return workers if workers > 0 else max(1, os.cpu_count() or 1)


def in_process(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Run the tasks one after another in this process."""
    return [fn(item) for item in items]


class ProcessMap:
    """Run tasks on a pool of ``workers`` processes, started on first use and kept for the
    solve's later rounds; ``close()`` ends it. Forked where the platform can and this
    process runs one thread (no re-import of the caller's script, which need not guard its
    top level); spawned otherwise (a web server's solve thread: forking a threaded process
    can copy a lock another thread holds)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.workers <= 1 or len(items) <= 1:
            return in_process(fn, items)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(items)),
                mp_context=multiprocessing.get_context(_start_method()))
        return list(self._pool.map(fn, items))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _start_method() -> str:
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return "fork" if forkable and threading.active_count() == 1 else "spawn"


@dataclass(frozen=True)
class TeamTask:
    """One team's sub-problem and what it may spend.

    ``states``/``queues`` are the team's roster rows (fairness tasks), ``counts`` its classes'
    head-counts ``[g, d, s, q]`` in the order of ``sub.coverage_classes()`` (assignment tasks).
    ``deadline_epoch`` is the run's wall-clock cap as ``time.time()`` (comparable across
    processes and hosts), ``wall_seconds`` this task's share of the wall time left.
    """

    kind: str                      # "assign" or "fair"
    sub: RosterProblem
    plan: StagePlan
    settings: SolverSettings
    seed: int
    nominal_seconds: float
    deadline_epoch: float
    wall_seconds: float
    counts: np.ndarray | None = None
    states: np.ndarray | None = None
    queues: np.ndarray | None = None
    shortfall_ceiling: int | None = None   # the weekend release's (fairness tasks)
    targets: tuple[Target, Target] | None = None  # the whole team's (fairness tasks of parts)


@dataclass
class TeamResult:
    """A team task's roster rows and figures."""

    states: np.ndarray
    queues: np.ndarray
    capped: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    fairness: FairnessResult | None = None


def run_team_task(task: TeamTask) -> TeamResult:
    """Solve one team task (top level, so a process pool can pickle it)."""
    started = time.monotonic()
    deadline = min(started + (task.deadline_epoch - time.time()),
                   started + task.wall_seconds)
    budget = Budget(seconds=task.nominal_seconds, deadline=deadline,
                    calibration=task.settings.calibration)
    if task.kind == "fair":
        assert task.states is not None and task.queues is not None
        states, queues = task.states.copy(), task.queues.copy()
        result = rebalance(task.sub, states, queues, budget=budget,
                           seconds=task.plan.fair_seconds, settings=task.settings,
                           seed=task.seed, shortfall_ceiling=task.shortfall_ceiling,
                           targets=task.targets)
        return TeamResult(states, queues, list(budget.capped),
                          {"fairness": round(time.monotonic() - started, 3)}, result)
    assert task.counts is not None
    ctx = SolveContext(problem=task.sub, settings=task.settings, plan=task.plan,
                       run_budget=budget, say=lambda _message: None)
    ctx.aggregate = AggregatePlan(groups=task.sub.coverage_classes(), counts=task.counts,
                                  status="FIXED", objective=0.0, best_bound=0.0, seconds=0.0)
    run_stages(ctx, TEAM_STAGES)
    return TeamResult(ctx.states, ctx.queues, list(budget.capped),
                      dict(ctx.figures.get("stage_seconds", {})))


# ---- the decomposed stages --------------------------------------------------------------------

def team_seed(seed: int, team: int) -> int:
    """A deterministic seed per team, independent of the worker count (CP-SAT takes 31 bits)."""
    return int(np.random.SeedSequence([seed, team]).generate_state(1)[0]) & 0x7FFF_FFFF


def _team_problem(problem: RosterProblem, seed: int, share: float = 1.0) -> RosterProblem:
    """The team's sub-problem with its seed and its ``share`` of the coverage tolerance: its
    requirement is what the other teams leave, so its coverage cost is the whole site's, and
    the teams together may give up no more of it than the site would. No weekend release
    tolerance: a team task releases weekend rest only where its own takes and shuffles pay
    for it, without raising the shortfall (``team_fairness``); the site's release follows the
    merge."""
    settings = problem.config.roster
    roster = settings.model_copy(update={
        "random_seed": seed, "coverage_tolerance": settings.coverage_tolerance * share,
        "weekend_release_tolerance": 0.0})
    return replace(problem, config=problem.config.model_copy(update={"roster": roster}))


def _class_coverage(problem: RosterProblem, counts: np.ndarray) -> np.ndarray:
    """(G, T, Q) scheduled agents of each class's planned head-counts."""
    num_classes = counts.shape[0]
    covered = np.zeros((num_classes, *problem.required.shape), dtype=np.int64)
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            t = problem.cover[d][s]
            covered[:, t, :] += counts[:, d, s, :][:, None, :]
    return covered


@dataclass
class TeamRun:
    """The decomposition's shared state: the teams, each one's share and the task runner."""

    teams: list[list[int]]
    shares: list[float]
    map_tasks: TaskMap
    workers: int


def _team_run(ctx: SolveContext) -> TeamRun:
    run = ctx.extras.get("team_run")
    if isinstance(run, TeamRun):
        return run
    teams = task_teams(ctx.problem, ctx.settings.decomposition.max_team_agents)
    total = sum(len(members) for members in teams)
    workers = worker_count(ctx.settings)
    runner: TaskMap = ctx.extras.get("map_tasks") or in_process
    run = TeamRun(teams, [len(members) / total for members in teams], runner, workers)
    ctx.extras["team_run"] = run
    return run


def _wall_seconds(ctx: SolveContext, share: float, run: TeamRun, reserved: float) -> float:
    """A task's wall-clock share: the time left (less ``reserved``) by agents, as if the
    tasks ran ``workers`` at a time."""
    left = max(0.05, ctx.budget.deadline - reserved - time.monotonic())
    return left * min(1.0, share * min(run.workers, len(run.teams)))


def imbalance(shares: Sequence[float], slots: int) -> float:
    """How much longer than an even split ``shares`` take on ``slots`` parallel slots, the
    longest first each to the least loaded slot (>= 1): three equal teams on two slots take
    4/3 of the time two would."""
    loads = [0.0] * max(1, slots)
    for share in sorted(shares, reverse=True):
        loads[loads.index(min(loads))] += share
    return max(1.0, max(loads) * len(loads) / max(sum(shares), 1e-12))


def task_work_factor(run: TeamRun, settings: SolverSettings) -> float:
    """The team tasks' work, as a multiple of their share of the site's: ``work_factor``
    (the parallel slots the work is sized for) over the tasks' ``imbalance`` on that many
    slots, so the tasks end together inside the wall time of ``work_factor`` even slots.
    Without it three teams on two cores took 4/3 of the stage's time and the wall clock cut
    the last one's fairness short (4,000 x 28, two queues, seed 15: 884 agents outside the
    nights band). The workers do not enter it, so the roster does not depend on them."""
    factor = settings.decomposition.work_factor
    return factor / imbalance(run.shares, max(1, round(factor)))


def team_fairness_reserve(ctx: SolveContext) -> float:
    """Wall seconds the team fairness stage keeps from the stages before it: its tasks'
    share of each team's flexible time (they take about that on ``work_factor`` slots,
    ``task_work_factor``) and the site's steps after them (``site_steps_seconds``)."""
    return (ctx.settings.decomposition.fair_share * ctx.plan.flexible_seconds
            + site_steps_seconds(ctx))


def site_steps_seconds(ctx: SolveContext) -> float:
    """The seconds of the site's steps after the team fairness tasks: the weekend release's,
    and as many again for the band repair where a team was solved in parts."""
    parts = _team_run(ctx).teams
    return site_release_seconds(ctx) * (2 if in_parts(ctx.problem, parts) else 1)


def in_parts(problem: RosterProblem, parts: list[list[int]]) -> bool:
    """Whether some task is a part of a team (``task_teams``) rather than a whole team."""
    whole = {tuple(members) for members in problem.teams()}
    return any(tuple(part) not in whole for part in parts)


def site_release_seconds(ctx: SolveContext) -> float:
    """The site's weekend release's seconds: ``release_share`` of the site's fairness time
    (its work, and the wall time the team fairness tasks leave it)."""
    return ctx.settings.fairness.release_share * ctx.plan.fair_seconds


def _sub_plan(ctx: SolveContext, sub: RosterProblem, share: float) -> StagePlan:
    """The team's stage plan: its share of the site's, times ``task_work_factor`` (the tasks
    run in parallel; that factor, not the workers, sizes the work, so the roster does not
    depend on how many there are)."""
    plan, settings = ctx.plan, ctx.settings
    share = share * task_work_factor(_team_run(ctx), settings)
    work_vars = sum(len(sub.skills[a]) for a in range(sub.num_agents)) * (
        sub.num_days * sub.num_shifts)
    full = work_vars <= settings.search.full_model_max_vars
    flexible = share * plan.flexible_seconds
    fair = settings.decomposition.fair_share * flexible
    local = (settings.shares.local_share_full if full
             else settings.shares.local_share_large) * (flexible - fair)
    return StagePlan(limit_seconds=share * plan.limit_seconds, work_vars=work_vars, full=full,
                     aggregate_seconds=0.0, smooth_seconds=0.0, fair_seconds=fair,
                     local_seconds=local, search_seconds=flexible - fair - local)


def team_tasks(ctx: SolveContext) -> None:
    """Assignment, local moves and search per team, in parallel, then merged."""
    problem, plan = ctx.problem, ctx.aggregate
    assert plan is not None
    run = _team_run(ctx)
    class_of = {}
    for g, members in enumerate(plan.groups):
        for a in members:
            class_of[a] = g
    total = _class_coverage(problem, plan.counts).sum(axis=0)
    # the cap already keeps the fairness tasks' time; keep the repair's too
    reserved = ctx.settings.decomposition.repair_share * ctx.plan.local_seconds
    tasks = []
    counts = split_counts(problem, plan, run.teams)
    for k, members in enumerate(run.teams):
        others = total - _class_coverage(problem, counts[k]).sum(axis=0)
        required = np.clip(problem.required - others, 0, None)
        sub = _team_problem(subproblem(problem, members, required), team_seed(ctx.seed, k))
        classes = [class_of[members[group[0]]] for group in sub.coverage_classes()]
        share = run.shares[k]
        sub_plan = _sub_plan(ctx, sub, share)
        tasks.append(TeamTask(
            kind="assign", sub=sub, plan=sub_plan, settings=ctx.settings,
            seed=sub.config.roster.random_seed,
            nominal_seconds=sub_plan.limit_seconds,
            deadline_epoch=time.time() + (ctx.budget.deadline - reserved - time.monotonic()),
            wall_seconds=_wall_seconds(ctx, share, run, reserved),
            counts=counts[k][classes]))
    ctx.say(f"team tasks: {len(tasks)} teams ({', '.join(str(len(m)) for m in run.teams)} "
            f"agents) on {min(run.workers, len(tasks))} worker(s)")
    results = run.map_tasks(run_team_task, tasks)
    ctx.states = problem.rest_states()
    ctx.queues = np.full((problem.num_agents, problem.num_days), -1, dtype=np.int64)
    _merge(ctx, run, results, "team tasks")


def cross_team_repair(ctx: SolveContext) -> None:
    """Gap filling and local moves on the whole site, across teams (module docstring)."""
    problem, states, queues = ctx.problem, ctx.states, ctx.queues
    seconds = ctx.settings.decomposition.repair_share * ctx.plan.local_seconds
    work = ctx.budget.work(seconds, "cross-team repair", problem.num_days)
    added = fill_gaps(problem, states, queues, work=work)
    scheduled = scheduled_counts(problem, states, queues)
    moved = improve(problem, states, queues, scheduled, work=work, seed=ctx.seed,
                    tries_per_agent=ctx.settings.construction.tries_per_agent)
    ctx.objective_before_search = evaluate(problem, states, scheduled)["total"]
    ctx.say(f"cross-team repair: {added} shifts added, {moved} moves: objective "
            f"{ctx.objective_before_search}")


def team_fairness(ctx: SolveContext) -> None:
    """The fairness stage per team, in parallel, with the other teams' roster fixed; then the
    weekend release on the whole site (``site_release``)."""
    problem = ctx.problem
    run = _team_run(ctx)
    scheduled = scheduled_counts(problem, ctx.states, ctx.queues)
    ceiling = shortfall_ceiling(problem, ctx.least_shortfall)
    shortfall = total_shortfall(problem, scheduled)
    # a team's sub-problem sees the site's total shortfall: its own releases may not raise it
    own_ceiling = None if ceiling is None else shortfall
    reserved = site_steps_seconds(ctx)
    whole = _whole_team_targets(problem, ctx.states, run.teams)
    tasks = []
    for k, members in enumerate(run.teams):
        mine = scheduled_counts(subproblem(problem, members, problem.required),
                                ctx.states[members], ctx.queues[members])
        required = np.clip(problem.required - (scheduled - mine), 0, None)
        share = run.shares[k]
        sub = _team_problem(subproblem(problem, members, required), team_seed(ctx.seed, k),
                            share)
        sub_plan = _sub_plan(ctx, sub, share)
        tasks.append(TeamTask(
            kind="fair", sub=sub, plan=sub_plan, settings=ctx.settings,
            seed=sub.config.roster.random_seed, nominal_seconds=sub_plan.limit_seconds,
            deadline_epoch=time.time() + (ctx.budget.deadline - reserved - time.monotonic()),
            wall_seconds=_wall_seconds(ctx, share, run, reserved),
            states=ctx.states[members], queues=ctx.queues[members],
            shortfall_ceiling=own_ceiling, targets=whole[k]))
    results = run.map_tasks(run_team_task, tasks)
    _merge(ctx, run, results, "fairness")
    total = FairnessResult()
    for result in results:
        if result.fairness is not None:
            for name in ("tried", "accepted", "block_failures", "resolved", "released",
                         "taken", "shuffled"):
                setattr(total, name, getattr(total, name) + getattr(result.fairness, name))
            total.replanned = total.replanned or result.fairness.replanned
    started = time.monotonic()
    if in_parts(problem, run.teams):
        total.accepted += site_band_repair(ctx)
        ctx.figures.setdefault("stage_seconds", {})["team fairness: site band repair"] = round(
            time.monotonic() - started, 3)
        started = time.monotonic()
    site = site_release(ctx, coverage_cost(problem, scheduled), ceiling)
    ctx.figures.setdefault("stage_seconds", {})["team fairness: site weekend release"] = round(
        time.monotonic() - started, 3)
    total.released += site.released
    total.taken += site.taken
    total.shuffled += site.shuffled
    ctx.fairness = total
    ctx.figures["fairness_stage"] = fairness_figures(total, shortfall, ceiling)
    ctx.figures["decomposition"] = {"teams": len(run.teams),
                                    "agents": [len(m) for m in run.teams],
                                    "workers": min(run.workers, len(run.teams))}
    ctx.say(f"fairness per team: {total.accepted} trades, {total.resolved} team re-solves kept")


def _whole_team_targets(problem: RosterProblem, states: np.ndarray, parts: list[list[int]]
                        ) -> list[tuple[Target, Target] | None]:
    """Per task: the (nights, weekend rest) targets of its members on their whole team's
    shares where the task is a part of a team (``task_teams``), else None (a whole team's
    sub-problem has the same shares). A part's own shares are its members' share of the part's
    totals, whose rate differs from the team's by the parts' different histories: judged on
    them, agents the checker finds outside the band looked inside (one queue 4,000 x 28 seed
    6: 31 agents outside, none locked)."""
    if not in_parts(problem, parts):
        return [None] * len(parts)
    whole = {tuple(members) for members in problem.teams()}
    night, rest = band_targets(problem, states)
    return [None if tuple(part) in whole else (night.take(part), rest.take(part))
            for part in parts]


def site_band_repair(ctx: SolveContext) -> int:
    """Trades for the agents still outside a band, on the merged site with their whole
    teams' shares (``exchange.repair_outside``), when a team was solved in parts: the parts
    trade only among themselves. Its work is the site release's size again."""
    problem = ctx.problem
    work = ctx.budget.work(site_release_seconds(ctx), "fairness", problem.num_days)
    night, rest = band_targets(problem, ctx.states)
    made = repair_outside(problem, ctx.states, ctx.queues, night, rest, work=work,
                          settings=ctx.settings.fairness, costs=ctx.settings.costs,
                          allowed=lambda a, row: pattern_ok(problem, a, row))
    ctx.say(f"band repair on the site: {made} trades ({work.used} of {work.units} work units)")
    return made


def site_release(ctx: SolveContext, coverage_start: int, ceiling: int | None) -> Released:
    """The weekend release (``weekend_release.py``) on the merged site: within the site's
    ``weekend_release_tolerance`` of the coverage cost the stage started from (less what the
    team tasks gave up) and never past the shortfall ``ceiling``, both counted exactly. Why
    not per team: teams that each see the other teams' roster as fixed release onto the same
    weekdays, so their shares of a ceiling add up to more than the site's (one queue of 4,000
    in three parts: 67 agent-intervals past it); on the whole site the release took 3.3 s
    (two queues) and 7.4 s (24x7) of 4,000 x 28 runs of 80-93 s."""
    problem = ctx.problem
    work = ctx.budget.work(site_release_seconds(ctx), "fairness", problem.num_days)
    done = release_within_tolerance(problem, ctx.states, ctx.queues, ctx.settings.costs,
                                    coverage_start=coverage_start, work=work, ceiling=ceiling,
                                    targets=band_targets(problem, ctx.states))
    ctx.say(f"weekend release on the site: {done.released} released, {done.taken} taken, "
            f"{done.shuffled} shuffled ({work.used} of {work.units} work units)")
    return done


def _merge(ctx: SolveContext, run: TeamRun, results: list[TeamResult], label: str) -> None:
    """Copy each team's rows back; record the stages a task's wall-clock cap cut short and
    the slowest task's seconds per stage."""
    seconds: dict[str, Any] = ctx.figures.setdefault("team_stage_seconds", {})
    for members, result in zip(run.teams, results, strict=True):
        ctx.states[members], ctx.queues[members] = result.states, result.queues
        for stage in result.capped:
            name = f"{label}: {stage}"
            if name not in ctx.run_budget.capped:
                ctx.run_budget.capped.append(name)
        for stage, value in result.stage_seconds.items():
            seconds[stage] = max(seconds.get(stage, 0.0), value)


DECOMPOSED_STAGES: tuple[Stage, ...] = (
    *SITE_STAGES,
    Stage("team tasks", team_tasks, reserve=assignment_reserve),
    Stage("cross-team repair", cross_team_repair),
    Stage("team fairness", team_fairness, reserve=team_fairness_reserve),
)
