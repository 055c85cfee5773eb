"""Fairness stage: share nights and weekend rest fairly inside each team.

Agents of one team (same skills) can take each other's shifts, so trading days between members
keeps every day's head-count per shift type and queue, and with it the coverage, exactly. This
stage runs last, on the coverage-optimised roster, in up to three steps:

1. On short horizons, the class-pattern model (``patterns.py``) re-plans the whole roster
   exactly, giving up at most ``[roster] coverage_tolerance`` of the coverage cost for fewer
   quick returns and deviations from the fair shares (the only step that may change coverage).
2. Pair trades (``exchange.py``) bring each agent's nights and weekend rest within the band
   around its fair share (``fair_share.py``: pro rata by availability, previous weeks counted),
   then lower switches, quick returns and worked preferred rest days.
3. Team re-solves with the head-counts fixed (``resequence.py``) make the chains of three or
   more agents that no pair trade makes.

With ``night_pattern = "weekly_blocks"`` every team is first re-solved in chunks with the full
model's hard rules, the weekly-blocks constraint (a Monday-Sunday week is all nights or all day
shifts, and a rest day separates a night from a day shift) and the coverage cost of what the
rest of the roster leaves uncovered (the mixed roster's head-counts may not be reachable by
whole weeks); the later steps keep the blocks. Work is counted (trades) or deterministic
(re-solves), so the stage is repeatable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.aggregate import configure
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.exchange import exchange
from solvers.roster.fair_share import (
    SCALE,
    Target,
    band,
    fair_shares,
    horizon_counts,
    targets,
    teams,
)
from solvers.roster.fair_terms import stage_penalties
from solvers.roster.hints import complete_hint
from solvers.roster.legal import pattern_ok
from solvers.roster.neighbourhood import subproblem
from solvers.roster.patterns import replan
from solvers.roster.problem import RosterProblem
from solvers.roster.resequence import resequence
from solvers.roster.rules import HARD_RULES
from solvers.roster.soft import (
    Penalty,
    coverage_penalties,
)
from solvers.roster.variables import WorkVars, build_work_vars

CHUNK = 12   # agents per re-solve: small enough to solve in well under a second
ROUNDS = 8   # passes over each team at most (the budget normally ends the stage first)
# Inside the band a quick return (night then day) should cost more than a night of deviation
# (15 with the default fair_share_nights = 1), so the stage does not buy fairness the band
# does not require with quick returns.
QUICK_RETURN_FACTOR = 10
OWN_CAP = 0.25  # the stage's least wall time, as a share of its nominal seconds
PATTERN_SHARE = 0.5  # of the stage's seconds: the class-pattern model, where it applies (with
                     # ~100 classes it needed ~14 deterministic s: 200 x 7 after a previous
                     # roster, fairness_weeks = 0, quick returns 29 at 0.3, 14 at 0.5)
RESOLVE_SHARE = 0.5  # of the stage's seconds: team re-solves with fixed head-counts, after
                     # the trades (which reach the band fast), with what the trades left unused;
                     # they chain what trades cannot: quick returns needing three agents or more


@dataclass
class FairnessResult:
    """What the stage did: re-solves tried and accepted, and per-agent blocks it could not make."""

    tried: int = 0
    accepted: int = 0
    block_failures: int = 0
    resolved: int = 0   # team chunks improved by a re-solve with fixed head-counts
    replanned: bool = False  # the class-pattern model changed the roster (patterns.py)


def _chunk_model(sub: RosterProblem, night_target: Target, rest_target: Target
                 ) -> tuple[cp_model.CpModel, WorkVars]:
    """Every hard rule (the weekly blocks too) for a chunk ``sub`` whose requirement is
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
    penalties += stage_penalties(model, work, sub, night_target, rest_target,
                                 QUICK_RETURN_FACTOR)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work


def _chunks(members: list[int], deviation: np.ndarray, rng: np.random.Generator,
            round_index: int) -> list[list[int]]:
    """Split a team into chunks of about CHUNK agents, each mixing agents from the whole
    deviation ranking (first round) or at random (later rounds)."""
    num = max(1, -(-len(members) // CHUNK))
    if round_index == 0:
        order = [members[i] for i in np.argsort(deviation[members], kind="stable")]
    else:
        order = [members[i] for i in rng.permutation(len(members))]
    return [sorted(order[k::num]) for k in range(num)]


def rebalance(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
              budget: Budget, seconds: float, det_per_solve: float, seed: int = 0
              ) -> FairnessResult:
    """Share nights and weekend rest fairly inside each team (in place; see module docstring):
    pair trades for ``seconds`` of counted work, after (with weekly blocks) one re-solve of
    every team chunk not yet in blocks, each of ``det_per_solve`` deterministic seconds."""
    result = FairnessResult()
    blocks = problem.config.roster.night_pattern == "weekly_blocks"
    night, rest = fair_shares(problem, states)
    night_target, rest_target = targets(night, band(problem)), targets(rest, band(problem))
    pattern_seconds = PATTERN_SHARE * seconds
    result.replanned = replan(problem, states, queues, night_target, rest_target,
                              tolerance=problem.config.roster.coverage_tolerance,
                              det_seconds=budget.det_seconds(pattern_seconds), budget=budget,
                              quick_return_factor=QUICK_RETURN_FACTOR)
    if result.replanned:  # the team totals may have moved: the shares follow them
        night, rest = fair_shares(problem, states)
        night_target, rest_target = targets(night, band(problem)), targets(rest, band(problem))
    else:
        pattern_seconds = 0.0
    seconds -= pattern_seconds
    if blocks:
        _block_chunks(problem, states, queues, night_target, rest_target, result,
                      budget=budget, det_per_solve=det_per_solve, seed=seed)
    # the wall-clock cap is the run's deadline (the earlier stages left this stage its share),
    # or a fraction of its share from now when an earlier stage overran it all the same
    own = Budget(seconds=seconds,
                 deadline=max(budget.deadline, time.monotonic() + OWN_CAP * seconds),
                 capped=budget.capped)
    work = own.work((1 - RESOLVE_SHARE) * seconds, "fairness", problem.num_days)
    result.accepted += exchange(problem, states, queues, night_target, rest_target, work=work,
                                quick_return_factor=QUICK_RETURN_FACTOR, seed=seed,
                                allowed=lambda a, row: pattern_ok(problem, a, row))
    unused = max(0.0, 1 - work.used / work.units) * (1 - RESOLVE_SHARE) * seconds
    result.resolved = resequence(problem, states, queues, night_target, rest_target,
                                 det_seconds=own.det_seconds(RESOLVE_SHARE * seconds + unused),
                                 budget=own, quick_return_factor=QUICK_RETURN_FACTOR,
                                 seed=seed)
    return result


def _block_chunks(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                  night_target: Target, rest_target: Target, result: FairnessResult,
                  *, budget: Budget, det_per_solve: float, seed: int) -> None:
    """Re-solve every team in chunks with the weekly-blocks constraint and the coverage cost."""
    rng = np.random.default_rng(seed)
    nights_now, _ = horizon_counts(problem, states)
    deviation = SCALE * nights_now - night_target.tenths
    scheduled = scheduled_counts(problem, states, queues)
    for members in teams(problem):
        for chunk in _chunks(members, deviation, rng, 0):
            if all(pattern_ok(problem, a, states[a]) for a in chunk):
                continue
            mine = scheduled_counts(subproblem(problem, chunk, problem.required),
                                    states[chunk], queues[chunk])
            residual = np.clip(problem.required - (scheduled - mine), 0, None)
            sub = subproblem(problem, chunk, residual)
            model, work = _chunk_model(sub, night_target.take(chunk), rest_target.take(chunk))
            complete_hint(model, [(var, int(states[chunk][a, d] == s
                                            and queues[chunk][a, d] == q))
                                  for (a, d, s, q), var in work.items()],
                          seconds=budget.wall_left(), det_seconds=0.2 * det_per_solve)
            solver = cp_model.CpSolver()
            configure(solver, sub, max(budget.wall_left(), 5 * det_per_solve),
                      det_seconds=det_per_solve)
            status = solver.solve(model)
            result.tried += 1
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                result.block_failures += len(chunk)
                continue
            new_states, new_queues = sub.rest_states(), np.full((len(chunk), problem.num_days),
                                                                -1)
            for (a, d, s, q), var in work.items():
                if solver.boolean_value(var):
                    new_states[a, d], new_queues[a, d] = s, q
            scheduled = scheduled - mine + scheduled_counts(sub, new_states, new_queues)
            states[chunk], queues[chunk] = new_states, new_queues
            result.accepted += 1
