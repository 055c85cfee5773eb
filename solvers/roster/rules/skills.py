"""Skills (``skill``): an agent serves only queues in its skills. The CP-SAT model has no
variable for any other queue, so only the per-agent check (given queues) needs the rule."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from solvers.roster.problem import RosterProblem
from solvers.roster.rules.base import HardRule, violation
from wfm.errors import Violation


def skill_violations(problem: RosterProblem, a: int, states: np.ndarray,
                     queues: np.ndarray | None) -> Iterator[Violation]:
    if queues is None:
        return
    skilled = np.isin(queues, problem.skills[a])
    for d in np.flatnonzero((states >= 0) & ~skilled).tolist():
        q = int(queues[d])
        name = problem.queues[q] if 0 <= q < problem.num_queues else "(none)"
        yield violation(problem, "skill", a, d, f"serves queue {name} without the skill")


RULE = HardRule(codes=("skill",), violations=skill_violations)
