"""Accepted offers in coverage (issue 25): an overtime extension or a VTO early end keeps the
roster row's shift code, so coverage reads the roster as worked (``Store.worked_roster_frame``,
the one path behind the coverage page and the time-off impact) and counts the accepted hours.

The site is ``factories``' (Tuesday 2030-01-08: A1, A2, A6, A7 on DAY 08:30-16:00 in sales, A3
on NIGHT 16:00-23:30), as in ``test_offers_intraday``.
"""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from api.web.charts import coverage_frame
from tests.api.factories import Site, set_now
from tests.api.test_offers import SHANGHAI, TUESDAY, accept
from tests.web.conftest import sign_in

RUSH = ["16:00", "16:30", "17:00", "17:30"]
LATE = ["22:00", "22:30", "23:00"]


def scheduled(site: Site) -> dict[str, int]:
    """Tuesday's sales head count per local clock time, as the coverage page counts it."""
    table = coverage_frame(site.store, TUESDAY, TUESDAY)
    sales = table[table["queue"] == "sales"]
    return {f"{t:%H:%M}": int(n) for t, n in zip(sales["interval_start"], sales["scheduled"],
                                                 strict=True)}


def page_scheduled(site: Site) -> dict[str, int]:
    """The coverage page's table (interval, required, scheduled, shortfall) for Tuesday."""
    browser = TestClient(site.client.app)
    sign_in(browser, site.planner["Authorization"].removeprefix("Bearer "))
    html = browser.get("/planner/coverage", params={"day": TUESDAY.isoformat(),
                                                    "queue": "sales"}).text
    rows = re.findall(r"<td>(\d\d:\d\d)</td><td>\d+</td><td>(\d+)</td>", html)
    assert rows, html
    return {clock: int(n) for clock, n in rows}


def offer(site: Site, kind: str, start: str, end: str) -> int:
    made = site.client.post("/api/v1/offers", headers=site.planner, json={
        "kind": kind, "date": TUESDAY.isoformat(), "start": start, "end": end,
        "queues": ["sales"], "agents_needed": 1})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_an_extension_adds_one_agent_and_an_early_end_removes_one(site: Site) -> None:
    set_now(site, datetime(2030, 1, 8, 6, 0, tzinfo=SHANGHAI))
    before = scheduled(site)
    # by hand: A3 alone 16:00-18:00 (DAY ends 16:00), A3 alone 22:00-23:30
    assert [before[c] for c in RUSH] == [1, 1, 1, 1]
    assert [before[c] for c in LATE] == [1, 1, 1]
    taken = accept(site, "A1", offer(site, "overtime", "16:00", "18:00"))
    assert (taken.status_code, taken.json()["change"]) == (200, "extend_after"), taken.text
    vto = accept(site, "A3", offer(site, "vto", "22:00", "23:30"))
    assert (vto.status_code, vto.json()["change"]) == (200, "end_early"), vto.text
    after = scheduled(site)
    assert [after[c] for c in RUSH] == [2, 2, 2, 2]  # A3 and A1 working on
    assert [after[c] for c in LATE] == [0, 0, 0]  # A3 went home at 22:00
    changed = set(RUSH) | set(LATE)
    assert {c: n for c, n in after.items() if c not in changed} == {
        c: n for c, n in before.items() if c not in changed}
    shown = page_scheduled(site)
    assert {c: shown[c] for c in (*RUSH, *LATE, "15:30", "21:30")} == {
        c: after[c] for c in (*RUSH, *LATE, "15:30", "21:30")}


def time_off(site: Site, agent: str) -> dict[str, dict[str, int]]:
    """A day off on Tuesday asked by ``agent``: its impact rows by local clock time."""
    answer = site.client.post("/api/v1/time-off", headers=site.agents[agent], json={
        "kind": "annual", "dates": [TUESDAY.isoformat()], "reason": "test"})
    assert answer.status_code == 201, answer.text
    return {r["interval_start"][11:16]: {k: r[k] for k in ("scheduled_before", "scheduled_after")}
            for r in answer.json()["impact"] if r["queue"] == "sales"}


def test_the_time_off_impact_counts_the_accepted_hours(site: Site) -> None:
    """A1 works on 16:00-18:00 and A3 (NIGHT 16:00-23:30) goes home at 22:00. A3's day off
    then leaves A1 alone at 16:00-17:30 (2 -> 1) and touches nothing from 22:00; A1's day off
    takes its extension with it (2 -> 1 at 16:00-17:30) besides its DAY hours (4 -> 3)."""
    assert accept(site, "A1", offer(site, "overtime", "16:00", "18:00")).status_code == 200
    assert accept(site, "A3", offer(site, "vto", "22:00", "23:30")).status_code == 200
    night = time_off(site, "A3")
    assert [night[c] for c in RUSH] == [{"scheduled_before": 2, "scheduled_after": 1}] * 4
    assert not set(night) & set(LATE)  # A3 no longer works there: no change to show
    assert {(v["scheduled_before"], v["scheduled_after"]) for c, v in night.items()
            if c >= "18:00"} == {(1, 0)}
    day = time_off(site, "A1")
    assert [day[c] for c in RUSH] == [{"scheduled_before": 2, "scheduled_after": 1}] * 4
    assert {(v["scheduled_before"], v["scheduled_after"]) for c, v in day.items()
            if c < "16:00"} == {(4, 3)}
    assert max(day) == "17:30" and min(day) == "08:30"
