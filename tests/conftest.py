"""Hypothesis profiles of the whole suite: the same examples on every CI run, fresh ones locally.

``wfm-ci``
    Loaded when the environment variable ``CI`` is set (the CI runner sets ``CI=true``), or when
    hypothesis itself detected a CI and loaded its built-in ``ci`` profile. Derandomised: each
    property test draws the same examples on every run and machine, so CI passes or fails on the
    code alone and a failure reproduces anywhere with ``CI=true``. No example database (nothing
    saved by an earlier run is replayed first), no deadline and no ``too_slow`` health check (both
    measure wall-clock time), and ``print_blob`` so a failure prints its reproduction decorator.
``wfm-dev``
    Otherwise. Random examples, so local runs keep exploring; a failure is saved in
    ``.hypothesis/`` and replayed first next time. No deadline and no ``too_slow`` health check
    either: a busy machine must not fail a test.

The wider random search lives outside pytest: ``python3 bench/property_sweep.py``.

``--hypothesis-profile NAME`` still wins (the hypothesis plugin loads it after this file).
``--hypothesis-seed N`` has no effect under ``wfm-ci``: hypothesis ranks ``derandomize`` above
the seed, so reproduce a seeded run without ``CI`` set.

The profile is loaded when this file is imported, before any test module: a test's own
``@settings(...)`` copies every field it leaves out from the profile active when the decorator
runs, so tests that set only ``max_examples`` or ``deadline`` are derandomised too. No test
sets ``derandomize=False`` or a ``database``.
"""

from __future__ import annotations

import os

import hypothesis.core
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.vendor.pretty import RepresentationPrinter

# the ``engine`` / ``preferred_engine`` fixtures of the parallel tests (Ray where installed)
pytest_plugins = ["tests.parallel_support"]

_BASE = settings.get_profile("default")  # hypothesis' own defaults, whatever is loaded now

settings.register_profile("wfm-ci", _BASE, derandomize=True, database=None, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("wfm-dev", _BASE, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])

if settings.get_current_profile_name() in ("default", "ci"):  # not one chosen on the command line
    in_ci = "CI" in os.environ or settings.get_current_profile_name() == "ci"
    settings.load_profile("wfm-ci" if in_ci else "wfm-dev")


@pytest.fixture(autouse=True)
def _falsifying_examples_printed(request: pytest.FixtureRequest,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis' own example printer for every test but the schemathesis ones.

    The schemathesis pytest plugin replaces ``hypothesis.core.RepresentationPrinter`` with one
    that prints nothing (its API fuzzing saves the cost), in every pytest run: a failing property
    test then showed its falsifying example as ``case=,``. Put back per test; the printer only
    runs for verbose output and failures, so passing runs cost the same.
    """
    if getattr(request, "module", None) is not None and not hasattr(request.module,
                                                                     "schemathesis"):
        monkeypatch.setattr(hypothesis.core, "RepresentationPrinter", RepresentationPrinter)
