"""Issue 28, "Exports", through the API: the same readers as the command line (hour-only
offsets, detected encodings, linear header checks). Each test failed before its change."""

from __future__ import annotations

import pytest

from tests.api.factories import Site, agents_csv

CSV = {"Content-Type": "text/csv"}


def test_api_events_and_requirement_take_hour_only_offsets(site: Site) -> None:
    """Was: 500 Internal Server Error on both routes."""
    day = site.start.isoformat()
    events = f"agent_id,timestamp,state\nA1,{day}T08:25:00+08,login\nA1,{day} 16:05:00+08,logout\n"
    response = site.client.post("/api/v1/events", content=events,
                                headers={**site.planner, **CSV})
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2
    requirement = ("interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,"
                   "service_level,asa_seconds,occupancy,scheduled_agents\n"
                   f"{day}T08:30:00+08,sales,10,300,1.67,1,0.8,10,0.6,1\n")
    response = site.client.post("/api/v1/requirements", content=requirement,
                                headers={**site.planner, **CSV})
    assert response.status_code == 200, response.text
    bad = "agent_id,timestamp,state\nA1,2030-13-01T08:25:00+08,login\n"
    response = site.client.post("/api/v1/events", content=bad, headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("events, line 2, field 'timestamp'")


# ---- encodings ------------------------------------------------------------------------------

AGENTS_TEXT = ("agent_id,name,skills,preferred_rest_days\n"
               "A001,张伟,presales,Sat;Sun\nA002,王芳,aftersales;presales,\n")


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_api_upload_detects_the_encoding(site: Site, encoding: str) -> None:
    body = agents_csv().replace("Agent A1", "张伟").encode(encoding)
    response = site.client.post("/api/v1/agents", content=body, headers={**site.planner, **CSV})
    assert response.status_code == 200, response.text
    assert response.headers["X-CSV-Encoding"] == {"gbk": "gb18030"}.get(encoding, encoding)
    names = site.store.agents_frame().set_index("agent_id")["name"]
    assert names["A1"] == "张伟"


# ---- linear header checks -------------------------------------------------------------------

def test_api_refuses_a_million_column_body_with_422(site: Site) -> None:
    body = ",".join(f"c{i}" for i in range(120_000)) + "\n1\n"
    response = site.client.post("/api/v1/events", content=body, headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert "the header has 120,000 columns" in response.json()["detail"]


def test_api_events_for_an_unknown_agent_are_422_naming_the_line(site: Site) -> None:
    day = site.start.isoformat()
    body = f"agent_id,timestamp,state\nA1,{day}T08:25:00,login\nZ9,{day}T08:26:00,login\n"
    response = site.client.post("/api/v1/events", content=body, headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "events, line 3, field 'agent_id': the login events table names agent 'Z9', who is not "
        "in the agents table")
    assert site.store.events_frame().empty


def test_api_solve_refuses_leave_for_an_unknown_agent(site: Site) -> None:
    leave = f"agent_id,date\nZ9,{site.start.isoformat()}\n"
    response = site.client.post("/api/v1/rosters/solve", json={"leave_csv": leave},
                                headers=site.planner)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "leave_csv, line 2, field 'agent_id': the leave table names agent 'Z9'")
