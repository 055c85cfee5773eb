"""Fairness stage: share nights and weekend rest fairly inside each team.

Agents of one team (same skills) can take each other's shifts, so trading days between members
keeps every day's head-count per shift type and queue, and with it the coverage, exactly. This
stage runs last, on the coverage-optimised roster, as the sub-stages of ``FAIRNESS_STAGES``:

1. *fair-share targets*: each agent's horizon target of nights and weekend rest and its band
   (``fair_share.py``: pro rata by availability, previous weeks counted).
2. *class-pattern model* (``patterns.py``), on short horizons: re-plans the whole roster
   exactly, giving up at most ``[roster] coverage_tolerance`` of the coverage cost for fewer
   quick returns and deviations from the fair shares (with step 6, the steps that may change
   coverage);
   when it changes the roster the targets follow and it keeps ``pattern_share`` of the stage.
3. *weekly-block chunks*, with ``night_pattern = "weekly_blocks"`` only: every team re-solved in
   chunks with the full model's hard rules, the weekly-blocks constraint (a Monday-Sunday week is
   all nights or all day shifts, and a rest day separates a night from a day shift) and the
   coverage cost of what the rest of the roster leaves uncovered (the mixed roster's head-counts
   may not be reachable by whole weeks); the later steps keep the blocks.
4. *pair trades* (``exchange.py``): bring each agent within the band around its fair share
   (an agent outside its weekend-rest or nights band also by an exchange of rosters at a day
   it and a team-mate are both off, priced with every team-mate: ``rest_exchange.py``), then lower
   switches, quick returns and worked preferred rest days.
5. *team re-solves* (``resequence.py``) with the head-counts fixed: the chains of three or more
   agents no pair trade makes, with ``resolve_share`` of what is left plus what the trades did
   not use.
6. *weekend release* (``weekend_release.py``): an agent still above its weekend-rest band
   works one of its weekend rest days and rests on a weekday of that week instead, cheapest
   first, while the coverage cost given up since the stage began stays within
   ``[roster] weekend_release_tolerance`` of it (the one other step that may change coverage,
   so what the class-pattern model gave up counts against it), and never past the shortfall
   ceiling (``shortfall_ceiling``: the coverage target in agent-intervals); rest
   days moved later onto a weekend by agents with room in their band (takes) or within their
   kind of day (shuffles), where that lowers the coverage cost, pay for more.

Quick returns cost ``quick_return_factor`` times their weight in every step, so that inside the
band the stage does not buy fairness the band does not require with quick returns. Work is
counted (trades) or deterministic (re-solves), so the stage is repeatable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.aggregate import configure
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget, WorkLimit
from solvers.roster.exchange import exchange
from solvers.roster.fair_share import (
    SCALE,
    Target,
    band_targets,
    horizon_counts,
    teams,
)
from solvers.roster.fair_terms import stage_penalties
from solvers.roster.hints import complete_hint
from solvers.roster.legal import pattern_ok
from solvers.roster.neighbourhood import subproblem
from solvers.roster.patterns import replan
from solvers.roster.problem import RosterProblem
from solvers.roster.report import coverage_cost
from solvers.roster.resequence import resequence
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules import HARD_RULES
from solvers.roster.settings import DEFAULT_SETTINGS, Costs, SolverSettings
from solvers.roster.soft import (
    Penalty,
    coverage_penalties,
)
from solvers.roster.variables import WorkVars, build_work_vars
from solvers.roster.weekend_release import Released, release_weekend_rest


@dataclass
class FairnessResult:
    """What the stage did: re-solves tried and accepted, and per-agent blocks it could not make."""

    tried: int = 0
    accepted: int = 0
    block_failures: int = 0
    resolved: int = 0   # team chunks improved by a re-solve with fixed head-counts
    replanned: bool = False  # the class-pattern model changed the roster (patterns.py)
    released: int = 0   # weekend rest days moved to a weekday (weekend_release.py)
    taken: int = 0      # weekday rest days moved to a weekend day to pay for them
    shuffled: int = 0   # rest days moved within their kind of day to pay for them


@dataclass
class FairnessRun:
    """What the sub-stages share: the roster (changed in place), the stage's budget and nominal
    seconds, the targets, and the trades' work (the re-solves get what it left unused)."""

    problem: RosterProblem
    states: np.ndarray
    queues: np.ndarray
    budget: Budget
    seconds: float
    settings: SolverSettings = DEFAULT_SETTINGS
    seed: int = 0
    result: FairnessResult = field(default_factory=FairnessResult)
    night_target: Target = field(init=False)
    rest_target: Target = field(init=False)
    own: Budget | None = None          # the trades' and re-solves' budget
    coverage_start: int = field(init=False)  # the coverage cost the stage started from
    trade_work: WorkLimit | None = None
    shortfall_ceiling: int | None = None  # the weekend release's (None: none)
    targets: tuple[Target, Target] | None = None  # given (nights, weekend rest) targets

    def __post_init__(self) -> None:
        self.coverage_start = _coverage_cost(self)

    @property
    def blocks(self) -> bool:
        return self.problem.config.roster.night_pattern == "weekly_blocks"

    @property
    def costs(self) -> Costs:
        return self.settings.costs


def fair_targets(run: FairnessRun) -> None:
    """Each agent's horizon targets of nights and weekend rest, and the band around them: the
    run's own shares, or the ``targets`` it was given (a part of a team judged on the whole
    team's shares; they stay as given when the class-pattern model re-plans)."""
    run.night_target, run.rest_target = (run.targets if run.targets is not None
                                         else band_targets(run.problem, run.states))


def class_patterns(run: FairnessRun) -> None:
    """The exact class-pattern re-plan (``patterns.replan``), where the patterns can be listed;
    when it changes the roster the targets follow (the team totals may have moved) and it
    keeps its share of the stage's seconds."""
    pattern_seconds = run.settings.fairness.pattern_share * run.seconds
    run.result.replanned = replan(
        run.problem, run.states, run.queues, run.night_target, run.rest_target,
        tolerance=run.problem.config.roster.coverage_tolerance,
        det_seconds=run.budget.det_seconds(pattern_seconds), budget=run.budget,
        settings=run.settings.fairness, costs=run.costs)
    if run.result.replanned:
        fair_targets(run)
        run.seconds = run.seconds - pattern_seconds


def weekly_block_chunks(run: FairnessRun) -> None:
    """With weekly blocks: every team re-solved in chunks into whole weeks (module docstring)."""
    if run.blocks:
        _block_chunks(run)


def pair_trades(run: FairnessRun) -> None:
    """Pair trades inside teams on ``1 - resolve_share`` of the seconds left, as counted work.
    From here the wall-clock cap is the run's deadline, or ``least_wall_share`` of the seconds
    left from now when an earlier stage overran it."""
    fairness = run.settings.fairness
    run.own = run.budget.until(max(run.budget.deadline,
                                   time.monotonic() + fairness.least_wall_share * run.seconds))
    run.trade_work = run.own.work((1 - fairness.resolve_share) * run.seconds, "fairness",
                                  run.problem.num_days)
    problem = run.problem
    run.result.accepted += exchange(problem, run.states, run.queues, run.night_target,
                                    run.rest_target, work=run.trade_work,
                                    settings=fairness, costs=run.costs, seed=run.seed,
                                    allowed=lambda a, row: pattern_ok(problem, a, row))


def team_resolves(run: FairnessRun) -> None:
    """Team re-solves with fixed head-counts on ``resolve_share`` of the seconds left plus what
    the trades did not use."""
    assert run.own is not None and run.trade_work is not None, "pair_trades runs first"
    share, work = run.settings.fairness.resolve_share, run.trade_work
    unused = max(0.0, 1 - work.used / work.units) * (1 - share) * run.seconds
    run.result.resolved = resequence(
        run.problem, run.states, run.queues, run.night_target, run.rest_target,
        det_seconds=run.own.det_seconds(share * run.seconds + unused), budget=run.own,
        seed=run.seed, settings=run.settings.fairness, costs=run.costs)


def weekend_release(run: FairnessRun) -> None:
    """Agents still above their weekend-rest band work one weekend rest day and rest on a
    weekday of that week, within ``weekend_release_tolerance`` of the coverage cost
    (``weekend_release.py``)."""
    assert run.own is not None, "pair_trades runs first"
    problem = run.problem
    work = run.own.work(run.settings.fairness.release_share * run.seconds, "fairness",
                        problem.num_days)
    done = release_within_tolerance(problem, run.states, run.queues, run.costs,
                                    coverage_start=run.coverage_start, work=work,
                                    ceiling=run.shortfall_ceiling,
                                    targets=(run.night_target, run.rest_target))
    run.result.released, run.result.taken = done.released, done.taken
    run.result.shuffled = done.shuffled


def release_within_tolerance(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                             costs: Costs, *, coverage_start: int, work: WorkLimit,
                             ceiling: int | None, targets: tuple[Target, Target]
                             ) -> Released:
    """The weekend release (in place) within ``weekend_release_tolerance`` of
    ``coverage_start``, the coverage cost the fairness stage started from, less what the
    stage has given up since, and never past ``ceiling``; ``targets`` (nights, weekend rest)
    price the rows. Used by the fairness stage and by a decomposed site's release."""
    given = max(0, coverage_cost(problem, scheduled_counts(problem, states, queues))
                - coverage_start)
    allowance = problem.config.roster.weekend_release_tolerance * coverage_start - given
    night_target, rest_target = targets
    return release_weekend_rest(problem, states, queues, rest_target,
                                RowCosts(problem, night_target, rest_target, costs),
                                allowance=allowance, work=work, ceiling=ceiling)


def shortfall_ceiling(problem: RosterProblem, least: float | None) -> int | None:
    """The coverage target the weekend release never passes, in agent-intervals short: the
    least total shortfall any roster has (``least``, the plain-shortfall aggregate's bound)
    times ``1 + shortfall_ceiling_least_share`` plus ``shortfall_ceiling_requirement_share``
    of the requirement (the defaults, 1% and 0.05%, are issue 26's coverage target). Why in
    agent-intervals as well: the release's tolerance is a share of the convex coverage cost,
    which a take or shuffle can lower without lowering the total short, so the tolerance
    alone does not keep the target. None when ``least`` is not known (weekly blocks, or no
    aggregate solution): the tolerance alone bounds the release."""
    if least is None:
        return None
    settings = problem.config.roster
    return int(np.floor((1 + settings.shortfall_ceiling_least_share) * least
                        + settings.shortfall_ceiling_requirement_share
                        * float(problem.required.sum())))


def _coverage_cost(run: FairnessRun) -> int:
    return coverage_cost(run.problem, scheduled_counts(run.problem, run.states, run.queues))


# The sub-stages, in order (module docstring); each reads and updates the run.
FAIRNESS_STAGES: tuple[tuple[str, Callable[[FairnessRun], None]], ...] = (
    ("fair-share targets", fair_targets),
    ("class-pattern model", class_patterns),
    ("weekly-block chunks", weekly_block_chunks),
    ("pair trades", pair_trades),
    ("team re-solves", team_resolves),
    ("weekend release", weekend_release),
)


def rebalance(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
              budget: Budget, seconds: float, settings: SolverSettings = DEFAULT_SETTINGS,
              seed: int = 0, shortfall_ceiling: int | None = None,
              targets: tuple[Target, Target] | None = None) -> FairnessResult:
    """Share nights and weekend rest fairly inside each team (in place): run every sub-stage of
    ``FAIRNESS_STAGES`` on ``seconds`` of nominal work, within ``budget``'s wall-clock cap;
    the weekend release never takes the total shortfall above ``shortfall_ceiling``.
    ``targets`` (nights, weekend rest), when given, replace the shares of ``problem``'s own
    teams (``fair_targets``)."""
    run = FairnessRun(problem, states, queues, budget, seconds, settings, seed,
                      shortfall_ceiling=shortfall_ceiling, targets=targets)
    for _name, stage in FAIRNESS_STAGES:
        stage(run)
    return run.result


def _chunk_model(sub: RosterProblem, night_target: Target, rest_target: Target,
                 costs: Costs) -> tuple[cp_model.CpModel, WorkVars]:
    """The full model's hard rules and weekly blocks for a chunk ``sub`` whose requirement is
    what the rest of the roster leaves uncovered; coverage, fair-share deviation, switches
    (quick returns stricter) and preferences priced."""
    model = cp_model.CpModel()
    work = build_work_vars(model, sub)
    for add_rule in HARD_RULES:
        add_rule(model, work, sub)
    penalties: list[Penalty] = []
    terms: dict[tuple[int, int], list] = {}
    for (_a, d, s, q), var in work.items():
        for t in sub.cover[d][s]:
            terms.setdefault((int(t), q), []).append(var)
    penalties.extend(coverage_penalties(model, sub, terms))
    penalties += stage_penalties(model, work, sub, night_target, rest_target, costs)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work


def _chunks(members: list[int], deviation: np.ndarray, size: int) -> list[list[int]]:
    """Split a team into chunks of about ``size`` agents, each mixing agents from the whole
    deviation ranking."""
    num = max(1, -(-len(members) // size))
    order = [members[i] for i in np.argsort(deviation[members], kind="stable")]
    return [sorted(order[k::num]) for k in range(num)]


def _block_chunks(run: FairnessRun) -> None:
    """Re-solve every team in chunks with the weekly-blocks constraint and the coverage cost;
    a chunk already in blocks is left alone."""
    problem, states, queues = run.problem, run.states, run.queues
    nights_now, _ = horizon_counts(problem, states)
    deviation = SCALE * nights_now - run.night_target.tenths
    scheduled = scheduled_counts(problem, states, queues)
    for members in teams(problem):
        for chunk in _chunks(members, deviation, run.settings.fairness.chunk_agents):
            if all(pattern_ok(problem, a, states[a]) for a in chunk):
                continue
            mine = scheduled_counts(subproblem(problem, chunk, problem.required),
                                    states[chunk], queues[chunk])
            residual = np.clip(problem.required - (scheduled - mine), 0, None)
            sub = subproblem(problem, chunk, residual)
            found = _solve_block_chunk(run, sub, chunk)
            run.result.tried += 1
            if found is None:
                run.result.block_failures += len(chunk)
                continue
            new_states, new_queues = found
            scheduled = scheduled - mine + scheduled_counts(sub, new_states, new_queues)
            states[chunk], queues[chunk] = new_states, new_queues
            run.result.accepted += 1


def _solve_block_chunk(run: FairnessRun, sub: RosterProblem, chunk: list[int]
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """One chunk's re-solve from its current rows: its new (states, queues), or None."""
    fairness = run.settings.fairness
    det = fairness.det_per_block_solve
    model, work = _chunk_model(sub, run.night_target.take(chunk), run.rest_target.take(chunk),
                               run.costs)
    states, queues = run.states[chunk], run.queues[chunk]
    complete_hint(model, [(var, int(states[a, d] == s and queues[a, d] == q))
                          for (a, d, s, q), var in work.items()],
                  seconds=run.budget.wall_left(), det_seconds=fairness.block_hint_share * det)
    solver = cp_model.CpSolver()
    configure(solver, sub, max(run.budget.wall_left(), fairness.block_wall_factor * det),
              det_seconds=det)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new_states = sub.rest_states()
    new_queues = np.full((len(chunk), run.problem.num_days), -1)
    for (a, d, s, q), var in work.items():
        if solver.boolean_value(var):
            new_states[a, d], new_queues[a, d] = s, q
    return new_states, new_queues
