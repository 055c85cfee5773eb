"""Work budgets for the solver stages, derived from the time limit, so a run is repeatable.

Every stage is limited by work, never by the clock: CP-SAT by deterministic time (one worker,
the only CP-SAT setting measured to give the same solution on every run; interleaved search with
two workers was also repeatable but 3-10x slower on these models), the Python loops by counted
units (one unit = one per-agent rule check or one agent visited). The work is sized so that a
run takes about the time limit on an unloaded machine (``settings.Calibration``). The wall clock
is only a safety cap: a stage that reaches it stops early and the budget records it, since the
roster may then differ from run to run. The cap defaults to the time limit; a caller that needs
the same roster on any machine (a test) sets a cap far above it and keeps the work small.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from solvers.roster.settings import DEFAULT_SETTINGS, Calibration


@dataclass
class Budget:
    """The nominal time limit (which sizes the work), the wall-clock cap of the current stage
    and the stages the cap cut short (one list, shared by every stage's view of the budget)."""

    seconds: float
    deadline: float
    capped: list[str] = field(default_factory=list)
    calibration: Calibration = DEFAULT_SETTINGS.calibration

    @classmethod
    def start(cls, seconds: float, wall_cap_seconds: float | None = None,
              calibration: Calibration = DEFAULT_SETTINGS.calibration) -> Budget:
        """Work sized from ``seconds``; the wall clock capped after ``wall_cap_seconds``
        (default: ``seconds``)."""
        cap = float(seconds if wall_cap_seconds is None else wall_cap_seconds)
        return cls(seconds=float(seconds), deadline=time.monotonic() + cap,
                   calibration=calibration)

    def until(self, deadline: float) -> Budget:
        """The same budget with another wall-clock cap (cut-short stages still recorded here)."""
        return replace(self, deadline=deadline)

    def det_seconds(self, seconds: float) -> float:
        """Deterministic CP-SAT seconds worth about ``seconds`` of (unloaded) wall time."""
        return max(0.01, seconds * self.calibration.det_per_second)

    def units(self, seconds: float, num_days: int = 28) -> int:
        """Work units of the Python loops worth about ``seconds`` of (unloaded) wall time; a
        unit (one per-agent rule check) costs about in proportion to the horizon's days."""
        rate = self.calibration.units_per_second
        return max(1, int(seconds * rate * self.calibration.reference_days / max(7, num_days)))

    def seconds_of(self, units: int, num_days: int = 28) -> float:
        """Wall seconds ``units`` work units take by the calibration (the inverse of
        ``units``)."""
        rate = self.calibration.units_per_second
        return units * max(7, num_days) / (rate * self.calibration.reference_days)

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
