"""Soft goals: each function returns penalties whose weighted sum is the objective.

Coverage first: shortfall per interval and queue is split into segments of rising marginal cost
(``problem.SEGMENT_WIDTHS`` / ``STEP_COSTS``), a convex piecewise-linear cost that stays exact in
the LP relaxation; over-staffing costs a little per agent-interval. Then fairness (nights and
weekend rest spread within each team, ``fair_share.team_spread``; few shift-type switches, no
later-to-earlier quick returns) and preferred rest days.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from solvers.roster.fair_share import horizon_capacity
from solvers.roster.problem import SEGMENT_WIDTHS, STEP_COSTS, UNKNOWN, RosterProblem, Weights
from solvers.roster.variables import WorkVars, day_work, shift_work


@dataclass(frozen=True)
class Penalty:
    """A non-negative variable (literal or excess) times an integer weight, with a name."""

    var: cp_model.IntVar | cp_model.LinearExpr
    weight: int
    name: str


def coverage_penalties(model: cp_model.CpModel, problem: RosterProblem,
                       terms: dict[tuple[int, int], list], *, convex: bool = True
                       ) -> list[Penalty]:
    """Convex shortfall and light over-staffing for every interval and queue.

    ``terms[t, q]`` lists the expressions whose sum is the scheduled head-count. With
    ``convex=False`` the cost is the plain total shortfall in agent-intervals (no over-staffing
    cost): used for the lower bound on total shortfall.
    """
    weights = problem.weights if convex else Weights(coverage=1, overstaffing=0)
    steps = STEP_COSTS if convex else (1,) * len(STEP_COSTS)
    penalties: list[Penalty] = []
    num_t, num_q = problem.required.shape
    for t in range(num_t):
        for q in range(num_q):
            need = int(problem.required[t, q])
            scheduled = terms.get((t, q), [])
            if not scheduled:
                if need:
                    cost = sum(_segment_costs(need)) if convex else need
                    penalties.append(Penalty(model.new_constant(cost), weights.coverage,
                                             f"shortfall(t={t},q={q})"))
                continue
            total = sum(scheduled)
            if need:
                segments = []
                left = need
                for k, step in enumerate(steps):
                    width = SEGMENT_WIDTHS[k] if k < len(SEGMENT_WIDTHS) else left
                    width = min(width, left)
                    if width <= 0:
                        break
                    var = model.new_int_var(0, width, f"short(t={t},q={q},k={k})")
                    segments.append(var)
                    penalties.append(Penalty(var, weights.coverage * step,
                                             f"shortfall(t={t},q={q},step={k})"))
                    left -= width
                model.add(total + sum(segments) >= need)
            if weights.overstaffing:
                over = model.new_int_var(0, problem.num_agents,
                                         f"over(t={t},q={q})")
                model.add(over >= total - need)
                penalties.append(Penalty(over, weights.overstaffing, f"overstaffing(t={t},q={q})"))
    return penalties


def _segment_costs(units: int) -> list[int]:
    costs, left = [], units
    for k, step in enumerate(STEP_COSTS):
        width = SEGMENT_WIDTHS[k] if k < len(SEGMENT_WIDTHS) else left
        take = min(width, left)
        costs.append(take * step)
        left -= take
    return costs


def penalize_coverage(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                      ) -> list[Penalty]:
    """Coverage of the full model: scheduled = agents whose shift covers the interval."""
    terms: dict[tuple[int, int], list] = {}
    for (_a, d, s, q), var in work.items():
        for t in problem.cover[d][s]:
            terms.setdefault((int(t), q), []).append(var)
    return coverage_penalties(model, problem, terms)


def _spread(model: cp_model.CpModel, values: list, upper: int, name: str) -> cp_model.IntVar:
    high = model.new_int_var(0, upper, f"{name}_max")
    low = model.new_int_var(0, upper, f"{name}_min")
    model.add_max_equality(high, values)
    model.add_min_equality(low, values)
    spread = model.new_int_var(0, upper, name)
    model.add(spread == high - low)
    return spread


def _team_spread(model: cp_model.CpModel, values: list, capacity: list[int], upper: int,
                 name: str) -> cp_model.IntVar:
    """``fair_share.team_spread`` of ``values`` (one team's counts) as a variable: most minus
    fewest ``whole x count - capacity x total`` (each member's deviation from the team's
    pro-rata share, times the team's capacity ``whole``), over ``whole`` and rounded up."""
    if len(set(capacity)) == 1:
        return _spread(model, values, upper, name)  # the same, with fewer terms
    whole = sum(capacity)
    total = model.new_int_var(0, upper * len(values), f"{name}_total")
    model.add(total == sum(values))
    bound = whole * upper + max(capacity) * upper * len(values)
    deviations = [whole * value - cap * total for value, cap in zip(values, capacity,
                                                                   strict=True)]
    high = model.new_int_var(-bound, bound, f"{name}_max")
    low = model.new_int_var(-bound, bound, f"{name}_min")
    model.add_max_equality(high, deviations)
    model.add_min_equality(low, deviations)
    spread = model.new_int_var(0, 2 * upper, name)
    model.add(whole * spread >= high - low)
    return spread


def penalize_night_spread(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                          ) -> list[Penalty]:
    """Nights shared evenly within each team (the fairness group, ``wfm.teams``): most minus
    fewest deviation from the pro-rata share by night capacity (``fair_share.team_spread``)."""
    nights = [s for s in range(problem.num_shifts) if problem.night[s]]
    if not nights or not problem.weights.fairness_nights:
        return []
    capacity = horizon_capacity(problem)[0].astype(int)
    penalties = []
    for g, members in enumerate(problem.teams()):
        caps = [int(capacity[a]) for a in members]
        if len(members) < 2 or not sum(caps):
            continue
        counts = [sum(shift_work(work, problem, a, d, s) for d in range(problem.num_days)
                      for s in nights) for a in members]
        spread = _team_spread(model, counts, caps, problem.num_days, f"night_spread(g={g})")
        penalties.append(Penalty(spread, problem.weights.fairness_nights, spread.name))
    return penalties


def penalize_weekend_spread(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                            ) -> list[Penalty]:
    """Weekend rest (Sat/Sun off on an available day) shared evenly within each team: most
    minus fewest deviation from the pro-rata share by available weekend days."""
    weekend = [d for d in range(problem.num_days) if problem.weekday(d) >= 5]
    if not weekend or not problem.weights.fairness_weekend:
        return []
    free = horizon_capacity(problem)[1]
    penalties = []
    for g, members in enumerate(problem.teams()):
        days = [[d for d in weekend if free[a, d]] for a in members]
        caps = [len(mine) for mine in days]
        if len(members) < 2 or not sum(caps):
            continue
        rests = [len(mine) - sum(day_work(work, problem, a, d) for d in mine)
                 for a, mine in zip(members, days, strict=True)]
        spread = _team_spread(model, rests, caps, len(weekend), f"weekend_rest_spread(g={g})")
        penalties.append(Penalty(spread, problem.weights.fairness_weekend, spread.name))
    return penalties


def penalize_switches(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                      ) -> list[Penalty]:
    """A change of shift type between consecutive working days, heavier when the later day
    starts earlier (a quick return such as NIGHT then DAY). Counts the previous roster's last day.
    Types with the same start and end (differing only in breaks) count as one.
    """
    weights = problem.weights
    penalties: list[Penalty] = []
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            for s_before in range(problem.num_shifts):
                for s_after in range(problem.num_shifts):
                    if problem.same_hours(s_before, s_after):
                        continue
                    backward = problem.shift_start[s_after] < problem.shift_start[s_before]
                    weight = weights.quick_returns if backward else weights.switches
                    if not weight:
                        continue
                    after = shift_work(work, problem, a, d, s_after)
                    if d == 0:
                        if problem.state_on(a, -1) != s_before:
                            continue
                        lit: cp_model.IntVar | cp_model.LinearExpr = after
                    else:
                        before = shift_work(work, problem, a, d - 1, s_before)
                        lit = model.new_bool_var(f"switch(a={a},d={d},{s_before}->{s_after})")
                        model.add(lit >= before + after - 1)
                    kind = "quick_return" if backward else "switch"
                    penalties.append(Penalty(lit, weight, f"{kind}(agent={problem.agent_ids[a]},"
                                                          f"date={problem.dates[d]})"))
    return penalties


def penalize_preferences(model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                         ) -> list[Penalty]:
    """One unit per working day on one of the agent's preferred rest weekdays."""
    if not problem.weights.preferences:
        return []
    penalties = []
    for a in range(problem.num_agents):
        for d in range(problem.num_days):
            if problem.preferred_rest[a, problem.weekday(d)] and problem.forced[a, d] == UNKNOWN:
                penalties.append(Penalty(day_work(work, problem, a, d), problem.weights.preferences,
                                         f"preferred_rest(agent={problem.agent_ids[a]},"
                                         f"date={problem.dates[d]})"))
    return penalties

# Soft goals, in priority order (weights in RosterProblem.weights)
SOFT_RULES = (
    penalize_coverage,
    penalize_night_spread,
    penalize_weekend_spread,
    penalize_switches,
    penalize_preferences,
)
