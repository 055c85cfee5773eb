"""The what-if page: scenarios side by side over the stored requirement, in both languages,
the same figures as the API, a bad value named, planners only."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.test_zh_pages import english_sentences, zh

QUERY = "/planner/scenarios?from=2026-11-23&to=2026-11-23&service_level=0.8,0.9&shrinkage=0.3"


def cells(html: str, figure: str) -> list[str]:
    row = re.search(rf'<tr id="figure-{figure}">(.*?)</tr>', html, re.S)
    assert row is not None, figure
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def test_scenarios_page_compares_side_by_side(planner: TestClient,
                                              token_of: Callable[..., str]) -> None:
    html = planner.get(QUERY).text
    assert 'id="scenario-table"' in html
    fte = cells(html, "fte")
    assert len(fte) == 2  # one column per scenario
    api = TestClient(planner.app)
    answer = api.post("/api/v1/scenarios",
                      headers={"Authorization": f"Bearer {token_of('planner')}"},
                      json={"from": "2026-11-23", "to": "2026-11-23",
                            "grid": {"service_level": [0.8, 0.9], "shrinkage": 0.3}}).json()
    assert fte == [f"{row['fte']:,.2f}" for row in answer["data"]]
    zh_html = zh(planner).get(QUERY).text
    assert '<html lang="zh-CN"' in zh_html and "全职人力" in zh_html
    assert english_sentences(zh_html) == []


def test_scenarios_page_names_a_bad_value(planner: TestClient) -> None:
    html = planner.get("/planner/scenarios?shrinkage=0.3,1.5").text
    assert 'id="scenario-error"' in html and "shrinkage" in html


def test_scenarios_page_is_for_planners(client_for: Callable[[str], TestClient],
                                        token_of: Callable[..., str]) -> None:
    agent = client_for(token_of("agent", "A001"))
    assert agent.get("/planner/scenarios").status_code == 403
