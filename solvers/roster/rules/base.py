"""What a hard rule of the solver is: one record holding every encoding of one checker rule.

The checker (``wfm/rules``) states each rule once for rosters as tables; the solver needs the
same rule in four shapes, and they live together so that they cannot drift apart (a test holds
each of them equal to the checker):

- ``add_constraints(model, work, problem)``: the CP-SAT constraints on ``work[a, d, s, q]``;
- ``violations(problem, a, states, queues)``: the per-agent check of a whole horizon row;
- ``may_take(view, a, d, s)``: the greedy construction's incremental test, answered from the
  days decided so far (``Lookahead``);
- ``caps(problem, a)``: sums every legal row keeps, for the aggregate head-count model and the
  working-day LP (a relaxation: never tighter than the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

import numpy as np
from ortools.sat.python import cp_model

from solvers.roster.problem import LEAVE, OFF, RosterProblem
from solvers.roster.variables import WorkVars
from wfm.errors import Violation


class Cap(NamedTuple):
    """At most ``most`` working days (or nights) among the horizon ``days`` for one agent."""

    days: tuple[int, ...]
    most: int


class Lookahead(Protocol):
    """What the greedy construction (``assign._State``) knows when it asks ``may_take``.

    ``states[a, d]`` is decided (a shift, OFF or LEAVE) for the days before the one being
    filled and for the rest days already fixed ahead; UNKNOWN elsewhere. Pinned shifts ahead
    are in ``problem.fixed_shift``. Every later free day may still rest.
    """

    problem: RosterProblem
    states: np.ndarray
    run: np.ndarray              # (A,) working days in a row up to the day being filled
    fixed_run_after: np.ndarray  # (A, D + 1) pinned shifts in a row from each day on

    def state(self, a: int, d: int) -> int:
        """Agent ``a``'s state on day ``d`` (previous roster before day 0)."""
        ...

    def week_slack(self, a: int, d: int) -> tuple[int, int]:
        """(rest days still owed in ``d``'s week if ``a`` works on ``d``, free days after)."""
        ...


AddConstraints = Callable[[cp_model.CpModel, WorkVars, RosterProblem], None]
Violations = Callable[[RosterProblem, int, np.ndarray, np.ndarray | None],
                      Iterator[Violation]]
MayTake = Callable[[Lookahead, int, int, int], bool]
Caps = Callable[[RosterProblem, int], list[Cap]]
RowsKeep = Callable[[RosterProblem, int, np.ndarray], np.ndarray]


def always(problem: RosterProblem) -> bool:
    return True


@dataclass(frozen=True)
class HardRule:
    """One hard rule of the solver (see module docstring).

    Attributes
    ----------
    codes
        The checker's ``Violation.code`` values this rule answers for (usually one).
    applies
        Whether the rule constrains this problem (a limit of 0 or an unset pattern: no).
    add_constraints
        Its CP-SAT constraints; None when the variables encode it already (skills).
    violations
        Its breaks in agent ``a``'s horizon row ``states`` (``queues`` per day or None), in
        day order; None when no row of states can break it (one shift per day).
    may_take
        Whether agent ``a`` may work shift ``s`` on day ``d`` with every later free day at
        rest; None when the greedy pass never offers a day the rule decides (leave, pins).
    rows_keep
        Whether each of many candidate horizon rows ``(N, D)`` of agent ``a`` keeps the rule
        (the previous roster's tail counted): ``violations``' verdict, vectorised over rows,
        for the fairness trades' cheap filter; None where the rule has no such test.
    caps
        Sums every legal row keeps, counting ``cap_kind`` ("work": working days, "nights":
        night shifts); None when the rule has none.
    cap_order
        Where its caps enter the aggregate model (lower first): constraint order changes
        CP-SAT's search, though not its optimum, so it is kept fixed.
    pattern
        A night pattern: planned by the fairness stage (its re-solves, trades and patterns
        keep it) and reported where it cannot be made; the coverage stages plan without it.
    """

    codes: tuple[str, ...]
    add_constraints: AddConstraints | None = None
    violations: Violations | None = None
    may_take: MayTake | None = None
    rows_keep: RowsKeep | None = None
    caps: Caps | None = None
    cap_kind: Literal["work", "nights"] = "work"
    cap_order: int = 0
    applies: Callable[[RosterProblem], bool] = always
    pattern: bool = False

    @property
    def code(self) -> str:
        return self.codes[0]

    def __call__(self, model: cp_model.CpModel, work: WorkVars, problem: RosterProblem
                 ) -> None:
        """Add the rule's constraints when it applies (``for add_rule in HARD_RULES``)."""
        if self.add_constraints is not None and self.applies(problem):
            self.add_constraints(model, work, problem)


def violation(problem: RosterProblem, code: str, a: int, d: int, message: str) -> Violation:
    """A ``Violation`` of agent ``a`` dated horizon day ``d`` (negative: before it)."""
    day = problem.dates[d].isoformat() if d >= 0 else f"{d} days before the horizon"
    return Violation(code, problem.agent_ids[a], day, message)


def state_name(problem: RosterProblem, state: int) -> str:
    if state >= 0:
        return problem.shift_codes[state]
    return {OFF: "OFF", LEAVE: "LEAVE"}.get(state, "nothing")


def with_tail(problem: RosterProblem, a: int, states: np.ndarray) -> np.ndarray:
    """The previous roster's tail then ``states``: index ``i`` is horizon day ``i - P``."""
    return np.concatenate([problem.previous[a], states])


def night_shifts(problem: RosterProblem) -> list[int]:
    return [s for s in range(problem.num_shifts) if problem.night[s]]


def is_night(problem: RosterProblem, state: int) -> bool:
    return state >= 0 and bool(problem.night[state])


def calendar_weeks(problem: RosterProblem) -> list[range]:
    """Every Monday-Sunday week touching the horizon as horizon day offsets (negative before
    it), also the first and last partial ones."""
    first = -problem.dates[0].weekday()
    return [range(monday, monday + 7) for monday in range(first, problem.num_days, 7)]
