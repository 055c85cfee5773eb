"""Fixtures shared by the solver tests."""

from __future__ import annotations

import pytest

from solvers.roster import budget
from tests.solvers.factories import ROOMY_CAP


@pytest.fixture
def roomy_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work is sized from the time limit as usual, but every budget's wall-clock safety cap is
    far away, so a slow or busy machine cannot cut a stage short: the roster then depends on
    the inputs and the work units only, never on the machine's speed."""
    start = budget.Budget.start

    def roomy(seconds: float, wall_cap_seconds: float | None = None,
              calibration: budget.Calibration = budget.DEFAULT_SETTINGS.calibration
              ) -> budget.Budget:
        return start(seconds, ROOMY_CAP, calibration)

    monkeypatch.setattr(budget.Budget, "start", staticmethod(roomy))
