"""The live adherence page in a real browser: the board reloads itself and the navigation
counts the alerts (htmx under the pages' content security policy), in English (issue 24)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from api.store.unit import SYSTEM
from tests.web.browser import Browser, missing_reason, serve
from tests.web.conftest import FIXTURES, make_app
from wfm.tables import AGENTS, ROSTER, read_table

pytestmark = pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))


def test_the_board_reloads_itself_and_the_navigation_counts_alerts(tmp_path: Path) -> None:
    # Monday of the demo week, 10:00 in Shanghai: the DAY shifts run since 08:30
    app = make_app(tmp_path / "live.db", now=datetime(2026, 11, 23, 2, 0))
    store = app.state.store
    store.import_agents(frame=read_table(FIXTURES / "agents.csv", AGENTS), actor=SYSTEM)
    store.import_roster(frame=read_table(FIXTURES / "roster_week.csv", ROSTER), actor=SYSTEM,
                        force=True)
    token = store.create_user(role="planner")[1]

    def event(agent_id: str, clock: str, state: str) -> pd.DataFrame:
        return pd.DataFrame({"agent_id": [agent_id], "state": [state],
                             "timestamp": pd.DatetimeIndex([f"2026-11-23 {clock}"])
                             .tz_localize("Asia/Shanghai")})

    with serve(app) as url:
        planner = Browser(url, language="en")
        try:
            planner.open("/planner/live")
            planner.sign_in(token)
            planner.open("/planner/live")
            assert "Live adherence" in planner.text("h1")
            alerts = int(planner.wait_for("#live-badge .badge").text)
            assert alerts > 0   # nobody has logged in yet: everyone on DAY is late
            row = next(r for r in planner.find_all("#live-board tbody tr")
                       if r.text.startswith("A001"))
            assert "late" in row.get_attribute("class")
            # A001 logs in; the board shows it within a poll, without a reload
            store.add_events(frame=event("A001", "09:59", "ready"), actor=SYSTEM)
            planner.wait_for("#live-board", text="ready")
            row = next(r for r in planner.find_all("#live-board tbody tr")
                       if r.text.startswith("A001"))
            assert "in adherence" in row.text and "late" not in row.get_attribute("class")
            planner.screenshot("live-board")
        finally:
            planner.close()
