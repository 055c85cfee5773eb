"""Page date parameters take the API's ISO dates only: ``?from=0`` was read as 1970-01-01."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", [
    "/planner/roster?from=0",
    "/planner/adherence?from=0",
    "/planner/adherence?to=0",
    "/planner/audit?from=0",
    "/planner/roster?from=2026-1-5",
])
def test_a_page_refuses_a_date_that_is_not_iso(planner: TestClient, path: str) -> None:
    response = planner.get(path)
    assert 400 <= response.status_code < 500, response.status_code
    assert "1970" not in response.text


def test_a_page_takes_an_iso_date(planner: TestClient) -> None:
    response = planner.get("/planner/roster?from=2026-11-23")
    assert response.status_code == 200
    assert "2026" in response.text
