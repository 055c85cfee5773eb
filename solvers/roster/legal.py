"""Per-agent hard-rule check on the solver's integer roster encoding.

This is the solver's own fast check (used for the pre-check, the repair moves and a final
safety net); ``wfm.rules.check_roster`` stays the independent source of truth.
"""

from __future__ import annotations

import numpy as np

from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem
from wfm.errors import Violation


def _violation(problem: RosterProblem, code: str, a: int, d: int, message: str) -> Violation:
    day = problem.dates[d].isoformat() if d >= 0 else f"{d} days before the horizon"
    return Violation(code, problem.agent_ids[a], day, message)


def agent_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None = None, *, first_only: bool = False
                     ) -> list[Violation]:
    """Every hard rule agent ``a`` breaks with horizon ``states`` (shift index, OFF, LEAVE).

    ``queues`` (queue index per day, -1 = none) is checked against the agent's skills when given.
    """
    found: list[Violation] = []

    def add(code: str, d: int, message: str) -> bool:
        found.append(_violation(problem, code, a, d, message))
        return first_only

    codes = problem.shift_codes
    for d in range(problem.num_days):
        s = int(states[d])
        forced, pinned = int(problem.forced[a, d]), int(problem.fixed_shift[a, d])
        if s >= 0 and forced == LEAVE and add("leave", d, f"works {codes[s]} on approved leave"):
            return found
        if s >= 0 and forced == OFF and add("outside_contract", d,
                                            f"works {codes[s]} outside the contract dates"):
            return found
        if pinned == OFF and forced == LEAVE and add(
                "fixed", d, "pinned to OFF on a day of approved leave (pin LEAVE or drop the pin)"):
            return found
        if pinned == LEAVE and problem.leave_known and forced != LEAVE and add(
                "fixed", d, "pinned to LEAVE on a day without approved leave (add the day to the "
                "leave table or drop the pin)"):
            return found
        if pinned != UNKNOWN and _differs(pinned, s) and add(
                "fixed", d, f"pinned to {_name(problem, pinned)} but has {_name(problem, s)}"):
            return found
        if queues is not None and s >= 0 and int(queues[d]) not in problem.skills[a] and add(
                "skill", d, f"serves queue {_queue(problem, int(queues[d]))} without the skill"):
            return found

    tail = problem.previous[a]
    full = np.concatenate([tail, states])  # index i <-> horizon day i - P
    offset = problem.num_previous
    working = full >= 0

    limit, run = problem.max_consecutive_days, 0
    for i in range(len(full)):
        run = run + 1 if working[i] else 0
        if run > limit and i >= offset and add(
                "max_consecutive_days", i - offset, f"{run} working days in a row (max {limit})"):
            return found

    need = problem.min_rest_days_per_week
    for inside, before in problem.weeks():
        if not problem.week_known(a, before):
            continue
        days = [offset + d for d in (*before, *inside)]
        rest = int(np.sum(~working[days]))
        if rest < need and add("min_rest_days_per_week", inside[-1],
                               f"{rest} rest day(s) in the week ending {problem.dates[inside[-1]]}"
                               f" (min {need})"):
            return found

    span = problem.rest_span_days
    for i in range(len(full)):
        if not working[i]:
            continue
        for k in range(1, span + 1):
            j = i + k
            if j < len(full) and working[j] and j >= offset and problem.forbidden_gap(
                    int(full[i]), int(full[j]), k):
                hours = problem.min_rest_minutes / 60
                if add("min_rest_hours", j - offset,
                       f"{codes[int(full[j])]} starts less than {hours:g} h after the "
                       f"{codes[int(full[i])]} shift {k} day(s) before ends"):
                    return found

    cap = int(problem.max_nights[a])
    if cap >= 0:
        for inside, before in _all_weeks(problem):
            days = [offset + d for d in (*before, *inside) if offset + d >= 0]
            nights = sum(1 for i in days if working[i] and problem.night[int(full[i])])
            if nights > cap and add("max_nights_per_week", inside[-1],
                                    f"{nights} night shifts in the week (max {cap})"):
                return found
    return found


def _all_weeks(problem: RosterProblem) -> list[tuple[list[int], list[int]]]:
    """Monday-Sunday weeks touching the horizon, also the last partial one."""
    weeks: list[tuple[list[int], list[int]]] = []
    first = -problem.dates[0].weekday()
    for monday in range(first, problem.num_days, 7):
        days = list(range(monday, monday + 7))
        inside = [d for d in days if 0 <= d < problem.num_days]
        weeks.append((inside, [d for d in days if d < 0]))
    return weeks


def _differs(pinned: int, state: int) -> bool:
    """A pin of OFF or LEAVE is kept only by that exact state (the checker tells them apart)."""
    return pinned != state


def _name(problem: RosterProblem, state: int) -> str:
    if state >= 0:
        return problem.shift_codes[state]
    return {OFF: "OFF", LEAVE: "LEAVE"}.get(state, "nothing")


def _queue(problem: RosterProblem, q: int) -> str:
    return problem.queues[q] if 0 <= q < problem.num_queues else "(none)"


def pinned_states(problem: RosterProblem, a: int) -> np.ndarray:
    """Agent ``a``'s fixed assignments with every free day at rest (the most lenient roster)."""
    states = np.where(problem.fixed_shift[a] >= 0, problem.fixed_shift[a],
                      problem.rest_states()[a])
    return states.astype(np.int64)


def precheck(problem: RosterProblem) -> list[Violation]:
    """Conflicts that no roster can avoid: fixed assignments or the previous roster break a rule.

    Resting never breaks a rule, so an agent whose fixed days, with every other day at rest,
    break one cannot be rostered legally; the violation names the agent, date and rule.
    """
    conflicts: list[Violation] = []
    for a in range(problem.num_agents):
        queues = np.where(problem.fixed_queue[a] >= 0, problem.fixed_queue[a],
                          problem.skills[a][0] if problem.skills[a] else -1)
        if not problem.skills[a]:
            queues = np.full(problem.num_days, -1)
        conflicts.extend(agent_violations(problem, a, pinned_states(problem, a), queues))
    return conflicts
