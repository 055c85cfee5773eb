"""Issue 28, "Exports": a real center's files read as the planner meant them, or refused with
an error naming the file, line, field and value; the same in the CLI and the API.

Each test here failed before the change it comes with.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.calendar import parse_date
from wfm.errors import InvalidInput
from wfm.tables import (
    AGENTS,
    LEAVE,
    LOGIN_EVENTS,
    MAX_COLUMNS,
    read_table,
    read_table_text,
)
from wfm_cli.main import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CSV = {"Content-Type": "text/csv"}
SITE, ROSTER = str(FIXTURES / "site.toml"), str(FIXTURES / "roster_week.csv")
runner = CliRunner()
SHANGHAI_0830 = pd.Timestamp("2026-12-01T08:30:00+08:00")


# ---- one set of date and time forms ---------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "2026-12-01T08:30:00+08",          # PostgreSQL's default text output
    "2026-12-01 08:30:00+08",
    "2026-12-01T08:30:00+0800",
    "2026-12-01T08:30:00+08:00",
    "2026-12-01 08:30:00 +08:00",
    "2026-12-01T00:30:00Z",
    "2026-11-30T19:30:00-05",
    "2026-12-01T08:30:00",             # local time in the site's timezone
    "2026-12-01 8:30",
    "2026/12/01 08:30",
    "2026/12/1 8:30:00",
    "2026.12.01 08:30",
    "20261201T083000",
    "2026-12-01T08:30:00.000+08",
])
def test_read_table_accepts_every_documented_time_form(cell: str) -> None:
    text = f"agent_id,timestamp,state\nA1,{cell},login\nA1,2026-12-01T09:00:00+08:00,logout\n"
    frame = read_table_text(text, LOGIN_EVENTS, timezone="Asia/Shanghai")
    assert frame["timestamp"].iloc[0] == SHANGHAI_0830
    assert str(frame["timestamp"].dt.tz) == "Asia/Shanghai"


@pytest.mark.parametrize("cell", ["2026-12-01", "2026-12-01T08", "01/12/2026 08:30",
                                  "2026-02-30 08:30", "2026-12-01 24:30", "2026-12-01T08:30+25",
                                  "2026-12-01T08:30:00+08:00:00"])
def test_read_table_refuses_other_time_forms_naming_line_field_and_value(cell: str) -> None:
    text = f"agent_id,timestamp,state\nA1,2026-12-01T08:00:00,login\nA1,{cell},logout\n"
    with pytest.raises(InvalidInput) as error:
        read_table_text(text, LOGIN_EVENTS, label="events.csv")
    message = str(error.value)
    assert message.startswith("events.csv, line 3, field 'timestamp': expected an ISO 8601")
    assert repr(cell) in message


@pytest.mark.parametrize("cell", ["2026-12-08", "2026/12/08", "2026/12/8", "2026.12.08",
                                  "20261208"])
def test_read_table_accepts_every_documented_date_form(cell: str) -> None:
    frame = read_table_text(f"agent_id,date\nA1,{cell}\n", LEAVE)
    assert str(frame["date"].iloc[0]) == "2026-12-08"
    assert parse_date(cell, "--start").isoformat() == "2026-12-08"


def test_read_table_refuses_day_first_dates() -> None:
    with pytest.raises(InvalidInput, match=r"line 2, field 'date': expected a date YYYY-MM-DD"):
        read_table_text("agent_id,date\nA1,08/12/2026\n", LEAVE)


def test_cli_reads_hour_only_offsets_and_slashed_flags(tmp_path: Path) -> None:
    """Was: TypeError: Already tz-aware (a traceback, exit 1); --from 2026/11/23 refused."""
    events = tmp_path / "events.csv"
    events.write_text((FIXTURES / "events.csv").read_text(encoding="utf-8")
                      .replace("+08:00", "+08"), encoding="utf-8")
    out = tmp_path / "adherence.csv"
    result = runner.invoke(app, ["adherence", "--config", SITE, "--roster", ROSTER,
                                 "--events", str(events), "--from", "2026/11/23",
                                 "--to", "2026/11/24", "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == str(out)
    dates = set(read_table(out, "adherence")["date"].astype(str))
    assert dates == {"2026-11-23", "2026-11-24"}


def test_cli_forecast_start_takes_a_slashed_date(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(FIXTURES / "history.csv"),
                                 "--start", "2026/11/30", "--weeks", "1", "-o", str(out),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["start"] == "2026-11-30"


def test_cli_bad_time_is_exit_2_naming_file_line_field_and_value(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("agent_id,timestamp,state\nA001,2026-11-23T08:00:00+08,login\n"
                      "A001,2026-11-23 8h30,logout\n", encoding="utf-8")
    result = runner.invoke(app, ["adherence", "--config", SITE, "--roster", ROSTER,
                                 "--events", str(events), "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    assert f"{events}, line 3, field 'timestamp': expected an ISO 8601" in result.output
    assert "'2026-11-23 8h30'" in result.output
    assert "Traceback" not in result.output


AGENTS_TEXT = ("agent_id,name,skills,preferred_rest_days\n"
               "A001,张伟,presales,Sat;Sun\nA002,王芳,aftersales;presales,\n")


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
    ("utf-16", "utf-16")])
def test_read_table_detects_the_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "agents.csv"
    path.write_bytes(AGENTS_TEXT.encode(encoding))
    frame = read_table(path, AGENTS)
    assert list(frame["name"]) == ["张伟", "王芳"]
    assert frame["skills"].iloc[1] == ("aftersales", "presales")
    assert frame.attrs["encoding"] == expected


def test_cli_reads_a_gbk_agents_file_and_says_so(tmp_path: Path) -> None:
    """Was: 'utf-8' codec can't decode byte 0xd5 in position 66 (no line, no hint)."""
    agents = tmp_path / "agents.csv"
    agents.write_bytes((FIXTURES / "agents.csv").read_text(encoding="utf-8").encode("gbk"))
    result = runner.invoke(app, ["check-roster", "--config", SITE, "--roster", ROSTER,
                                 "--agents", str(agents)])
    assert result.exit_code in (0, 1), result.output  # read; rule results are not the point
    assert "codec" not in result.output
    assert f"note: {agents} read as GB18030 (GBK)" in result.stderr


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_bytes(b"agent_id,name,skills\nA1,ok,sales\nA2,\xff\xfe\xff,sales\n")
    with pytest.raises(InvalidInput, match="line 3: the file is neither UTF-8 nor GB18030"):
        read_table(path, AGENTS)


def test_a_million_column_header_is_refused_before_the_body_is_read() -> None:
    """Was: a duplicate-name check quadratic in the header (24.8 s for 20,000 columns)."""
    names = [f"c{i}" for i in range(1_000_000)]
    body = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n"
    with pytest.raises(InvalidInput, match=r"line 1: the header has 1,000,000 columns; a table "
                                           rf"may have at most {MAX_COLUMNS:,}"):
        read_table_text(body, AGENTS)


def test_a_wide_header_with_repeated_names_names_them() -> None:
    names = ["agent_id", "name", "skills"] + [f"c{i}" for i in range(MAX_COLUMNS - 5)] + [" c0"]
    body = ",".join(names) + "\n" + ",".join("x" for _ in names) + "\n"
    with pytest.raises(InvalidInput, match="header repeats column"):
        read_table_text(body, AGENTS)


# ---- configuration times --------------------------------------------------------------------

def test_site_toml_shift_times_take_h_mm(tmp_path: Path) -> None:
    """Was: 'time must be a clock time HH:MM (00:00-23:59), got '8:30''."""
    from wfm.config import load_config

    path = tmp_path / "site.toml"
    path.write_text('[[shifts]]\ncode = "DAY"\nstart = "8:30"\nend = "16:00"\n'
                    '[[shifts]]\ncode = "LATE"\nstart = "16:00"\nend = "24:00"\n',
                    encoding="utf-8")
    day, late = load_config(path).shifts
    assert (day.start, day.start_minute, day.end) == ("08:30", 510, "16:00")
    assert (late.end, late.end_minute) == ("24:00", 1440)
    path.write_text('[[shifts]]\ncode = "DAY"\nstart = "8:3"\nend = "16:00"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="start must be a clock time HH:MM or H:MM"):
        load_config(path)


# ---- separator mistakes ---------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "separator"), [
    ('"presales,aftersales"', ","), ("presales、aftersales", "、"), ("presales，aftersales", "，"),
    ("presales|aftersales", "|"), ("presales/aftersales", "/"), ("presales；aftersales", "；")])
def test_skills_with_another_separator_are_named_as_a_separator_mistake(
        cell: str, separator: str) -> None:
    text = f"agent_id,name,skills\nA1,张伟,presales\nA2,王芳,{cell}\n"
    with pytest.raises(InvalidInput) as error:
        read_table_text(text, AGENTS, label="agents.csv")
    assert str(error.value).startswith(
        f"agents.csv, line 3, field 'skills': skills uses {separator!r}: separate skills with "
        "';' (presales;aftersales)")


def test_rest_days_with_commas_are_named_as_a_separator_mistake() -> None:
    text = 'agent_id,name,skills,preferred_rest_days\nA1,张伟,presales,"Sat,Sun"\n'
    with pytest.raises(InvalidInput, match=r"line 2, field 'preferred_rest_days': "
                                           r"preferred_rest_days uses ',': separate "
                                           r"preferred_rest_days with ';' \(Sat;Sun\)"):
        read_table_text(text, AGENTS)


def test_cli_check_roster_names_the_separator_mistake(tmp_path: Path) -> None:
    """Was: one 'skill' violation per working day of the agent, exit 1."""
    agents = tmp_path / "agents.csv"
    text = (FIXTURES / "agents.csv").read_text(encoding="utf-8")
    agents.write_text(text.replace("A002,徐鑫,aftersales,", 'A002,徐鑫,"aftersales,presales",'),
                      encoding="utf-8")
    result = runner.invoke(app, ["check-roster", "--config", SITE, "--roster", ROSTER,
                                 "--agents", str(agents)])
    assert result.exit_code == 2, result.output
    assert (f"{agents}, line 3, field 'skills': skills uses ',': separate skills with ';' "
            "(aftersales;presales)") in result.output


# ---- fractional contacts --------------------------------------------------------------------

def test_history_contacts_must_be_whole_numbers() -> None:
    """Was: contacts=12.5 read silently. History counts arrivals; a forecast may be 12.5."""
    history = ("interval_start,contacts,aht_seconds\n2026-12-01T08:30:00,12,300\n"
               "2026-12-01T09:00:00,12.5,300\n")
    with pytest.raises(InvalidInput, match=r"history.csv, line 3, field 'contacts': expected a "
                                           r"whole number \(a count of contacts\), got '12.5'"):
        read_table_text(history, "history", label="history.csv")
    whole = read_table_text(history.replace("12.5", "12.0"), "history")
    assert list(whole["contacts"]) == [12.0, 12.0]
    forecast = ("interval_start,queue,contacts,aht_seconds\n"
                "2026-12-01T08:30:00,sales,12.5,300\n")
    assert read_table_text(forecast, "forecast")["contacts"].iloc[0] == 12.5


def test_cli_forecast_refuses_fractional_history(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    lines = (FIXTURES / "history.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].split(",")[0] + ",12.5," + ",".join(lines[5].split(",")[2:])
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["forecast", "--history", str(history), "--start", "2026-11-30",
                                 "-o", str(tmp_path / "f.csv")])
    assert result.exit_code == 2, result.output
    assert f"{history}, line 6, field 'contacts': expected a whole number" in result.output


# ---- rows for unknown agents ----------------------------------------------------------------

def test_check_known_agents_names_the_line_and_the_others() -> None:
    from wfm.validation import check_known_agents

    agents = read_table_text("agent_id,name,skills\nA1,a,s\nA2,b,s\n", AGENTS)
    leave = read_table_text("agent_id,date\nA1,2026-12-08\nA9,2026-12-08\nA8,2026-12-09\n"
                            "A9,2026-12-09\n", LEAVE)
    with pytest.raises(InvalidInput) as error:
        check_known_agents(leave, agents, table="leave table", label="leave.csv")
    assert str(error.value) == (
        "leave.csv, line 3, field 'agent_id': the leave table names agent 'A9', who is not in "
        "the agents table (2 more row(s) for agents not in the agents table: A8, A9)")
    check_known_agents(leave.iloc[:1], agents, table="leave table", label="leave.csv")
    check_known_agents(None, agents, table="fixed table", label="fixed.csv")


@pytest.mark.parametrize(("flag", "header", "row"), [
    ("--leave", "agent_id,date,reason", "Z999,2026-11-24,annual"),
    ("--fixed", "agent_id,date,shift", "Z999,2026-11-24,DAY")])
def test_cli_check_roster_refuses_rows_for_unknown_agents(
        tmp_path: Path, flag: str, header: str, row: str) -> None:
    """Was: leave rows for an unknown agent silently ignored."""
    path = tmp_path / "table.csv"
    path.write_text(f"{header}\nA001,2026-11-23,{row.split(',', 2)[2]}\n{row}\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["check-roster", "--config", SITE, "--roster", ROSTER,
                                 "--agents", str(FIXTURES / "agents.csv"), flag, str(path)])
    assert result.exit_code == 2, result.output
    assert (f"{path}, line 3, field 'agent_id': the {flag[2:]} table names agent 'Z999', who "
            "is not in the agents table") in result.output
