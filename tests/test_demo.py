"""The demo fixtures and ``wfm demo`` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import holidays
import pandas as pd
import pytest

from fixtures.generate import FixtureSize, generate
from wfm.config import load_config
from wfm.demo import FIXTURE_FILES, FIXTURES_DIR, locate_fixtures, run_demo
from wfm.errors import Infeasible, InvalidInput
from wfm.report import SECTIONS
from wfm.rules import check_roster
from wfm.tables import SPECS, read_table

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(FIXTURES_DIR / "site.toml")


def _read(name: str, spec: str) -> pd.DataFrame:
    return read_table(FIXTURES_DIR / name, spec, timezone=CONFIG.timezone)


# ---- fixtures --------------------------------------------------------------------------------

def test_committed_fixtures_equal_a_fresh_generation(tmp_path):
    generate(tmp_path, FixtureSize.SMALL)
    for name in FIXTURE_FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURES_DIR / name).read_bytes(), (
            f"fixtures/{name} differs from `python -m fixtures.generate`; regenerate and commit")


def test_fixtures_stay_small():
    total = sum((FIXTURES_DIR / name).stat().st_size for name in FIXTURE_FILES)
    assert total < 3_000_000


def test_history_shape_calendar_promotion_and_gaps():
    history = _read("history.csv", "history")
    local = history["interval_start"].dt.tz_localize(None)
    days = sorted(set(local.dt.date))
    assert sorted(history["queue"].unique()) == ["aftersales", "presales"]
    assert (days[0], days[-1]) == (date(2026, 8, 3), date(2026, 11, 22))  # 16 weeks, Mon-Sun
    assert len(days) == 16 * 7
    clock = local.dt.time
    assert clock.min() == time(8, 30) and clock.max() == time(23, 0)  # open 08:30-23:30
    # gaps are missing rows, never zeros standing in for them
    full_grid = 16 * 7 * 30 * 2
    assert 30 < full_grid - len(history) < 120
    daily = history.assign(day=local.dt.date).pivot_table(
        index="day", columns="queue", values="contacts", aggfunc="sum")
    calendar = holidays.country_holidays("CN", years=2026)
    national_day, swapped_saturday = date(2026, 10, 1), date(2026, 10, 10)
    assert national_day in calendar and swapped_saturday in calendar.weekend_workdays
    week_before = date(2026, 9, 24)  # the Thursday a week earlier
    assert daily.loc[national_day, "aftersales"] < 0.8 * daily.loc[week_before, "aftersales"]
    # the 11-11 promotion is the busiest pre-sales day by far
    assert daily["presales"].idxmax() == date(2026, 11, 11)
    assert daily.loc[date(2026, 11, 11), "presales"] > 2 * daily["presales"].median()
    # the evening peak (20:00-22:00) is the busiest time for pre-sales on ordinary days
    presales = history[history["queue"] == "presales"]
    by_hour = presales.groupby(presales["interval_start"].dt.hour)["contacts"].mean()
    assert by_hour.idxmax() in (20, 21)


def test_agents_leave_and_rosters_follow_the_rules():
    agents = _read("agents.csv", "agents")
    assert len(agents) == 120 and agents["agent_id"].is_unique
    assert any(len(skills) == 2 for skills in agents["skills"])
    assert agents["name"].str.contains(r"[\u4e00-\u9fff]").all()  # Chinese names, UTF-8
    leave = _read("leave.csv", "leave")
    previous = _read("previous_roster.csv", "roster")
    week = _read("roster_week.csv", "roster")
    assert check_roster(previous, agents, CONFIG) == []
    assert check_roster(week, agents, CONFIG, previous=previous, leave=leave) == []
    on_leave = week.merge(leave, on=["agent_id", "date"])
    assert len(on_leave) == len(leave) and (on_leave["shift"] == "LEAVE").all()


def test_events_show_realistic_behaviour():
    events = _read("events.csv", "login events")
    week = _read("roster_week.csv", "roster")
    working = week[~week["shift"].isin(["OFF", "LEAVE"])]
    logins = events[events["state"] == "login"].assign(
        date=lambda f: f["timestamp"].dt.date)
    shown_up = logins.merge(working, on=["agent_id", "date"])
    assert 0.95 * len(working) < len(shown_up) < len(working)  # a few absences
    start = shown_up["shift"].map({"DAY": 8 * 60 + 30, "NIGHT": 16 * 60})
    minute = shown_up["timestamp"].dt.hour * 60 + shown_up["timestamp"].dt.minute
    assert ((minute - start) > 2).sum() > 20  # late logins
    assert set(events["state"]) >= {"login", "ready", "talk", "acw", "break", "lunch", "logout"}
    logouts = events[events["state"] == "logout"]["timestamp"]
    assert (logouts.dt.hour * 60 + logouts.dt.minute > 23 * 60 + 32).sum() > 20  # overtime


def test_missing_fixtures_are_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="demo fixtures not found .* --fixtures"):
        locate_fixtures(tmp_path)


# ---- the demo --------------------------------------------------------------------------------

class _NoRoster:
    def __call__(self, *args, **kwargs):
        raise Infeasible("no roster: agent A001 on 2026-11-23 breaks max_consecutive_days")


def test_a_failing_stage_is_reported_and_the_report_still_built(tmp_path):
    result = run_demo(tmp_path, planner=_NoRoster())
    status = {step.name: step.status for step in result.steps}
    assert status == {"forecast": "done", "staff": "done", "roster": "failed",
                      "check": "skipped", "adherence": "done", "report": "done"}
    assert not result.ok
    assert "A001" in result.steps[2].detail
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Not available: give a roster" in html
    assert not (tmp_path / "roster.csv").exists()


def _solver_available() -> bool:
    try:
        from solvers.roster import plan_roster  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _solver_available(), reason="solvers.roster.plan_roster not built yet")
def test_wfm_demo_end_to_end_from_another_directory(tmp_path):
    out = tmp_path / "demo"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    completed = subprocess.run(
        [sys.executable, "-m", "wfm.cli", "demo", "--out", str(out), "--time-limit", "10",
         "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert summary["ok"] is True
    assert [s["name"] for s in summary["steps"]] == ["forecast", "staff", "roster", "check",
                                                     "adherence", "report"]
    assert "[3/6] roster" in completed.stderr  # progress goes to stderr
    for key in ("service_level_pct", "occupancy_pct", "adherence_pct", "conformance_pct",
                "shortfall_agent_hours", "roster_status"):
        assert summary[key] is not None, key

    # every CSV has the contract's columns and reads back through the validating reader
    for name, spec in (("forecast", "forecast"), ("requirement", "requirement"),
                       ("roster", "roster"), ("coverage", "coverage"),
                       ("adherence", "adherence")):
        table = read_table(out / f"{name}.csv", spec, timezone=CONFIG.timezone)
        assert set(SPECS[spec].required) <= set(table.columns), name
        assert len(table) > 0, name
    roster = read_table(out / "roster.csv", "roster", timezone=CONFIG.timezone)
    assert sorted(set(roster["date"])) == [date(2026, 11, 23 + i) for i in range(7)]

    # the solved roster passes the independent checker
    agents = _read("agents.csv", "agents")
    violations = check_roster(roster, agents, CONFIG, previous=_read("previous_roster.csv",
                                                                     "roster"),
                              leave=_read("leave.csv", "leave"),
                              requirement_queues=["aftersales", "presales"])
    assert violations == []
    assert pd.read_csv(out / "violations.csv").empty

    html = (out / "report.html").read_text(encoding="utf-8")
    for key, title in SECTIONS:
        assert f'<section id="{key}"><h2>{title}</h2>' in html
    assert 'class="missing"' not in html
    assert html.count("<svg") >= 6
