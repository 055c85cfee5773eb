"""``wfm.kpi``: the actuals contract and every KPI against hand-worked examples.

The figures below are worked out by hand in the comments (ratios of sums), not taken from the
code under test.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.kpi import ACTUALS, KPI_COLUMNS, compute_kpis, read_actuals, write_kpi_table
from wfm.tables import FORECAST, LOGIN_EVENTS, ROSTER, read_table
from wfm_cli.main import app

HEADER = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
          "handle_seconds,acw_seconds,wait_seconds,staffed_seconds\n")
# tel (phone): 10:00 offered 100, answered 90 (AHT 240 + ACW 40, wait 20 s), 10 abandoned,
# 72 within target, 16 agents staffed (28,800 s); 10:30 offered 50, all answered (200 + 30,
# wait 5 s), 48 within target, 10 agents (18,000 s).
# web (chat, 3 at once): 10:00 offered 30, answered 30 (600 s each, no ACW, wait 10 s),
# 27 within target, 4 agents (7,200 s).
ACTUALS_TEXT = HEADER + (
    "2026-11-23T10:00:00,tel,100,90,10,72,21600,3600,1800,28800\n"
    "2026-11-23T10:30:00,tel,50,50,0,48,10000,1500,250,18000\n"
    "2026-11-23T10:00:00,web,30,30,0,27,18000,0,300,7200\n")
CONFIG = {"service": {"level": 0.8, "max_occupancy": 0.85, "asa_target_seconds": 15,
                      "max_abandon": 0.05, "aht_target_seconds": 300},
          "queues": {"web": {"channel": "chat", "max_concurrency": 3}},
          "shifts": [{"code": "D", "start": "09:00", "end": "11:00"}]}


def actuals(text: str = ACTUALS_TEXT) -> pd.DataFrame:
    return read_actuals(io.StringIO(text), label="actuals.csv")


def figure(table: pd.DataFrame, kpi: str, *, level: str, queue: str = "", agent_id: str = "",
           date: str | None = None, interval: str | None = None) -> pd.Series:
    rows = table[(table["level"] == level) & (table["kpi"] == kpi) & (table["queue"] == queue)
                 & (table["agent_id"] == agent_id)]
    if date is not None:
        rows = rows[rows["date"] == date]
    if interval is not None:
        rows = rows[rows["interval_start"] == pd.Timestamp(interval, tz="Asia/Shanghai")]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def report():
    return compute_kpis(actuals(), build_config(CONFIG))


# ---- the actuals contract -------------------------------------------------------------------

def test_actuals_contract_columns() -> None:
    assert ACTUALS.required == ["interval_start", "queue", "offered", "answered", "abandoned",
                                "answered_within_target", "handle_seconds", "acw_seconds",
                                "wait_seconds"]
    assert ACTUALS.names[-1] == "staffed_seconds"


@pytest.mark.parametrize(("text", "message"), [
    (HEADER.replace(",wait_seconds", "") + "2026-11-23T10:00:00,tel,1,1,0,1,1,1,1\n",
     "actuals.csv, line 1: missing required column(s) wait_seconds"),
    (HEADER + "2026-11-23T10:00:00,tel,1,1,0,1,1,1,1,1\n2026-11-23T10:30:00,tel,x,1,0,1,1,1,1,1\n",
     "actuals.csv, line 3, field 'offered': expected a number (int), got 'x'"),
    (HEADER + "2026-11-23T10:00:00,tel,1.5,1,0,1,1,1,1,1\n",
     "actuals.csv, line 2, field 'offered': expected a whole number, got '1.5'"),
    (HEADER + "2026-11-23T10:00:00,tel,5,4,0,4,-1,1,1,1\n",
     "actuals.csv, line 2, field 'handle_seconds': must be >= 0, got '-1'"),
    (HEADER + "2026-11-23T10:00:00,tel,5,4,0,5,1,1,1,1\n",
     "actuals.csv, line 2, field 'answered_within_target': answered_within_target must be <= "
     "answered, got offered=5, answered=4, abandoned=0, answered_within_target=5"),
    (HEADER + "2026-11-23T10:00:00,tel,5,4,0,4,1,1,1,1\n2026-11-23T10:30:00,tel,5,4,2,4,1,1,1,1\n",
     "actuals.csv, line 3, field 'answered': answered + abandoned must be <= offered"),
    (HEADER + "2026-11-23T10:00:00,tel,5,4,0,4,1,1,1,1\n2026-11-23T10:00:00,tel,5,4,0,4,1,1,1,1\n",
     "actuals.csv, line 3: duplicate rows for interval_start=2026-11-23 10:00:00+08:00, "
     "queue=tel"),
    (HEADER + "2026-11-23T10:00:00,tel,5,4,0,4,,1,1,1\n",
     "actuals.csv, line 2, field 'handle_seconds': a value is required"),
])
def test_actuals_errors_name_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        actuals(text)
    assert str(error.value).startswith(message)


def test_actuals_off_the_interval_grid_is_refused() -> None:
    text = HEADER + "2026-11-23T10:10:00,tel,5,4,0,4,1,1,1,1\n"
    with pytest.raises(InvalidInput, match=r"line 2, field 'interval_start': interval .* is not "
                       "on the 30-minute grid"):
        compute_kpis(actuals(text), build_config(CONFIG))


# ---- queue figures, hand-worked ----------------------------------------------------------

def test_interval_figures(report) -> None:
    t = report.table
    at = {"level": "interval", "queue": "tel", "interval": "2026-11-23T10:00:00"}
    assert figure(t, "service_level_pct", **at)[["value", "target", "met"]].tolist() == [
        72.0, 80.0, False]  # 72 / 100
    assert figure(t, "asa_seconds", **at)[["value", "met"]].tolist() == [20.0, False]  # 1800/90
    assert figure(t, "abandon_rate_pct", **at)[["value", "target", "met"]].tolist() == [
        10.0, 5.0, False]  # 10 / 100
    assert figure(t, "occupancy_pct", **at)[["value", "met"]].tolist() == [87.5, False]
    # (21600 + 3600) / 28800
    assert figure(t, "aht_seconds", **at)[["value", "met"]].tolist() == [280.0, True]
    assert figure(t, "acw_seconds", **at)[["value", "target", "met"]].tolist() == [
        40.0, 60.0, True]  # 3600 / 90, against the default 60 s
    row = figure(t, "contacts_per_agent_hour", **at)  # 90 / (28800 / 3600) = 11.25
    assert row["value"] == 11.25 and pd.isna(row["target"]) and pd.isna(row["met"])
    assert row[["numerator", "denominator"]].tolist() == [90.0, 28800.0]


def test_day_figures_are_ratios_of_sums(report) -> None:
    t = report.table
    at = {"level": "day", "queue": "tel", "date": "2026-11-23"}
    # (72 + 48) / 150 = 80 % exactly: meets 80 % (the mean of 72 % and 96 % would say 84 %)
    assert figure(t, "service_level_pct", **at)[["value", "met"]].tolist() == [80.0, True]
    assert figure(t, "asa_seconds", **at)["value"] == 14.64  # 2050 / 140
    assert figure(t, "abandon_rate_pct", **at)["value"] == 6.67  # 10 / 150
    assert figure(t, "occupancy_pct", **at)[["value", "met"]].tolist() == [78.42, True]
    # 36700 / 46800
    assert figure(t, "aht_seconds", **at)["value"] == 262.14  # 36700 / 140
    assert figure(t, "acw_seconds", **at)["value"] == 36.43  # 5100 / 140
    assert figure(t, "contacts_per_agent_hour", **at)["value"] == 10.77  # 140 / 13 h


def test_chat_occupancy_counts_every_slot(report) -> None:
    t = report.table
    # 18000 chat-seconds / (7200 staffed seconds × 3 slots) = 83.33 %; 30 chats / 2 h = 15
    assert figure(t, "occupancy_pct", level="period", queue="web")["value"] == 83.33
    assert figure(t, "contacts_per_agent_hour", level="period", queue="web")["value"] == 15.0
    assert figure(t, "service_level_pct", level="period", queue="web")["value"] == 90.0
    assert report.summary["chat_queues"] == ["web"]


def test_levels_and_columns(report) -> None:
    assert list(report.table.columns) == KPI_COLUMNS
    assert set(report.table["level"]) == {"interval", "day", "period"}
    only = compute_kpis(actuals(), build_config(CONFIG), levels=("period",))
    assert set(only.table["level"]) == {"period"}
    with pytest.raises(InvalidInput, match="unknown KPI level"):
        compute_kpis(actuals(), build_config(CONFIG), levels=("week",))


def test_zero_denominators_leave_no_row() -> None:
    text = HEADER + "2026-11-23T10:00:00,tel,0,0,0,0,0,0,0,1800\n"
    table = compute_kpis(actuals(text), build_config(CONFIG)).table
    assert set(table["kpi"]) == {"occupancy_pct", "contacts_per_agent_hour"}  # only staffed
    assert (table["value"] == 0).all()


def test_without_staffed_time_occupancy_is_not_computed() -> None:
    text = ACTUALS_TEXT.replace(",staffed_seconds", "").replace(",28800\n", "\n").replace(
        ",18000\n", "\n").replace(",7200\n", "\n")
    result = compute_kpis(actuals(text), build_config(CONFIG))
    assert "occupancy_pct" not in set(result.table["kpi"])
    assert any("occupancy_pct" in note for note in result.summary["not_computed"])


def test_forecast_error_of_the_day() -> None:
    forecast = read_table(io.StringIO(
        "interval_start,queue,contacts,aht_seconds\n2026-11-23T10:00:00,tel,110,250\n"
        "2026-11-23T10:30:00,tel,55,250\n2026-11-23T10:00:00,web,24,600\n"), FORECAST)
    table = compute_kpis(actuals(), build_config(CONFIG), forecast=forecast).table
    tel = figure(table, "forecast_error_pct", level="day", queue="tel", date="2026-11-23")
    assert tel[["value", "target", "met"]].tolist() == [10.0, 10.0, True]  # (165-150)/150
    web = figure(table, "forecast_error_pct", level="day", queue="web", date="2026-11-23")
    assert web[["value", "met"]].tolist() == [-20.0, False]  # (24 - 30) / 30


# ---- attendance and adherence, hand-worked ---------------------------------------------------

ROSTER_TEXT = ("agent_id,date,shift,queue\na,2026-11-23,D,tel\na,2026-11-24,D,tel\n"
               "b,2026-11-23,D,tel\nb,2026-11-24,OFF,\n")
# a works day 1 in full and is absent on day 2; b starts 30 minutes late on day 1.
EVENTS_TEXT = ("agent_id,timestamp,state\na,2026-11-23T09:00:00,login\n"
               "a,2026-11-23T11:00:00,logout\nb,2026-11-23T09:30:00,login\n"
               "b,2026-11-23T11:00:00,logout\n")


def people(**extra):
    roster = read_table(io.StringIO(ROSTER_TEXT), ROSTER)
    events = read_table(io.StringIO(EVENTS_TEXT), LOGIN_EVENTS)
    text = ACTUALS_TEXT.replace(",staffed_seconds", "").replace(",28800\n", "\n").replace(
        ",18000\n", "\n").replace(",7200\n", "\n")
    text += "2026-11-24T10:00:00,tel,10,10,0,10,2000,100,10\n"
    return compute_kpis(actuals(text), build_config(CONFIG), roster=roster, events=events,
                        **extra)


def test_attendance_and_adherence_per_agent_and_team() -> None:
    t = people().table
    # attendance: a worked 1 of 2 scheduled shifts, b 1 of 1; team 2 of 3
    assert figure(t, "attendance_pct", level="period", agent_id="a")["value"] == 50.0
    assert figure(t, "attendance_pct", level="period", agent_id="b")[["value", "met"]].tolist() \
        == [100.0, True]
    assert figure(t, "attendance_pct", level="period")[["value", "target", "met"]].tolist() == [
        66.67, 95.0, False]
    # adherence: a (120 + 0) / 240 min, b 90 / 120 min, team 210 / 360 min
    assert figure(t, "adherence_pct", level="period", agent_id="a")["value"] == 50.0
    assert figure(t, "adherence_pct", level="period", agent_id="b")["value"] == 75.0
    assert figure(t, "adherence_pct", level="period")[["value", "met"]].tolist() == [58.33, False]
    assert figure(t, "adherence_pct", level="day", date="2026-11-24")["value"] == 0.0


def test_staffed_time_from_login_data_follows_the_roster_queue() -> None:
    t = people().table
    # 10:00-10:30 on day 1: a and b both working for tel, 2 × 1800 s; day 2: nobody
    row = figure(t, "contacts_per_agent_hour", level="interval", queue="tel",
                 interval="2026-11-23T10:00:00")
    assert row["denominator"] == 3600.0 and row["value"] == 90.0  # 90 answered in 1 h
    assert figure(t, "occupancy_pct", level="interval", queue="tel",
                  interval="2026-11-23T10:30:00")["denominator"] == 3600.0
    assert t[(t["kpi"] == "occupancy_pct") & (t["date"] == "2026-11-24")].empty


def test_login_data_needs_a_roster() -> None:
    events = read_table(io.StringIO(EVENTS_TEXT), LOGIN_EVENTS)
    with pytest.raises(InvalidInput, match="need the roster"):
        compute_kpis(actuals(), build_config(CONFIG), events=events)


# ---- output and the command --------------------------------------------------------------

def test_write_kpi_table_round_trips(tmp_path: Path, report) -> None:
    path = tmp_path / "kpi.csv"
    write_kpi_table(report.table, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == KPI_COLUMNS and len(back) == len(report.table)
    first = back[(back["level"] == "interval") & (back["kpi"] == "service_level_pct")].iloc[0]
    assert first["interval_start"] == "2026-11-23T10:00:00+08:00" and first["met"] == "false"
    assert set(back.loc[back["level"] != "interval", "interval_start"]) == {""}
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file is gone


def test_cli_kpi_json_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "actuals.csv").write_text(ACTUALS_TEXT)
    (tmp_path / "site.toml").write_text(
        '[service]\nlevel = 0.8\nasa_target_seconds = 15\n[queues.web]\nchannel = "chat"\n')
    out = tmp_path / "kpi.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["kpi", "--actuals", str(tmp_path / "actuals.csv"), "-o",
                                 str(out), "--config", str(tmp_path / "site.toml"), "--format",
                                 "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["figures"]["tel"]["service_level_pct"] == {
        "value": 80.0, "unit": "%", "target": 80.0, "met": True}
    assert summary["day_misses"] == {}  # day figures: 80 % SL, ASA 14.64 s ≤ 15 s
    assert out.exists()
    (tmp_path / "bad.csv").write_text(HEADER + "2026-11-23T10:00:00,tel,5,6,0,4,1,1,1,1\n")
    bad = runner.invoke(app, ["kpi", "--actuals", str(tmp_path / "bad.csv"), "-o",
                              str(tmp_path / "k2.csv")])
    assert bad.exit_code == 2
    assert "bad.csv, line 2, field 'answered': answered + abandoned must be <= offered" in \
        bad.output
    assert not (tmp_path / "k2.csv").exists()
    same = runner.invoke(app, ["kpi", "--actuals", str(tmp_path / "actuals.csv"), "-o",
                               str(tmp_path / "actuals.csv")])
    assert same.exit_code == 2 and "same file as the input --actuals" in same.output


def test_sessions_give_the_same_figures_as_events() -> None:
    from wfm.tables import LOGIN_SESSIONS

    sessions = read_table(io.StringIO(
        "agent_id,login_time,logout_time\na,2026-11-23T09:00:00,2026-11-23T11:00:00\n"
        "b,2026-11-23T09:30:00,2026-11-23T11:00:00\n"), LOGIN_SESSIONS)
    roster = read_table(io.StringIO(ROSTER_TEXT), ROSTER)
    by_events = people().table
    text = ACTUALS_TEXT.replace(",staffed_seconds", "").replace(",28800\n", "\n").replace(
        ",18000\n", "\n").replace(",7200\n", "\n")
    text += "2026-11-24T10:00:00,tel,10,10,0,10,2000,100,10\n"
    by_sessions = compute_kpis(actuals(text), build_config(CONFIG), roster=roster,
                               sessions=sessions).table
    columns = ["level", "date", "queue", "agent_id", "kpi", "value", "numerator",
               "denominator"]
    pd.testing.assert_frame_equal(by_sessions[columns], by_events[columns])


def test_cli_kpi_with_roster_events_and_forecast(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER_TEXT)
    (tmp_path / "events.csv").write_text(EVENTS_TEXT)
    (tmp_path / "actuals.csv").write_text(ACTUALS_TEXT.replace(
        "2026-11-23T10:00:00,web,30,30,0,27,18000,0,300,7200\n", ""))
    (tmp_path / "forecast.csv").write_text(
        "interval_start,queue,contacts,aht_seconds\n2026-11-23T10:00:00,tel,150,250\n")
    (tmp_path / "site.toml").write_text(
        '[[shifts]]\ncode = "D"\nstart = "09:00"\nend = "11:00"\n')
    result = CliRunner().invoke(app, [
        "kpi", "--actuals", str(tmp_path / "actuals.csv"), "--roster",
        str(tmp_path / "roster.csv"), "--events", str(tmp_path / "events.csv"), "--forecast",
        str(tmp_path / "forecast.csv"), "--config", str(tmp_path / "site.toml"), "--levels",
        "day,period", "-o", str(tmp_path / "kpi.csv")])
    assert result.exit_code == 0, result.output
    # the actuals hold 2026-11-23 only, so attendance and adherence are measured on that day:
    # both worked (2 / 2); adherence (120 + 90) / 240 min = 87.5 %
    assert "team: attendance_pct 100 (target 95) ok, adherence_pct 87.5 (target 92) MISSED" \
        in result.output
    assert "forecast_error_pct 0 (target 10) ok" in result.output  # 150 forecast, 150 offered
    written = pd.read_csv(tmp_path / "kpi.csv", dtype=str, keep_default_na=False)
    assert set(written["level"]) == {"day", "period"}
    no_roster = CliRunner().invoke(app, ["kpi", "--actuals", str(tmp_path / "actuals.csv"),
                                         "--events", str(tmp_path / "events.csv"), "-o",
                                         str(tmp_path / "k.csv")])
    assert no_roster.exit_code == 2 and "--events/--sessions need --roster" in no_roster.output


def test_kpi_csv_bytes_are_what_pandas_writes_across_dst_and_odd_values() -> None:
    # the vectorised writer against pandas' own: kpi_frame_text (strftime per instant) + to_csv
    from wfm.kpi.output import kpi_csv_bytes, kpi_frame_text

    tz = "Europe/Berlin"
    starts = pd.Series(pd.to_datetime(
        ["2026-03-29T01:45:00+01:00", "2026-03-29T03:00:00+02:00", "2026-10-25T02:30:00+02:00",
         "2026-10-25T02:30:00+01:00", None, None], utc=True)).dt.tz_convert(tz)
    table = pd.DataFrame({
        "level": ["interval"] * 4 + ["day", "period"], "interval_start": starts,
        "date": ["2026-03-29", "2026-03-29", "2026-10-25", "2026-10-25", "2026-10-25", ""],
        "queue": ["sales", "sales", "vip, gold", 'say "hi"', "", ""],
        "agent_id": ["", "", "", "", "", "a1"], "kpi": ["aht_seconds"] * 6,
        "value": [80.0, 1e-05, 123456789.12, -0.0, 2.5e17, 33.33],
        "unit": ["s"] * 6, "target": [80.0, np.nan, 0.1, np.nan, 5.0, np.nan],
        "met": np.array([True, pd.NA, False, pd.NA, True, pd.NA], dtype=object),
        "numerator": [1.0, 2.0, 3.5, 0.0, 1e16, 7.125], "denominator": [1.0] * 6})
    expected = kpi_frame_text(table).to_csv(index=False).encode("utf-8")
    assert kpi_csv_bytes(table) == expected
    assert b"2026-10-25T02:30:00+01:00" in expected and b'"vip, gold"' in expected
