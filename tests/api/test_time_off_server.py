"""Time off against a real ``wfm serve``: 20 concurrent approvals of which exactly the allowed
ones apply (a team's daily limit and an agent's balance), balances never negative, the
roster still legal; and a restart that loses nothing."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
import pytest

from api.db import make_engine, migrate
from api.store import Store
from tests.api.factories import (
    agents_csv,
    monday_within_one_year,
    plan,
    requirement_csv,
    roster_cells,
    roster_csv,
    site_config,
)
from tests.api.test_server import CSV, Server, database_url, free_port, launch
from wfm.rules import check_roster
from wfm.tables import AGENTS, read_table_text

pytestmark = pytest.mark.slow
SITE_TOML = ('country = ""\n[rules]\nmin_rest_hours = 10\n[time_off]\n'
             'max_off_per_team_per_day = 3\n[time_off.kinds.annual]\nallowance_days = 5\n')


def start(tmp_path: Path, num_spare: int) -> Server:
    db_url = database_url(tmp_path)
    config_path = tmp_path / "site.toml"
    config_path.write_text(SITE_TOML)
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine, site_config())
    planner = {"Authorization": f"Bearer {store.create_user(role='planner')[1]}"}
    agents = {a: {"Authorization": f"Bearer {store.create_user(role='agent', agent_id=a)[1]}"}
              for a in plan(num_spare)}
    engine.dispose()
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", db_url, config_path,
                    launch(db_url, config_path, port), planner, agents,
                    monday_within_one_year(datetime.now(ZoneInfo("Asia/Shanghai")).date(),
                                           span_days=14))
    with server.client() as client:
        for path, body in (("/api/v1/agents", agents_csv(num_spare)),
                           ("/api/v1/requirements", requirement_csv(server.start)),
                           ("/api/v1/rosters", roster_csv(server.start,
                                                          roster_cells(server.start,
                                                                       num_spare)))):
            response = client.post(path, content=body, headers={**planner, **CSV})
            assert response.status_code == 200, response.text
    return server


def day(server: Server, k: int) -> str:
    return (server.start + timedelta(days=k)).isoformat()


def test_twenty_concurrent_approvals_apply_exactly_the_allowed_ones(tmp_path: Path) -> None:
    server = start(tmp_path, num_spare=10)
    try:
        requests: list[tuple[int, str]] = []
        with server.client() as client:
            # ten spares want Saturday off (the team limit lets 3 go) ...
            for spare in [f"S{k:02d}" for k in range(1, 11)]:
                created = client.post("/api/v1/time-off", headers=server.agents[spare],
                                      json={"kind": "annual", "dates": [day(server, 5)]})
                assert created.status_code == 201, created.text
                requests.append((created.json()["id"], spare))
            # ... and A1 wants each of its ten working days (a balance of 5)
            for k in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11):
                created = client.post("/api/v1/time-off", headers=server.agents["A1"],
                                      json={"kind": "annual", "dates": [day(server, k)]})
                assert created.status_code == 201, created.text
                requests.append((created.json()["id"], "A1"))
            version = client.get("/healthz").json()["roster_version"]
        barrier = threading.Barrier(len(requests))
        answers: dict[int, httpx.Response] = {}

        def approve(request_id: int) -> None:
            with server.client() as own:
                barrier.wait()
                answers[request_id] = own.post(f"/api/v1/time-off/{request_id}/approve",
                                               headers=server.planner)

        threads = [threading.Thread(target=approve, args=(r,)) for r, _ in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        won = {r for r, response in answers.items() if response.status_code == 200}
        assert {answers[r].status_code for r, _ in requests} <= {200, 409}
        assert len([r for r, who in requests if who != "A1" and r in won]) == 3
        assert len([r for r, who in requests if who == "A1" and r in won]) == 5
        # every loser was invalidated by a winner's approval (A1's balance, the team's limit)
        assert all(answers[r].json()["detail"]
                   == "cannot approve a time-off request that is invalidated"
                   for r, _ in requests if r not in won)
        with server.client() as client:
            assert client.get("/healthz").json()["roster_version"] == version + 8
            balance = client.get("/api/v1/time-off/balances", headers=server.agents["A1"],
                                 params={"year": server.start.year}).json()["items"]
            annual = next(b for b in balance if b["kind"] == "annual")
            assert (annual["used_days"], annual["remaining_days"]) == (5.0, 0.0)
            rows = client.get("/api/v1/rosters/current", headers=server.planner).json()["rows"]
            roster = pd.DataFrame(rows)
            roster["date"] = pd.to_datetime(roster["date"]).dt.date
            saturday = roster[roster["date"] == date.fromisoformat(day(server, 5))]
            assert (saturday["shift"] == "LEAVE").sum() == 3
            assert (roster[roster["agent_id"] == "A1"]["shift"] == "LEAVE").sum() == 5
            agents = read_table_text(agents_csv(10), AGENTS)
            assert check_roster(roster, agents, site_config()) == []
            audit = client.get("/api/v1/audit", headers=server.planner,
                               params={"page_size": 500}).json()["items"]
        actions = pd.Series([e["action"] for e in audit]).value_counts().to_dict()
        assert actions["time_off.approve"] == actions["roster.time_off"] == 8
        assert actions["time_off.invalidate"] == 12
    finally:
        server.stop()


def test_time_off_survives_a_restart(tmp_path: Path) -> None:
    server = start(tmp_path, num_spare=0)
    try:
        with server.client() as client:
            approved = client.post("/api/v1/time-off", headers=server.agents["A1"],
                                   json={"kind": "annual", "dates": [day(server, 1)]}).json()
            client.post(f"/api/v1/time-off/{approved['id']}/approve", headers=server.planner)
            made = client.post("/api/v1/time-off", headers=server.agents["A3"],
                               json={"kind": "annual", "dates": [day(server, 2)]})
            assert made.status_code == 201, made.text
            pending = made.json()

            def snapshot(c: httpx.Client) -> dict:
                return {
                    "roster": c.get("/api/v1/rosters/current", headers=server.planner).json(),
                    "requests": c.get("/api/v1/time-off", headers=server.planner).json(),
                    "balances": c.get("/api/v1/time-off/balances", headers=server.agents["A1"],
                                      params={"year": server.start.year}).json(),
                    "audit": c.get("/api/v1/audit", headers=server.planner,
                                   params={"page_size": 500}).json()}

            before = snapshot(client)
        server.restart()
        with server.client() as client:
            after = snapshot(client)
            assert after == before
            assert [r["status"] for r in after["requests"]["items"]] == ["approved",
                                                                         "requested"]
            approve = client.post(f"/api/v1/time-off/{pending['id']}/approve",
                                  headers=server.planner)
            assert approve.json()["status"] == "approved"
    finally:
        server.stop()
