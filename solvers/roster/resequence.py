"""Team re-solves with the head-counts fixed: the exact counterpart of the pair trades.

Members of a team (same skills) are interchangeable for coverage, so any re-assignment that
keeps the team's count per day, shift type and queue keeps every interval's coverage exactly.
The pair trades (``exchange.py``) search that space two agents and a run of days at a time; a
quick return or an agent outside its band can need a chain of three or more agents, which no
single trade makes. Here chunks of ``chunk_agents`` team members (the costliest spread one to a
chunk, the rest drawn at random, round after round) are re-solved by CP-SAT with their counts
as equalities, the full model's hard rules (and the weekly blocks when configured) and the
stage's costs (``settings.Costs``): fair-share deviation, switches with quick returns
``quick_return_factor`` times heavier, worked preferred rest days. Each re-solve starts from
the current rows, which are replaced only when the trades' own cost function
(``row_costs.RowCosts``) prices the new ones lower. The work is counted in nominal
deterministic seconds, so the stage is repeatable.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.budget import Budget
from solvers.roster.fair_share import Target, teams
from solvers.roster.fair_terms import stage_penalties
from solvers.roster.hints import solve_from
from solvers.roster.neighbourhood import subproblem
from solvers.roster.problem import RosterProblem
from solvers.roster.row_costs import RowCosts
from solvers.roster.rules import HARD_RULES
from solvers.roster.settings import DEFAULT_SETTINGS, Costs, Fairness
from solvers.roster.variables import WorkVars, build_work_vars


def round_chunks(members: list[int], own_cost: np.ndarray, rng: np.random.Generator,
                 size: int) -> list[list[int]]:
    """One round's chunks of a team, ``size`` agents each: the costliest agents (quick returns,
    outside the band) spread one to a chunk, the rest at random."""
    num = max(1, -(-len(members) // size))
    ranked = [members[i] for i in np.argsort(-own_cost, kind="stable")]
    head, tail = ranked[:num], ranked[num:]
    tail = [tail[i] for i in rng.permutation(len(tail))]
    per = size - 1
    return [sorted([head[k]] + tail[k * per:(k + 1) * per]) for k in range(len(head))]


def _fix_counts(model: cp_model.CpModel, work: WorkVars, sub: RosterProblem,
                states: np.ndarray, queues: np.ndarray) -> None:
    """The chunk's head-count per day, shift type and queue stays what it is."""
    terms: dict[tuple[int, int, int], list[cp_model.IntVar]] = {}
    for (_a, d, s, q), var in work.items():
        terms.setdefault((d, s, q), []).append(var)
    for (d, s, q), variables in terms.items():
        count = int(((states[:, d] == s) & (queues[:, d] == q)).sum())
        model.add(sum(variables) == count)


def _model(sub: RosterProblem, states: np.ndarray, queues: np.ndarray, night_target: Target,
           rest_target: Target, costs: Costs) -> tuple[cp_model.CpModel, WorkVars]:
    model = cp_model.CpModel()
    work = build_work_vars(model, sub)
    for add_rule in HARD_RULES:  # with the weekly blocks when configured
        add_rule(model, work, sub)
    _fix_counts(model, work, sub, states, queues)
    penalties = stage_penalties(model, work, sub, night_target, rest_target, costs)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work


def _chunk_det(problem: RosterProblem, chunk: list[int], settings: Fairness) -> float:
    """Nominal deterministic seconds of a chunk's re-solve: ``det_per_chunk`` for
    ``chunk_agents`` agents over 7 days, 2 shift types and one queue, in proportion to size."""
    size = len(chunk) * problem.num_days * problem.num_shifts * len(problem.skills[chunk[0]])
    return settings.det_per_chunk * size / (settings.chunk_agents * 7 * 2)


def resequence(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
               night_target: Target, rest_target: Target, *, det_seconds: float,
               budget: Budget, seed: int = 0, settings: Fairness = DEFAULT_SETTINGS.fairness,
               costs: Costs = DEFAULT_SETTINGS.costs) -> int:
    """Re-solve team chunks with their head-counts fixed (in place; module docstring), round
    after round until ``det_seconds`` of nominal deterministic time (``_chunk_det``, counted
    whether or not the solver needs it all) are spent. A round that changes nothing doubles
    the chunks (a local optimum for small chunks need not be one for larger), up to
    ``max_chunk_agents``; one that changes nothing there ends the stage. Returns the number
    of re-solves that changed rows."""
    rng = np.random.default_rng(seed)
    row_costs = RowCosts(problem, night_target, rest_target, costs)
    spent, changed, size = 0.0, 0, settings.chunk_agents
    for _ in range(settings.resolve_rounds):
        made = 0
        for members in teams(problem):
            if len(members) < 2:
                continue
            for chunk in round_chunks(members, row_costs.rows_of(members, states), rng, size):
                det = _chunk_det(problem, chunk, settings)
                if spent + det > det_seconds or budget.expired("fairness re-solves"):
                    return changed + made
                spent += det
                made += _resolve_chunk(problem, states, queues, chunk, row_costs, night_target,
                                       rest_target, det, budget)
        changed += made
        if not made:
            if size >= settings.max_chunk_agents:
                break
            size = min(2 * size, settings.max_chunk_agents)
    return changed


def _resolve_chunk(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                   chunk: list[int], row_costs: RowCosts, night_target: Target,
                   rest_target: Target, det: float, budget: Budget) -> bool:
    """Re-solve one chunk; whether its rows changed (only when their cost fell)."""
    sub = subproblem(problem, chunk, problem.required)
    model, work = _model(sub, states[chunk], queues[chunk], night_target.take(chunk),
                         rest_target.take(chunk), row_costs.costs)
    found = solve_from(model, work, sub, states[chunk], queues[chunk], det_seconds=det,
                       budget=budget, stage="fairness re-solves")
    if found is None:
        return False
    new_states, new_queues = found
    before = row_costs.rows_of(chunk, states).sum()
    after = sum(row_costs.rows(a, new_states[i][None, :])[0] for i, a in enumerate(chunk))
    if after >= before:
        return False
    states[chunk], queues[chunk] = new_states, new_queues
    return True
