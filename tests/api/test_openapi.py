"""The OpenAPI document lists the errors raised outside the handlers.

DESIGN.md: every protected route answers 401 without a valid token, 403 where a role or an
owner is checked, and every route with a body 413 above the size limit, all as
``{"detail": ...}``. Clients generated from ``/openapi.json`` only know what it lists.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import get_agent, get_current_user, get_planner, get_swap_or_404
from api.main import ROUTERS
from tests.api.factories import Site

MESSAGE = {"$ref": "#/components/schemas/Message"}


@pytest.fixture
def document(site: Site) -> dict[str, Any]:
    response = site.client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def responses(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]["responses"]


def body_schema(response: dict[str, Any]) -> dict[str, Any]:
    return response["content"]["application/json"]["schema"]


def test_protected_get_lists_401_with_the_detail_body(document: dict[str, Any]) -> None:
    listed = responses(document, "get", "/api/v1/rosters/current")
    assert body_schema(listed["401"]) == MESSAGE
    assert document["components"]["schemas"]["Message"]["required"] == ["detail"]


def test_body_post_lists_401_403_and_413(document: dict[str, Any]) -> None:
    listed = responses(document, "post", "/api/v1/rosters")
    for status in ("401", "403", "413"):
        assert body_schema(listed[status]) == MESSAGE, status
    assert "larger than" in listed["413"]["description"]


def test_the_open_health_route_lists_no_401(document: dict[str, Any]) -> None:
    assert "401" not in responses(document, "get", "/healthz")


def _calls(dependant: Dependant) -> set[Any]:
    found = set()
    for sub in dependant.dependencies:
        found |= {sub.call} | _calls(sub)
    return found


def test_every_route_lists_the_errors_its_dependencies_and_body_can_raise(
        document: dict[str, Any]) -> None:
    """Derived from the routes themselves, so a new route cannot forget them."""
    checked = 0
    routes = [r for module in ROUTERS for r in module.router.routes]
    for route in routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        calls = _calls(route.dependant)
        expected = set()
        if get_current_user in calls:
            expected.add("401")
        if calls & {get_planner, get_agent, get_swap_or_404}:
            expected.add("403")
        if route.body_field is not None or "requestBody" in (route.openapi_extra or {}):
            expected.add("413")
        for method in route.methods:
            # the document's path: without a convertor ("{offer_id:int}" -> "{offer_id}")
            listed = responses(document, method.lower(), route.path_format)
            missing = expected - set(listed)
            assert not missing, (method, route.path, sorted(missing))
            checked += 1
    assert checked >= 18


# ---- the document and the behaviour agree (issue 28) --------------------------------------
VALIDATION_FAILED = {"$ref": "#/components/schemas/ValidationFailed"}


def test_every_route_with_input_documents_the_validation_422(document: dict[str, Any]) -> None:
    """A 422 is either a list of field errors (``ValidationFailed``) or one message; routes
    that check rules add ``RulesBroken``. FastAPI's own ``HTTPValidationError`` (whose items
    carry the input) is gone."""
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not (operation.get("parameters") or operation.get("requestBody")):
                continue
            schema = body_schema(operation["responses"]["422"])
            assert VALIDATION_FAILED in schema["anyOf"], (method, path)
            assert MESSAGE in schema["anyOf"], (method, path)
            checked += 1
    assert checked >= 20
    assert "HTTPValidationError" not in document["components"]["schemas"]
    rules = body_schema(responses(document, "post", "/api/v1/swaps")["422"])["anyOf"]
    assert {"$ref": "#/components/schemas/RulesBroken"} in rules


def test_a_validation_422_has_the_documented_fields(site: Site) -> None:
    response = site.client.get("/api/v1/swaps?page_size=0", headers=site.planner)
    assert response.status_code == 422
    assert response.json() == {"detail": [{
        "loc": ["query", "page_size"], "msg": "Input should be greater than or equal to 1",
        "type": "greater_than_equal"}]}


@pytest.mark.parametrize("body", [b'{"kind": ', b'\xff\xfe{"kind": "swap"}', b"[" * 100_000],
                         ids=["cut short", "not UTF-8", "nested too deep"])
def test_a_body_that_is_not_json_is_a_documented_422_not_a_400(site: Site, body: bytes) -> None:
    response = site.client.post("/api/v1/swaps", content=body, headers={
        **site.agents["A1"], "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert (error["loc"][0], error["type"]) == ("body", "json_invalid")


@pytest.mark.parametrize("value", ["0", "1700000000", "2030-01-07T00:00:00", "2030-1-7",
                                   "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("path", ["/api/v1/rosters/current", "/api/v1/adherence",
                                  "/api/v1/audit"])
def test_a_date_parameter_takes_only_iso_dates_in_the_stated_range(site: Site, path: str,
                                                                   value: str) -> None:
    response = site.client.get(path, params={"to": value}, headers=site.planner)
    assert response.status_code == 422, (path, value, response.text)
    assert response.json()["detail"][0]["loc"] == ["query", "to"]


def test_a_date_in_a_body_is_an_iso_date_string(site: Site) -> None:
    response = site.client.post("/api/v1/swaps", json={
        "kind": "swap", "counterpart_id": "A2", "dates": [0]}, headers=site.agents["A1"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "dates", 0]


def test_the_document_states_the_date_form_and_range(document: dict[str, Any]) -> None:
    [to] = [p for p in document["paths"]["/api/v1/rosters/current"]["get"]["parameters"]
            if p["name"] == "to"]
    [date_schema] = [s for s in to["schema"]["anyOf"] if s.get("type") == "string"]
    assert date_schema["format"] == "date"
    assert date_schema["pattern"].startswith("^(19\\d\\d|2\\d\\d\\d)-")
    assert "1900-01-01 to 2999-12-31" in date_schema["description"]
    swap_dates = document["components"]["schemas"]["SwapRequestCreate"]["properties"]["dates"]
    assert swap_dates["items"]["pattern"] == date_schema["pattern"]


def test_the_document_states_that_text_holds_no_nul(document: dict[str, Any]) -> None:
    [agent_id] = [p for p in document["paths"]["/api/v1/swaps"]["get"]["parameters"]
                  if p["name"] == "agent_id"]
    assert {"type": "string", "pattern": "^[^\\x00]*$"} in agent_id["schema"]["anyOf"]
    swap = document["components"]["schemas"]["SwapRequestCreate"]["properties"]
    assert swap["counterpart_id"]["pattern"] == swap["reason"]["pattern"] == "^[^\\x00]*$"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("OPTIONS", "/api/v1/swaps", "GET, POST"),
    ("PUT", "/api/v1/swaps", "GET, POST"),
    ("DELETE", "/api/v1/swaps/1", "GET"),
    ("OPTIONS", "/api/v1/time-off", "GET, POST"),
    ("GET", "/api/v1/rosters", "POST"),
])
def test_a_405_lists_every_method_the_path_serves(site: Site, method: str, path: str,
                                                  allow: str) -> None:
    response = site.client.request(method, path, headers=site.planner)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json() == {"detail": "Method Not Allowed"}
