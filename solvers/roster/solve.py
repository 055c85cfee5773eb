"""Build, solve and extract: the full model for small instances, the decomposition for large.

``plan_roster`` runs: pre-check (conflicts named by agent, date and rule) → aggregate
head-count model per group of interchangeable agents (coverage-optimal counts and the
independent lower bound) → each group's working days chosen by an exact LP on the per-agent
caps (``realize``) → constructive assignment of individuals → gap filling and local
moves → for small instances the full agent x day x shift model warm-started from that roster,
for large ones a neighbourhood search that re-solves a few agents at a time with the full
model. Every roster returned passes the solver's own rule check; ``wfm.rules.check_roster``
verifies it independently in the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from solvers.roster import neighbourhood
from solvers.roster.aggregate import configure, smooth_shift_mix, solve_aggregate
from solvers.roster.assign import assign_counts, fill_gaps, scheduled_counts
from solvers.roster.hints import complete_hint
from solvers.roster.improve import improve
from solvers.roster.legal import agent_violations, precheck
from solvers.roster.problem import RosterProblem, build_problem
from solvers.roster.realize import plan_workdays
from solvers.roster.report import evaluate, roster_frame, shortfall_figures
from solvers.roster.rules import HARD_RULES, SOFT_RULES
from solvers.roster.soft import Penalty
from solvers.roster.variables import WorkVars, build_work_vars
from wfm.config import SiteConfig
from wfm.coverage import coverage_table
from wfm.errors import Infeasible
from wfm.rules import check_roster

FULL_MODEL_MAX_VARS = 12_000  # work variables up to which the full model is worth solving
AGGREGATE_SHARE = 0.5         # share of the time limit for the aggregate model
LOCAL_ROUNDS = 4              # rounds of gap filling + local moves
MATCH_WORKDAYS = True         # choose each group's working days by LP before the greedy pass


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
    for add_rule in HARD_RULES:
        add_rule(model, work, problem)
    penalties: list[Penalty] = []
    for penalize in SOFT_RULES:
        penalties.extend(penalize(model, work, problem))
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, work, penalties


def solve_full(problem: RosterProblem, *, time_limit_seconds: float,
               hint: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[str, float, float, np.ndarray, np.ndarray] | None:
    """Solve the full model; (status, objective, bound, states, queues) or None if no solution."""
    started = time.monotonic()
    model, work, _ = build_model(problem)
    if hint is not None:
        states, queues = hint
        complete_hint(model, [(var, int(states[a, d] == s and queues[a, d] == q))
                              for (a, d, s, q), var in work.items()],
                      seconds=0.2 * time_limit_seconds)
    solver = cp_model.CpSolver()
    configure(solver, problem, time_limit_seconds - (time.monotonic() - started))
    status = solver.solve(model)
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


def solve_problem(problem: RosterProblem, *, time_limit_seconds: float,
                  progress: Callable[[str], None] | None = None) -> RosterSolution:
    """Solve a built problem (see module docstring)."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    deadline = started + time_limit_seconds
    _infeasible(problem)
    seed = problem.config.roster.random_seed

    say(f"aggregate model: {problem.num_agents} agents, {problem.num_days} days, "
        f"{len(problem.groups())} groups")
    plan = solve_aggregate(problem, time_limit_seconds=AGGREGATE_SHARE * time_limit_seconds)
    say(f"aggregate {plan.status}: coverage cost {plan.objective:g}, lower bound "
        f"{plan.best_bound:g} ({plan.seconds:.1f} s)")
    plan = smooth_shift_mix(problem, plan, time_limit_seconds=_share(deadline, 0.1) - (
        time.monotonic()))
    workdays = plan_workdays(problem, plan.groups, plan.counts) if MATCH_WORKDAYS else None
    states, queues = assign_counts(problem, plan.groups, plan.counts, seed=seed,
                                   workdays=workdays)
    moves = 0
    local_deadline = _share(deadline, 0.7)
    for _ in range(LOCAL_ROUNDS):  # alternate: add shifts where short, then move days
        added = fill_gaps(problem, states, queues, deadline=_share(local_deadline, 0.3))
        scheduled = scheduled_counts(problem, states, queues)
        moved = improve(problem, states, queues, scheduled, deadline=local_deadline,
                        seed=seed)
        moves += added + moved
        if not (added or moved) or time.monotonic() >= local_deadline:
            break
    parts = evaluate(problem, states, scheduled)
    say(f"assigned agents ({moves} local moves): objective {parts['total']}")
    status, method = "FEASIBLE", "decomposition"
    best_bound = max(plan.best_bound, 0.0)

    work_vars = sum(len(problem.skills[a]) for a in range(problem.num_agents)) * (
        problem.num_days * problem.num_shifts)
    left = deadline - time.monotonic() - 0.1 * time_limit_seconds  # extraction, checks
    if work_vars <= FULL_MODEL_MAX_VARS and left > 0.5:
        say(f"full model: {work_vars} work variables, {left:.1f} s left")
        found = solve_full(problem, time_limit_seconds=left, hint=(states, queues))
        if found is not None:
            full_status, objective, bound, full_states, full_queues = found
            best_bound = max(best_bound, bound)
            if objective <= parts["total"]:
                states, queues, status, method = full_states, full_queues, full_status, "full"
    elif left > 0.5:
        accepted = neighbourhood.search(problem, states, queues, deadline=deadline - 0.1 * (
            time_limit_seconds), seed=seed)
        say(f"neighbourhood search: {accepted} improving moves")
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
        figures=shortfall_figures(problem, scheduled), method=method)


def _share(deadline: float, share: float) -> float:
    """A deadline ``share`` of the way from now to ``deadline``."""
    now = time.monotonic()
    return now + share * max(0.0, deadline - now)


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
    violations = check_roster(solution.assignments, agents, config, previous=previous,
                              leave=leave, fixed=fixed, agent_ids=problem.agent_ids)
    if violations:  # a solver bug, never a property of the input: refuse to return the roster
        raise RuntimeError(f"internal error: the independent checker rejects the roster: "
                           f"{violations[0]}")
    coverage = coverage_table(solution.assignments, requirement, config)
    return RosterSolution(**{**solution.__dict__, "coverage": coverage})
