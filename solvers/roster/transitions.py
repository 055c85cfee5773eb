"""Day-to-day transitions a class of agents can make, summed into cuts for the head-count plan.

An agent's shift on day ``d + 1`` is bound by its shift on day ``d``: the rest between shifts
(``min_rest_hours``: after a night ending at 07:00 no early or late shift the next day with 9
hours' rest) and the night caps (an agent allowed one night in a week, or one night in a row,
cannot work nights on both days). Rest is always a legal next state. So the class's workers on
a set ``A`` of shift types on day ``d`` and its workers, on day ``d + 1``, on the types no
member may take after any type in ``A`` are distinct agents:

    sum_{s in A} count[d, s] + sum_{t in blocked(A)} count[d + 1, t] <= members free on d or d + 1

Every legal roster keeps these sums. The shift-mix smoothing keeps its plan to them (in the
aggregate model they did not raise the bound and tripled its time): without them the plan
asked a class capped at one night a week for a night and a working day the morning after,
which no member can do (24x7 sites lost about a tenth of those classes' planned days in the
assignment). A set ``A`` blocks something only where every member forbids the pair, so mixed
classes get the cuts all their members share.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from solvers.roster.problem import RosterProblem, available
from solvers.roster.rules import rule_caps

# subsets of shift types are enumerated; beyond this many types the cuts are left out
MAX_TYPES = 12


def binds(problem: RosterProblem) -> bool:
    """Whether the rest between shifts forbids some shift the day after another: only then
    are the transitions planned (night after night alone is left to the assignment: with
    the default day and night shifts, planning it moved nights to agents who then returned
    quickly the next morning, 4,000 x 28 two queues: 0.27% -> 0.46% of agent-days)."""
    return bool(problem.forbidden_gaps[0].any()) and problem.num_shifts <= MAX_TYPES


def night_pairs_blocked(problem: RosterProblem) -> np.ndarray:
    """(A, D) ``[a, d]``: agent ``a`` may not work nights on both day ``d`` and ``d + 1`` (a
    night cap of at most one over a set of days holding both; last column False)."""
    blocked = np.zeros((problem.num_agents, problem.num_days), dtype=bool)
    if not problem.night.any() or not binds(problem):
        return blocked
    for a in range(problem.num_agents):
        for days, most in rule_caps(problem, a, "nights"):
            if most <= 1 and len(days) > 1:
                inside = np.zeros(problem.num_days + 1, dtype=bool)
                inside[list(days)] = True
                blocked[a] |= inside[:-1] & inside[1:]
    return blocked


def blocked_next(problem: RosterProblem, nights_blocked: bool) -> np.ndarray:
    """(S, S) ``[s, t]``: shift ``t`` may not follow shift ``s`` on the next day (rest between
    shifts, and night after night where ``nights_blocked``)."""
    table = problem.forbidden_gaps[0].copy()
    if nights_blocked:
        table |= np.outer(problem.night, problem.night)
    return table


def _cuts_of(table: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(A, blocked(A)) for each distinct set of allowed successors short of every type, with
    ``A`` the largest set of types whose successors all lie in it."""
    num = len(table)
    allowed = [int(sum(1 << t for t in range(num) if not table[s, t])) for s in range(num)]
    full = (1 << num) - 1
    seen: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for subset in range(1, 1 << num):
        reach = 0
        for s in range(num):
            if subset >> s & 1:
                reach |= allowed[s]
        if reach == full or reach in seen:
            continue
        inside = tuple(s for s in range(num) if allowed[s] & ~reach == 0)
        seen[reach] = (inside, tuple(t for t in range(num) if not reach >> t & 1))
    return list(seen.values())


def transition_cuts(problem: RosterProblem, members: list[int],
                    nights_blocked: np.ndarray | None = None
                    ) -> Iterator[tuple[int, tuple[int, ...], tuple[int, ...], int]]:
    """``(d, A, B, room)``: on every legal roster the members working a type of ``A`` on day
    ``d`` plus those working a type of ``B`` on day ``d + 1`` are at most ``room`` (the members
    free on either day). ``nights_blocked`` is ``night_pairs_blocked(problem)`` when the
    caller has it."""
    if not binds(problem) or problem.num_days < 2:
        return
    if nights_blocked is None:
        nights_blocked = night_pairs_blocked(problem)
    free = available(problem)[members]
    shared = np.asarray(nights_blocked[members].all(axis=0), dtype=bool)
    cache: dict[bool, list] = {}
    for d in range(problem.num_days - 1):
        key = bool(shared[d])
        if key not in cache:
            cache[key] = _cuts_of(blocked_next(problem, key))
        room = int((free[:, d] | free[:, d + 1]).sum())
        for inside, blocked in cache[key]:
            yield d, inside, blocked, room


def first_day_cuts(problem: RosterProblem, members: list[int]
                   ) -> Iterator[tuple[tuple[int, ...], int]]:
    """``(B, most)``: at most ``most`` members work a type of ``B`` on day 0, the others
    being bound by the shift they worked on the previous roster's last day (rest between
    shifts only)."""
    if not problem.num_previous or not binds(problem):
        return
    last = problem.previous[members, -1]
    free = available(problem)[members, 0]
    for inside, blocked in _cuts_of(blocked_next(problem, False)):
        bound = np.isin(last, inside)
        if bound.any():
            yield blocked, int((free & ~bound).sum())


def blocked_counts(problem: RosterProblem) -> np.ndarray:
    """(2, S) ``[blocked, s]``: how many shift types may not follow shift ``s`` the next day
    (all of them: a dead end), without and with night after night blocked (index
    ``night_pairs_blocked[a, d]``)."""
    return np.array([blocked_next(problem, blocked).sum(axis=1) for blocked in (False, True)])
