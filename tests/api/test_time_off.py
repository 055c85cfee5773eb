"""Time-off routes through TestClient: checks (notice, balance, rules, team limit), coverage
impact with the service level, auto-approval, sick leave on the day, approval into the roster
with the balance and the audit, invalidated swaps, and a solve that keeps approved leave."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.api.factories import Site, make_site, requirement_csv, set_now, site_config


def day(site: Site, k: int) -> str:
    return (site.start + timedelta(days=k)).isoformat()


def ask(site: Site, agent: str, kind: str, *days: int, part: dict | None = None,
        reason: str = "") -> dict:
    body: dict = {"kind": kind, "dates": [day(site, k) for k in days], "reason": reason}
    if part is not None:
        body["part"] = part
    response = site.client.post("/api/v1/time-off", headers=site.agents[agent], json=body)
    return {"http": response.status_code, **response.json()}


def act(site: Site, request_id: int, action: str, who: dict, reason: str = "") -> tuple[int, dict]:
    response = site.client.post(f"/api/v1/time-off/{request_id}/{action}", headers=who,
                                json={"reason": reason})
    return response.status_code, response.json()


def codes(answer: dict) -> set[tuple[str, str, str]]:
    return {(v["code"], v["agent_id"], v["date"]) for v in answer["violations"]}


def cell(site: Site, agent: str, k: int) -> tuple[str, str]:
    rows = site.client.get("/api/v1/rosters/current", headers=site.planner, params={
        "agent_id": agent, "from": day(site, k), "to": day(site, k)}).json()["rows"]
    return rows[0]["shift"], rows[0]["queue"]


def balance(site: Site, agent: str, kind: str) -> dict:
    items = site.client.get("/api/v1/time-off/balances", headers=site.agents[agent],
                            params={"year": site.start.year}).json()["items"]
    return next(b for b in items if b["kind"] == kind)


def erlang_c_service_level(traffic: float, agents: int, aht: float, target: float) -> float:
    """Textbook Erlang C by its closed form with factorials (independent of the recurrence)."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    below = sum(traffic**k / math.factorial(k) for k in range(agents))
    wait = top / (below + top)
    return 1 - wait * math.exp(-(agents - traffic) * target / aht)


# ---- create --------------------------------------------------------------------------------
def test_create_time_off_answers_201_with_impact_and_service_level(site: Site) -> None:
    answer = ask(site, "A1", "annual", 1, reason="family visit")
    assert (answer["http"], answer["status"], answer["days"]) == (201, "requested", 1.0)
    # Tuesday: A1, A2, A6, A7 work DAY sales (08:30-16:00, 15 half-hours); required 1
    impact = answer["impact"]
    assert len(impact) == 15
    assert impact[0]["interval_start"] == f"{day(site, 1)}T08:30:00+08:00"
    assert {(r["queue"], r["required"], r["scheduled_before"], r["scheduled_after"],
             r["shortfall_after"]) for r in impact} == {("sales", 1, 4, 3, 0)}
    # 10 contacts x 300 s per 30 min = 1.667 Erlangs; 30% shrinkage: 4 scheduled -> 2 on the
    # phones before, 3 -> 2 after (floor), target 80% within 20 s
    expected = erlang_c_service_level(10 * 300 / 1800, 2, 300, 20)
    assert impact[0]["service_level_before"] == pytest.approx(expected, rel=1e-9)
    assert impact[0]["service_level_after"] == pytest.approx(expected, rel=1e-9)
    assert impact[0]["service_level_target"] == 0.8
    assert balance(site, "A1", "annual")["used_days"] == 0  # only approval changes it


def test_create_time_off_part_of_a_shift(site: Site) -> None:
    answer = ask(site, "A1", "personal", 1, part={"start": "14:00", "end": "16:00"})
    assert answer["http"] == 201, answer
    assert answer["part"] == {"start": "14:00", "end": "16:00"}
    assert answer["days"] == pytest.approx(0.267)  # 120 of 450 minutes, rounded up
    assert [r["interval_start"][11:16] for r in answer["impact"]] == [
        "14:00", "14:30", "15:00", "15:30"]


def test_create_time_off_part_outside_the_shift_rejected(site: Site) -> None:
    answer = ask(site, "A1", "personal", 1, part={"start": "15:00", "end": "17:00"})
    assert answer["http"] == 422
    assert codes(answer) == {("part_outside_shift", "A1", day(site, 1))}


def test_create_time_off_balance_rejected(site: Site) -> None:
    answer = ask(site, "A1", "annual", 0, 1, 2, 3, 4, 7)  # six working days, 5 allowed
    assert answer["http"] == 422
    assert answer["detail"] == "the time-off request breaks 1 rule(s)"
    assert codes(answer) == {("balance", "A1", day(site, 0))}
    assert "6 day(s) requested, 5 of 5 left" in answer["violations"][0]["message"]


def test_rest_day_change_making_seven_days_in_a_row_rejected(site: Site) -> None:
    # A6 rests only on Wednesdays: moving the second Wednesday's rest to Sunday makes
    # Thursday..Saturday ten working days in a row (and the rule checker says so)
    answer = ask(site, "A6", "rest_day", 9, 13)
    assert answer["http"] == 422
    assert ("max_consecutive_days", "A6") in {(c, a) for c, a, _ in codes(answer)}


def test_rest_day_change_moves_the_off_day(site: Site) -> None:
    answer = ask(site, "A1", "rest_day", 5, 3)  # Saturday's rest to Thursday, same week
    assert (answer["http"], answer["days"]) == (201, 0.0)
    assert act(site, answer["id"], "approve", site.planner)[0] == 200
    assert cell(site, "A1", 5) == ("DAY", "sales")
    assert cell(site, "A1", 3) == ("OFF", "")


def test_rest_day_change_across_weeks_rejected(site: Site) -> None:
    answer = ask(site, "A1", "rest_day", 5, 7)
    assert answer["http"] == 422
    assert codes(answer) == {("other_week", "A1", day(site, 7))}


@pytest.mark.parametrize(("agent", "kind", "days", "expected"), [
    ("A1", "annual", (5,), {("not_working", "A1", 5)}),
    ("A2", "annual", (4,), {("leave", "A2", 4)}),
    ("A1", "rest_day", (1, 5), {("not_off", "A1", 1), ("not_working", "A1", 5)}),
])
def test_create_time_off_shape_rejected(site: Site, agent: str, kind: str,
                                        days: tuple[int, ...], expected: set) -> None:
    answer = ask(site, agent, kind, *days)
    assert answer["http"] == 422
    assert codes(answer) == {(c, a, day(site, k)) for c, a, k in expected}


def test_create_time_off_min_notice_rejected(site: Site) -> None:
    # the Monday DAY starts 00:30 UTC; 47 h before is inside the 48 h notice
    set_now(site, datetime.fromisoformat(f"{day(site, 0)}T00:30:00+00:00") - timedelta(hours=47))
    answer = ask(site, "A1", "annual", 0)
    assert answer["http"] == 422
    assert codes(answer) == {("min_notice", "A1", day(site, 0))}


def test_sick_leave_on_the_day_is_recorded_and_flagged(site: Site) -> None:
    set_now(site, datetime.fromisoformat(f"{day(site, 2)}T00:00:00+00:00"))
    version = site.client.get("/healthz").json()["roster_version"]
    answer = ask(site, "A1", "sick", 2, reason="fever")
    assert (answer["http"], answer["status"], answer["flagged"]) == (201, "recorded", True)
    # A1 is the only DAY sales agent on Wednesday: the gap it opens is in the answer
    assert {(r["scheduled_after"], r["shortfall_after"]) for r in answer["impact"]} == {(0, 1)}
    assert cell(site, "A1", 2) == ("LEAVE", "")
    assert site.client.get("/healthz").json()["roster_version"] == version + 1
    flagged = site.client.get("/api/v1/time-off", headers=site.planner,
                              params={"flagged": "true"}).json()
    assert [r["id"] for r in flagged["items"]] == [answer["id"]]
    assert balance(site, "A1", "sick")["used_days"] == 1.0


def test_sick_leave_for_a_past_day_is_refused(site: Site) -> None:
    set_now(site, datetime.fromisoformat(f"{day(site, 3)}T02:00:00+00:00"))
    answer = ask(site, "A1", "sick", 2)
    assert answer["http"] == 422
    assert codes(answer) == {("min_notice", "A1", day(site, 2))}


def test_unknown_kind_and_bad_payload_rejected(site: Site) -> None:
    answer = ask(site, "A1", "holiday", 1)
    assert (answer["http"], answer["detail"]) == (
        422, "kind must be one of annual, personal, sick, rest_day, got 'holiday'")
    response = site.client.post("/api/v1/time-off", headers=site.agents["A1"], json={
        "kind": "annual", "dates": [], "part": {"start": "25:00", "end": "x"}})
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"dates", "start", "end"}


def test_planner_records_time_off_for_an_agent(site: Site) -> None:
    set_now(site, datetime.fromisoformat(f"{day(site, 2)}T00:00:00+00:00"))
    response = site.client.post("/api/v1/time-off", headers=site.planner, json={
        "kind": "sick", "dates": [day(site, 2)], "agent_id": "A1", "reason": "phoned in"})
    assert response.status_code == 201, response.text
    assert (response.json()["requester_id"], response.json()["status"]) == ("A1", "recorded")
    entry = site.client.get("/api/v1/audit", headers=site.planner).json()["items"][-3]
    assert (entry["action"], entry["role"]) == ("time_off.create", "planner")
    missing = site.client.post("/api/v1/time-off", headers=site.planner, json={
        "kind": "annual", "dates": [day(site, 8)]})
    assert (missing.status_code, missing.json()["detail"]) == (
        422, "a planner records time off for an agent: send agent_id")
    other = site.client.post("/api/v1/time-off", headers=site.agents["A3"], json={
        "kind": "annual", "dates": [day(site, 8)], "agent_id": "A1"})
    assert (other.status_code, other.json()["detail"]) == (
        403, "agents may only request time off for themselves")


# ---- approval ------------------------------------------------------------------------------
def test_approve_writes_leave_balance_and_audit_in_one_version(site: Site) -> None:
    request_id = ask(site, "A1", "annual", 1, 2)["id"]
    version = site.client.get("/healthz").json()["roster_version"]
    status, body = act(site, request_id, "approve", site.planner, "covered")
    assert (status, body["status"], body["applied_version"]) == (200, "approved", version + 1)
    assert cell(site, "A1", 1) == cell(site, "A1", 2) == ("LEAVE", "")
    assert balance(site, "A1", "annual") == {
        "agent_id": "A1", "kind": "annual", "year": site.start.year, "limited": True,
        "allowance_days": 5.0, "used_days": 2.0, "remaining_days": 3.0}
    entries = site.client.get("/api/v1/audit", headers=site.planner).json()["items"]
    assert [e["action"] for e in entries[-3:]] == ["time_off.create", "time_off.approve",
                                                   "roster.time_off"]
    assert entries[-1]["roster_version"] == version + 1
    assert entries[-1]["details"]["days_charged"] == {str(site.start.year): 2.0}
    again = act(site, request_id, "approve", site.planner)
    assert again == (409, {"detail": "cannot approve a time-off request that is approved"})


def test_approve_invalidates_a_pending_swap_it_makes_illegal(site: Site) -> None:
    swap = site.client.post("/api/v1/swaps", headers=site.agents["A1"], json={
        "kind": "give", "counterpart_id": "A2", "dates": [day(site, 2)]}).json()
    request_id = ask(site, "A1", "annual", 2)["id"]
    assert act(site, request_id, "approve", site.planner)[0] == 200
    after = site.client.get(f"/api/v1/swaps/{swap['id']}", headers=site.planner).json()
    assert after["status"] == "invalidated"


def test_approve_after_the_roster_changed_is_409(site: Site) -> None:
    request_id = ask(site, "A1", "annual", 1)["id"]
    csv = f"agent_id,date,shift,queue\nA1,{day(site, 1)},OFF,\n"
    response = site.client.post("/api/v1/rosters", content=csv, params={"force": "true"},
                                headers={**site.planner, "Content-Type": "text/csv"})
    assert response.status_code == 200
    status, body = act(site, request_id, "approve", site.planner)
    assert (status, body["detail"]) == (409, "cannot approve a time-off request that is "
                                             "invalidated")


def test_reject_cancel_and_permissions(site: Site) -> None:
    first = ask(site, "A1", "annual", 1)["id"]
    assert act(site, first, "approve", site.agents["A1"]) == (
        403, {"detail": "planner role required"})
    assert act(site, first, "cancel", site.agents["A2"])[0] == 403  # not theirs to see
    status, body = act(site, first, "reject", site.planner, "short that day")
    assert (status, body["status"]) == (200, "rejected")
    second = ask(site, "A1", "annual", 3)["id"]
    assert act(site, second, "cancel", site.agents["A1"])[1]["status"] == "cancelled"
    assert cell(site, "A1", 1) == cell(site, "A1", 3) == ("DAY", "sales")
    response = site.client.get(f"/api/v1/time-off/{first}", headers=site.agents["A3"])
    assert (response.status_code, response.json()["detail"]) == (
        403, "not your time-off request")
    response = site.client.get("/api/v1/time-off/999", headers=site.planner)
    assert (response.status_code, response.json()["detail"]) == (
        404, "time-off request 999 not found")
    mine = site.client.get("/api/v1/time-off", headers=site.agents["A1"]).json()
    assert mine["total"] == 2
    other = site.client.get("/api/v1/time-off/balances", headers=site.agents["A1"],
                            params={"agent_id": "A2"})
    assert (other.status_code, other.json()["detail"]) == (
        403, "agents may only read their own data")


def test_team_limit_refuses_one_more_agent_off(tmp_path: Path) -> None:
    site = make_site(tmp_path, config=site_config(**{"time_off": {
        "max_off_per_team_per_day": 1}}))
    first = ask(site, "A1", "annual", 1)["id"]
    assert act(site, first, "approve", site.planner)[0] == 200
    answer = ask(site, "A7", "annual", 1)
    assert answer["http"] == 422
    assert codes(answer) == {("team_limit", "A7", day(site, 1))}


@pytest.mark.parametrize("policy", ["coverage", "service_level"])
def test_auto_approval_on_an_overstaffed_day_and_not_on_a_short_one(tmp_path: Path,
                                                                     policy: str) -> None:
    site = make_site(tmp_path, config=site_config(**{"time_off": {"auto_approve": policy}}))
    if policy == "service_level":  # a light load: 1 contact per half-hour (0.17 Erlangs)
        light = requirement_csv(site.start).replace(",10,300,1.67,", ",1,300,0.17,")
        response = site.client.post("/api/v1/requirements", content=light, headers={
            **site.planner, "Content-Type": "text/csv"})
        assert response.status_code == 200, response.text
    overstaffed = ask(site, "A1", "annual", 1)  # Tuesday: 4 scheduled, 1 required
    short = ask(site, "A1", "annual", 2)  # A1 is the only DAY sales agent on Wednesday
    assert overstaffed["status"] == "approved"
    assert cell(site, "A1", 1) == ("LEAVE", "")
    if policy == "service_level":  # 3 scheduled -> 2 on the phones: SL far above 80%
        assert min(r["service_level_after"] for r in overstaffed["impact"]) > 0.8
    assert short["status"] == "requested"  # queued for the planner with the impact shown
    assert {(r["shortfall_after"], r["service_level_after"]) for r in short["impact"]} == {
        (1, 0.0)}
    assert cell(site, "A1", 2) == ("DAY", "sales")


# ---- a later solve keeps approved time off -------------------------------------------------
def test_solve_inputs_fix_approved_time_off(site: Site) -> None:
    from api.schemas import SolveRequest
    from api.solve import parse_solve_request
    from tests.api.test_rosters import one_day_requirement

    leave_id = ask(site, "A1", "annual", 8)["id"]
    moved_id = ask(site, "A2", "rest_day", 10, 8)["id"]  # Thursday's rest to Tuesday
    part_id = ask(site, "A7", "personal", 8, part={"start": "08:30", "end": "10:30"})["id"]
    for request_id in (leave_id, moved_id, part_id):
        assert act(site, request_id, "approve", site.planner)[0] == 200
    inputs = parse_solve_request(site.store, SolveRequest(
        requirement_csv=one_day_requirement(site.start + timedelta(days=8))))
    assert inputs.leave is not None and inputs.fixed is not None
    assert [(r["agent_id"], str(r["date"])) for r in inputs.leave.to_dict("records")] == [
        ("A1", day(site, 8))]
    assert sorted((r["agent_id"], str(r["date"]), r["shift"])
                  for r in inputs.fixed.to_dict("records")) == [
        ("A2", day(site, 8), "OFF"), ("A7", day(site, 8), "DAY")]


@pytest.mark.slow
def test_solve_started_after_approval_keeps_the_leave(site: Site) -> None:
    from tests.api.test_rosters import one_day_requirement, wait_for_job

    request_id = ask(site, "A1", "annual", 8)["id"]
    assert act(site, request_id, "approve", site.planner)[0] == 200
    response = site.client.post("/api/v1/rosters/solve", headers=site.planner, json={
        "requirement_csv": one_day_requirement(site.start + timedelta(days=8)),
        "time_limit_seconds": 5})
    assert response.status_code == 202
    job = wait_for_job(site, response.json()["job_id"])
    assert (job["status"], job["error"]) == ("done", None)
    assert cell(site, "A1", 8) == ("LEAVE", "")  # demand is high: without it A1 would work


def test_team_limit_approval_invalidates_the_team_s_pending_requests(tmp_path: Path) -> None:
    site = make_site(tmp_path, config=site_config(**{"time_off": {
        "max_off_per_team_per_day": 1}}))
    first = ask(site, "A1", "annual", 1)["id"]
    second = ask(site, "A7", "annual", 1)["id"]
    other_day = ask(site, "A6", "annual", 3)["id"]
    assert act(site, first, "approve", site.planner)[0] == 200
    statuses = {r["id"]: r["status"] for r in site.client.get(
        "/api/v1/time-off", headers=site.planner).json()["items"]}
    assert statuses == {first: "approved", second: "invalidated", other_day: "requested"}


def test_open_request_expires_when_its_shift_starts(site: Site) -> None:
    request_id = ask(site, "A1", "annual", 1)["id"]
    set_now(site, datetime.fromisoformat(f"{day(site, 1)}T00:30:00+00:00"))
    response = site.client.get(f"/api/v1/time-off/{request_id}", headers=site.planner)
    assert response.json()["status"] == "expired"
    assert act(site, request_id, "approve", site.planner) == (
        409, {"detail": "cannot approve a time-off request that is expired"})


def test_time_off_routes_are_in_openapi_with_examples(site: Site) -> None:
    document = site.client.get("/openapi.json").json()
    paths = document["paths"]
    assert {"/api/v1/time-off", "/api/v1/time-off/balances", "/api/v1/time-off/{request_id}",
            "/api/v1/time-off/{request_id}/approve", "/api/v1/time-off/{request_id}/reject",
            "/api/v1/time-off/{request_id}/cancel"} <= set(paths)
    create = paths["/api/v1/time-off"]["post"]
    assert {"201", "403", "404", "422"} <= set(create["responses"])
    assert {"409"} <= set(paths["/api/v1/time-off/{request_id}/approve"]["post"]["responses"])
    examples = document["components"]["schemas"]["TimeOffRequestCreate"]["examples"]
    assert {e["kind"] for e in examples} == {"annual", "personal", "rest_day", "sick"}


def test_time_off_settings_are_validated() -> None:
    from wfm.errors import InvalidInput

    with pytest.raises(InvalidInput, match="auto_approve"):
        site_config(**{"time_off": {"auto_approve": "always"}})
    with pytest.raises(InvalidInput, match="not 'rest_day'"):
        site_config(**{"time_off": {"kinds": {"rest_day": {"allowance_days": 1}}}})


def test_concurrent_auto_approvals_keep_coverage(tmp_path: Path) -> None:
    """Twenty agents ask for the same Monday at once under the coverage policy: the check
    inside each transaction sees the others' approvals, so exactly the surplus goes."""
    import threading

    site = make_site(tmp_path, num_spare=20,
                     config=site_config(**{"time_off": {"auto_approve": "coverage"}}))
    # Monday DAY sales: A1, A2, A6, A7 and the 20 spares = 24 scheduled; require 20
    need = requirement_csv(site.start, required=20)
    response = site.client.post("/api/v1/requirements", content=need, headers={
        **site.planner, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    spares = [f"S{k:02d}" for k in range(1, 21)]
    barrier = threading.Barrier(len(spares))
    answers: dict[str, dict] = {}

    def request(agent: str) -> None:
        barrier.wait()
        answers[agent] = ask(site, agent, "annual", 0)

    threads = [threading.Thread(target=request, args=(a,)) for a in spares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a["status"] for a in answers.values())
    assert statuses == ["approved"] * 4 + ["requested"] * 16
    rows = site.client.get("/api/v1/rosters/current", headers=site.planner, params={
        "from": day(site, 0), "to": day(site, 0)}).json()["rows"]
    assert sum(r["shift"] == "DAY" and r["queue"] == "sales" for r in rows) == 20
    used = [balance(site, a, "annual")["used_days"] for a in spares]
    assert sorted(used) == [0.0] * 16 + [1.0] * 4
    # a queued request shows the impact read when the policy refused it: below requirement
    queued = site.client.get("/api/v1/time-off", headers=site.planner,
                             params={"status": "requested", "page_size": 50}).json()["items"]
    assert all(min(r["scheduled_after"] - r["required"] for r in q["impact"]) < 0
               for q in queued)
