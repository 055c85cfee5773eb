"""The OpenAPI document and the service agree: schemathesis finds 0 failures (issue 28).

A bounded, deterministic run of schemathesis' default checks (no 5xx; status codes, content
types, headers and bodies as documented; schema-valid requests accepted and schema-violating
ones rejected; 405 with a true ``Allow`` ...) over every operation, once with a planner's and
once with an agent's token, against the app in process (ASGI). Per operation: the examples and
coverage phases' cases and 20 generated requests (``max_examples``), derandomised.

The project's ``schemathesis.toml`` (read here, and by ``st run`` in the repository) names the
operations whose 422 answers the content of schema-valid requests: a CSV's rows, a request the
rules, notice or balance refuse, a planner naming no agent. The solve route is left out: a
valid request starts a CP-SAT solve (its bad input is tested in ``test_bad_input.py``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

from tests.api.factories import make_site  # noqa: E402

pytestmark = pytest.mark.slow
PROJECT_CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"


def config_with_token(token: str) -> SchemathesisConfig:
    """The project's schemathesis configuration, authenticated with ``token``."""
    data: dict[str, Any] = tomllib.loads(PROJECT_CONFIG.read_text())
    data["auth"] = {"openapi": {"HTTPBearer": {"bearer": token}}}
    return SchemathesisConfig.from_dict(data)


@pytest.fixture(scope="module", params=["planner", "agent"])
def api_schema(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    site = make_site(tmp_path_factory.mktemp(f"schemathesis-{request.param}"))
    header = site.planner if request.param == "planner" else site.agents["A1"]
    token = header["Authorization"].removeprefix("Bearer ")
    return schemathesis.openapi.from_asgi("/openapi.json", site.client.app,
                                          config=config_with_token(token))


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/v1/rosters/solve")


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_behaves_as_its_openapi_document_says(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate()
