"""A bounded schemathesis run over the OpenAPI schema: no input may cause a 5xx.

Each operation gets a few generated requests as the planner (the role allowed the most), swap
creation as an agent. The
solve route is left out: a valid request there starts a CP-SAT solve, which is tested on its own.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.api.factories import Site, make_site  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return make_site(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_site: Site):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_site.client.app)


schema = schemathesis.pytest.from_fixture("fuzz_schema").exclude(path="/api/v1/rosters/solve")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case, fuzz_site: Site) -> None:  # type: ignore[no-untyped-def]
    creates_swap = (case.method, case.path) == ("POST", "/api/v1/swaps")
    who = fuzz_site.agents["A1"] if creates_swap else fuzz_site.planner
    response = case.call(headers=who)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
