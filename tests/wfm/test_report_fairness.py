"""The report's fairness section: per-team shares and running totals with the previous roster."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from wfm.config import build_config
from wfm.report import build_report

MONDAY = date(2026, 3, 2)


def _rows(plan: dict[str, str], start: date) -> pd.DataFrame:
    codes = {"N": "NIGHT", "D": "DAY", "O": "OFF"}
    return pd.DataFrame([(a, start + timedelta(days=d), codes[c], "sales" if c != "O" else "")
                         for a, line in plan.items() for d, c in enumerate(line)],
                        columns=["agent_id", "date", "shift", "queue"])


def test_fairness_section_shows_running_totals(tmp_path):
    config = build_config({"country": "", "roster": {"fairness_weeks": 1}})
    agents = pd.DataFrame({"agent_id": ["A", "B"], "name": ["A", "B"],
                           "skills": [("sales",), ("sales",)]})
    previous = _rows({"A": "NNNNNOO", "B": "DDDDDOO"}, MONDAY - timedelta(days=7))
    roster = _rows({"A": "DDDDOOD", "B": "NNNDOOD"}, MONDAY)
    html = build_report(tmp_path, language="en", roster=roster, agents=agents, config=config,
                        previous=previous).read_text(encoding="utf-8")
    assert "1 previous week(s) counted" in html
    # A carried 5 nights last week and none now; B none then 3 now (its whole share)
    assert "5 + 0 = 5" in html and "0 + 3 = 3" in html
    without = build_report(tmp_path / "plain", language="en", roster=roster, agents=agents,
                           config=config).read_text(encoding="utf-8")
    assert "0 previous week(s) counted" in without
