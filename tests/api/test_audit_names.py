"""The audit names who did it (issue 28): a planner's ``--name``, an agent's name from the
agents table, in the audit API (``actor_name``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.api.factories import agents_csv, bearer, make_site


def test_audit_items_carry_the_actor_name(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    _, token = site.store.create_user(role="planner", name="Li Wei")
    answer = site.client.post("/api/v1/agents", content=agents_csv(),
                              headers={**bearer(token), "Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    wednesday = site.start + timedelta(days=2)
    swap = site.client.post("/api/v1/swaps", headers=site.as_agent("A1"), json={
        "kind": "give", "counterpart_id": "A2", "dates": [wednesday.isoformat()]})
    assert swap.status_code == 201, swap.text
    items = site.client.get("/api/v1/audit?page_size=500", headers=site.planner).json()["items"]
    by_action = {(i["action"], i["actor_name"]) for i in items[-2:]}
    assert ("agents.import", "Li Wei") in by_action
    assert ("swap.create", "Agent A1") in by_action
    assert all("actor_name" in i for i in items)
