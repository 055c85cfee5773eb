"""Offers against real servers: two ``wfm serve`` processes on one database, 20 agents accept
an offer for 3 at once (threads, half on each process). Exactly 3 are applied, 17 are refused
with ``offer already filled``, the stored roster passes the rule checker and the audit holds
exactly the 3 changes. Set ``WFM_TEST_POSTGRES_URL`` to run it on PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.api.factories import agents_csv, site_config
from tests.api.test_server import day, free_port, launch, start_server, stop_process
from wfm.rules import check_roster
from wfm.tables import AGENTS, read_table_text

pytestmark = pytest.mark.slow
NUM_AGENTS, NEEDED = 20, 3


def test_twenty_agents_accept_an_offer_for_three_at_once(tmp_path: Path) -> None:
    server = start_server(tmp_path, num_spare=NUM_AGENTS)
    second_port = free_port()
    second = launch(server.db_url, server.config_path, second_port)
    urls = [server.url, f"http://127.0.0.1:{second_port}"]
    spares = [f"S{k:02d}" for k in range(1, NUM_AGENTS + 1)]
    try:
        with server.client() as client:
            # the spares are off on Wednesdays: taking the offer adds a DAY shift
            created = client.post("/api/v1/offers", headers=server.planner, json={
                "kind": "overtime", "date": day(server, 2), "start": "09:00", "end": "12:00",
                "queues": ["sales"], "agents_needed": NEEDED, "reason": "Wednesday short"})
            assert created.status_code == 201, created.text
            offer_id = created.json()["id"]
            seen = client.get("/api/v1/offers", headers=server.agents["S01"]).json()
            assert [i["id"] for i in seen["items"]] == [offer_id]
            version = client.get("/healthz").json()["roster_version"]
        barrier = threading.Barrier(NUM_AGENTS)
        answers: dict[str, httpx.Response] = {}

        def take(agent: str, url: str) -> None:
            with httpx.Client(base_url=url, timeout=60) as own:
                barrier.wait()
                answers[agent] = own.post(f"/api/v1/offers/{offer_id}/accept",
                                          headers=server.agents[agent])

        threads = [threading.Thread(target=take, args=(a, urls[k % 2]))
                   for k, a in enumerate(spares)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(r.status_code for r in answers.values())
        assert codes == [200] * NEEDED + [409] * (NUM_AGENTS - NEEDED)
        assert all(r.json()["detail"] == "offer already filled"
                   for r in answers.values() if r.status_code == 409)
        winners = sorted(a for a, r in answers.items() if r.status_code == 200)
        with server.client() as client:
            assert client.get("/healthz").json()["roster_version"] == version + NEEDED
            offer = client.get("/api/v1/offers", headers=server.planner).json()["items"][0]
            assert (offer["filled"], offer["status"]) == (NEEDED, "filled")
            rows = client.get("/api/v1/rosters/current", headers=server.planner).json()["rows"]
            roster = pd.DataFrame(rows)
            roster["date"] = pd.to_datetime(roster["date"]).dt.date
            wednesday = roster[(roster["date"] == server.start + pd.Timedelta(days=2))
                               & roster["agent_id"].isin(spares) & (roster["shift"] == "DAY")]
            assert sorted(wednesday["agent_id"]) == winners
            agents = read_table_text(agents_csv(NUM_AGENTS), AGENTS)
            assert check_roster(roster, agents, site_config()) == []
            audit = client.get("/api/v1/audit", headers=server.planner,
                               params={"page_size": 500}).json()["items"]
        actions = pd.Series([e["action"] for e in audit]).value_counts().to_dict()
        assert actions["roster.offer"] == actions["offer_acceptance.approve"] == NEEDED
        assert sorted(e["details"]["agent_id"] for e in audit
                      if e["action"] == "roster.offer") == winners
    finally:
        stop_process(second)
        server.stop()
