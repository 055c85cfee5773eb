"""Overtime and VTO offers through the API: publish, eligibility per agent, first come first
served acceptance into the roster with the audit, refusals (filled, withdrawn, past, rules),
and the per-agent totals. The site is ``factories``' (A1 works DAY in sales, Sat/Sun off)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from tests.api.factories import Site, make_site, set_now, site_config
from wfm.config import SiteConfig
from wfm.rules import check_roster
from wfm.staffing.dispatch import required


def day(site: Site, k: int) -> str:
    return (site.start + timedelta(days=k)).isoformat()


def publish(site: Site, kind: str, k: int, start: str, end: str, needed: int = 1,
            queues: tuple[str, ...] = ("sales",)) -> dict:
    response = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": kind, "date": day(site, k), "start": start, "end": end,
        "queues": list(queues), "agents_needed": needed, "reason": "test"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def accept(site: Site, agent: str, offer_id: int):  # type: ignore[no-untyped-def]
    return site.client.post(f"/api/v1/offers/{offer_id}/accept", headers=site.as_agent(agent))


def cell(site: Site, agent: str, k: int) -> tuple[str, str]:
    rows = site.client.get("/api/v1/rosters/current", headers=site.planner, params={
        "agent_id": agent, "from": day(site, k), "to": day(site, k)}).json()["rows"]
    return rows[0]["shift"], rows[0]["queue"] or ""


def test_create_offer_and_agents_see_the_ones_they_may_take(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00", needed=2)
    assert (offer["status"], offer["filled"], offer["queues"]) == ("open", 0, ["sales"])
    seen = site.client.get("/api/v1/offers", headers=site.as_agent("A1")).json()
    assert [i["id"] for i in seen["items"]] == [offer["id"]]
    assert seen["items"][0]["change"] == {"change": "extend_after", "shift": "DAY",
                                          "queue": "sales", "start": "08:30", "end": "18:00",
                                          "hours": 2.0}
    # A5 lacks the sales skill, A3 already works 16:00-23:30: neither sees it
    for agent in ("A5", "A3"):
        assert site.client.get("/api/v1/offers", headers=site.as_agent(agent)).json()[
            "items"] == []
    planner_view = site.client.get("/api/v1/offers", headers=site.planner).json()
    assert planner_view["total"] == 1


def test_offer_for_a_past_interval_is_refused_naming_the_field(site: Site) -> None:
    past = (site.start - timedelta(days=30)).isoformat()
    response = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": "overtime", "date": past, "start": "16:00", "end": "18:00",
        "queues": ["sales"], "agents_needed": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "start"]
    assert "past" in response.json()["detail"][0]["msg"]
    assert site.client.get("/api/v1/offers", headers=site.planner).json()["total"] == 0


def test_offer_off_the_grid_or_unknown_queue_is_refused(site: Site) -> None:
    for body, field in (({"start": "16:10", "end": "18:00"}, "start"),
                        ({"start": "18:00", "end": "16:00"}, "end"),
                        ({"queues": ["nosuch"]}, "queues")):
        sent = {"kind": "overtime", "date": day(site, 1), "start": "16:00", "end": "18:00",
                "queues": ["sales"], "agents_needed": 1, **body}
        response = site.client.post("/api/v1/offers", headers=site.planner, json=sent)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"] == ["body", field]


def test_only_planners_publish_and_withdraw(site: Site) -> None:
    response = site.client.post("/api/v1/offers", headers=site.as_agent("A1"), json={
        "kind": "overtime", "date": day(site, 1), "start": "16:00", "end": "18:00",
        "queues": ["sales"], "agents_needed": 1})
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")
    offer = publish(site, "overtime", 1, "16:00", "18:00")
    response = site.client.delete(f"/api/v1/offers/{offer['id']}", headers=site.as_agent("A1"))
    assert response.status_code == 403
    response = site.client.post(f"/api/v1/offers/{offer['id']}/accept", headers=site.planner)
    assert (response.status_code, response.json()["detail"]) == (403, "agent role required")


def test_accept_applies_first_come_first_served_and_refuses_the_late(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00", needed=1)
    version = site.client.get("/healthz").json()["roster_version"]
    first = accept(site, "A1", offer["id"])
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["change"], first.json()["hours"]) == (
        "applied", "extend_after", 2.0)
    assert first.json()["applied_version"] == version + 1
    late = accept(site, "A2", offer["id"])
    assert (late.status_code, late.json()["detail"]) == (409, "offer already filled")
    again = site.client.get("/api/v1/offers", headers=site.planner).json()["items"][0]
    assert (again["filled"], again["status"]) == (1, "filled")
    actions = [e["action"] for e in site.client.get(
        "/api/v1/audit", headers=site.planner).json()["items"]]
    assert actions[-4:] == ["offer.publish", "offer_acceptance.create",
                            "offer_acceptance.approve", "roster.offer"]
    assert cell(site, "A1", 1) == ("DAY", "sales")  # an extension keeps the row


def test_accept_twice_is_refused(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00", needed=3)
    assert accept(site, "A1", offer["id"]).status_code == 200
    again = accept(site, "A1", offer["id"])
    assert again.status_code == 409
    assert "already accepted" in again.json()["detail"]


def test_ineligible_accept_is_refused_with_the_rule(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00")
    response = accept(site, "A5", offer["id"])
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["skill"]
    assert "sales" in response.json()["detail"]
    # the refusal rolled the claimed place back
    assert site.client.get("/api/v1/offers", headers=site.planner).json()["items"][0][
        "filled"] == 0


def test_vto_day_off_writes_leave_and_overtime_on_a_rest_day_adds_a_shift(site: Site) -> None:
    vto = publish(site, "vto", 2, "08:30", "16:00")
    assert accept(site, "A1", vto["id"]).json()["change"] == "day_off"
    assert cell(site, "A1", 2) == ("LEAVE", "")
    saturday = publish(site, "overtime", 5, "09:00", "12:00")
    taken = accept(site, "A1", saturday["id"]).json()
    assert (taken["change"], taken["hours"]) == ("add_shift", 7.5)
    assert cell(site, "A1", 5) == ("DAY", "sales")
    totals = site.client.get("/api/v1/offers/totals", headers=site.planner, params={
        "from": day(site, 0), "to": day(site, 6)}).json()
    assert totals["items"] == [{"agent_id": "A1", "overtime_hours": 7.5, "vto_hours": 7.5,
                                "offers": 2}]
    _, roster = site.store.roster_frame()
    found = check_roster(roster, site.store.agents_frame(), site.store.config)
    assert [v for v in found if v.agent_id == "A1" and v.code != "leave"] == []


def test_withdrawn_offer_refuses_acceptance(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00")
    response = site.client.delete(f"/api/v1/offers/{offer['id']}", headers=site.planner)
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    late = accept(site, "A1", offer["id"])
    assert (late.status_code, late.json()["detail"]) == (409, "offer withdrawn")
    again = site.client.delete(f"/api/v1/offers/{offer['id']}", headers=site.planner)
    assert again.status_code == 409
    assert site.client.post("/api/v1/offers/999/accept",
                            headers=site.as_agent("A1")).status_code == 404


# ---- the [intraday] rule ------------------------------------------------------------------
TUESDAY = date(2030, 1, 8)  # A1, A2, A6, A7 on DAY (08:30-16:00), A3 on NIGHT (16:00-23:30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CSV = {"Content-Type": "text/csv"}


def evening_rush_forecast() -> str:
    """Sales on TUESDAY: 20 contacts per half hour 16:00-18:00 (AHT 300 s), none otherwise."""
    lines = ["interval_start,queue,contacts,aht_seconds"]
    for minute in range(0, 24 * 60, 30):
        busy = 16 * 60 <= minute < 18 * 60
        lines.append(f"{TUESDAY.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00,sales,"
                     f"{20 if busy else 0},300")
    return "\n".join(lines) + "\n"


def rush_need(config: SiteConfig) -> int:
    """Agents on the phones the rush needs (the model ``wfm staff`` uses)."""
    service = config.service_for("sales")
    return int(required(service, np.array([20 * 300 / 1800]), np.array([300.0])).agents[0])


def test_auto_offers_follow_the_net_staffing(site: Site) -> None:
    set_now(site, datetime(2030, 1, 8, 6, 0, tzinfo=SHANGHAI))
    posted = site.client.post("/api/v1/forecasts", params={"model": "test"},
                              content=evening_rush_forecast(), headers={**site.planner, **CSV})
    assert posted.status_code == 201, posted.text
    made = site.client.post("/api/v1/offers/auto", headers=site.planner,
                            params={"date": TUESDAY.isoformat()}).json()["items"]
    need = rush_need(site.store.config)
    keep = 1 - site.store.config.service.shrinkage  # 0.7
    # 16:00-18:00: only A3 (floor(1 x 0.7) = 0 on the phones) -> ceil(need / 0.7) head count;
    # 08:30-16:00: four agents (floor(2.8) = 2 on the phones), no contacts -> floor(2 / 0.7)
    assert [(o["kind"], o["start"], o["end"], o["agents_needed"], o["auto"]) for o in made] == [
        ("vto", "08:30", "16:00", 2, True),
        ("overtime", "16:00", "18:00", math.ceil(need / keep), True)]
    again = site.client.post("/api/v1/offers/auto", headers=site.planner,
                             params={"date": TUESDAY.isoformat()}).json()
    assert again["total"] == 0  # the open offers cover the same periods
    # A1 works on to 18:00: the rule now asks for what is still missing
    overtime = made[1]["id"]
    assert accept(site, "A1", overtime).status_code == 200
    site.client.delete(f"/api/v1/offers/{overtime}", headers=site.planner)
    after = site.client.post("/api/v1/offers/auto", headers=site.planner,
                             params={"date": TUESDAY.isoformat()}).json()["items"]
    # two on the phones-to-be: A3 and A1 -> floor(2 x 0.7) = 1
    assert [(o["kind"], o["agents_needed"]) for o in after] == [
        ("overtime", math.ceil((need - 1) / keep))]


def test_actuals_upload_runs_the_rule_when_auto_offers_is_on(tmp_path: Path) -> None:
    site = make_site(tmp_path, config=site_config(**{"intraday.auto_offers": True}))
    set_now(site, datetime(2030, 1, 8, 6, 0, tzinfo=SHANGHAI))
    site.client.post("/api/v1/forecasts", params={"model": "test"},
                     content=evening_rush_forecast(), headers={**site.planner, **CSV})
    actuals = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
               "handle_seconds,acw_seconds,wait_seconds\n"
               f"{TUESDAY.isoformat()}T05:00:00,sales,0,0,0,0,0,0,0\n")
    answer = site.client.post("/api/v1/actuals", content=actuals,
                              headers={**site.planner, **CSV})
    assert answer.status_code == 200, answer.text
    kinds = [o["kind"] for o in site.client.get("/api/v1/offers",
                                                headers=site.planner).json()["items"]]
    assert sorted(kinds) == ["overtime", "vto"]
    actions = [e["action"] for e in site.client.get("/api/v1/audit",
                                                    headers=site.planner).json()["items"]]
    assert actions.count("offer.publish") == 2


def test_an_offer_with_a_nul_or_a_nan_is_422_naming_the_field(site: Site) -> None:
    sent = {"kind": "overtime", "date": day(site, 1), "start": "16:00", "end": "18:00",
            "queues": ["sa\u0000les"], "agents_needed": 1}
    response = site.client.post("/api/v1/offers", headers=site.planner, json=sent)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "queues", 0]
    response = site.client.post("/api/v1/offers", headers={**site.planner,
                                                           "Content-Type": "application/json"},
                                content=f'{{"kind": "overtime", "date": "{day(site, 1)}", '
                                        '"start": "16:00", "end": "18:00", "queues": ["sales"], '
                                        '"agents_needed": NaN}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "agents_needed"]


def test_an_offer_whose_hours_started_is_expired_and_refused(site: Site) -> None:
    offer = publish(site, "overtime", 1, "16:00", "18:00")
    set_now(site, datetime(2030, 1, 8, 16, 30, tzinfo=SHANGHAI))  # day 1 is Tuesday the 8th
    late = accept(site, "A1", offer["id"])
    assert (late.status_code, late.json()["detail"]) == (
        409, "offer expired: its interval has started")
    listed = site.client.get("/api/v1/offers", headers=site.planner).json()["items"][0]
    assert (listed["status"], listed["filled"]) == ("expired", 0)
    assert site.client.get("/api/v1/offers", headers=site.as_agent("A1")).json()["total"] == 0
