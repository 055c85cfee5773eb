"""Large-neighbourhood search: re-solve a few agents with the full model, the others fixed.

A neighbourhood is a handful of agents of one group (interchangeable for coverage, so they can
trade rest days and shifts); their requirement is what the rest of the roster leaves uncovered.
The sub-roster is accepted when the whole roster's objective goes down. The number of moves
and each sub-solve's deterministic time are fixed in advance, so the search is repeatable.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.hints import solve_from
from solvers.roster.problem import UNKNOWN, RosterProblem
from solvers.roster.report import evaluate
from solvers.roster.rules import COVERAGE_RULES
from solvers.roster.soft import SOFT_RULES
from solvers.roster.variables import build_work_vars


def subproblem(problem: RosterProblem, agents: list[int], required: np.ndarray,
               keep: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> RosterProblem:
    """The problem restricted to ``agents`` with requirement ``required``; ``keep`` =
    (states, queues, day mask) pins those agents' current days outside the mask."""
    ids = tuple(problem.agent_ids[a] for a in agents)
    fixed_shift, fixed_queue = problem.fixed_shift[agents], problem.fixed_queue[agents]
    if keep is not None:
        states, queues, window = keep
        outside = ~window[None, :] & (problem.forced[agents] == UNKNOWN)
        fixed_shift = np.where(outside, states, fixed_shift)
        fixed_queue = np.where(outside, queues, fixed_queue)
    return replace(
        problem, agent_ids=ids, agent_index={a: i for i, a in enumerate(ids)},
        skills=tuple(problem.skills[a] for a in agents), max_nights=problem.max_nights[agents],
        preferred_rest=problem.preferred_rest[agents], forced=problem.forced[agents],
        fixed_shift=fixed_shift, fixed_queue=fixed_queue,
        previous=problem.previous[agents], required=required,
        history=problem.history[agents] if len(problem.history) else problem.history)


def _resolve(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
             det_seconds: float, budget: Budget, hint_share: float
             ) -> tuple[np.ndarray, np.ndarray] | None:
    model = cp_model.CpModel()
    work = build_work_vars(model, problem)
    for add_rule in COVERAGE_RULES:
        add_rule(model, work, problem)
    penalties = [p for penalize in SOFT_RULES for p in penalize(model, work, problem)]
    model.minimize(sum(p.weight * p.var for p in penalties))
    return solve_from(model, work, problem, states, queues, det_seconds=det_seconds,
                      budget=budget, stage="neighbourhood search", hint_share=hint_share)


def search(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
           moves: int, budget: Budget, det_per_move: float = 0.5, size: int = 24,
           window_days: int = 10, hint_share: float = 0.3, seed: int = 0) -> int:
    """Try ``moves`` neighbourhoods of ``size`` agents and ``window_days`` days (fewer if the
    budget's wall-clock cap is reached), improving ``states``/``queues`` in place; returns
    accepted moves."""
    rng = np.random.default_rng(seed)
    groups = [g for g in problem.coverage_classes() if len(g) > 1] or problem.coverage_classes()
    weights = np.array([len(g) for g in groups], dtype=float)
    scheduled = scheduled_counts(problem, states, queues)
    best = evaluate(problem, states, scheduled)["total"]
    accepted = 0
    for _ in range(moves):
        if budget.expired("neighbourhood search"):
            break
        group = groups[rng.choice(len(groups), p=weights / weights.sum())]
        chosen = sorted(rng.choice(group, size=min(size, len(group)), replace=False).tolist())
        mine = scheduled_counts(subproblem(problem, chosen, problem.required), states[chosen],
                                queues[chosen])
        residual = np.clip(problem.required - (scheduled - mine), 0, None)
        window = np.zeros(problem.num_days, dtype=bool)
        first = int(rng.integers(0, max(1, problem.num_days - window_days + 1)))
        window[first:first + window_days] = True
        keep = (states[chosen], queues[chosen], window)
        found = _resolve(subproblem(problem, chosen, residual, keep), states[chosen],
                         queues[chosen], det_per_move, budget, hint_share)
        if found is None:
            continue
        trial_states, trial_queues = states.copy(), queues.copy()
        trial_states[chosen], trial_queues[chosen] = found
        trial_scheduled = scheduled - mine + scheduled_counts(
            subproblem(problem, chosen, problem.required), *found)
        total = evaluate(problem, trial_states, trial_scheduled)["total"]
        if total < best:
            states[chosen], queues[chosen] = found
            scheduled, best = trial_scheduled, total
            accepted += 1
    return accepted
