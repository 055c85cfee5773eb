"""Time off's per-team daily limit uses ``wfm.teams``: skills listed in another order or with
repeats are the same team, another skill set is another team."""

from __future__ import annotations

from pathlib import Path

from tests.api.factories import make_site, site_config
from tests.api.test_time_off import act, ask, codes, day


def test_team_limit_counts_skills_in_any_order_and_with_repeats(tmp_path: Path) -> None:
    site = make_site(tmp_path, config=site_config(**{"time_off": {
        "max_off_per_team_per_day": 1}}))
    agents = ("agent_id,name,skills,max_nights_per_week\n"
              "A7,Agent A7,sales;sales,\n"           # A1's team (sales)
              "A6,Agent A6,support;sales,\n")        # not A1's team (sales;support)
    response = site.client.post("/api/v1/agents", content=agents, headers={
        **site.planner, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    first = ask(site, "A1", "annual", 1)["id"]
    assert act(site, first, "approve", site.planner)[0] == 200
    same_team = ask(site, "A7", "annual", 1)
    assert ("team_limit", "A7", day(site, 1)) in codes(same_team)
    other_team = ask(site, "A6", "annual", 1)
    assert "team_limit" not in {v["code"] for v in other_team.get("violations", [])}
    assert other_team["http"] == 201
