"""The engines the parallel tests run on: a local Ray instance (2 CPUs, started once per test
session and shared) where Ray is installed, and in process. Without Ray the Ray cases are
skipped with the reason, so a run says the tests ran in process only.

Import ``engine`` (both engines) or ``preferred_engine`` (Ray where installed, else in process)
into a test module; each gives the ``workers`` value for ``run_tasks`` / ``--workers`` (1: in
process, 2: Ray)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wfm.parallel import ray_available

NO_RAY = "Ray is not installed (pip install 'wfm[distributed]'): this case runs in process only"
ENGINES = [pytest.param(1, id="in-process"),
           pytest.param(2, id="ray", marks=() if ray_available() else pytest.mark.skip(NO_RAY))]
#: one engine for the slower end-to-end tests: Ray where installed, else in process (and the
#: test id says so)
PREFERRED = [pytest.param(2, id="ray") if ray_available()
             else pytest.param(1, id="in-process (Ray not installed)")]
_started: list[bool] = []
_failed: list[str] = []


def ray_session() -> None:
    """A local Ray instance of 2 CPUs for the rest of the session (started once; Ray stops it
    when the test process exits)."""
    if _started:
        return
    if _failed:
        pytest.skip(_failed[0])
    from wfm.parallel import EngineUnavailable, connect

    try:
        _started.append(connect(None, workers=2))
    except EngineUnavailable as error:  # Ray's own start-up timeout on a starved machine
        _failed.append(f"the local Ray instance did not start, Ray cases not run: {error}")
        pytest.skip(_failed[0])


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[int]:
    if request.param != 1:
        ray_session()
    yield request.param


@pytest.fixture(params=PREFERRED)
def preferred_engine(request: pytest.FixtureRequest) -> Iterator[int]:
    if request.param != 1:
        ray_session()
    yield request.param

