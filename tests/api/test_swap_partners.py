"""Swap partners (issue 28): for a kind and date, exactly the colleagues with whom the swap
passes every rule and the minimum notice, as ``create_swap`` would judge each; and the shifts a
swap exchanges in the API item, so the receiver sees what it gives up and gets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.api.factories import make_site, plan


def test_partners_are_exactly_the_colleagues_a_swap_is_legal_with(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    store = site.store
    hours = store.config.swaps.min_notice_hours
    ids = list(plan())
    for kind in ("swap", "give", "rest-day"):
        for k in range(0, 14, 2):
            day = site.start + timedelta(days=k)
            for me in ids:
                search, _ = store.find_swap_partners(requester_id=me, kind=kind, dates=[day])
                expected = set()
                for other in ids:
                    if other == me:
                        continue
                    verdict = store.check_swap(kind=kind, requester_id=me,
                                               counterpart_id=other, dates=[day])
                    assert verdict.starts_at is not None
                    if verdict.ok and not store.lifecycle.notice(verdict.starts_at, hours, me):
                        expected.add(other)
                found = {p.agent_id for p in search.partners}
                assert found == expected, (kind, day, me)


def test_two_date_partners_match_the_checker(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    store = site.store
    monday, wednesday = site.start, site.start + timedelta(days=2)
    for me in plan():
        search, _ = store.find_swap_partners(requester_id=me, kind="swap",
                                             dates=[monday, wednesday])
        expected = {o for o in plan() if o != me and store.check_swap(
            kind="swap", requester_id=me, counterpart_id=o, dates=[monday, wednesday]).ok}
        assert {p.agent_id for p in search.partners} == expected, me


def test_partners_route_lists_colleagues_with_what_they_work(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    wednesday = (site.start + timedelta(days=2)).isoformat()
    answer = site.client.get(f"/api/v1/swaps/partners?date={wednesday}&kind=give",
                             headers=site.as_agent("A1"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "give" and body["dates"] == [wednesday] and body["blocked"] == []
    by_id = {item["agent_id"]: item for item in body["items"]}
    assert set(by_id) == {"A2", "A7"}  # off on Wednesday, sales skill; A4 works nights
    assert by_id["A2"] == {
        "agent_id": "A2", "name": "Agent A2",
        "you_give": [{"date": wednesday, "shift": "DAY", "queue": "sales"}],
        "you_get": [{"date": wednesday, "shift": "OFF", "queue": ""}]}
    saturday = (site.start + timedelta(days=5)).isoformat()
    blocked = site.client.get(f"/api/v1/swaps/partners?date={saturday}&kind=give",
                              headers=site.as_agent("A1")).json()
    assert blocked["items"] == [] and blocked["blocked"][0]["code"] == "not_working"
    one_rest_day = site.client.get(f"/api/v1/swaps/partners?date={saturday}&kind=rest-day",
                                   headers=site.as_agent("A1")).json()
    assert one_rest_day["items"] == [] and one_rest_day["blocked"][0]["code"] == "no_change"
    planner = site.client.get(f"/api/v1/swaps/partners?date={wednesday}", headers=site.planner)
    assert planner.status_code == 403 and planner.json()["detail"] == "agent role required"
    missing = site.client.get("/api/v1/swaps/partners", headers=site.as_agent("A1"))
    assert missing.status_code == 422


def test_the_swap_item_shows_the_shifts_each_side_gives(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    wednesday = (site.start + timedelta(days=2)).isoformat()
    created = site.client.post("/api/v1/swaps", headers=site.as_agent("A1"), json={
        "kind": "give", "counterpart_id": "A2", "dates": [wednesday]})
    assert created.status_code == 201, created.text
    shifts = {"requester_gives": [{"date": wednesday, "shift": "DAY", "queue": "sales"}],
              "counterpart_gives": [{"date": wednesday, "shift": "OFF", "queue": ""}]}
    assert created.json()["shifts"] == shifts
    swap_id = created.json()["id"]
    seen = site.client.get(f"/api/v1/swaps/{swap_id}", headers=site.as_agent("A2")).json()
    assert seen["shifts"] == shifts
    listed = site.client.get("/api/v1/swaps", headers=site.as_agent("A2")).json()
    assert listed["items"][0]["shifts"] == shifts
