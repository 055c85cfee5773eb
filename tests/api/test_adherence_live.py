"""``POST /api/v1/events`` with JSON bodies and ``GET /api/v1/adherence/live`` (issue 24).

The test site (``factories``) on Monday 2030-01-07 at 10:00 Shanghai time: A1, A2, A5, A6 and
A7 work DAY (08:30-16:00; A5 serves ``support``, the others ``sales``), A3 NIGHT later, A4 is
off.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.store import Store
from tests.api.factories import Site, set_now, site_config

TZ = ZoneInfo("Asia/Shanghai")
DAY_WORKERS = {"A1", "A2", "A5", "A6", "A7"}
KEYS = ["agent_id", "name", "scheduled", "state", "since", "in_adherence", "out_since",
        "out_minutes"]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 1, 7, hour, minute, tzinfo=TZ)


def stamp(hour: int, minute: int = 0) -> str:
    return at(hour, minute).isoformat()


def post_json(site: Site, body: object, headers: dict[str, str] | None = None):
    return site.client.post("/api/v1/events", json=body, headers=headers or site.planner)


def live(site: Site, headers: dict[str, str] | None = None, **params: str) -> dict:
    response = site.client.get("/api/v1/adherence/live", params=params,
                               headers=headers or site.planner)
    assert response.status_code == 200, response.text
    return response.json()


def by_agent(answer: dict) -> dict[str, dict]:
    return {item["agent_id"]: item for item in answer["items"]}


def test_one_json_event_is_stored_once_and_shows_at_once(site):
    set_now(site, at(10))
    event = {"agent_id": "A1", "timestamp": stamp(8, 29), "state": "Available"}
    response = post_json(site, event)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1, "inserted": 1, "duplicates": 0}
    assert post_json(site, event).json() == {"received": 1, "inserted": 0, "duplicates": 1}
    answer = live(site)
    assert answer["as_of"] == "2030-01-07T10:00:00+08:00"
    items = answer["items"]
    assert {i["agent_id"] for i in items} == DAY_WORKERS
    assert all(list(i) == KEYS for i in items)
    a1 = by_agent(answer)["A1"]
    assert a1 == {"agent_id": "A1", "name": "Agent A1", "scheduled": "DAY", "state": "ready",
                  "since": "2030-01-07T08:29:00+08:00", "in_adherence": True,
                  "out_since": None, "out_minutes": 0.0}
    # the others never logged in: out since the shift start, 90 minutes; A1 last
    assert [i["out_minutes"] for i in items] == [90.0, 90.0, 90.0, 90.0, 0.0]
    assert items[-1]["agent_id"] == "A1"
    assert by_agent(answer)["A2"]["out_since"] == "2030-01-07T08:30:00+08:00"
    assert by_agent(answer)["A2"]["state"] is None


def test_a_list_maps_site_names_and_a_csv_feeds_the_board_too(site):
    set_now(site, at(10))
    response = post_json(site, [
        {"agent_id": "A2", "timestamp": stamp(8, 30), "state": "登录"},
        {"agent_id": "A2", "timestamp": stamp(9, 40), "state": "小休"},
        {"agent_id": "A5", "timestamp": "2030-01-07T00:31:00Z", "state": "talk"}])
    assert response.json() == {"received": 3, "inserted": 3, "duplicates": 0}
    csv = "agent_id,timestamp,state\nA6,2030-01-07 08:35,login\nA6,2030-01-07 09:50,AUX\n"
    response = site.client.post("/api/v1/events", content=csv,
                                headers={**site.planner, "Content-Type": "text/csv"})
    assert response.json() == {"received": 2, "inserted": 2, "duplicates": 0}
    items = by_agent(live(site))
    assert (items["A2"]["state"], items["A2"]["since"]) == ("break", stamp(9, 40))
    assert (items["A2"]["in_adherence"], items["A2"]["out_minutes"]) == (False, 20.0)
    assert (items["A5"]["state"], items["A5"]["in_adherence"]) == ("talk", True)
    assert (items["A6"]["state"], items["A6"]["out_since"]) == ("not_ready", stamp(9, 50))


def test_an_agent_sees_only_its_own_item_and_filters_pick_queue_and_team(site):
    set_now(site, at(10))
    mine = live(site, site.as_agent("A5"))
    assert [i["agent_id"] for i in mine["items"]] == ["A5"]
    assert live(site, site.as_agent("A4"))["items"] == []   # off today
    assert [i["agent_id"] for i in live(site, queue="support")["items"]] == ["A5"]
    assert {i["agent_id"] for i in live(site, queue="sales")["items"]} == {"A1", "A2", "A6",
                                                                           "A7"}
    assert [i["agent_id"] for i in live(site, team="support; sales")["items"]] == ["A6"]
    assert {i["agent_id"] for i in live(site, team="sales")["items"]} == {"A1", "A2", "A7"}


def test_bad_events_are_refused_naming_the_item_and_field_and_nothing_is_stored(site):
    set_now(site, at(10))
    good = {"agent_id": "A1", "timestamp": stamp(9), "state": "ready"}
    cases = [
        ([good, {**good, "state": "AUX 9"}], "events item 1, field 'state': unknown state "
                                             "'AUX 9'; add \"AUX 9\" = \"not_ready\""),
        ([good, good, {**good, "agent_id": "Z9"}], "events item 2, field 'agent_id': agent "
                                                   "'Z9' is not in the agents table"),
        ({**good, "agent_id": "Z9"}, "event, field 'agent_id': agent 'Z9'"),
    ]
    for body, detail in cases:
        response = post_json(site, body)
        assert response.status_code == 422
        assert response.json()["detail"].startswith(detail), response.json()
    for value in ("2030-01-07T09:00:00", "09:00+08:00", "2030-01-07", "tomorrow"):
        response = post_json(site, [good, {**good, "timestamp": value}])
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", 1, "timestamp"]
        assert "date and time with its UTC offset" in error["msg"]
    response = post_json(site, {**good, "timestamp": "2030-01-07 09:00"})
    assert response.json()["detail"][0]["loc"] == ["body", "timestamp"]
    response = post_json(site, [{**good, "colour": "red"}])
    assert response.json()["detail"][0]["loc"] == ["body", 0, "colour"]
    assert post_json(site, []).status_code == 422
    for raw in (b'{"agent_id": "A1\\ud800", "timestamp": "2030-01-07T09:00+08:00", '
                b'"state": "ready"}', b'[{"agent_id": "A1"', b"\xff\xfe"):
        response = site.client.post("/api/v1/events", content=raw, headers={
            **site.planner, "Content-Type": "application/json"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body"], raw
    assert post_json(site, good, site.as_agent("A1")).status_code == 403
    assert by_agent(live(site))["A1"]["state"] is None             # nothing was stored
    assert site.store.events_frame().empty


def test_an_event_arriving_late_is_put_in_its_place(site):
    set_now(site, at(10))
    post_json(site, [{"agent_id": "A1", "timestamp": stamp(8, 30), "state": "login"},
                     {"agent_id": "A1", "timestamp": stamp(9, 30), "state": "not_ready"}])
    item = by_agent(live(site))["A1"]
    assert (item["out_since"], item["out_minutes"]) == (stamp(9, 30), 30.0)
    post_json(site, [{"agent_id": "A1", "timestamp": stamp(9, 50), "state": "ready"},
                     {"agent_id": "A1", "timestamp": stamp(9, 58), "state": "ready"}])
    item = by_agent(live(site))["A1"]
    assert (item["state"], item["since"], item["in_adherence"]) == ("ready", stamp(9, 50), True)
    # a break at 09:55 that reached us late: the ready state now begins at 09:58
    post_json(site, {"agent_id": "A1", "timestamp": stamp(9, 55), "state": "break"})
    item = by_agent(live(site))["A1"]
    assert (item["state"], item["since"], item["in_adherence"]) == ("ready", stamp(9, 58), True)
    item = by_agent(live(site, at=stamp(9, 57)))["A1"]   # a replay from the stored events
    assert (item["state"], item["out_since"], item["out_minutes"]) == ("break", stamp(9, 55),
                                                                       2.0)


def test_a_restarted_server_and_a_second_process_rebuild_from_the_database(site, tmp_path):
    set_now(site, at(10))
    post_json(site, [{"agent_id": "A1", "timestamp": stamp(8, 30), "state": "login"},
                     {"agent_id": "A7", "timestamp": stamp(8, 40), "state": "ready"},
                     {"agent_id": "A7", "timestamp": stamp(9, 45), "state": "lunch"}])
    before = live(site)
    url = f"sqlite:///{tmp_path / 'wfm.db'}"
    other = Store(make_engine(url), site_config(), clock=site.store.clock)
    second = TestClient(create_app(Settings(db_url=url), store=other))
    after = second.get("/api/v1/adherence/live", headers=site.planner).json()
    assert after == before
    # an event stored through the second process is seen by the first on its next read
    second.post("/api/v1/events", headers=site.planner,
                json={"agent_id": "A2", "timestamp": stamp(9, 55), "state": "ready"})
    assert by_agent(live(site))["A2"]["state"] == "ready"
    assert by_agent(live(site))["A7"]["out_since"] == stamp(9, 45)


def test_bad_query_values_are_422_naming_the_parameter(site):
    for value in ("0001-01-01T00:00:00Z", "2030-01-07T10:00:00", "soon"):
        response = site.client.get("/api/v1/adherence/live", params={"at": value},
                                   headers=site.planner)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "at"]
    response = site.client.get("/api/v1/adherence/live", headers=site.planner,
                               params={"queue": "x" * 201})
    assert response.json()["detail"][0]["loc"] == ["query", "queue"]
    assert site.client.get("/api/v1/adherence/live").status_code == 401


def test_openapi_lists_both_bodies_with_examples(site):
    document = site.client.get("/openapi.json").json()
    content = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
    assert set(content) == {"text/csv", "application/json"}
    assert set(content["application/json"]["examples"]) == {"one", "batch"}
    assert "/api/v1/adherence/live" in document["paths"]
