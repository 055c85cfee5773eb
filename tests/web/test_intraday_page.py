"""The planner's intraday page (issue 25): charts, the day's totals, the coming periods and
the intervals in both languages, and what a day without data lacks."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from api.store import Store
from api.web.i18n import LANG_COOKIE
from tests.web.conftest import FIXTURES
from tests.web.test_zh_pages import english_sentences, zh

CSV = {"Content-Type": "text/csv"}


def publish(api: TestClient, token: str, demo_dir: Path) -> None:
    """The demo week's forecast (the requirement's contacts and AHT) and its actuals."""
    auth = {"Authorization": f"Bearer {token}", **CSV}
    requirement = pd.read_csv(demo_dir / "requirement.csv")
    body = requirement[["interval_start", "queue", "contacts", "aht_seconds"]].to_csv(
        index=False)
    assert api.post("/api/v1/forecasts?model=median_4w", content=body,
                    headers=auth).status_code == 201
    answer = api.post("/api/v1/actuals", content=(FIXTURES / "actuals.csv").read_bytes(),
                      headers=auth)
    assert answer.status_code == 200, answer.text


def test_intraday_page_in_both_languages(planner: TestClient, token_of, demo_dir: Path) -> None:
    token = token_of("planner")
    publish(planner, token, demo_dir)
    store: Store = planner.app.state.store  # type: ignore[attr-defined]
    store.unit.clock = lambda: datetime(2026, 11, 24, 6, 5)  # 14:05 in Shanghai, Tuesday
    planner.cookies.set(LANG_COOKIE, "en")
    html = planner.get("/planner/intraday").text
    assert 'href="/planner/intraday" aria-current="page"' in html
    assert 'id="intraday-contacts-chart"' in html and 'id="intraday-agents-chart"' in html
    assert html.count("<svg") == 2 and "Re-forecast" in html
    assert "As of 14:05. Actuals through 14:00." in html
    assert re.search(r"presales: 676 contacts arrived against [\d,]+ expected; the rest of the "
                     r"day ×[\d.]+ \(spread 0\.15\)", html)
    assert 'id="staffing-periods"' in html and 'id="intraday-totals"' in html
    assert 'id="iv-presales-1400"' in html and 'data-net="' in html
    chinese = zh(planner).get("/planner/intraday?date=2026-11-24&queue=presales").text
    assert "重新预测" in chinese and "截至 14:05" in chinese
    assert 'id="iv-aftersales-1400"' not in chinese
    assert english_sentences(chinese) == []
    other = planner.get("/planner/intraday?date=2026-11-23").text
    assert "不是今天" in other and english_sentences(other) == []


def test_intraday_page_names_what_a_day_lacks(planner: TestClient) -> None:
    planner.cookies.set(LANG_COOKIE, "en")
    html = planner.get("/planner/intraday?date=2026-11-24").text
    assert 'id="intraday-missing"' in html and "no published forecast covers this day" in html
    assert "no roster covers" not in html
    chinese = zh(planner).get("/planner/intraday?date=2027-03-01").text
    assert "没有覆盖这一天的已发布预测" in chinese and "没有覆盖这一天的排班" in chinese
    assert english_sentences(chinese) == []
