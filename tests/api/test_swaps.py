"""Swap routes through TestClient: creation with impact or violations, the status machine,
roles, expiry, invalidation and auto-approval."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.factories import Site, make_site, set_now, site_config


def day(site: Site, k: int) -> str:
    return (site.start + timedelta(days=k)).isoformat()


def ask(site: Site, agent: str, kind: str, counterpart: str, *days: int,
        reason: str = "") -> dict:
    response = site.client.post("/api/v1/swaps", headers=site.agents[agent], json={
        "kind": kind, "counterpart_id": counterpart, "dates": [day(site, k) for k in days],
        "reason": reason})
    return {"http": response.status_code, **response.json()}


def codes(answer: dict) -> set[tuple[str, str, str]]:
    return {(v["code"], v["agent_id"], v["date"]) for v in answer["violations"]}


def cell(site: Site, agent: str, k: int) -> tuple[str, str]:
    rows = site.client.get("/api/v1/rosters/current", headers=site.planner, params={
        "agent_id": agent, "from": day(site, k), "to": day(site, k)}).json()["rows"]
    return rows[0]["shift"], rows[0]["queue"]


# ---- create ------------------------------------------------------------------------------
def test_create_swap_give_answers_201_with_impact(site: Site) -> None:
    answer = ask(site, "A1", "give", "A2", 2, reason="dentist")
    assert (answer["http"], answer["status"], answer["requester_id"]) == (201, "requested", "A1")
    assert (answer["kind"], answer["counterpart_id"], answer["dates"]) == (
        "give", "A2", [day(site, 2)])
    # A1's DAY (08:30-16:00, sales) on Wednesday moves to A2: 15 half-hours, and on that day
    # only A1 works DAY sales (A2, A6, A7 rest on Wednesdays), so 1 before and 1 after.
    impact = answer["impact"]
    assert len(impact) == 15
    assert impact[0]["interval_start"] == f"{day(site, 2)}T08:30:00+08:00"
    assert impact[-1]["interval_start"] == f"{day(site, 2)}T15:30:00+08:00"
    assert {(r["queue"], r["required"], r["scheduled_before"], r["scheduled_after"])
            for r in impact} == {("sales", 1, 1, 1)}
    assert answer["starts_at"] == f"{day(site, 2)}T00:30:00Z"  # 08:30 in Shanghai


def test_create_swap_skill_rejected(site: Site) -> None:
    answer = ask(site, "A1", "swap", "A5", 0)  # sales DAY <-> support DAY
    assert answer["http"] == 422
    assert answer["detail"] == "the swap breaks 2 rule(s)"
    assert codes(answer) == {("skill", "A1", day(site, 0)), ("skill", "A5", day(site, 0))}


def test_create_swap_min_rest_hours_rejected(site: Site) -> None:
    # A1 would work NIGHT Tuesday (ends 23:30) then DAY Wednesday (08:30): 9 h < 10 h; A3 the
    # reverse after its Monday NIGHT.
    answer = ask(site, "A1", "swap", "A3", 1)
    assert answer["http"] == 422
    assert codes(answer) == {("min_rest_hours", "A1", day(site, 2)),
                             ("min_rest_hours", "A3", day(site, 1))}


def test_create_swap_consecutive_days_rejected(site: Site) -> None:
    # A6 rests only on Wednesdays; taking A1's Wednesday makes Mon..Tue (9 days) in a row.
    answer = ask(site, "A1", "give", "A6", 2)
    assert answer["http"] == 422
    found = {c for c, a, _ in codes(answer) if a == "A6"}
    assert found == {"max_consecutive_days", "min_rest_days_per_week"}


def test_create_swap_leave_never_moves(site: Site) -> None:
    answer = ask(site, "A1", "swap", "A2", 4)  # A2 is on LEAVE on the first Friday
    assert answer["http"] == 422
    assert codes(answer) == {("leave", "A2", day(site, 4))}
    assert "leave never moves" in answer["violations"][0]["message"]


@pytest.mark.parametrize(("kind", "counterpart", "days", "expected"), [
    ("give", "A3", (2,), {("not_off", "A3", 2)}),
    ("swap", "A3", (5,), {("not_working", "A1", 5), ("not_working", "A3", 5)}),
    ("rest-day", "A3", (5,), {("no_change", "A1", 5)}),
    ("rest-day", "A4", (0, 7), {("not_off", "A1", 0)}),
])
def test_create_swap_shape_rejected(site: Site, kind: str, counterpart: str,
                                    days: tuple[int, ...], expected: set) -> None:
    answer = ask(site, "A1", kind, counterpart, *days)
    assert answer["http"] == 422
    assert codes(answer) == {(c, a, day(site, k)) for c, a, k in expected}


def test_create_swap_min_notice_rejected(site: Site) -> None:
    # The Monday DAY starts at 08:30 Shanghai = 00:30 UTC; 23 h before is too late (24 h).
    set_now(site, datetime.fromisoformat(f"{day(site, 0)}T00:30:00+00:00") - timedelta(hours=23))
    answer = ask(site, "A1", "give", "A4", 0)
    assert answer["http"] == 422
    assert codes(answer) == {("min_notice", "A1", day(site, 0))}


def test_create_swap_counterpart_not_found(site: Site) -> None:
    answer = ask(site, "A1", "give", "ZZ", 2)
    assert (answer["http"], answer["detail"]) == (404, "agent 'ZZ' not found")


def test_create_swap_with_oneself_rejected(site: Site) -> None:
    answer = ask(site, "A1", "give", "A1", 2)
    assert answer["http"] == 422
    assert answer["detail"] == "counterpart_id must be another agent, got 'A1'"


def test_create_swap_forbidden_for_planner(site: Site) -> None:
    response = site.client.post("/api/v1/swaps", headers=site.planner, json={
        "kind": "give", "counterpart_id": "A2", "dates": [day(site, 2)]})
    assert (response.status_code, response.json()["detail"]) == (403, "agent role required")


def test_create_swap_bad_payload_rejected(site: Site) -> None:
    response = site.client.post("/api/v1/swaps", headers=site.agents["A1"], json={
        "kind": "trade", "counterpart_id": "A2", "dates": []})
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"kind", "dates"}


# ---- workflow ----------------------------------------------------------------------------
def post(site: Site, swap_id: int, action: str, who: dict) -> tuple[int, dict]:
    response = site.client.post(f"/api/v1/swaps/{swap_id}/{action}", headers=who)
    return response.status_code, response.json()


def test_swap_flow_applies_and_bumps_version(site: Site) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    version = site.client.get("/healthz").json()["roster_version"]
    assert post(site, swap_id, "accept", site.agents["A2"])[1]["status"] == "accepted"
    status, body = post(site, swap_id, "approve", site.planner)
    assert (status, body["status"], body["applied_version"]) == (200, "applied", version + 1)
    assert cell(site, "A1", 2) == ("OFF", "")
    assert cell(site, "A2", 2) == ("DAY", "sales")
    entries = site.client.get("/api/v1/audit", headers=site.planner).json()["items"]
    actions = [e["action"] for e in entries]
    assert actions[-4:] == ["swap.create", "swap.accept", "swap.approve", "roster.swap"]
    assert entries[-1]["roster_version"] == version + 1
    assert entries[-1]["details"]["after"][1] == {"agent_id": "A2", "date": day(site, 2),
                                                  "shift": "DAY", "queue": "sales"}


@pytest.mark.parametrize(("action", "who", "detail"), [
    ("accept", "A1", "only the counterpart may accept"),
    ("reject", "A1", "only the counterpart may reject"),
    ("cancel", "A2", "only the requester may cancel"),
    ("approve", "A2", "planner role required"),
    ("deny", "A1", "planner role required"),
])
def test_swap_transition_forbidden(site: Site, action: str, who: str, detail: str) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    status, body = post(site, swap_id, action, site.agents[who])
    assert (status, body["detail"]) == (403, detail)


def test_swap_transition_not_allowed_now(site: Site) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    status, body = post(site, swap_id, "approve", site.planner)
    assert (status, body["detail"]) == (409, "cannot approve a swap that is requested")
    assert post(site, swap_id, "reject", site.agents["A2"])[1]["status"] == "rejected"
    status, body = post(site, swap_id, "accept", site.agents["A2"])
    assert (status, body["detail"]) == (409, "cannot accept a swap that is rejected")


def test_swap_cancel_and_deny(site: Site) -> None:
    first = ask(site, "A1", "give", "A2", 2)["id"]
    assert post(site, first, "cancel", site.agents["A1"])[1]["status"] == "cancelled"
    second = ask(site, "A1", "give", "A7", 2)["id"]
    post(site, second, "accept", site.agents["A7"])
    assert post(site, second, "deny", site.planner)[1]["status"] == "denied"
    assert cell(site, "A1", 2) == ("DAY", "sales")


def test_read_swap_not_found(site: Site) -> None:
    response = site.client.get("/api/v1/swaps/999", headers=site.planner)
    assert (response.status_code, response.json()["detail"]) == (404, "swap 999 not found")


def test_read_swap_forbidden_for_other_agent(site: Site) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    response = site.client.get(f"/api/v1/swaps/{swap_id}", headers=site.agents["A3"])
    assert (response.status_code, response.json()["detail"]) == (403, "not your swap")
    assert site.client.get(f"/api/v1/swaps/{swap_id}",
                           headers=site.agents["A2"]).json()["id"] == swap_id


def test_read_swaps_paginates_and_filters(site: Site) -> None:
    for counterpart in ("A2", "A7"):
        ask(site, "A1", "give", counterpart, 2)
    ask(site, "A3", "give", "A4", 7)  # A4 rests on Mondays
    page = site.client.get("/api/v1/swaps", headers=site.planner,
                           params={"page": 2, "page_size": 2}).json()
    assert page["total"] == 3 and [s["id"] for s in page["items"]] == [3]
    mine = site.client.get("/api/v1/swaps", headers=site.agents["A1"]).json()
    assert mine["total"] == 2
    forbidden = site.client.get("/api/v1/swaps", headers=site.agents["A1"],
                                params={"agent_id": "A3"})
    assert (forbidden.status_code, forbidden.json()["detail"]) == (
        403, "agents may only read their own data")
    requested = site.client.get("/api/v1/swaps", headers=site.planner,
                                params={"status": "accepted"}).json()
    assert requested == {"items": [], "total": 0}


def test_swap_expires_when_the_shift_starts_undecided(site: Site) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    set_now(site, datetime.fromisoformat(f"{day(site, 2)}T00:30:00+00:00"))
    response = site.client.get(f"/api/v1/swaps/{swap_id}", headers=site.planner)
    assert response.json()["status"] == "expired"
    status, body = post(site, swap_id, "accept", site.agents["A2"])
    assert (status, body["detail"]) == (409, "cannot accept a swap that is expired")


def test_competing_swap_is_invalidated(site: Site) -> None:
    first = ask(site, "A1", "give", "A2", 2)["id"]
    second = ask(site, "A1", "give", "A7", 2)["id"]
    post(site, first, "accept", site.agents["A2"])
    post(site, second, "accept", site.agents["A7"])
    assert post(site, first, "approve", site.planner)[1]["status"] == "applied"
    assert site.client.get(f"/api/v1/swaps/{second}",
                           headers=site.planner).json()["status"] == "invalidated"
    status, body = post(site, second, "approve", site.planner)
    assert (status, body["detail"]) == (409, "cannot approve a swap that is invalidated")


def test_approve_after_a_roster_change_is_stale(site: Site) -> None:
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    post(site, swap_id, "accept", site.agents["A2"])
    # The planner re-imports A1's Wednesday as OFF: the accepted swap no longer applies.
    csv = f"agent_id,date,shift,queue\nA1,{day(site, 2)},OFF,\n"
    response = site.client.post("/api/v1/rosters", content=csv, headers={
        **site.planner, "Content-Type": "text/csv"}, params={"force": "true"})
    assert response.status_code == 200
    status, body = post(site, swap_id, "approve", site.planner)
    assert status == 409
    assert body["detail"] == "cannot approve a swap that is invalidated"


def test_auto_approval_applies_on_accept(tmp_path: Path) -> None:
    site = make_site(tmp_path, config=site_config(**{"swaps.auto_approve": True}))
    swap_id = ask(site, "A1", "give", "A2", 2)["id"]
    status, body = post(site, swap_id, "accept", site.agents["A2"])
    assert (status, body["status"]) == (200, "applied")
    assert cell(site, "A2", 2) == ("DAY", "sales")


def test_no_token_is_401(site: Site) -> None:
    response = site.client.get("/api/v1/swaps")
    assert (response.status_code, response.json()["detail"]) == (401, "missing bearer token")
    response = site.client.get("/api/v1/swaps", headers={"Authorization": "Bearer nope"})
    assert (response.status_code, response.json()["detail"]) == (401, "invalid token")


def test_cached_counts_follow_the_roster_version(site: Site) -> None:
    """Swap checks keep head-counts per roster version: a roster change is seen at once, and
    the cached verdict equals an uncached one."""
    first = ask(site, "A1", "give", "A2", 2)
    assert {r["scheduled_before"] for r in first["impact"]} == {1}
    # A2 (off on Wednesday) is rostered DAY sales that day: two agents now work DAY sales
    csv = f"agent_id,date,shift,queue\nA2,{day(site, 2)},DAY,sales\n"
    response = site.client.post("/api/v1/rosters", content=csv, params={"force": "true"},
                                headers={**site.planner, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    kwargs = {"kind": "give", "requester_id": "A1", "counterpart_id": "A6",
              "dates": [date.fromisoformat(day(site, 2))]}
    with site.store.unit.read() as session:
        cached = site.store.swaps.verdict(session, cached=True, **kwargs)
        fresh = site.store.swaps.verdict(session, **kwargs)
    assert set(cached.impact["scheduled_before"]) == {2}
    assert cached.violations == fresh.violations
    assert cached.impact.equals(fresh.impact)


def test_cached_reference_sees_other_processes_imports(site: Site) -> None:
    """The agents/requirement cache is keyed by counters in the database, so an import made
    through another store (another process) is seen by the next check."""
    from api.store import SYSTEM, Store
    from tests.api.factories import requirement_csv
    from wfm.tables import REQUIREMENT, read_table_text

    kwargs = {"kind": "give", "requester_id": "A1", "counterpart_id": "A2",
              "dates": [date.fromisoformat(day(site, 2))]}
    with site.store.unit.read() as session:
        before = site.store.swaps.verdict(session, cached=True, **kwargs)
    assert set(before.impact["required"]) == {1}
    other = Store(site.store.engine, site.store.config)
    other.import_requirement(frame=read_table_text(requirement_csv(site.start, required=3),
                                                   REQUIREMENT), actor=SYSTEM)
    with site.store.unit.read() as session:
        after = site.store.swaps.verdict(session, cached=True, **kwargs)
    assert set(after.impact["required"]) == {3}
