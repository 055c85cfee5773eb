"""Fixtures shared by the solver tests."""

from __future__ import annotations

import time

import pytest

from solvers.roster import budget


@pytest.fixture
def roomy_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work is sized from the time limit as usual, but the wall-clock safety cap is far away, so
    a slow or busy test machine cannot cut a stage short: the roster then depends on the inputs
    and the work units only, never on the machine's speed."""
    monkeypatch.setattr(budget.Budget, "start", classmethod(
        lambda cls, seconds: cls(seconds=float(seconds), deadline=time.monotonic() + 600)))
