"""``POST /api/v1/scenarios``: the grid's figures over a sent forecast (anchored on a
published worked example) or the stored requirement's load; bad keys and roles refused."""

from __future__ import annotations

import pytest

from tests.api.factories import Site

# callcentrehelper's worked example: 100 calls of 180 s in 30 minutes, 80% in 20 s -> 14
# agents on the phones, 20 scheduled with 30% shrinkage
FORECAST = "interval_start,queue,contacts,aht_seconds\n2030-01-07T08:30:00,sales,100,180\n"


def test_compare_scenarios_over_a_sent_forecast(site: Site) -> None:
    response = site.client.post("/api/v1/scenarios", headers=site.planner, json={
        "forecast_csv": FORECAST,
        "grid": {"service_level": [0.8, 0.9], "answer_within_seconds": 20, "shrinkage": 0.3}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["count"], body["source"]) == (2, "forecast_csv")
    first, second = body["data"]
    assert first["values"] == {"service_level": 0.8, "answer_within_seconds": 20.0,
                               "shrinkage": 0.3}
    assert (first["agent_hours"], first["scheduled_agent_hours"]) == (7.0, 10.0)
    assert first["queues"]["sales"]["model"] == "erlang_c"
    assert second["agent_hours"] > first["agent_hours"]  # 90% needs more agents than 80%
    assert second["service_level_pct"] >= 90 > first["service_level_pct"] >= 80


def test_compare_scenarios_over_the_stored_requirement(site: Site) -> None:
    day = site.start.isoformat()
    response = site.client.post("/api/v1/scenarios", headers=site.planner, json={
        "from": day, "to": day, "grid": {"volume_factor": [1.0, 2.0]}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "requirement"
    # the stored requirement: 10 contacts in each of 30 intervals a day, two queues
    assert [row["contacts"] for row in body["data"]] == [600.0, 1200.0]


@pytest.mark.parametrize(("grid", "detail"), [
    ({"shrinkge": [0.3]}, "grid, field 'shrinkge': unknown scenario key 'shrinkge'"),
    ({"service_level": [0.8, 1.2]}, "service_level: Input should be less than 1"),
])
def test_compare_scenarios_rejected(site: Site, grid: dict, detail: str) -> None:
    response = site.client.post("/api/v1/scenarios", headers=site.planner,
                                json={"forecast_csv": FORECAST, "grid": grid})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


def test_compare_scenarios_forbidden(site: Site) -> None:
    response = site.client.post("/api/v1/scenarios", headers=site.as_agent("A1"),
                                json={"forecast_csv": FORECAST, "grid": {}})
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")
