"""Imported by Python at start-up in the processes the solve-queue tests start (their
``PYTHONPATH`` names this folder, and ``WFM_TEST_ROOMY_CAP=1`` is set): every solver budget's
wall-clock safety cap is far away, as the ``roomy_cap`` fixture does in the test process, so a
roster solved by a worker's child process depends on its inputs only, never on how busy the
machine is. Not a package: nothing imports it but the interpreter."""

import os

if os.environ.get("WFM_TEST_ROOMY_CAP") == "1":
    from solvers.roster import budget
    from tests.solvers.factories import ROOMY_CAP

    _start = budget.Budget.start

    def _roomy(seconds: float, wall_cap_seconds: float | None = None,
               calibration: budget.Calibration = budget.DEFAULT_SETTINGS.calibration
               ) -> budget.Budget:
        return _start(seconds, ROOMY_CAP, calibration)

    budget.Budget.start = staticmethod(_roomy)  # type: ignore[method-assign, assignment]
