"""The API against a real server: ``wfm serve`` (uvicorn) on a free loopback port with a
temporary SQLite file, driven over HTTP with httpx.

Covers the full swap flow, each violation kind, role checks, 20 concurrent conflicting
approvals (one winner, the roster still passes the checker, the audit complete) and a restart
with nothing lost. Set ``WFM_TEST_POSTGRES_URL`` to run the same tests on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
    next_monday,
    plan,
    requirement_csv,
    roster_cells,
    roster_csv,
    site_config,
)
from wfm.rules import check_roster
from wfm.tables import AGENTS, read_table_text

pytestmark = pytest.mark.slow
SITE_TOML = 'country = ""\n[rules]\nmin_rest_hours = 10\n'
CSV = {"Content-Type": "text/csv"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running ``wfm serve`` and the tokens of its users."""

    url: str
    db_url: str
    config_path: Path
    process: subprocess.Popen[bytes]
    planner: dict[str, str]
    agents: dict[str, dict[str, str]]
    start: date

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def stop(self) -> None:
        stop_process(self.process)

    def restart(self) -> None:
        self.stop()
        self.process = launch(self.db_url, self.config_path, int(self.url.rsplit(":", 1)[1]))


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it has not exited after a generous wait, so a
    slow shutdown on a loaded machine never fails the test that merely cleans up."""
    process.terminate()
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def launch(db_url: str, config_path: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "wfm_cli", "serve", "--db", db_url, "--host", "127.0.0.1",
         "--port", str(port), "--config", str(config_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wfm serve exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("wfm serve did not answer /healthz within 60 s")


def database_url(tmp_path: Path) -> str:
    """SQLite in ``tmp_path``, or the PostgreSQL database named by WFM_TEST_POSTGRES_URL
    (emptied first)."""
    postgres = os.environ.get("WFM_TEST_POSTGRES_URL")
    if not postgres:
        return f"sqlite:///{tmp_path / 'server.db'}"
    from sqlalchemy import text

    engine = make_engine(postgres)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return postgres


def start_server(tmp_path: Path, *, num_spare: int = 0, cli_user: bool = False) -> Server:
    db_url = database_url(tmp_path)
    config_path = tmp_path / "site.toml"
    config_path.write_text(SITE_TOML)
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine, site_config())
    if cli_user:  # `wfm users create` prints the token once (JSON with --format json)
        made = subprocess.run([sys.executable, "-m", "wfm_cli", "users", "create", "--role",
                               "planner", "--db", db_url, "--format", "json"],
                              capture_output=True, text=True, check=True)
        planner = {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}
    else:  # straight through the store (same database), to keep the test fast
        planner = {"Authorization": f"Bearer {store.create_user(role='planner')[1]}"}
    agents = {a: {"Authorization": f"Bearer {store.create_user(role='agent', agent_id=a)[1]}"}
              for a in plan(num_spare)}
    engine.dispose()
    port = free_port()
    process = launch(db_url, config_path, port)
    local_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    server = Server(f"http://127.0.0.1:{port}", db_url, config_path, process, planner, agents,
                    next_monday(local_today))
    with server.client() as client:
        for path, body in (("/api/v1/agents", agents_csv(num_spare)),
                           ("/api/v1/requirements", requirement_csv(server.start)),
                           ("/api/v1/rosters", roster_csv(server.start,
                                                          roster_cells(server.start,
                                                                       num_spare)))):
            response = client.post(path, content=body, headers={**planner, **CSV})
            assert response.status_code == 200, response.text
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server"), cli_user=True)
    yield running
    running.stop()


def day(server: Server, k: int) -> str:
    return (server.start + timedelta(days=k)).isoformat()


def ask(client: httpx.Client, server: Server, agent: str, kind: str, counterpart: str,
        *days: int) -> httpx.Response:
    return client.post("/api/v1/swaps", headers=server.agents[agent], json={
        "kind": kind, "counterpart_id": counterpart, "dates": [day(server, k) for k in days]})


def shift_of(client: httpx.Client, server: Server, agent: str, k: int) -> str:
    rows = client.get("/api/v1/rosters/current", headers=server.planner, params={
        "agent_id": agent, "from": day(server, k), "to": day(server, k)}).json()["rows"]
    return str(rows[0]["shift"])


def test_full_swap_flow(server: Server) -> None:
    with server.client() as client:
        version = client.get("/healthz").json()["roster_version"]
        created = ask(client, server, "A3", "give", "A4", 7)  # A4 rests on Mondays
        assert created.status_code == 201, created.text
        swap_id = created.json()["id"]
        accepted = client.post(f"/api/v1/swaps/{swap_id}/accept", headers=server.agents["A4"])
        assert accepted.json()["status"] == "accepted"
        approved = client.post(f"/api/v1/swaps/{swap_id}/approve", headers=server.planner,
                               json={"reason": "covered"})
        assert (approved.status_code, approved.json()["status"]) == (200, "applied")
        assert approved.json()["applied_version"] == version + 1
        assert (shift_of(client, server, "A3", 7), shift_of(client, server, "A4", 7)) == (
            "OFF", "NIGHT")
        again = client.post(f"/api/v1/swaps/{swap_id}/approve", headers=server.planner)
        assert (again.status_code, again.json()["detail"]) == (
            409, "cannot approve a swap that is applied")


@pytest.mark.parametrize(("agent", "kind", "counterpart", "days", "code"), [
    ("A1", "swap", "A5", (0,), "skill"),
    ("A1", "swap", "A3", (1,), "min_rest_hours"),
    ("A1", "give", "A6", (2,), "max_consecutive_days"),
    ("A1", "swap", "A2", (4,), "leave"),
    ("A1", "give", "A3", (2,), "not_off"),
])
def test_violation_kinds(server: Server, agent: str, kind: str, counterpart: str,
                         days: tuple[int, ...], code: str) -> None:
    with server.client() as client:
        response = ask(client, server, agent, kind, counterpart, *days)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("the swap breaks ")
    assert code in {v["code"] for v in body["violations"]}
    assert set(body["violations"][0]) == {"code", "agent_id", "date", "message"}


def test_min_notice_violation(server: Server) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # NIGHT starts < 24 h from now
    rows = f"agent_id,date,shift,queue\nA5,{today},NIGHT,support\nA6,{today},OFF,\n"
    with server.client() as client:
        imported = client.post("/api/v1/rosters", content=rows,
                               headers={**server.planner, **CSV})
        assert imported.status_code == 200, imported.text
        response = client.post("/api/v1/swaps", headers=server.agents["A5"], json={
            "kind": "give", "counterpart_id": "A6", "dates": [today.isoformat()]})
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["min_notice"]


def test_role_checks(server: Server) -> None:
    with server.client() as client:
        assert client.get("/api/v1/swaps").status_code == 401
        bad = client.get("/api/v1/swaps", headers={"Authorization": "Bearer wrong"})
        assert (bad.status_code, bad.json()["detail"]) == (401, "invalid token")
        agent_import = client.post("/api/v1/rosters", content="agent_id,date,shift\n",
                                   headers={**server.agents["A1"], **CSV})
        assert (agent_import.status_code, agent_import.json()["detail"]) == (
            403, "planner role required")
        planner_swap = client.post("/api/v1/swaps", headers=server.planner, json={
            "kind": "give", "counterpart_id": "A2", "dates": [day(server, 9)]})
        assert (planner_swap.status_code, planner_swap.json()["detail"]) == (
            403, "agent role required")
        created = ask(client, server, "A1", "give", "A7", 9)
        assert created.status_code == 201, created.text
        swap_id = created.json()["id"]
        other = client.post(f"/api/v1/swaps/{swap_id}/accept", headers=server.agents["A3"])
        assert (other.status_code, other.json()["detail"]) == (403, "not your swap")
        own = client.post(f"/api/v1/swaps/{swap_id}/accept", headers=server.agents["A1"])
        assert (own.status_code, own.json()["detail"]) == (
            403, "only the counterpart may accept")
        adherence = client.get("/api/v1/adherence", headers=server.agents["A1"],
                               params={"agent_id": "A7"})
        assert adherence.status_code == 403
        cancelled = client.post(f"/api/v1/swaps/{swap_id}/cancel", headers=server.agents["A1"])
        assert cancelled.json()["status"] == "cancelled"


def test_concurrent_conflicting_approvals(tmp_path: Path) -> None:
    num_spare = 20
    server = start_server(tmp_path, num_spare=num_spare)
    try:
        with server.client() as client:
            swap_ids = []
            for spare in [f"S{k:02d}" for k in range(1, num_spare + 1)]:
                created = ask(client, server, "A1", "give", spare, 2)  # all want A1's Wednesday
                assert created.status_code == 201, created.text
                swap_id = created.json()["id"]
                accepted = client.post(f"/api/v1/swaps/{swap_id}/accept",
                                       headers=server.agents[spare])
                assert accepted.json()["status"] == "accepted"
                swap_ids.append(swap_id)
            version = client.get("/healthz").json()["roster_version"]
        barrier = threading.Barrier(num_spare)
        answers: dict[int, httpx.Response] = {}

        def approve(swap_id: int) -> None:
            with server.client() as own:
                barrier.wait()
                answers[swap_id] = own.post(f"/api/v1/swaps/{swap_id}/approve",
                                            headers=server.planner)

        threads = [threading.Thread(target=approve, args=(s,)) for s in swap_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(r.status_code for r in answers.values())
        assert codes == [200] + [409] * (num_spare - 1)
        (winner,) = [s for s, r in answers.items() if r.status_code == 200]
        assert all(r.json()["detail"].startswith("cannot approve a swap that is invalidated")
                   for r in answers.values() if r.status_code == 409)
        with server.client() as client:
            assert client.get("/healthz").json()["roster_version"] == version + 1
            rows = client.get("/api/v1/rosters/current", headers=server.planner).json()["rows"]
            roster = pd.DataFrame(rows)
            roster["date"] = pd.to_datetime(roster["date"]).dt.date
            wednesday = roster[(roster["date"] == server.start + timedelta(days=2))
                               & (roster["shift"] == "DAY")]
            winner_agent = answers[winner].json()["counterpart_id"]
            assert "A1" not in set(wednesday["agent_id"])
            assert winner_agent in set(wednesday["agent_id"])
            agents = read_table_text(agents_csv(num_spare), AGENTS)
            assert check_roster(roster, agents, site_config()) == []
            audit = client.get("/api/v1/audit", headers=server.planner,
                               params={"page_size": 500}).json()["items"]
        actions = pd.Series([e["action"] for e in audit]).value_counts().to_dict()
        assert actions["swap.create"] == num_spare and actions["swap.accept"] == num_spare
        assert actions["swap.approve"] == 1 and actions["roster.swap"] == 1
        assert actions["swap.invalidate"] == num_spare - 1
        swap_entry = next(e for e in audit if e["action"] == "roster.swap")
        assert swap_entry["details"]["swap_id"] == winner
        assert swap_entry["roster_version"] == version + 1
    finally:
        server.stop()


def test_restart_loses_nothing(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        with server.client() as client:
            created = ask(client, server, "A1", "give", "A2", 2).json()
            client.post(f"/api/v1/swaps/{created['id']}/accept", headers=server.agents["A2"])
            client.post(f"/api/v1/swaps/{created['id']}/approve", headers=server.planner)
            pending = ask(client, server, "A3", "give", "A4", 7).json()
            before = {
                "roster": client.get("/api/v1/rosters/current", headers=server.planner).json(),
                "swaps": client.get("/api/v1/swaps", headers=server.planner).json(),
                "audit": client.get("/api/v1/audit", headers=server.planner,
                                    params={"page_size": 500}).json(),
            }
        server.restart()
        with server.client() as client:
            after = {
                "roster": client.get("/api/v1/rosters/current", headers=server.planner).json(),
                "swaps": client.get("/api/v1/swaps", headers=server.planner).json(),
                "audit": client.get("/api/v1/audit", headers=server.planner,
                                    params={"page_size": 500}).json(),
            }
            assert after == before
            assert [s["status"] for s in after["swaps"]["items"]] == ["applied", "requested"]
            # the tokens still work and the pending swap goes on after the restart
            accepted = client.post(f"/api/v1/swaps/{pending['id']}/accept",
                                   headers=server.agents["A4"])
            assert accepted.json()["status"] == "accepted"
    finally:
        server.stop()
