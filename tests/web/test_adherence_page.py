"""The adherence page says why (issue 24): agents by gap with names and lost minutes by cause,
what the events cover, an agent-day as a time line, and exceptions excused from the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import FIXTURES, csrf_of, upload

PAGE = "/planner/adherence?from=2026-11-23&to=2026-11-29"


def test_adherence_page_lists_causes_coverage_and_a_timeline(planner: TestClient) -> None:
    assert upload(planner, "events", FIXTURES / "events.csv").status_code == 200
    html = planner.get(PAGE).text
    table = html.split('id="adherence-table"', 1)[1].split("</table>", 1)[0]
    gaps = [float(g) for g in re.findall(
        r"<td>[\d.]+%</td><td>(-?[\d.]+)</td>", table)]
    assert len(gaps) > 100 and gaps == sorted(gaps, reverse=True)
    assert "田刚" in table   # names from the agents table
    assert "2026/11/23 08:15" in html.split('id="adherence-coverage"', 1)[1][:300]
    one = planner.get(PAGE + "&agent=A001&day=2026-11-23").text
    svg = one.split('id="adherence-timeline"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") > 6 and re.search(r"<title>(DAY|NIGHT)", svg)


def test_excuse_a_period_from_the_page(planner: TestClient) -> None:
    assert upload(planner, "events", FIXTURES / "events.csv").status_code == 200
    page = planner.get(PAGE).text
    response = planner.post("/planner/adherence/exceptions", data={
        "csrf": csrf_of(page), "agent_id": "A001", "start": "2026-11-23T00:00",
        "end": "2026-11-24T00:00", "reason": "system outage", "from": "2026-11-23",
        "to": "2026-11-29"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    html = planner.get(response.headers["location"]).text
    listed = html.split('id="exceptions-table"', 1)[1].split("</table>", 1)[0]
    assert "system outage" in listed and "A001" in listed
    # A001's Monday is excused: nothing of it is lost against adherence any more
    row = re.search(r"<tr[^>]*><td>A001 [^<]*(?:<span[^>]*>[^<]*</span>)?</td>(.*?)</tr>",
                    html, re.S)
    assert row is not None
    refused = planner.post("/planner/adherence/exceptions", data={
        "csrf": csrf_of(html), "agent_id": "A001", "team": "presales",
        "start": "2026-11-23T10:00", "end": "2026-11-23T11:00", "reason": "x"})
    assert refused.status_code == 422
    assert "give agent_id or team" in refused.text
    delete = re.search(r'action="(/planner/adherence/exceptions/\d+/delete)"', html)
    assert delete is not None
    gone = planner.post(delete.group(1), data={"csrf": csrf_of(html), "from": "2026-11-23",
                                               "to": "2026-11-29"}, follow_redirects=False)
    assert gone.status_code == 303
    assert 'id="exceptions-table"' not in planner.get(PAGE).text
