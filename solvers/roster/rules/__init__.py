"""The solver's hard rules, one module each: the readable spec of what every roster keeps.

Each module defines one ``HardRule`` (``base.py``) carrying the rule's CP-SAT constraints, its
per-agent check, the greedy pass's incremental test and its caps for the aggregate models.
``HARD_RULES`` is the list every stage loops over, in this order (constraint order changes
CP-SAT's search, so it stays fixed); ``COVERAGE_RULES`` leaves out the night patterns, which
the fairness stage establishes after the coverage stages (``HardRule.pattern``).

Adding a rule: a module here with its ``RULE`` and an entry below, beside its checker module in
``wfm/rules/`` (the source of truth) and its configuration field;
``tests/solvers/test_rule_encodings.py`` holds every encoding equal to the checker.
"""

from __future__ import annotations

import numpy as np

from solvers.roster.problem import RosterProblem
from solvers.roster.rules import (
    consecutive,
    consecutive_nights,
    fixed,
    leave,
    nights,
    one_shift,
    rest_hours,
    skills,
    weekly_blocks,
    weekly_rest,
)
from solvers.roster.rules.base import Cap, HardRule, Lookahead

HARD_RULES: tuple[HardRule, ...] = (
    one_shift.RULE,           # one_shift_per_day
    leave.RULE,               # leave, outside_contract
    fixed.RULE,               # fixed
    skills.RULE,              # skill (structural in CP-SAT: no variable outside the skills)
    consecutive.RULE,         # max_consecutive_days
    weekly_rest.RULE,         # min_rest_days_per_week
    rest_hours.RULE,          # min_rest_hours
    nights.RULE,              # max_nights_per_week
    consecutive_nights.RULE,  # max_consecutive_nights
    weekly_blocks.RULE,       # weekly_blocks (a pattern: the fairness stage)
)

COVERAGE_RULES: tuple[HardRule, ...] = tuple(r for r in HARD_RULES if not r.pattern)
PATTERN_RULES: tuple[HardRule, ...] = tuple(r for r in HARD_RULES if r.pattern)

__all__ = ["COVERAGE_RULES", "HARD_RULES", "PATTERN_RULES", "Cap", "HardRule", "Lookahead",
           "rows_keep_rules", "rule_caps"]


def rule_caps(problem: RosterProblem, a: int, kind: str, *,
              rules: tuple[HardRule, ...] = COVERAGE_RULES) -> list[Cap]:
    """Every cap of ``kind`` ("work" or "nights") the applying ``rules`` give agent ``a``."""
    return [cap for rule in rules
            if rule.caps is not None and rule.cap_kind == kind and rule.applies(problem)
            for cap in rule.caps(problem, a)]


def rows_keep_rules(problem: RosterProblem, a: int, rows: np.ndarray, *,
                    rules: tuple[HardRule, ...] = HARD_RULES) -> np.ndarray:
    """(N,) whether each candidate horizon row (N, D) of agent ``a`` keeps every applying rule
    that has a vectorised row test (``HardRule.rows_keep``); the others are left to the full
    per-row check."""
    ok = np.ones(len(rows), dtype=bool)
    for rule in rules:
        if rule.rows_keep is not None and rule.applies(problem):
            ok &= rule.rows_keep(problem, a, rows)
    return ok
