"""``wfm adherence`` says why (issue 24): exceptions from a file, what the data covers, every
agent by gap with names and causes, bad input named by line and value."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from wfm.tables import ADHERENCE, read_table
from wfm_cli.main import app

ROSTER = ("agent_id,date,shift\na1,2026-11-23,DAY\na2,2026-11-23,DAY\na3,2026-11-23,DAY\n"
          "a1,2026-11-24,DAY\n")
AGENTS = "agent_id,name,skills\na1,Ann,sales\na2,Bo,sales;care\na3,Cy,care;sales\n"
# DAY is 08:30-16:00 (450 min). a1 is 30 min late, a2 on time then not ready 30 min, a3 has
# no event at all; a line is repeated and one is out of order
EVENTS = ("agent_id,timestamp,state\n"
          "a1,2026-11-23T09:00:00,login\na1,2026-11-23T16:00:00,logout\n"
          "a2,2026-11-23T08:30:00,login\na2,2026-11-23T12:00:00,not_ready\n"
          "a2,2026-11-23T16:00:00,logout\na2,2026-11-23T12:30:00,ready\n"
          "a2,2026-11-23T12:30:00,ready\n")


def run(tmp_path, *extra: str, events: str = EVENTS):
    for name, text in (("roster.csv", ROSTER), ("agents.csv", AGENTS), ("events.csv", events)):
        (tmp_path / name).write_text(text)
    return CliRunner().invoke(app, [
        "adherence", "--roster", str(tmp_path / "roster.csv"), "--events",
        str(tmp_path / "events.csv"), "--agents", str(tmp_path / "agents.csv"),
        "-o", str(tmp_path / "out.csv"), *extra])


def test_json_lists_agents_by_gap_coverage_and_problems(tmp_path):
    result = run(tmp_path, "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    # the period is the events' own day, 11-23: a1's 11-24 shift is not in it
    assert (str(body["date_from"]), str(body["date_to"])) == ("2026-11-23", "2026-11-23")
    order = [(a["agent_id"], a["name"], a["lost_minutes"]) for a in body["agents_by_gap"]]
    assert order == [("a3", "Cy", 450), ("a1", "Ann", 30), ("a2", "Bo", 30)]  # ties by id
    assert body["agents_by_gap"][2]["lost_by_cause"]["not_ready"] == 30
    coverage = body["coverage"]
    assert coverage["agents_without_events"] == ["a3"] and coverage["shifts_without_events"] == 1
    assert coverage["events_from"] == "2026-11-23T08:30:00+08:00"
    assert body["problems_by_kind"] == {
        "duplicate": 1, "event earlier than an event above it for the same agent": 2}


def test_text_warns_about_agents_without_events(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert ("warning: 1 rostered agent(s) have no events at all (a3): their 1 shift(s) count "
            "as absent") in result.output
    assert "the login data covers 2026-11-23T08:30:00+08:00..2026-11-23T16:00:00+08:00" in (
        result.output)


def test_exceptions_file_excuses_an_agent_and_a_team(tmp_path):
    (tmp_path / "ex.csv").write_text(
        "agent_id,team,start,end,reason,excused_by\n"
        "a1,,2026-11-23 08:00,2026-11-23 08:45,system outage,lead\n"
        ",care;sales,2026-11-23 12:00,2026-11-23 12:10,team meeting,lead\n")
    result = run(tmp_path, "--exceptions", str(tmp_path / "ex.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = read_table(tmp_path / "out.csv", ADHERENCE).set_index("agent_id")
    # a1: 15 of its 30 late minutes excused; a2 (care;sales): 10 of its 30 not ready; a3
    # (sales;care, the same team): 10 of its absence
    assert (rows.loc["a1", "lost_excused_minutes"], rows.loc["a1", "lost_late_start_minutes"],
            rows.loc["a1", "in_adherence_minutes"]) == (15, 15, 435)
    assert (rows.loc["a2", "lost_excused_minutes"], rows.loc["a2", "lost_not_ready_minutes"]) == (
        10, 20)
    assert (rows.loc["a3", "lost_excused_minutes"], rows.loc["a3", "lost_absent_minutes"]) == (
        10, 440)
    body = json.loads(result.stdout)
    assert body["excused_minutes"] == 35
    assert [e["reason"] for e in body["exceptions"]] == ["system outage", "team meeting"]


def test_bad_exception_and_unknown_agent_name_their_line(tmp_path):
    (tmp_path / "ex.csv").write_text("agent_id,team,start,end,reason\n"
                                     "a1,sales,2026-11-23 08:00,2026-11-23 08:45,x\n")
    result = run(tmp_path, "--exceptions", str(tmp_path / "ex.csv"))
    assert result.exit_code == 2
    assert "ex.csv, line 2, field 'agent_id': give agent_id or team" in result.output
    result = run(tmp_path, events=EVENTS + "zz,2026-11-23T09:00:00,login\n")
    assert result.exit_code == 2
    assert "events.csv, line 9, field 'agent_id': unknown agent 'zz'" in result.output
    result = run(tmp_path, events=EVENTS + "a1,09:00,login\n")
    assert result.exit_code == 2
    assert "line 9, field 'timestamp'" in result.output and "'09:00'" in result.output
