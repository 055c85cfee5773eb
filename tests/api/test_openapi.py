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
            listed = responses(document, method.lower(), route.path)
            missing = expected - set(listed)
            assert not missing, (method, route.path, sorted(missing))
            checked += 1
    assert checked >= 18
