"""The demo fixtures and ``wfm demo`` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

from fixtures.generate import FixtureSize, generate
from wfm.config import load_config
from wfm.errors import Infeasible, InvalidInput
from wfm.report import SECTIONS
from wfm.rules import check_roster
from wfm.tables import SPECS, read_table
from wfm_cli.demo import FIXTURE_FILES, FIXTURES_DIR, locate_fixtures, run_demo

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
    start = shown_up["shift"].map({t.code: t.start_minute for t in CONFIG.shifts})
    assert start.notna().all()
    minute = shown_up["timestamp"].dt.hour * 60 + shown_up["timestamp"].dt.minute
    assert ((minute - start) > 2).sum() > 20  # late logins
    assert set(events["state"]) >= {"login", "ready", "talk", "acw", "break", "lunch", "logout"}
    logouts = events[events["state"] == "logout"]["timestamp"]
    assert (logouts.dt.hour * 60 + logouts.dt.minute > 23 * 60 + 32).sum() > 20  # overtime


# ---- staggered meals ------------------------------------------------------------------------

WORKING_STATES = {"login", "ready", "talk", "hold", "acw"}  # working, per DESIGN.md's adherence
MEAL_MINUTES = 30


def _meal_waves(config) -> dict[tuple[int, int], dict[str, int]]:
    """Shift types grouped by their hours: {(start, end minute): {code: meal start minute}}."""
    waves: dict[tuple[int, int], dict[str, int]] = {}
    for template in config.shifts:
        assert len(template.breaks) == 1, f"{template.code}: one fixed meal per shift type"
        (meal_offset, minutes), = template.break_offsets()
        assert minutes == MEAL_MINUTES, template.code
        hours = (template.start_minute, template.start_minute + template.duration_minutes)
        waves.setdefault(hours, {})[template.code] = template.start_minute + meal_offset
    return waves


def test_shift_types_are_staggered_meal_variants():
    waves = _meal_waves(CONFIG)
    day, night = (8 * 60 + 30, 16 * 60), (16 * 60, 23 * 60 + 30)
    assert set(waves) == {day, night}  # still two shift hours, handing over at 16:00
    assert "DAY" in waves[day] and "NIGHT" in waves[night]  # the old codes still read
    for (start, end), meals in waves.items():
        times = sorted(meals.values())
        assert len(times) >= 3 and len(set(times)) == len(times), meals  # staggered
        assert all(m % CONFIG.interval_minutes == 0 for m in times)  # whole intervals
        assert start + 60 <= times[0] and times[-1] + MEAL_MINUTES <= end - 60, meals  # mid-shift
    lunch_dip = 12 * 60 + 30
    assert min(waves[day].values()) <= lunch_dip <= max(waves[day].values())
    assert max(waves[night].values()) + MEAL_MINUTES <= 20 * 60  # eaten before the peak


def test_fixture_roster_spreads_each_shift_over_its_meal_waves():
    week = _read("roster_week.csv", "roster")
    for meals in _meal_waves(CONFIG).values():
        rows = week[week["shift"].isin(list(meals))]
        per_day = pd.crosstab(rows["date"], rows["shift"])
        assert set(per_day.columns) == set(meals)
        share = per_day.div(per_day.sum(axis=1), axis=0)
        assert share.to_numpy().max() < 0.4, per_day  # never most of a shift eating at once


@pytest.fixture(scope="module")
def demo_without_solver(tmp_path_factory):
    """``run_demo`` with the roster step stubbed out: adherence does not need the solver."""
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, planner=_NoRoster())


@pytest.fixture(scope="module")
def demo_adherence(demo_without_solver) -> pd.DataFrame:
    """The adherence rows the demo writes."""
    return read_table(demo_without_solver.files["adherence"], "adherence",
                      timezone=CONFIG.timezone)


def test_demo_counts_agents_below_the_adherence_target(demo_without_solver, demo_adherence):
    scheduled = demo_adherence[demo_adherence["scheduled_minutes"] > 0]
    sums = scheduled.groupby("agent_id")[["in_adherence_minutes", "scheduled_minutes"]].sum()
    per_agent = 100 * sums["in_adherence_minutes"] / sums["scheduled_minutes"]  # ratio of sums
    below = int((per_agent < CONFIG.adherence.target_pct).sum())
    figures = demo_without_solver.figures
    assert figures["agents_measured"] == len(per_agent) == 120
    assert figures["agents_below_adherence_target"] == below
    assert 0 < below < len(per_agent) / 2  # a realistic team: some below target, most above
    team = 100 * sums["in_adherence_minutes"].sum() / sums["scheduled_minutes"].sum()
    assert figures["adherence_pct"] == pytest.approx(team, abs=0.005)
    assert 90 <= team <= 95  # where real contact-center teams land once meals are scheduled
    assert f"{below} of 120 agents below the 92% target" in demo_without_solver.steps[4].detail


def _one_session_days(events: pd.DataFrame) -> dict[tuple[str, date], pd.DataFrame]:
    """Events of each agent and calendar day that form exactly one login ... logout session."""
    local = events.assign(day=events["timestamp"].dt.date)
    days = {}
    for key, group in local.groupby(["agent_id", "day"], sort=False):
        states = group["state"].tolist()
        if (states[0] == "login" and states[-1] == "logout" and states.count("login") == 1
                and states.count("logout") == 1):
            days[key] = group
    return days


def _second_by_second(group: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                      meal: tuple[pd.Timestamp, pd.Timestamp]) -> tuple[int, int]:
    """(working, not working) seconds in ``[start, end)`` outside ``meal``, one second at a time."""
    grid = pd.date_range(start, end, freq="s", inclusive="left")
    grid = grid[(grid < meal[0]) | (grid >= meal[1])]
    at = group["timestamp"].searchsorted(grid, side="right") - 1
    states = np.where(at >= 0, group["state"].to_numpy()[np.maximum(at, 0)], "logout")
    working = int(np.isin(states, list(WORKING_STATES)).sum())
    return working, len(grid) - working


def test_a_meal_taken_at_the_scheduled_break_costs_no_adherence(demo_adherence):
    templates = {t.code: t for t in CONFIG.shifts}
    events = _read("events.csv", "login events").sort_values("timestamp", kind="stable")
    sessions = _one_session_days(events)
    rows = demo_adherence[demo_adherence["shift"].isin(list(templates))]
    on_time = perfect = elsewhere = 0
    for row in rows.itertuples(index=False):
        group = sessions.get((row.agent_id, row.date))
        if group is None:
            continue
        template = templates[row.shift]
        midnight = pd.Timestamp(row.date).tz_localize(CONFIG.timezone)
        start = midnight + pd.Timedelta(minutes=template.start_minute)
        end = start + pd.Timedelta(minutes=template.duration_minutes)
        (offset, minutes), = template.break_offsets()
        meal = (start + pd.Timedelta(minutes=offset),
                start + pd.Timedelta(minutes=offset + minutes))
        lunches = np.flatnonzero(group["state"].to_numpy() == "lunch")
        if len(lunches) != 1:
            continue
        went = group["timestamp"].iloc[lunches[0]]
        back = group["timestamp"].iloc[lunches[0] + 1]
        working, idle = _second_by_second(group, start, end, meal)
        # the scheduled work time is the shift minus its meal; only working seconds there count
        assert row.scheduled_minutes == pytest.approx(template.paid_minutes)
        assert row.in_adherence_minutes == pytest.approx(working / 60, abs=0.01), row
        if meal[0] <= went and back <= meal[1]:  # the meal inside the scheduled break
            on_time += 1
            if idle == 0:  # nothing else missed: a full score despite 30 minutes away
                perfect += 1
                assert row.adherence_pct == pytest.approx(100.0), row
                assert row.episodes == 0
        elif back <= meal[0] or went >= meal[1]:  # eaten at another time: it costs the meal
            elsewhere += 1
            assert (row.scheduled_minutes - row.in_adherence_minutes
                    >= (back - went).total_seconds() / 60 - 0.01), row
    assert on_time > len(rows) / 10 and perfect >= 3 and elsewhere >= 3, (
        on_time, perfect, elsewhere)


def test_missing_fixtures_are_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="demo fixtures not found .* --fixtures"):
        locate_fixtures(tmp_path)


# ---- the demo --------------------------------------------------------------------------------

class _NoRoster:
    def __call__(self, *args, **kwargs):
        raise Infeasible("no roster: agent A001 on 2026-11-23 breaks max_consecutive_days")


def test_a_failing_stage_is_reported_and_the_report_still_built(tmp_path):
    result = run_demo(tmp_path, planner=_NoRoster(), language="en")
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
    # this checkout's code, whatever the installed package points at
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONPATH=str(ROOT))
    completed = subprocess.run(
        [sys.executable, "-m", "wfm_cli", "demo", "--lang", "en", "--out", str(out),
         "--time-limit", "10", "--format", "json"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
        env=env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert summary["ok"] is True
    assert [s["name"] for s in summary["steps"]] == ["forecast", "staff", "roster", "check",
                                                     "adherence", "report"]
    assert "[3/6] roster" in completed.stderr  # progress goes to stderr
    for key in ("service_level_pct", "occupancy_pct", "adherence_pct", "conformance_pct",
                "shortfall_agent_hours", "roster_status", "agents_below_adherence_target"):
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
    _assert_meals_staggered_and_uncovered(roster, read_table(out / "coverage.csv", "coverage",
                                                             timezone=CONFIG.timezone))

    html = (out / "report.html").read_text(encoding="utf-8")
    for key, title in SECTIONS:
        assert f'<section id="{key}"><h2>{title}</h2>' in html
    assert 'class="missing"' not in html
    assert html.count("<svg") >= 6


def _assert_meals_staggered_and_uncovered(roster: pd.DataFrame, coverage: pd.DataFrame) -> None:
    """The solved roster spreads each day's shifts over at least three meal waves, and the
    coverage table leaves every agent out of the interval of their meal (recounted here)."""
    for meals in _meal_waves(CONFIG).values():
        rows = roster[roster["shift"].isin(list(meals))]
        waves_per_day = rows.groupby("date")["shift"].nunique()
        assert len(waves_per_day) == 7 and (waves_per_day >= 3).all(), waves_per_day
    templates = {t.code: t for t in CONFIG.shifts}
    working = roster[roster["shift"].isin(list(templates))]
    local = coverage["interval_start"].dt.tz_localize(None)
    scheduled = coverage.groupby([local.dt.date, local.dt.hour * 60 + local.dt.minute])[
        "scheduled"].sum()
    step = CONFIG.interval_minutes
    for (day, minute), total in scheduled.items():
        on_duty = 0
        for code in working.loc[working["date"] == day, "shift"]:
            template = templates[code]
            (offset, length), = template.break_offsets()
            meal = template.start_minute + offset
            inside = template.start_minute <= minute and minute + step <= (
                template.start_minute + template.duration_minutes)
            on_duty += inside and not (meal < minute + step and minute < meal + length)
        assert total == on_duty, (day, minute)


def test_the_demo_report_in_chinese_words_the_model_choice_notes(demo_without_solver):
    # the demo history backs a model choice whose notes (model-based vs simple, unseen
    # holidays) came out as English sentences in the Chinese report
    import re

    from tests.web.test_zh_pages import english_sentences

    html = (demo_without_solver.out_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert "个起点中有" in html  # the model-based candidate's record, worded in Chinese
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    # names and codes are allowed: the queues, and the model codes (mean(profile, mean_8w))
    body = re.sub(r"\b(aftersales|presales)\b|mean\([^)]*\)|\b(mean|median)_\d+w\b"
                  r"|\b(profile|ets|seasonal_naive)\b", " ", body)
    assert english_sentences(body) == []
