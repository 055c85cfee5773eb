"""The aggregate model: head-counts per coverage class, day, shift type and queue.

Agents of a coverage class (``wfm.teams``: a team split by night cap) are interchangeable for
coverage, so the model decides ``x[g, d, s, q]`` (how many of class ``g`` work shift ``s`` for
queue ``q`` on day ``d``) under the sums of the per-agent rules: availability per day and every
hard rule's caps (``HardRule.caps``: work per fully known week, per window of
``max_consecutive_days + 1`` days with the previous roster's tail, nights per week ...) and
each agent's most working days in every stretch of days (``interval_caps``). Every per-agent
roster satisfies these sums, so the model is a relaxation and its best bound is an independent
lower bound on the coverage cost of any legal roster.

Why every stretch and not only the rules' own windows: a sum of the rules' caps lets the
group's agents share their rest days out as no agent could (one resting twice in a stretch so
another need not), and the plan then asks for working days the agents cannot give. Each
agent's own maximum over a stretch, summed, is tighter (a sum of per-agent optima, not the
optimum of a sum): on generated 4,000-agent sites it raises the bound by 0.01-0.02% of the
requirement and leaves the assignment fewer planned days to miss.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.budget import Budget
from solvers.roster.problem import RosterProblem, available
from solvers.roster.report import total_shortfall
from solvers.roster.rules import COVERAGE_RULES, Cap, rule_caps
from solvers.roster.rules.weekly_rest import owed_rest
from solvers.roster.soft import coverage_penalties
from solvers.roster.transitions import first_day_cuts, night_pairs_blocked, transition_cuts

# The order the rules' caps enter the models: it changes CP-SAT's search (other head-counts of
# the same cost), so it stays the one the bench rosters were made with
CAP_ORDER = tuple(sorted(COVERAGE_RULES, key=lambda rule: rule.cap_order))


@dataclass(frozen=True)
class AggregatePlan:
    """Head-counts ``counts[g, d, s, q]`` and the solve figures."""

    groups: list[list[int]]
    counts: np.ndarray
    status: str
    objective: float
    best_bound: float
    seconds: float


def _greedy_max_work(free: np.ndarray, days: tuple[int, ...], run: int, limit: int) -> int:
    """Most days of ``days`` (consecutive) workable with runs of at most ``limit``: work every
    free day until the run is full (resting as late as possible is optimal)."""
    count = 0
    for d in days:
        if free[d] and run < limit:
            run += 1
            count += 1
        else:
            run = 0
    return count


def interval_caps(problem: RosterProblem) -> np.ndarray:
    """(A, D, D) ``most[a, i, j]``: the most days agent ``a`` can work among days ``i..j``
    (``j >= i``; 0 below the diagonal), under its availability, the run limit and the rest
    owed in each known Monday-Sunday week.

    From each start ``i``, working every day the rules still allow (rest as late as possible)
    maximises every stretch ``i..j`` at once. The run entering day 0 is the previous roster's;
    any later start may follow a rest day, and a week's owed rest counts only when the week
    starts at or after ``i`` (an earlier start may have rested before ``i``): exact for the
    stretches from day 0, an upper bound for the others. Vectorised over agents.
    """
    free = available(problem)
    num_agents, num_days = free.shape
    limit = problem.max_consecutive_days
    entering = problem.entering_runs
    weeks = problem.weeks()
    # a day of no week that ends inside the horizon maps to one more column, never counted
    week_of = np.full(num_days, len(weeks), dtype=np.int64)
    week_start = np.array([inside[0] for inside, _ in weeks] + [-1], dtype=np.int64)
    owed = np.zeros((num_agents, len(weeks) + 1), dtype=np.int64)
    later_free = np.zeros((num_agents, num_days), dtype=np.int64)
    later_busy = np.zeros((num_agents, num_days), dtype=np.int64)
    for w, (inside, _) in enumerate(weeks):
        week_of[inside] = w
        for k, d in enumerate(inside):
            later_free[:, d] = free[:, inside[k + 1:]].sum(axis=1)
            later_busy[:, d] = len(inside) - k - 1 - later_free[:, d]
    for a in range(num_agents):
        for inside, owed_there in owed_rest(problem, a):
            owed[a, week_of[inside[0]]] = owed_there
    most = np.zeros((num_agents, num_days, num_days), dtype=np.int64)
    for i in range(num_days):
        run = entering.copy() if i == 0 else np.zeros(num_agents, dtype=np.int64)
        rested = np.zeros_like(owed)
        count = np.zeros(num_agents, dtype=np.int64)
        for d in range(i, num_days):
            w = week_of[d]
            works = free[:, d] & (run < limit)
            counted = week_start[w] >= i
            if counted:
                works &= owed[:, w] - rested[:, w] - later_busy[:, d] <= later_free[:, d]
                rested[:, w] += ~works
            run = np.where(works, run + 1, 0)
            count += works
            most[:, i, d] = count
    return most


def agent_work_caps(problem: RosterProblem, a: int, free: np.ndarray | None = None
                    ) -> list[tuple[tuple[int, ...], int]]:
    """The rules' caps (weeks, windows) of agent ``a``, tightened by its available days (its
    row of ``available(problem)``, given when the caller loops over many agents) and run."""
    free = available(problem)[a] if free is None else free
    limit = problem.max_consecutive_days
    run = int(problem.entering_runs[a])
    caps = []
    for days, cap in rule_caps(problem, a, "work", rules=CAP_ORDER):
        if days:
            start_run = run if days[0] == 0 else 0
            cap = min(cap, _greedy_max_work(free, days, start_run, limit))
        caps.append((days, cap))
    return caps


def agent_night_caps(problem: RosterProblem, a: int) -> list[Cap]:
    """(horizon days, most night shifts agent ``a`` can work in them) from every rule."""
    return rule_caps(problem, a, "nights", rules=CAP_ORDER)


def build_aggregate(problem: RosterProblem, *, convex: bool = True,
                    max_shortfall: int | None = None, class_wide: bool = False,
                    pooled: bool = True) -> tuple[cp_model.CpModel, dict, list[list[int]]]:
    """The aggregate CP-SAT model, its count variables ``x[g, d, s, q]`` and the groups.

    ``convex=False`` minimises plain total shortfall instead (for a bound on it);
    ``max_shortfall`` caps the total shortfall in agent-intervals; ``class_wide`` adds the
    class-wide caps the tail pools imply (``_add_pool_caps``); ``pooled=False`` leaves the
    pools out (a looser, faster relaxation).
    """
    model = cp_model.CpModel()
    groups = problem.coverage_classes()
    free = available(problem)
    most = interval_caps(problem)
    x: dict[tuple[int, int, int, int], cp_model.IntVar] = {}
    for g, members in enumerate(groups):
        skills = problem.skills[members[0]]
        for d in range(problem.num_days):
            people = int(free[members, d].sum())
            for s in range(problem.num_shifts):
                for q in skills:
                    pinned = sum(1 for a in members if problem.fixed_shift[a, d] == s
                                 and problem.fixed_queue[a, d] == q)
                    x[g, d, s, q] = model.new_int_var(pinned, max(people, pinned),
                                                      f"count(g={g},d={d},s={s},q={q})")
            day_total = [x[g, d, s, q] for s in range(problem.num_shifts) for q in skills]
            model.add(sum(day_total) <= people)
            for s in range(problem.num_shifts):
                pinned_s = sum(1 for a in members if problem.fixed_shift[a, d] == s)
                if pinned_s:
                    model.add(sum(x[g, d, s, q] for q in skills) >= pinned_s)
        work = {d: sum(x[g, d, s, q] for s in range(problem.num_shifts) for q in skills)
                for d in range(problem.num_days)}
        _add_pool_caps(model, problem, work, g, members, most, class_wide, pooled)
        _add_night_caps(model, problem, x, g, members, skills)
    terms = _scheduled_terms(problem, x)
    penalties = coverage_penalties(model, problem, terms, convex=convex)
    if max_shortfall is not None:
        short = []
        for (t, q), need in np.ndenumerate(problem.required):
            if need > 0:
                var = model.new_int_var(0, int(need), f"linear_short(t={t},q={q})")
                model.add(sum(terms.get((t, q), [])) + var >= int(need))
                short.append(var)
        model.add(sum(short) <= max_shortfall)
    model.minimize(sum(p.weight * p.var for p in penalties))
    return model, x, groups


def plan_shortfall(problem: RosterProblem, counts: np.ndarray) -> int:
    """Total shortfall in agent-intervals of head-counts ``counts[g, d, s, q]``."""
    scheduled = np.zeros_like(problem.required)
    per_shift = counts.sum(axis=0)  # (D, S, Q)
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            scheduled[problem.cover[d][s]] += per_shift[d, s]
    return total_shortfall(problem, scheduled)


def summed_work_caps(problem: RosterProblem, members: list[int], most: np.ndarray
                     ) -> tuple[np.ndarray, dict[tuple[int, ...], int]]:
    """The group's summed caps on working days: (D, D) over every stretch ``i..j`` (each
    member's ``interval_caps`` row, tightened by its rules' caps on the same days) and, by set
    of days, the rules' caps on days that are not one stretch."""
    own_most = most[members].copy()
    other: dict[tuple[int, ...], int] = {}
    free = available(problem)
    for k, a in enumerate(members):
        own: dict[tuple[int, ...], int] = {}
        for days, cap in agent_work_caps(problem, a, free[a]):
            if not days:
                continue
            if days == tuple(range(days[0], days[-1] + 1)):
                own_most[k, days[0], days[-1]] = min(own_most[k, days[0], days[-1]], cap)
            else:
                own[days] = min(cap, own.get(days, cap))
        for days, cap in own.items():
            other[days] = other.get(days, 0) + cap
    return own_most.sum(axis=0), other


def binding_stretches(summed: np.ndarray, people: np.ndarray) -> list[tuple[int, int]]:
    """The stretches ``(i, j)`` whose summed cap is below the members free on those days and
    not implied by two shorter stretches that split it."""
    num_days = len(people)
    free_sum = np.concatenate([[0], np.cumsum(people)])
    kept = []
    for i in range(num_days):
        for j in range(i, num_days):
            cap = summed[i, j]
            if cap >= free_sum[j + 1] - free_sum[i]:
                continue
            splits = summed[i, i:j] + summed[i + 1:j + 1, j]
            if len(splits) and splits.min() <= cap:
                continue
            kept.append((i, j))
    return kept


def tail_pools(problem: RosterProblem, members: list[int]) -> list[list[int]]:
    """The members split by the run of working days they enter the horizon with.

    A rest day can move earlier from one week to the next but never later (one rest a week,
    at most ``max_consecutive_days`` in a row), so the run an agent enters with fixes the
    latest weekday it can rest on for the whole horizon (entering with six: Mondays only,
    unless leave or a second rest day intervenes). Caps summed over a class that mixes runs
    let its rest days be shared out as no member could; summed per pool they cannot, and they
    stay valid (each pool's sum is a sum of its members' own caps). One pool with weekly night
    blocks: the block re-solves found no blocks for the pooled plan of the 30 x 14 test site
    (as with the shortfall cap and the first-day smoothing, left out there too)."""
    if problem.config.roster.night_pattern == "weekly_blocks":
        return [members]
    pools: dict[int, list[int]] = {}
    for a in members:
        pools.setdefault(int(problem.entering_runs[a]), []).append(a)
    return [pools[run] for run in sorted(pools)]


def _add_pool_caps(model: cp_model.CpModel, problem: RosterProblem, work: dict, g: int,
                   members: list[int], most: np.ndarray, class_wide: bool,
                   pooled: bool = True) -> None:
    """The class's working-day caps, summed per tail pool (each pool's daily workers are a
    variable, the pools' sum is the class's ``work[d]``) and, with ``class_wide``, over the
    whole class too. Those are implied by the pools' but help CP-SAT prove a bound on the
    plain shortfall: without them it stopped at 30,685 after 60 s on the 1,000 x 28 two-queue
    site (FEASIBLE) against 31,037 without pools (OPTIMAL in 0.9 s); with them 31,039. They
    also slowed the least-shortfall stage's solves about six-fold on 4,000 x 28, so only a
    caller that wants the bound (``bench/scale_teams.py``) asks for them."""
    pools = tail_pools(problem, members) if pooled else [members]
    if class_wide or len(pools) == 1:
        _add_summed_caps(model, problem, work, members, most)
    if len(pools) == 1:
        return
    free = available(problem)
    shares = []
    for p, pool in enumerate(pools):
        people = free[pool].sum(axis=0)
        share = {d: model.new_int_var(0, int(people[d]), f"pool(g={g},p={p},d={d})")
                 for d in range(problem.num_days)}
        _add_summed_caps(model, problem, share, pool, most)
        shares.append(share)
    for d in range(problem.num_days):
        model.add(sum(share[d] for share in shares) == work[d])


def _add_summed_caps(model: cp_model.CpModel, problem: RosterProblem, work: dict,
                     members: list[int], most: np.ndarray) -> None:
    """Working-day caps of ``members`` summed: the rules' sets of days that are not one
    stretch, and the binding stretches of their per-agent stretch caps."""
    summed, other = summed_work_caps(problem, members, most)
    for days, cap in other.items():
        model.add(sum(work[d] for d in days) <= cap)
    people = available(problem)[members].sum(axis=0)
    for i, j in binding_stretches(summed, people):
        model.add(sum(work[d] for d in range(i, j + 1)) <= int(summed[i, j]))


def _add_night_caps(model: cp_model.CpModel, problem: RosterProblem, x: dict, g: int,
                    members: list[int], skills: tuple[int, ...]) -> None:
    """Each member's tightest night cap per set of days, summed over the class."""
    nights: dict[tuple[int, ...], int] = {}
    for a in members:
        own: dict[tuple[int, ...], int] = {}
        for days, cap in agent_night_caps(problem, a):
            own[days] = min(cap, own.get(days, cap))
        for days, cap in own.items():
            nights[days] = nights.get(days, 0) + cap
    night_shifts = [s for s in range(problem.num_shifts) if problem.night[s]]
    for days, cap in nights.items():
        if days and night_shifts:
            model.add(sum(x[g, d, s, q] for d in days for s in night_shifts for q in skills)
                      <= cap)


def _add_transition_cuts(model: cp_model.CpModel, problem: RosterProblem, x: dict, g: int,
                         members: list[int], skills: tuple[int, ...],
                         nights_blocked: np.ndarray) -> list[cp_model.IntVar]:
    """The day-to-day transitions every member must make (``transitions.py``), summed; each
    may be exceeded by a variable returned (the caller prices them)."""
    def workers(d: int, types: tuple[int, ...]) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum([x[g, d, s, q] for s in types for q in skills])

    excess = []
    cuts = [(workers(d, inside) + workers(d + 1, blocked), room)
            for d, inside, blocked, room in transition_cuts(problem, members, nights_blocked)]
    cuts += [(workers(0, blocked), most) for blocked, most in first_day_cuts(problem, members)]
    for k, (expression, room) in enumerate(cuts):
        over = model.new_int_var(0, len(members), f"unreachable(g={g},k={k})")
        model.add(expression <= room + over)
        excess.append(over)
    return excess


def _scheduled_terms(problem: RosterProblem, x: dict) -> dict[tuple[int, int], list]:
    terms: dict[tuple[int, int], list] = {}
    for (_g, d, s, q), var in x.items():
        for t in problem.cover[d][s]:
            terms.setdefault((int(t), q), []).append(var)
    return terms


def solve_aggregate(problem: RosterProblem, *, time_limit_seconds: float, convex: bool = True,
                    budget: Budget | None = None, det_seconds: float = 1.0,
                    max_shortfall: int | None = None, class_wide: bool = False,
                    pooled: bool = True) -> AggregatePlan:
    """Solve the aggregate model; raises nothing (a relaxation of a pre-checked problem).

    With a ``budget`` the search is repeatable: ``det_seconds`` of deterministic time, the
    budget's wall-clock cap as a safety net; without one, plain wall-clock search. With
    ``max_shortfall`` the model is no longer a relaxation (its bound holds only for rosters
    within that total shortfall).
    """
    model, x, groups = build_aggregate(problem, convex=convex, max_shortfall=max_shortfall,
                                       class_wide=class_wide, pooled=pooled)
    solver = cp_model.CpSolver()
    status = solve_budgeted(solver, model, problem, time_limit_seconds, budget,
                            det_seconds, "aggregate model")
    counts = np.zeros((len(groups), problem.num_days, problem.num_shifts, problem.num_queues),
                      dtype=np.int64)
    name = solver.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for key, var in x.items():
            counts[key] = solver.value(var)
        objective = float(solver.objective_value)
    else:
        objective = float("nan")
    return AggregatePlan(groups, counts, name, objective, float(solver.best_objective_bound),
                         float(solver.wall_time))


def smooth_shift_mix(problem: RosterProblem, plan: AggregatePlan, *, time_limit_seconds: float,
                     budget: Budget | None = None, det_seconds: float = 1.0,
                     gap: float = 0.0) -> AggregatePlan:
    """Re-share the plan's shift types among groups so each group's shift mix changes little
    from day to day, from the previous roster's last day on (fewer switches and quick returns:
    a group planned more day shifts on the first day than its members who did not work a
    night the day before leaves quick returns no assignment avoids; not with weekly blocks),
    keeping every day's head-count per group and every (day, shift type, queue) total, hence
    the coverage cost. The search stops within ``gap`` (relative) of its bound: a stop on the
    search's own figures, so still repeatable."""
    model = cp_model.CpModel()
    groups, counts = plan.groups, plan.counts
    nights_blocked = night_pairs_blocked(problem)
    excess: list[cp_model.IntVar] = []
    x = {}
    for g, members in enumerate(groups):
        skills = problem.skills[members[0]]
        for d in range(problem.num_days):
            for s in range(problem.num_shifts):
                for q in skills:
                    pinned = sum(1 for a in members if problem.fixed_shift[a, d] == s
                                 and problem.fixed_queue[a, d] == q)
                    x[g, d, s, q] = model.new_int_var(pinned, len(members), f"x({g},{d},{s},{q})")
                    model.add_hint(x[g, d, s, q], int(counts[g, d, s, q]))
            model.add(sum(x[g, d, s, q] for s in range(problem.num_shifts) for q in skills)
                      == int(counts[g, d].sum()))
            for s in range(problem.num_shifts):
                pinned_s = sum(1 for a in members if problem.fixed_shift[a, d] == s)
                if pinned_s:
                    model.add(sum(x[g, d, s, q] for q in skills) >= pinned_s)
        _add_night_caps(model, problem, x, g, members, skills)
        excess.extend(_add_transition_cuts(model, problem, x, g, members, skills,
                                           nights_blocked))
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            for q in range(problem.num_queues):
                terms = [x[g, d, s, q] for g in range(len(groups)) if (g, d, s, q) in x]
                if terms:
                    model.add(sum(terms) == int(counts[:, d, s, q].sum()))
    same_hours: dict[tuple[int, int], list[int]] = {}  # types differing only in breaks: one
    for s in range(problem.num_shifts):
        same_hours.setdefault((int(problem.shift_start[s]), int(problem.shift_end[s])),
                              []).append(s)
    earliest = int(problem.shift_start.min())
    drops = []
    # the first day follows the previous roster's last one; not with weekly blocks, whose
    # re-solves then found no blocks on a 30 x 14 test site (tests/solvers/test_fairness.py)
    blocks = problem.config.roster.night_pattern == "weekly_blocks"
    last = problem.previous[:, -1] if problem.num_previous and not blocks else None
    for g, members in enumerate(groups):
        skills = problem.skills[members[0]]
        for d in range(problem.num_days):
            for (start, _end), types in same_hours.items():
                before: cp_model.LinearExprT
                if d == 0:  # the previous roster's last day: its workers of these hours
                    if last is None:
                        continue
                    before = int(np.isin(last[members], types).sum())
                else:
                    before = sum(x[g, d - 1, s, q] for s in types for q in skills)
                after = sum(x[g, d, s, q] for s in types for q in skills)
                drop = model.new_int_var(0, len(members), f"drop({g},{d},{types[0]})")
                model.add(drop >= before - after)
                weight = (problem.weights.switches if start == earliest
                          else problem.weights.quick_returns)
                drops.append(max(1, weight) * drop)
    # a transition no member can make costs more than any drop: the assignment loses it
    unreachable = 10 * max(1, problem.weights.switches, problem.weights.quick_returns)
    model.minimize(sum(drops) + unreachable * sum(excess))
    solver = cp_model.CpSolver()
    solver.parameters.relative_gap_limit = gap
    status = solve_budgeted(solver, model, problem, time_limit_seconds, budget,
                            det_seconds, "shift mix smoothing")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan
    smoothed = np.zeros_like(counts)
    for key, var in x.items():
        smoothed[key] = solver.value(var)
    return replace(plan, counts=smoothed)


def solve_budgeted(solver: cp_model.CpSolver, model: cp_model.CpModel, problem: RosterProblem,
                   time_limit_seconds: float, budget: Budget | None, det_seconds: float,
                   stage: str) -> cp_model.CpSolverStatus:
    """Solve within ``det_seconds`` of deterministic time (and the budget's wall-clock cap) or,
    without a budget, within ``time_limit_seconds``; returns the CP-SAT status."""
    if budget is None:
        configure(solver, problem, time_limit_seconds)
    else:
        configure(solver, problem, min(time_limit_seconds, budget.wall_left()),
                  det_seconds=det_seconds)
    status = solver.solve(model)
    if budget is not None and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        budget.expired(stage)  # stopped by the wall clock rather than by its work limit
    return status


def configure(solver: cp_model.CpSolver, problem: RosterProblem, time_limit_seconds: float,
              *, det_seconds: float | None = None) -> None:
    """Solver settings, all on ``solver.parameters`` (from the site configuration).

    With ``det_seconds`` the search is repeatable: one worker (parallel CP-SAT workers race, so
    their result depends on timing), stopped after that much deterministic time, with
    ``time_limit_seconds`` as a wall-clock safety cap. Without it: the configured workers and a
    wall-clock limit (for bounds that only need to be valid, not repeatable).
    """
    settings = problem.config.roster
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit_seconds))
    solver.parameters.random_seed = settings.random_seed
    if det_seconds is None:
        solver.parameters.num_workers = settings.num_workers
    else:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = max(0.01, float(det_seconds))
    # the full LP relaxation up front: the aggregate's bound comes from its LP, which then
    # proves optimality several times sooner than the default lazy cuts
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
