"""``wfm.requests.time_off.check_time_off`` on plain values: no database, hand-worked answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.requests.time_off import REST_DAY, TimeOffVerdict, check_time_off
from wfm.requests.time_off_impact import Part

MONDAY = date(2030, 1, 7)
WEEK = [MONDAY + timedelta(days=k) for k in range(7)]
ROWS = [("A", d, "DAY" if d.weekday() < 5 else "OFF", "voice" if d.weekday() < 5 else "")
        for d in WEEK]
AGENT = {"agent_id": "A", "skills": ("voice",)}


def _check(kind: str, dates: list[date], **kw: Any) -> TimeOffVerdict:
    config = kw.pop("config", build_config({}))
    counts = [(d, s, q, 3) for _, d, s, q in ROWS if s != "OFF"]
    options = {"part": None, "used_millidays": {}, "team_off": {}, **kw}
    return check_time_off(ROWS, AGENT, config, kind=kind, dates=dates, requirement={}, load={},
                          queues=["voice"], window_counts=counts, **options)


def test_a_day_of_leave_takes_the_shift_and_one_day_of_balance() -> None:
    tuesday = WEEK[1]
    verdict = _check("annual", [tuesday])
    assert verdict.ok
    assert verdict.before == [{"agent_id": "A", "date": tuesday, "shift": "DAY",
                               "queue": "voice"}]
    assert verdict.after == [{"agent_id": "A", "date": tuesday, "shift": "LEAVE", "queue": ""}]
    assert verdict.cost_millidays == {2030: 1000}
    # DAY 08:30-16:00 covers 15 half-hour intervals, each with 3 agents before and 2 after
    assert len(verdict.impact) == 15
    assert {(r["scheduled_before"], r["scheduled_after"]) for r in verdict.impact} == {(3, 2)}
    assert verdict.impact[0]["interval_start"] == datetime(2030, 1, 8, 8, 30,
                                                           tzinfo=build_config({}).tz)
    assert verdict.starts_at == datetime(2030, 1, 8, 8, 30, tzinfo=build_config({}).tz)


def test_off_days_cost_nothing_and_the_balance_refuses_what_is_left() -> None:
    verdict = _check("annual", WEEK[3:7], used_millidays={2030: 4000})
    assert verdict.cost_millidays == {2030: 2000}  # Thursday and Friday; the weekend is OFF
    assert [(v.code, v.date) for v in verdict.violations] == [("balance", "2030-01-10")]


def test_team_limit() -> None:
    config = build_config({"time_off": {"max_off_per_team_per_day": 1}})
    verdict = _check("annual", [WEEK[2]], config=config, team_off={WEEK[2]: 1})
    assert [v.code for v in verdict.violations] == ["team_limit"]


def test_part_of_a_shift_keeps_the_row_and_costs_its_share() -> None:
    verdict = _check("annual", [WEEK[0]], part=Part("14:00", "16:00"))
    assert verdict.ok and verdict.after == verdict.before
    assert verdict.cost_millidays == {2030: 267}  # 120 of 450 minutes, rounded up
    assert [r["scheduled_after"] for r in verdict.impact] == [2, 2, 2, 2]
    outside = _check("annual", [WEEK[0]], part=Part("16:00", "17:00"))
    assert [v.code for v in outside.violations] == ["part_outside_shift"]


def test_rest_day_moves_inside_its_week_only() -> None:
    saturday, tuesday = WEEK[5], WEEK[1]
    verdict = _check(REST_DAY, [saturday, tuesday])
    assert verdict.ok and verdict.cost_millidays == {}
    assert [(c["date"], c["shift"]) for c in verdict.after] == [(saturday, "DAY"),
                                                                 (tuesday, "OFF")]
    assert [v.code for v in _check(REST_DAY, [tuesday, WEEK[2]]).violations] == ["not_off"]
    assert [v.code for v in _check(REST_DAY, [saturday, WEEK[6]]).violations] == [
        "not_working"]
    # a working day of the next week: other_week
    rows = [*ROWS, ("A", MONDAY + timedelta(days=7), "DAY", "voice")]
    verdict = check_time_off(rows, AGENT, build_config({}), kind=REST_DAY,
                             dates=[saturday, MONDAY + timedelta(days=7)], requirement={},
                             load={}, queues=["voice"], window_counts=[], used_millidays={},
                             team_off={})
    assert [v.code for v in verdict.violations] == ["other_week"]


def test_requests_that_cannot_be_judged_raise() -> None:
    with pytest.raises(InvalidInput, match="kind must be one of"):
        _check("holiday", [WEEK[0]])
    with pytest.raises(InvalidInput, match="rest_day change needs"):
        _check(REST_DAY, [WEEK[5]])
