"""``wfm adherence`` through the typer app: outputs, exit codes and the problems file."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.tables import ADHERENCE, read_table
from wfm_cli.main import app

ROSTER = "agent_id,date,shift\na1,2026-11-23,DAY\na2,2026-11-23,DAY\n"
EVENTS = ("agent_id,timestamp,state\n"
          "a1,2026-11-23T08:30:00,login\na1,2026-11-23T16:00:00,logout\n"
          "a2,2026-11-23T09:00:00,login\na2,2026-11-23T16:00:00,logout\n")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "events.csv").write_text(EVENTS)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, ["adherence", *args])


def test_writes_the_adherence_table(files):
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    header = out.read_text().splitlines()[0].split(",")
    assert header == ADHERENCE.names
    table = read_table(out, ADHERENCE)   # the output honours its own contract
    a2 = table[table["agent_id"] == "a2"].iloc[0]
    # DAY 08:30-16:00 (450 min); a2 30 min late: 420/450 = 93.33%
    assert (a2["late_start_minutes"], a2["adherence_pct"]) == (30, 93.33)
    assert "team adherence 96.67%" in result.output   # (450 + 420) / 900
    assert "no data problems" in result.output
    # written with just its header: the file beside the output always belongs to this run
    problems = files / "adherence.problems.csv"
    assert problems.read_text().splitlines() == ["file,line,agent_id,problem,action"]
    assert f"{problems} written with just its header" in result.output


def test_json_summary_and_below_target(files):
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(out), "--format", "json", "--grace-minutes", "0")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["adherence_pct"] == 96.67
    assert summary["agents_below_target"] == []
    assert summary["problems"] == 0


def test_problems_are_written_beside_the_output(files):
    (files / "events.csv").write_text(EVENTS + "a2,2026-11-23T16:00:00,logout\n"
                                      "zz,2026-11-23T10:00:00,login\n")
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    problems = pd.read_csv(files / "adherence.problems.csv")
    assert list(problems.columns) == ["file", "line", "agent_id", "problem", "action"]
    assert sorted(problems["line"]) == [6, 7, 7]   # duplicate, unknown agent, open session
    assert "3 data problem(s)" in result.output and "adherence.problems.csv" in result.output


def test_a_clean_run_replaces_the_problems_of_an_earlier_run(files):
    # run 1 has problems, run 2 (same output) has none; the problems file must not keep
    # run 1's rows, in text or JSON mode
    out = files / "adherence.csv"
    problems = files / "adherence.problems.csv"
    clean = files / "events.csv"
    dirty = files / "dirty.csv"
    dirty.write_text(EVENTS + "zz,2026-11-23T10:00:00,login\n")
    for output_format in ("text", "json"):
        first = invoke("--roster", str(files / "roster.csv"), "--events", str(dirty),
                       "-o", str(out), "--format", output_format)
        assert first.exit_code == 0, first.output
        assert len(pd.read_csv(problems)) == 2   # unknown agent zz, open session
        second = invoke("--roster", str(files / "roster.csv"), "--events", str(clean),
                        "-o", str(out), "--format", output_format)
        assert second.exit_code == 0, second.output
        assert pd.read_csv(problems).empty
        assert list(pd.read_csv(problems).columns) == ["file", "line", "agent_id", "problem",
                                                       "action"]
        if output_format == "json":
            summary = json.loads(second.stdout)
            assert (summary["problems"], summary["problems_out"]) == (0, str(problems))
    assert not [p.name for p in files.iterdir() if p.name.endswith(".tmp")]   # atomic writes


def test_sessions_and_period_flags(files):
    (files / "sessions.csv").write_text(
        "agent_id,login_time,logout_time\na1,2026-11-23T08:30:00,2026-11-23T16:00:00\n")
    out = files / "adherence.csv"
    problems = files / "p.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--sessions",
                    str(files / "sessions.csv"), "--from", "2026-11-23", "--to", "2026-11-23",
                    "--problems-out", str(problems), "-o", str(out))
    assert result.exit_code == 0, result.output
    table = read_table(out, ADHERENCE)
    assert list(table["absent"]) == [False, True]
    assert problems.exists()   # asked for explicitly: written even when empty


@pytest.mark.parametrize(("events", "message"), [
    ("agent_id,timestamp,state\na1,yesterday,login\n", "line 2, field 'timestamp'"),
    ("agent_id,timestamp,state\na1,2026-11-23T08:30:00,dancing\n", "line 2, field 'state'"),
    ("agent_id,state\na1,login\n", "missing required column(s) timestamp"),
])
def test_malformed_events_exit_2(files, events, message):
    (files / "events.csv").write_text(events)
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()   # no partial output


def test_events_or_sessions_exactly_one(files):
    result = invoke("--roster", str(files / "roster.csv"), "-o", str(files / "a.csv"))
    assert result.exit_code == 2
    assert "exactly one" in result.output


def test_bad_dates_exit_2(files):
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "--from", "23/11/2026", "-o", str(files / "a.csv"))
    assert result.exit_code == 2
    assert "--from must be a date YYYY-MM-DD" in result.output


def test_summary_keeps_unscheduled_work_out_of_conformance(files):
    # a1 08:30-16:00 (450/450), a2 09:00-16:00 (420/450); zz, on no roster, 10:00-18:00
    # (480 min). Team conformance (450 + 420) / 900 = 96.67%, not (870 + 480) / 900 = 150%.
    (files / "events.csv").write_text(EVENTS + "zz,2026-11-23T10:00:00,login\n"
                                      "zz,2026-11-23T18:00:00,logout\n")
    out = files / "adherence.csv"
    args = ("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
            "-o", str(out))
    text = invoke(*args)
    assert text.exit_code == 0, text.output
    assert "conformance 96.67%" in text.output
    assert "unscheduled work 480.0 min" in text.output
    assert "overtime 0.0 min" in text.output
    summary = json.loads(invoke(*args, "--format", "json").stdout)
    assert (summary["conformance_pct"], summary["working_minutes"]) == (96.67, 870)
    assert (summary["unscheduled_working_minutes"], summary["overtime_minutes"]) == (480, 0)


def test_work_past_the_period_end_is_in_the_problems_file(files):
    # a2 logs in 21:00-02:00, more than 3 h after its DAY shift (ends 16:00): unscheduled
    # work, cut at midnight; the 2 h on 11-24 fall after the period (the roster's one day)
    (files / "events.csv").write_text(
        "agent_id,timestamp,state\na1,2026-11-23T08:30:00,login\n"
        "a1,2026-11-23T16:00:00,logout\na2,2026-11-23T21:00:00,login\n"
        "a2,2026-11-24T02:00:00,logout\n")
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(out), "--to", "2026-11-23")   # by default 11-23..11-24
    assert result.exit_code == 0, result.output
    problems = pd.read_csv(files / "adherence.problems.csv")
    assert list(problems["agent_id"]) == ["a2"]
    assert list(problems["line"]) == [4]
    assert "2026-11-24T00:00:00+08:00..2026-11-24T02:00:00+08:00 (120 min" in \
        problems["problem"].iloc[0]
    assert "1 data problem(s)" in result.output


def test_a_from_date_after_the_rosters_last_day_is_an_empty_period_refused(files):
    out = files / "adherence.csv"
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "--from", "2026-11-30", "-o", str(out))
    assert result.exit_code == 2
    assert "the period 2026-11-30..2026-11-23 is empty: --from 2026-11-30" in result.stderr
    assert not out.exists()


def test_an_output_that_is_an_input_is_refused_and_the_input_kept(files):
    before = (files / "events.csv").read_text()
    result = invoke("--roster", str(files / "roster.csv"), "--events", str(files / "events.csv"),
                    "-o", str(files / "events.csv"))
    assert result.exit_code == 2
    assert "is the same file as the input --events" in result.stderr
    assert (files / "events.csv").read_text() == before


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures"
CAUSE_COLUMNS = [f"lost_{c}_minutes" for c in ("late_start", "early_leave", "absent",
                                               "break_overrun", "not_ready", "other")]


def test_fixture_week_causes_sum_to_the_lost_minutes_and_below_target_has_names(tmp_path):
    """The demo week: in every row the written causes sum, to the cent, to scheduled - in
    adherence; minutes have 2 decimals; agents below target come by gap with names."""
    out = tmp_path / "adherence.csv"
    result = invoke("--roster", str(FIXTURES / "roster_week.csv"),
                    "--events", str(FIXTURES / "events.csv"),
                    "--agents", str(FIXTURES / "agents.csv"),
                    "--config", str(FIXTURES / "site.toml"), "-o", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    table = read_table(out, ADHERENCE)
    cents = (100 * table[CAUSE_COLUMNS]).round().astype(int).sum(axis=1)
    lost = (100 * table["scheduled_minutes"]).round().astype(int) - (
        100 * table["in_adherence_minutes"]).round().astype(int)
    assert (cents == lost).all()
    assert lost.sum() > 0
    for name in ("logged_in_minutes", "overtime_minutes", *CAUSE_COLUMNS):
        assert ((100 * table[name]).round() - 100 * table[name]).abs().max() < 1e-6, name
    assert "464.8666" not in out.read_text() and "464.87" in out.read_text()
    summary = json.loads(result.stdout)
    below = summary["agents_below_target"]
    assert len(below) == 33
    gaps = [b["gap_pct"] for b in below]
    assert gaps == sorted(gaps, reverse=True)
    assert all(b["name"] for b in below)
    assert {b["main_cause"] for b in below} <= {c[5:-8] for c in CAUSE_COLUMNS}
    for b in below:
        assert b["lost_by_cause"][b["main_cause"]] == b["main_cause_minutes"]
        assert sum(b["lost_by_cause"].values()) == pytest.approx(b["lost_minutes"], abs=0.03)
    assert summary["lost_minutes"] == pytest.approx(
        summary["scheduled_minutes"] - summary["in_adherence_minutes"], abs=1e-6)


def test_summary_lists_below_target_by_gap_with_name_and_main_cause(tmp_path):
    (tmp_path / "roster.csv").write_text("agent_id,date,shift\na1,2026-11-23,DAY\n"
                                         "a2,2026-11-23,DAY\na3,2026-11-23,DAY\n")
    # DAY 08:30-16:00 (450): a1 not ready 60 min; a2 in 45 min late; a3 fine
    (tmp_path / "events.csv").write_text(
        "agent_id,timestamp,state\n"
        "a1,2026-11-23T08:30:00,login\na1,2026-11-23T10:00:00,not_ready\n"
        "a1,2026-11-23T11:00:00,ready\na1,2026-11-23T16:00:00,logout\n"
        "a2,2026-11-23T09:15:00,login\na2,2026-11-23T16:00:00,logout\n"
        "a3,2026-11-23T08:30:00,login\na3,2026-11-23T16:00:00,logout\n")
    (tmp_path / "agents.csv").write_text("agent_id,name,skills\na1,王芳,chat\na2,Li Lei,chat\n"
                                         "a3,Zhang Wei,chat\n")
    result = invoke("--roster", str(tmp_path / "roster.csv"),
                    "--events", str(tmp_path / "events.csv"),
                    "--agents", str(tmp_path / "agents.csv"), "-o", str(tmp_path / "a.csv"))
    assert result.exit_code == 0, result.output
    # a1 390/450 = 86.67% (gap 5.33), a2 405/450 = 90.00% (gap 2.00)
    assert ("2 agent(s) below target, largest gap first:\n"
            "  a1 王芳: 86.67% (5.33 below), mostly not ready 60.00 of 60.00 min lost\n"
            "  a2 Li Lei: 90.00% (2.00 below), mostly late start 45.00 of 45.00 min lost\n"
            ) in result.output
    assert "lost 105.00 min: late start 45.00, not ready 60.00" in result.output
