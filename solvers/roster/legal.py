"""Per-agent hard-rule check on the solver's integer roster encoding: a loop over the rules.

This is the solver's own fast check (used for the pre-check, the repair moves and a final
safety net); ``wfm.rules.check_roster`` stays the independent source of truth.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solvers.roster.problem import RosterProblem
from solvers.roster.rules import COVERAGE_RULES, PATTERN_RULES, HardRule
from solvers.roster.rules.base import Violations
from wfm.errors import Violation


def agent_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None = None, *, first_only: bool = False,
                     rules: tuple[HardRule, ...] = COVERAGE_RULES) -> list[Violation]:
    """Every rule of ``rules`` agent ``a`` breaks with horizon ``states`` (shift index, OFF,
    LEAVE), in rule order; only the first with ``first_only``.

    ``queues`` (queue index per day, -1 = none) is checked against the agent's skills and pins
    when given. The default leaves out the night patterns (``HARD_RULES`` has them).
    """
    found: list[Violation] = []
    for violations in _checks(problem, rules):
        for v in violations(problem, a, states, queues):
            found.append(v)
            if first_only:
                return found
    return found


def _checks(problem: RosterProblem, rules: tuple[HardRule, ...]) -> tuple[Violations, ...]:
    """The per-agent checks of the ``rules`` that constrain ``problem``, in rule order: found
    once per problem and rule list (this is called millions of times on a large site)."""
    key = ("agent checks", id(rules))
    entry = problem.memo.get(key)
    if entry is None:  # the entry keeps its tuple alive, so no other tuple takes its id
        entry = (rules, tuple(rule.violations for rule in rules
                              if rule.violations is not None and rule.applies(problem)))
        problem.memo[key] = entry
    return entry[1]


def trade_if_legal(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                   allowed: Callable[[int, np.ndarray], bool] | None, a: int, b: int,
                   mask: np.ndarray, row_a: np.ndarray, row_b: np.ndarray) -> bool:
    """Give agents ``a`` and ``b`` the traded rows (each other's days under ``mask``, their
    queues with them), in place, when both pass this check and ``allowed``; whether it was
    made. The one place a fairness trade is applied: pair trades and rest exchanges."""
    if allowed is not None and not (allowed(a, row_a) and allowed(b, row_b)):
        return False
    queues_a = np.where(mask, queues[b], queues[a])
    queues_b = np.where(mask, queues[a], queues[b])
    if agent_violations(problem, a, row_a, queues_a, first_only=True):
        return False
    if agent_violations(problem, b, row_b, queues_b, first_only=True):
        return False
    states[a], states[b] = row_a, row_b
    queues[a], queues[b] = queues_a, queues_b
    return True


def pattern_ok(problem: RosterProblem, a: int, states: np.ndarray) -> bool:
    """Whether agent ``a``'s row keeps the configured night pattern (if any)."""
    return not agent_violations(problem, a, states, first_only=True, rules=PATTERN_RULES)


def pinned_states(problem: RosterProblem, a: int) -> np.ndarray:
    """Agent ``a``'s fixed assignments with every free day at rest (the most lenient roster)."""
    states = np.where(problem.fixed_shift[a] >= 0, problem.fixed_shift[a],
                      problem.rest_state_table[a])
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
