"""Health, login events, adherence, audit and the request size limit through TestClient."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from tests.api.factories import Site, make_site, set_now

CSV = {"Content-Type": "text/csv"}


def events_csv(site: Site) -> str:
    """A1 works its first Monday DAY (08:30-16:00) 10 minutes late; A3 never logs in."""
    monday = site.start.isoformat()
    return ("agent_id,timestamp,state\n"
            f"A1,{monday}T08:40:00,login\n"
            f"A1,{monday}T16:00:00,logout\n")


def test_read_health(site: Site) -> None:
    response = site.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "roster_version": 1}


def test_import_events_is_idempotent(site: Site) -> None:
    first = site.client.post("/api/v1/events", content=events_csv(site),
                             headers={**site.planner, **CSV})
    assert first.json() == {"received": 2, "inserted": 2, "duplicates": 0}
    again = site.client.post("/api/v1/events", content=events_csv(site),
                             headers={**site.planner, **CSV})
    assert again.json() == {"received": 2, "inserted": 0, "duplicates": 2}
    assert len(site.store.events_frame()) == 2


def test_import_events_rejected(site: Site) -> None:
    response = site.client.post("/api/v1/events", content="agent_id,timestamp,state\n"
                                "A1,2030-01-07T08:40:00,dancing\n", headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("events, line 2, field 'state'")


def test_import_events_maps_acd_state_names(site: Site) -> None:
    """The default names are stored as wfm's states; an AUX code nobody mapped is refused with
    its line, its value and the mapping to add (wfm.states)."""
    monday = site.start.isoformat()
    response = site.client.post("/api/v1/events", content=(
        "agent_id,timestamp,state\n"
        f"A1,{monday}T08:40:00,Available\nA1,{monday}T12:00:00,午餐\n"
        f"A1,{monday}T16:00:00,Log Out\n"), headers={**site.planner, **CSV})
    assert response.status_code == 200, response.text
    assert sorted(site.store.events_frame()["state"]) == ["logout", "lunch", "ready"]
    response = site.client.post("/api/v1/events", content="agent_id,timestamp,state\n"
                                f"A1,{monday}T17:00:00,AUX 3\n", headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "events, line 2, field 'state': unknown state 'AUX 3'; add \"AUX 3\" = \"not_ready\"")


def test_import_events_forbidden_for_agent(site: Site) -> None:
    response = site.client.post("/api/v1/events", content=events_csv(site),
                                headers={**site.agents["A1"], **CSV})
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")


def test_read_adherence_report(site: Site) -> None:
    site.client.post("/api/v1/events", content=events_csv(site), headers={**site.planner, **CSV})
    monday = site.start.isoformat()
    response = site.client.get("/api/v1/adherence", headers=site.agents["A1"],
                               params={"from": monday, "to": monday})
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [(r["agent_id"], r["date"], r["shift"]) for r in rows] == [("A1", monday, "DAY")]
    # 450 scheduled minutes, 440 logged in from 08:40: 97.78 %, 10 minutes late.
    row = rows[0]
    assert (row["scheduled_minutes"], row["in_adherence_minutes"]) == (450, 440)
    assert (row["adherence_pct"], row["late_start_minutes"], row["absent"]) == (97.78, 10, False)
    team = site.client.get("/api/v1/adherence", headers=site.planner,
                           params={"from": monday, "to": monday}).json()["rows"]
    absent = {r["agent_id"] for r in team if r["absent"]}
    assert {"A3", "A6"} <= absent and "A1" not in absent


def test_read_adherence_forbidden_for_other_agent(site: Site) -> None:
    response = site.client.get("/api/v1/adherence", headers=site.agents["A1"],
                               params={"agent_id": "A2"})
    assert (response.status_code, response.json()["detail"]) == (
        403, "agents may only read their own data")


def test_read_audit(site: Site) -> None:
    response = site.client.get("/api/v1/audit", headers=site.planner)
    body = response.json()
    assert body["total"] == 3
    assert [e["action"] for e in body["items"]] == ["agents.import", "requirement.import",
                                                    "roster.import"]
    assert body["items"][2]["roster_version"] == 1 and body["items"][2]["role"] == "planner"
    later = (site.start + timedelta(days=30)).isoformat()
    assert site.client.get("/api/v1/audit", headers=site.planner,
                           params={"from": later}).json() == {"items": [], "total": 0}
    paged = site.client.get("/api/v1/audit", headers=site.planner,
                            params={"page": 2, "page_size": 2}).json()
    assert (paged["total"], [e["action"] for e in paged["items"]]) == (3, ["roster.import"])


def test_read_audit_forbidden_for_agent(site: Site) -> None:
    response = site.client.get("/api/v1/audit", headers=site.agents["A1"])
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")


def test_body_too_large_is_413(tmp_path: Path) -> None:
    site = make_site(tmp_path, load=False, max_body_bytes=1000)
    response = site.client.post("/api/v1/agents", content="x" * 1001,
                                headers={**site.planner, **CSV})
    assert (response.status_code, response.json()["detail"]) == (
        413, "request body larger than 1000 bytes")


def test_page_size_is_bounded(site: Site) -> None:
    response = site.client.get("/api/v1/swaps", headers=site.planner,
                               params={"page_size": 501})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page_size"]


def _adherence_dates(site: Site, **params: str) -> list[str]:
    response = site.client.get("/api/v1/adherence", headers=site.planner, params=params)
    assert response.status_code == 200, response.text
    return sorted({r["date"] for r in response.json()["rows"]})


def test_adherence_default_period_ends_at_the_last_event(site: Site) -> None:
    # Events cover only the first Monday; the clock says Thursday noon (site time). Without
    # from/to, Tuesday..Thursday's shifts are not reported (the data does not cover them), and
    # nothing after today is reported as absent.
    site.client.post("/api/v1/events", content=events_csv(site), headers={**site.planner, **CSV})
    thursday = site.start + timedelta(days=3)
    set_now(site, datetime.combine(thursday, time(12), tzinfo=site.store.config.tz))
    assert _adherence_dates(site) == [site.start.isoformat()]
    # an explicit ``to`` is honoured as given: Thursday's shifts without logins are absences
    rows = site.client.get("/api/v1/adherence", headers=site.planner,
                           params={"to": thursday.isoformat()}).json()["rows"]
    assert max(r["date"] for r in rows) == thursday.isoformat()
    assert [r["absent"] for r in rows if r["agent_id"] == "A1"
            and r["date"] == thursday.isoformat()] == [True]
    # a ``from`` after the default end: nothing has happened there yet
    later = (site.start + timedelta(days=5)).isoformat()
    assert _adherence_dates(site, **{"from": later}) == []


def test_adherence_default_period_ends_today(site: Site) -> None:
    # Events reach the second Wednesday, but today is the first Tuesday (site time): shifts
    # after today are not reported as absences even though later events exist.
    later = site.start + timedelta(days=9)
    events = events_csv(site) + (f"A2,{later.isoformat()}T08:30:00,login\n"
                                 f"A2,{later.isoformat()}T16:00:00,logout\n")
    site.client.post("/api/v1/events", content=events, headers={**site.planner, **CSV})
    tuesday = site.start + timedelta(days=1)
    set_now(site, datetime.combine(tuesday, time(23, 30), tzinfo=site.store.config.tz))
    assert _adherence_dates(site) == [site.start.isoformat(), tuesday.isoformat()]
