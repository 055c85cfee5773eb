"""Adherence exceptions through the API (issue 24): a planner excuses a period for an agent or
a team; the excused minutes count as adherent with the cause ``excused``; each change is in
the audit with its actor and reason; the adherence JSON lists agents by gap with their causes
and what the stored events cover."""

from __future__ import annotations

from tests.api.factories import Site
from tests.api.test_routes import CSV, events_csv

URL = "/api/v1/adherence/exceptions"


def _excuse(site: Site, **body: str):
    return site.client.post(URL, json=body, headers=site.planner)


def test_create_exception_excuses_the_late_start(site: Site) -> None:
    # A1 logs in at 08:40 for DAY 08:30-16:00: 10 minutes late, excused (system outage)
    site.client.post("/api/v1/events", content=events_csv(site), headers={**site.planner, **CSV})
    monday = site.start.isoformat()
    created = _excuse(site, agent_id="A1", start=f"{monday}T08:00:00",
                      end=f"{monday}T09:00:00", reason="system outage")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["agent_id"], body["team"], body["reason"]) == ("A1", None, "system outage")
    report = site.client.get("/api/v1/adherence", headers=site.planner,
                             params={"from": monday, "to": monday}).json()
    row = next(r for r in report["rows"] if r["agent_id"] == "A1")
    assert (row["in_adherence_minutes"], row["adherence_pct"]) == (450, 100)
    assert (row["lost_excused_minutes"], row["lost_late_start_minutes"]) == (10, 0)
    assert row["late_start_minutes"] == 10   # what happened stays as it was
    assert [e["reason"] for e in report["exceptions"]] == ["system outage"]
    # agents by gap to the target: the absentees first, A1 (100 %) last; names given
    gaps = [a["gap_pct"] for a in report["agents"]]
    assert gaps == sorted(gaps, reverse=True)
    a1 = next(a for a in report["agents"] if a["agent_id"] == "A1")
    assert a1["lost_by_cause"]["excused"] == 10 and a1["lost_minutes"] == 10
    assert a1["name"]
    # coverage: the events' span, the rostered agents without any event
    assert report["coverage"]["events_from"].startswith(f"{monday}T08:40:00")
    assert "A3" in report["coverage"]["agents_without_events"]
    audit = site.client.get("/api/v1/audit", headers=site.planner).json()["items"]
    assert (audit[-1]["action"], audit[-1]["reason"]) == ("adherence.exception.create",
                                                          "system outage")


def test_team_exception_and_delete(site: Site) -> None:
    monday = site.start.isoformat()
    skills = site.store.agents_frame()["skills"].iloc[0]
    created = _excuse(site, team=";".join(reversed(skills)), start=f"{monday}T10:00:00",
                      end=f"{monday}T11:00:00", reason="coaching")
    assert created.status_code == 201, created.text
    listed = site.client.get(URL, headers=site.planner, params={"from": monday}).json()
    assert [e["team"] for e in listed["items"]] == [";".join(sorted(skills))]
    gone = site.client.delete(f"{URL}/{created.json()['id']}", headers=site.planner,
                              params={"reason": "entered twice"})
    assert gone.status_code == 204
    assert site.client.get(URL, headers=site.planner).json() == {"items": []}
    audit = site.client.get("/api/v1/audit", headers=site.planner).json()["items"]
    assert (audit[-1]["action"], audit[-1]["reason"]) == ("adherence.exception.delete",
                                                          "entered twice")


def test_create_exception_rejected(site: Site) -> None:
    monday = site.start.isoformat()
    both = _excuse(site, agent_id="A1", team="sales", start=f"{monday}T10:00:00",
                   end=f"{monday}T11:00:00", reason="x")
    assert (both.status_code, both.json()["detail"]) == (
        422, "give agent_id or team (exactly one of them)")
    backwards = _excuse(site, agent_id="A1", start=f"{monday}T11:00:00",
                        end=f"{monday}T10:00:00", reason="x")
    assert backwards.status_code == 422
    assert backwards.json()["detail"].startswith("end ")
    unknown = _excuse(site, agent_id="NOPE", start=f"{monday}T10:00:00",
                      end=f"{monday}T11:00:00", reason="x")
    assert (unknown.status_code, unknown.json()["detail"]) == (422, "unknown agent 'NOPE'")


def test_exception_not_found_and_forbidden(site: Site) -> None:
    missing = site.client.delete(f"{URL}/999", headers=site.planner)
    assert (missing.status_code, missing.json()["detail"]) == (
        404, "adherence exception 999 not found")
    agent = site.client.post(URL, headers=site.agents["A1"], json={
        "agent_id": "A1", "start": "2030-01-07T10:00:00", "end": "2030-01-07T11:00:00",
        "reason": "x"})
    assert (agent.status_code, agent.json()["detail"]) == (403, "planner role required")
    assert site.client.get(URL, headers=site.agents["A1"]).status_code == 403
