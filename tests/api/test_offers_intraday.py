"""Accepted offers in the intraday view (issue 25): an extension or an early end keeps the
roster row's shift code, so the view adds the accepted hours itself (API, page and the
``[intraday]`` rule alike), and the kept view is recomputed when an offer is accepted.

The site is ``factories``' (Tuesday 2030-01-08: A1, A2, A6, A7 on DAY 08:30-16:00 in sales, A3
on NIGHT 16:00-23:30) with ``test_offers``' evening rush: 20 sales contacts per half hour
16:00-18:00 at 300 s, which need 6 agents on the phones (``rush_need``); shrinkage 0.3.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.web.cache import data_generation
from tests.api.factories import Site, set_now
from tests.api.test_offers import CSV, SHANGHAI, TUESDAY, accept, evening_rush_forecast, rush_need
from tests.web.conftest import sign_in

RUSH = ["16:00", "16:30", "17:00", "17:30"]
LATE = ["22:00", "22:30", "23:00"]


@pytest.fixture
def rush(site: Site) -> Site:
    """Tuesday 06:00 with the evening rush forecast published."""
    set_now(site, datetime(2030, 1, 8, 6, 0, tzinfo=SHANGHAI))
    posted = site.client.post("/api/v1/forecasts", params={"model": "test"},
                              content=evening_rush_forecast(), headers={**site.planner, **CSV})
    assert posted.status_code == 201, posted.text
    assert rush_need(site.store.config) == 6  # the figures below are worked from it
    return site


def view(site: Site) -> dict[str, dict[str, Any]]:
    """The sales rows of Tuesday's view by local clock time."""
    answer = site.client.get("/api/v1/intraday", headers=site.planner,
                             params={"date": TUESDAY.isoformat(), "queue": "sales"})
    assert answer.status_code == 200, answer.text
    return {row["interval_start"][11:16]: row for row in answer.json()["intervals"]}


def column(rows: dict[str, dict[str, Any]], name: str, clocks: list[str]) -> list[Any]:
    return [rows[c][name] for c in clocks]


def test_filled_auto_overtime_raises_the_views_net_staffing(rush: Site) -> None:
    site = rush
    before = view(site)
    # 16:00-18:00: A3 alone, floor(1 x 0.7) = 0 on the phones, 6 needed
    assert column(before, "scheduled_agents", RUSH) == [1, 1, 1, 1]
    assert column(before, "effective_agents", RUSH) == [0, 0, 0, 0]
    assert column(before, "net_agents", RUSH) == [-6, -6, -6, -6]
    made = site.client.post("/api/v1/offers/auto", headers=site.planner,
                            params={"date": TUESDAY.isoformat()}).json()["items"]
    overtime = [o for o in made if o["kind"] == "overtime"]
    assert [(o["start"], o["end"], o["agents_needed"]) for o in overtime] == [
        ("16:00", "18:00", math.ceil(6 / 0.7))]  # 9 head count
    generation = data_generation(site.store)
    for agent in ("A1", "A2", "A6", "A7"):
        taken = accept(site, agent, overtime[0]["id"])
        assert (taken.status_code, taken.json()["change"]) == (200, "extend_after"), taken.text
    assert data_generation(site.store) != generation  # the kept view is not served again
    after = view(site)
    # A3 and the four who work on: 5 scheduled, floor(5 x 0.7) = 3 on the phones, net -3
    assert column(after, "scheduled_agents", RUSH) == [5, 5, 5, 5]
    assert column(after, "effective_agents", RUSH) == [3, 3, 3, 3]
    assert column(after, "net_agents", RUSH) == [-3, -3, -3, -3]
    assert column(after, "required_agents", RUSH) == column(before, "required_agents", RUSH)
    # 3 on the phones for 20 x 300 / 1800 = 3.33 Erlangs (N <= A): still nothing answered
    assert column(after, "projected_service_level", RUSH) == [0.0] * 4
    # the extension is the only change: the day shift's own hours and the evening keep theirs
    for clock in ("15:30", "18:00", "22:00"):
        assert after[clock] == before[clock]
    totals = {t["queue"]: t for t in site.client.get(
        "/api/v1/intraday", headers=site.planner,
        params={"date": TUESDAY.isoformat(), "queue": "sales"}).json()["totals"]}
    assert totals["sales"]["short_agent_hours"] == pytest.approx(
        sum(-min(0, r["net_agents"]) for r in after.values()) * 0.5)
    # the page shows the same net staffing
    browser = TestClient(site.client.app)
    sign_in(browser, site.planner["Authorization"].removeprefix("Bearer "))
    page = browser.get("/planner/intraday",
                       params={"date": TUESDAY.isoformat(), "queue": "sales"}).text
    assert 'id="iv-sales-1600" data-net="-3"' in page
    # the [intraday] rule reads the same view: withdrawn, it asks only for what still lacks
    site.client.delete(f"/api/v1/offers/{overtime[0]['id']}", headers=site.planner)
    again = site.client.post("/api/v1/offers/auto", headers=site.planner,
                             params={"date": TUESDAY.isoformat()}).json()["items"]
    assert [(o["kind"], o["start"], o["end"], o["agents_needed"]) for o in again] == [
        ("overtime", "16:00", "18:00", math.ceil(3 / 0.7))]  # 5 head count


def test_vto_end_early_takes_the_agent_off_after_the_new_end(rush: Site) -> None:
    site = rush
    before = view(site)
    assert column(before, "scheduled_agents", LATE) == [1, 1, 1]
    offer = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": "vto", "date": TUESDAY.isoformat(), "start": "22:00", "end": "23:30",
        "queues": ["sales"], "agents_needed": 1}).json()
    taken = accept(site, "A3", offer["id"])
    assert (taken.status_code, taken.json()["change"]) == (200, "end_early"), taken.text
    rows = site.client.get("/api/v1/rosters/current", headers=site.planner, params={
        "agent_id": "A3", "from": TUESDAY.isoformat(), "to": TUESDAY.isoformat()}).json()
    assert rows["rows"][0]["shift"] == "NIGHT"  # the row keeps its code
    after = view(site)
    assert column(after, "scheduled_agents", LATE) == [0, 0, 0]
    assert column(after, "scheduled_agents", ["21:30", *RUSH]) == [1, 1, 1, 1, 1]
    # the day's scheduled hours lose A3's three half hours
    hours = [t["scheduled_agent_hours"] for t in site.client.get(
        "/api/v1/intraday", headers=site.planner,
        params={"date": TUESDAY.isoformat(), "queue": "sales"}).json()["totals"]
        if t["queue"] == "sales"]
    assert hours == [(4 * 7.5 + 7.5) - 1.5]  # four DAY shifts and A3's NIGHT, 7.5 h each


def test_an_acceptance_writes_the_audit_entry_the_view_is_kept_under(rush: Site) -> None:
    """The view is kept under (audit entries, roster version): the acceptance moves both, so
    a view read before it is never served after it, whichever process accepted."""
    site = rush
    offer = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": "overtime", "date": TUESDAY.isoformat(), "start": "16:00", "end": "17:00",
        "queues": ["sales"], "agents_needed": 1}).json()
    first = view(site)
    entries, version = data_generation(site.store)
    assert view(site) == first  # nothing changed: the kept view
    assert accept(site, "A1", offer["id"]).status_code == 200
    new_entries, new_version = data_generation(site.store)
    assert (new_entries > entries, new_version) == (True, version + 1)
    actions = [e["action"] for e in site.client.get(
        "/api/v1/audit", headers=site.planner).json()["items"]]
    assert actions[-1] == "roster.offer"
    assert column(view(site), "scheduled_agents", RUSH) == [2, 2, 1, 1]


def test_adherence_and_the_live_board_judge_the_accepted_extension(rush: Site) -> None:
    """A1 accepts 16:00-18:00 on top of DAY (08:30-16:00), logs in at 08:25 and out at 16:00:
    the extension is scheduled work it did not do. Without it A1 has no item at 17:00 (the
    shift ended at 16:00, grace 0) and 0 minutes of early leave."""
    site = rush
    offer = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": "overtime", "date": TUESDAY.isoformat(), "start": "16:00", "end": "18:00",
        "queues": ["sales"], "agents_needed": 1}).json()
    early = site.client.get("/api/v1/adherence/live", headers=site.planner)
    assert early.json()["items"] == []  # the board is built before the acceptance
    assert accept(site, "A1", offer["id"]).status_code == 200  # bumps the roster version
    set_now(site, datetime(2030, 1, 8, 17, 0, tzinfo=SHANGHAI))
    events = [{"agent_id": "A1", "timestamp": f"{TUESDAY.isoformat()}T{clock}:00+08:00",
               "state": state} for clock, state in (("08:25", "login"), ("16:00", "logout"))]
    stored = site.client.post("/api/v1/events", json=events, headers=site.planner)
    assert stored.status_code == 200, stored.text
    board = {i["agent_id"]: i for i in site.client.get(
        "/api/v1/adherence/live", headers=site.planner).json()["items"]}
    assert {k: board["A1"][k] for k in ("scheduled", "in_adherence", "out_since",
                                        "out_minutes")} == {
        "scheduled": "DAY", "in_adherence": False, "out_since": "2030-01-08T16:00:00+08:00",
        "out_minutes": 60.0}
    rows = site.client.get("/api/v1/adherence", headers=site.planner, params={
        "agent_id": "A1", "from": TUESDAY.isoformat(), "to": TUESDAY.isoformat()}).json()["rows"]
    assert len(rows) == 1
    row = rows[0]
    # 08:30-18:00 scheduled (570 min), 08:30-16:00 worked (450), logged in 08:25-16:00 (455)
    assert (row["shift"], row["scheduled_minutes"], row["logged_in_minutes"],
            row["in_adherence_minutes"], row["early_leave_minutes"]) == ("DAY", 570, 455, 450,
                                                                         120)
    assert row["adherence_pct"] == pytest.approx(round(100 * 450 / 570, 2))
