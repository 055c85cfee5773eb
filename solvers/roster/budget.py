"""Work budgets for the solver stages, derived from the time limit, so a run is repeatable.

Every stage is limited by work, never by the clock: CP-SAT by deterministic time (one worker,
the only CP-SAT setting measured to give the same solution on every run; interleaved search with
two workers was also repeatable but 3-10x slower on these models), the Python loops by counted
units (one unit = one per-agent rule check or one agent visited). The work is sized so that a
run takes about the time limit on an unloaded machine. The wall-clock time limit stays as a
safety cap: a stage that reaches it stops early and the budget records it, since the roster may
then differ from run to run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# Calibration (2-core machine shared with other work, load 2-4; bench/roster.py instances):
# CP-SAT with one worker does about 0.65 deterministic seconds per second, the local moves
# about 3,000 units per second on a 28-day horizon (7,700 on 14 days).
DET_PER_SECOND = 0.65
UNITS_PER_SECOND = 3_000


@dataclass
class Budget:
    """The nominal time limit, the wall-clock cap and the stages the cap cut short."""

    seconds: float
    deadline: float
    capped: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, seconds: float) -> Budget:
        return cls(seconds=float(seconds), deadline=time.monotonic() + float(seconds))

    @staticmethod
    def det_seconds(seconds: float) -> float:
        """Deterministic CP-SAT seconds worth about ``seconds`` of (unloaded) wall time."""
        return max(0.01, seconds * DET_PER_SECOND)

    @staticmethod
    def units(seconds: float, num_days: int = 28) -> int:
        """Work units of the Python loops worth about ``seconds`` of (unloaded) wall time; a
        unit (one per-agent rule check) costs about in proportion to the horizon's days."""
        return max(1, int(seconds * UNITS_PER_SECOND * 28 / max(7, num_days)))

    def wall_left(self) -> float:
        return max(0.05, self.deadline - time.monotonic())

    def expired(self, stage: str) -> bool:
        """Whether the wall-clock cap is reached; records ``stage`` as cut short when it is."""
        if time.monotonic() < self.deadline:
            return False
        if stage not in self.capped:
            self.capped.append(stage)
        return True

    def work(self, seconds: float, stage: str, num_days: int = 28) -> WorkLimit:
        return WorkLimit(self.units(seconds, num_days), self, stage)


@dataclass
class WorkLimit:
    """A count of work units for one stage, also stopped by the budget's wall-clock cap."""

    units: int
    budget: Budget | None = None
    stage: str = ""
    used: int = 0

    def spend(self, units: int = 1) -> bool:
        """Spend ``units``; False once the allowance (or the wall-clock cap) is exhausted."""
        self.used += units
        return self.left()

    def left(self) -> bool:
        if self.used > self.units:
            return False
        return self.budget is None or not self.budget.expired(self.stage)


def unlimited() -> WorkLimit:
    """A limit that never stops a loop (tests, callers without a budget)."""
    return WorkLimit(units=2**62)
