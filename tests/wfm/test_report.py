"""The HTML report on tiny hand-made tables: sections, charts and hand-worked figures."""

from __future__ import annotations

import json
import math
import re
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.config import build_config
from wfm.report import SECTIONS, build_report, headline_figures
from wfm.report.figures import adherence_by_agent, fairness_by_agent, fairness_summary
from wfm.report.inputs import canonical_shift_codes
from wfm.report.svg import nice_max
from wfm.tables import ADHERENCE, AGENTS, COVERAGE, REQUIREMENT, ROSTER, write_table
from wfm_cli.main import app

TZ = "Asia/Shanghai"
CONFIG = build_config({"service": {"shrinkage": 0.3, "answer_within_seconds": 20, "level": 0.8}})


def _times(*texts: str) -> pd.Series:
    return pd.to_datetime(pd.Series(texts)).dt.tz_localize(TZ)


@pytest.fixture()
def requirement() -> pd.DataFrame:
    # 20 contacts x 180 s in 30 min = 2 Erlangs; the second interval is closed
    return pd.DataFrame({
        "interval_start": _times("2026-11-23 08:30", "2026-11-23 09:00"),
        "queue": ["sales", "sales"], "contacts": [20.0, 0.0], "aht_seconds": [180.0, None],
        "traffic_erlangs": [2.0, 0.0], "agents": [4, 0], "service_level": [0.9, 1.0],
        "asa_seconds": [5.0, 0.0], "occupancy": [0.5, None], "scheduled_agents": [6, 0]})


@pytest.fixture()
def coverage() -> pd.DataFrame:
    return pd.DataFrame({
        "interval_start": _times("2026-11-23 08:30", "2026-11-23 09:00"),
        "queue": ["sales", "sales"], "required": [6, 0], "scheduled": [5, 2],
        "shortfall": [1, 0]})


@pytest.fixture()
def adherence() -> pd.DataFrame:
    return pd.DataFrame({
        "agent_id": ["A1", "A1", "B2"], "date": [date(2026, 11, 23), date(2026, 11, 24),
                                                date(2026, 11, 23)],
        "shift": ["DAY", "DAY", "DAY"], "scheduled_minutes": [100.0, 300.0, 450.0],
        "logged_in_minutes": [100.0, 200.0, 450.0], "in_adherence_minutes": [90.0, 150.0, 450.0],
        "adherence_pct": [90.0, 50.0, 100.0], "conformance_pct": [100.0, 60.0, 100.0],
        "late_start_minutes": [0.0, 30.0, 0.0], "early_leave_minutes": [0.0, 0.0, 0.0],
        "overtime_minutes": [0.0, 0.0, 5.0], "absent": [False, False, False],
        "episodes": [1, 2, 0]})


@pytest.fixture()
def roster() -> pd.DataFrame:
    days = [date(2026, 11, 23 + i) for i in range(7)]  # Monday .. Sunday
    a1 = ["DAY", "DAY", "NIGHT", "NIGHT", "DAY", "DAY", "OFF"]
    b2 = ["OFF", "NIGHT", "NIGHT", "NIGHT", "NIGHT", "LEAVE", "NIGHT"]
    return pd.DataFrame({"agent_id": ["A1"] * 7 + ["B2"] * 7, "date": days * 2,
                         "shift": a1 + b2,
                         "queue": ["sales" if s not in ("OFF", "LEAVE") else "" for s in a1 + b2]})


@pytest.fixture()
def agents() -> pd.DataFrame:
    return pd.DataFrame({"agent_id": ["A1", "B2"], "name": ["王芳", "<b>Li</b>"],
                         "skills": [("sales",), ("sales",)],
                         "preferred_rest_days": [("Sun",), ("Sat",)]})


def test_empty_report_has_every_section_and_says_what_is_missing(tmp_path):
    path = build_report(tmp_path / "out", language="en")
    html = path.read_text(encoding="utf-8")
    for key, title in SECTIONS:
        assert f'<section id="{key}">' in html
        assert f"<h2>{title}</h2>" in html
    assert html.count('class="missing"') >= 5
    assert "<script" not in html


def test_service_level_is_erlang_c_at_the_rostered_head_count(requirement, coverage):
    # hand-worked: 5 scheduled, 30 % shrinkage -> floor(3.5) = 3 agents answer, A = 2 Erlangs.
    # Erlang B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19; C = 3B / (3 - 2(1 - B)) = 4/9.
    level = 1 - 4 / 9 * math.exp(-(3 - 2) * 20 / 180)
    figures = headline_figures(requirement=requirement, coverage=coverage, config=CONFIG)
    assert figures["service_level_pct"] == pytest.approx(100 * level, abs=0.01)
    assert figures["occupancy_pct"] == pytest.approx(100 * 2 / 3, abs=0.01)
    # one interval short by one agent: 0.5 agent-hours; one of the one demanded intervals
    assert figures["shortfall_agent_hours"] == 0.5
    assert figures["short_intervals"] == 1
    assert figures["short_intervals_pct"] == 100.0


def test_adherence_is_a_ratio_of_sums_not_a_mean_of_days(adherence):
    per_agent = adherence_by_agent(adherence).set_index("agent_id")
    # A1: (90 + 150) / (100 + 300) = 60 %, whereas the mean of 90 % and 50 % would be 70 %
    assert per_agent.loc["A1", "adherence_pct"] == 60.0
    assert per_agent.loc["A1", "conformance_pct"] == 70.0  # (100 + 180) / 400
    team = headline_figures(adherence=adherence, config=CONFIG)
    assert team["adherence_pct"] == pytest.approx(100 * 690 / 850, abs=0.01)


def test_fairness_counts_nights_weekend_rest_and_preferences(roster, agents):
    table = fairness_by_agent(roster, CONFIG, agents).set_index("agent_id")
    assert table.loc["A1", "nights"] == 2 and table.loc["B2", "nights"] == 5
    assert table.loc["A1", "working_days"] == 6 and table.loc["B2", "working_days"] == 5
    assert table.loc["A1", "weekend_rest_days"] == 1  # Sunday OFF
    assert table.loc["B2", "weekend_rest_days"] == 1  # Saturday LEAVE
    assert bool(table.loc["A1", "preference_met"]) is True  # wanted Sunday, got Sunday
    assert bool(table.loc["B2", "preference_met"]) is True  # Saturday is leave, not work
    summary = fairness_summary(table.reset_index())
    assert (summary["nights_min"], summary["nights_max"], summary["nights_mean"]) == (2, 5, 3.5)


def test_full_report_draws_charts_and_highlights_shortfall(tmp_path, requirement, coverage,
                                                           adherence, roster, agents):
    forecast = requirement[["interval_start", "queue", "contacts", "aht_seconds"]]
    history = forecast.assign(interval_start=forecast["interval_start"] - pd.Timedelta(days=7))
    html = build_report(tmp_path, language="en", history=history, forecast=forecast,
                        requirement=requirement,
                        roster=roster, coverage=coverage, adherence=adherence, agents=agents,
                        config=CONFIG, kpis={"roster_status": "OPTIMAL"}).read_text("utf-8")
    sections = {key: re.search(f'<section id="{key}">(.*?)</section>', html, re.S).group(1)
                for key, _ in SECTIONS}
    assert 'class="missing"' not in html
    assert sections["coverage"].count('class="shortfall"') == 1
    assert "required 6, scheduled 5, short 1" in sections["coverage"]
    assert "<svg" in sections["forecast"] and "forecast →" in sections["forecast"]
    # adherence: one bar per agent, highest first, the target line at the configured 92 %
    bars = re.findall(r'<rect [^>]*fill="(#[0-9a-f]+)"><title>(\w+): adherence',
                      sections["adherence"])
    assert [agent for _, agent in bars] == ["B2", "A1"]
    assert bars[1][0] != bars[0][0]  # A1 (60 %) is coloured as below target
    assert "target 92%" in sections["adherence"]
    assert "王芳" in sections["roster"] and "&lt;b&gt;Li&lt;/b&gt;" in sections["roster"]
    assert "<b>Li</b>" not in html
    assert "OPTIMAL" in sections["kpis"]
    for axis in ("contacts per 30 min", "agents", "adherence %"):
        assert f">{axis}</text>" in html


def test_target_line_follows_the_configured_target(tmp_path, adherence):
    config = build_config({"adherence": {"target_pct": 80}})
    html = build_report(tmp_path, language="en", adherence=adherence,
                        config=config).read_text("utf-8")
    assert "target 80%" in html and "target 92%" not in html


@pytest.mark.parametrize(("value", "expected"), [(0.0, 1.0), (7.0, 10.0), (12.0, 20.0),
                                                 (21.0, 25.0), (260.0, 500.0), (100.0, 100.0)])
def test_nice_axis_maximum(value, expected):
    assert nice_max(value) == expected


def test_report_command_builds_from_csv_files(tmp_path, requirement, coverage, adherence,
                                              roster):
    write_table(requirement, tmp_path / "requirement.csv", REQUIREMENT)
    write_table(coverage, tmp_path / "coverage.csv", COVERAGE)
    write_table(adherence, tmp_path / "adherence.csv", ADHERENCE)
    write_table(roster, tmp_path / "roster.csv", ROSTER)
    agents = pd.DataFrame({"agent_id": ["A1", "B2"], "name": ["a", "b"],
                           "skills": [("sales",), ("sales",)]})
    write_table(agents, tmp_path / "agents.csv", AGENTS)
    result = CliRunner().invoke(app, [
        "report", "--out", str(tmp_path / "out"), "--requirement", str(tmp_path /
                                                                       "requirement.csv"),
        "--coverage", str(tmp_path / "coverage.csv"), "--adherence",
        str(tmp_path / "adherence.csv"), "--roster", str(tmp_path / "roster.csv"),
        "--agents", str(tmp_path / "agents.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["tables"] == ["adherence", "agents", "coverage", "requirement", "roster"]
    assert summary["shortfall_agent_hours"] == 0.5
    assert (tmp_path / "out" / "report.html").stat().st_size > 1000


def test_report_command_names_the_bad_file_and_exits_2(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("agent_id,date,shift\nA1,23/11/2026,DAY\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--lang", "en", "--out", str(tmp_path / "out"),
                                      "--roster",
                                      str(bad)])
    assert result.exit_code == 2
    assert "roster.csv, line 2, field 'date'" in result.output
    assert not (tmp_path / "out" / "report.html").exists()


# ---- day labels and the shortfall table ------------------------------------------------------
X_LABEL = re.compile(r'<text x="([0-9.]+)" y="[0-9.]+" class="tick x-tick">([^<]*)</text>')
# At 11 px, "11-23" is 4 digits x 0.636 em + a hyphen x 0.361 em = 2.905 em = 32 px in DejaVu
# Sans, the widest of the usual sans-serif fonts; 4 px more is the least gap between labels.
DAY_LABEL_PX = 32 + 4


def _contacts(start: str, days: int) -> pd.DataFrame:
    """Every 30-minute interval of ``days`` days open, with a daily curve of contacts."""
    starts = pd.date_range(start, periods=48 * days, freq="30min", tz=TZ)
    return pd.DataFrame({"interval_start": starts, "queue": "sales",
                         "contacts": [5.0 + (i % 48) for i in range(len(starts))],
                         "aht_seconds": 200.0})


def _sections(html: str) -> dict[str, str]:
    return {key: re.search(f'<section id="{key}">(.*?)</section>', html, re.S).group(1)
            for key, _ in SECTIONS}


def _chart_labels(svg_text: str) -> list[tuple[float, str]]:
    return [(float(x), label) for x, label in X_LABEL.findall(svg_text)]


def test_four_weeks_of_day_labels_are_thinned_evenly_and_never_touch(tmp_path):
    history = _contacts("2026-10-12", 14)  # two weeks shown before a four-week forecast
    forecast = _contacts("2026-10-26", 28)
    html = build_report(tmp_path, language="en", history=history, forecast=forecast,
                        config=CONFIG).read_text("utf-8")
    chart = re.search(r"<svg.*?</svg>", _sections(html)["forecast"], re.S).group(0)
    labels = _chart_labels(chart)
    days = [date(2026, int(text[:2]), int(text[3:])) for _, text in labels]
    assert days[0] == date(2026, 10, 12)  # the first day is labelled
    steps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() > 1  # every k-th day, the same k throughout
    assert 4 <= len(labels) < 42
    gaps = [b - a for (a, _), (b, _) in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= DAY_LABEL_PX, gaps
    assert labels[-1][0] + DAY_LABEL_PX <= 960  # the last label ends inside the chart
    # every day keeps its tick mark; only the labels are thinned
    assert chart.count('class="axis"/>') - 2 == 42


def test_a_week_of_day_labels_keeps_every_day_with_its_weekday(tmp_path):
    html = build_report(tmp_path, language="en", forecast=_contacts("2026-11-23", 7),
                        config=CONFIG).read_text("utf-8")
    labels = [text for _, text in _chart_labels(_sections(html)["forecast"])]
    assert labels == ["Mon 11-23", "Tue 11-24", "Wed 11-25", "Thu 11-26", "Fri 11-27",
                      "Sat 11-28", "Sun 11-29"]


def test_long_bar_labels_are_thinned_rather_than_overlapping(tmp_path, adherence):
    names = [f"agent-with-a-long-id-{k:02d}" for k in range(12)]
    rows = pd.concat([adherence.iloc[[2]].assign(agent_id=name) for name in names])
    html = build_report(tmp_path, language="en", adherence=rows, config=CONFIG).read_text("utf-8")
    labels = _chart_labels(_sections(html)["adherence"].replace(' text-anchor="middle"', ""))
    assert 1 <= len(labels) < len(names)
    # centred labels of 24 characters: neighbours at least one label width apart
    widest = 24 * 0.636 * 11
    assert all(b - a >= widest for (a, _), (b, _) in zip(labels, labels[1:], strict=False))


def test_shortfall_table_covers_the_planned_days_with_two_decimals(tmp_path, roster):
    # the roster runs Mon 11-23 .. Sun 11-29; a night shift spills into Mon 11-30 where nothing
    # is required; Tue 12-01 is outside the roster but required and unstaffed (kept: it is short)
    rows = [("2026-11-23 09:00", 4, 2), ("2026-11-23 09:30", 4, 1),  # 2 + 3 short: 2.5 h
            ("2026-11-24 09:00", 2, 0),  # 2 short: 1 h
            ("2026-11-25 09:00", 2, 1), ("2026-11-25 09:30", 2, 1), ("2026-11-25 10:00", 2, 1),
            ("2026-11-26 09:00", 2, 2), ("2026-11-27 09:00", 2, 2), ("2026-11-28 09:00", 2, 2),
            ("2026-11-29 09:00", 2, 2),
            ("2026-11-30 00:00", 0, 1), ("2026-11-30 05:30", 0, 1),  # the night's spill
            ("2026-12-01 09:00", 1, 0)]  # 1 short: 0.5 h
    coverage = pd.DataFrame({"interval_start": _times(*[t for t, _, _ in rows]),
                             "queue": "sales", "required": [r for _, r, _ in rows],
                             "scheduled": [s for _, _, s in rows],
                             "shortfall": [max(r - s, 0) for _, r, s in rows]})
    html = build_report(tmp_path, language="en", coverage=coverage, roster=roster,
                        config=CONFIG).read_text("utf-8")
    table = _sections(html)["coverage"].split("Shortfall in agent-hours")[1]
    cells = re.findall(r'<tr><td class="name">(\w{3} [\d-]+)</td><td>([^<]*)</td></tr>', table)
    assert cells == [("Mon 2026-11-23", "2.50"), ("Tue 2026-11-24", "1.00"),
                     ("Wed 2026-11-25", "1.50"), ("Thu 2026-11-26", "0.00"),
                     ("Fri 2026-11-27", "0.00"), ("Sat 2026-11-28", "0.00"),
                     ("Sun 2026-11-29", "0.00"), ("Tue 2026-12-01", "0.50")]


def test_a_queue_with_patience_is_rated_with_erlang_a(requirement, coverage):
    """2 Erlangs, 1 agent answering (2 scheduled, 30 % shrinkage): Erlang C has no steady state
    (nobody answered in time), but callers who give up after 90 s keep the queue finite."""
    from wfm.staffing.erlang_a import erlang_a_metrics

    impatient = build_config({"service": {"shrinkage": 0.3, "answer_within_seconds": 20,
                                          "level": 0.8, "patience_seconds": 90}})
    short = coverage.assign(scheduled=[2, 2])
    figures = headline_figures(requirement=requirement, coverage=short, config=impatient)
    expected = erlang_a_metrics(2.0, 1, 180.0, 90.0, 20.0)
    assert 0 < figures["service_level_pct"] == pytest.approx(
        100 * float(expected.service_level), abs=0.01)
    assert figures["occupancy_pct"] == pytest.approx(100 * float(expected.occupancy), abs=0.01)
    assert figures["basis"] == "Erlang A at the rostered head count"
    plain = headline_figures(requirement=requirement, coverage=short, config=CONFIG)
    assert plain["service_level_pct"] == 0.0


def test_rest_day_work_is_not_counted_as_an_agents_overtime(adherence):
    rows = pd.concat([adherence, adherence.iloc[[0]].assign(
        date=date(2026, 11, 25), shift="OFF", scheduled_minutes=0.0, in_adherence_minutes=0.0,
        overtime_minutes=120.0)], ignore_index=True)
    per_agent = adherence_by_agent(rows).set_index("agent_id")
    assert per_agent.loc["A1", "overtime_minutes"] == 0.0
    assert per_agent.loc["B2", "overtime_minutes"] == 5.0


# ---- tables checked against the site configuration --------------------------------------
NY_SITE = """timezone = "America/New_York"
interval_minutes = 15
[[shifts]]
code = "E"
start = "06:00"
end = "14:00"
[[shifts]]
code = "n"
start = "22:00"
end = "06:00"
"""


def _report(tmp_path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["report", "--lang", "en", "--out", str(tmp_path / "out"), *args,
                                    "--format", "json"])


def test_report_refuses_shift_codes_the_site_does_not_know(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("agent_id,date,shift,queue\nA1,2026-10-26,E,sales\n"
                      "A1,2026-10-27,OFF,\nA1,2026-10-28,N,sales\n", encoding="utf-8")
    result = _report(tmp_path, "--roster", str(roster))
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"{roster}, line 2, field 'shift': unknown shift code 'E' "
                            "(1 more row(s) like it); known: DAY, NIGHT, OFF, LEAVE")
    assert not (tmp_path / "out" / "report.html").exists()

    site = tmp_path / "site.toml"
    site.write_text(NY_SITE, encoding="utf-8")
    result = _report(tmp_path, "--roster", str(roster), "--config", str(site))
    assert result.exit_code == 0, result.output
    fairness = _sections((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    # the roster's "N" is the site's night shift "n": one night, not zero
    assert "<td>nights per agent (min / mean / max)</td><td>1 / 1.0 / 1</td>" \
        in fairness["fairness"].replace(' class="name"', "")


def test_shift_codes_are_matched_in_any_case():
    config = build_config({"shifts": [{"code": "Early", "start": "06:00", "end": "14:00"}]})
    roster = pd.DataFrame({"agent_id": ["A1", "A1"], "date": [date(2026, 10, 26)] * 2,
                           "shift": ["early", "OFF"], "queue": ["sales", ""]})
    assert canonical_shift_codes(roster, config)["shift"].tolist() == ["EARLY", "OFF"]


def test_report_refuses_coverage_off_the_configured_grid(tmp_path):
    coverage = tmp_path / "coverage.csv"
    coverage.write_text("interval_start,queue,required,scheduled,shortfall\n"
                        "2026-10-26T08:00:00-04:00,sales,3,2,1\n"
                        "2026-10-26T08:15:00-04:00,sales,3,1,2\n", encoding="utf-8")
    result = _report(tmp_path, "--coverage", str(coverage))
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"{coverage}, line 3, field 'interval_start': interval ")
    assert "is not on the 30-minute grid" in error

    site = tmp_path / "site.toml"
    site.write_text(NY_SITE, encoding="utf-8")
    result = _report(tmp_path, "--coverage", str(coverage), "--config", str(site))
    assert result.exit_code == 0, result.output
    # (1 + 2) agents short x 15 minutes = 0.75 agent-hours (not 1.5 as 30-minute intervals)
    assert json.loads(result.stdout)["shortfall_agent_hours"] == 0.75


def test_report_refuses_a_requirement_off_the_configured_grid(tmp_path, requirement):
    shifted = requirement.assign(interval_start=requirement["interval_start"]
                                 + pd.Timedelta(minutes=10))
    write_table(shifted, tmp_path / "requirement.csv", REQUIREMENT)
    result = _report(tmp_path, "--requirement", str(tmp_path / "requirement.csv"))
    assert result.exit_code == 2, result.output
    assert "requirement.csv, line 2, field 'interval_start'" in json.loads(result.stdout)["error"]


def test_the_forecast_section_states_the_model_chosen_per_queue(tmp_path):
    from wfm.forecast import forecast_contacts
    from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

    params = SyntheticParameters(start=date(2025, 8, 4), weeks=10, daily_volume=1500)
    history = synthetic_history(params)
    forecast = forecast_contacts(history, CONFIG, start=date(2025, 10, 13), weeks=1)
    html = build_report(tmp_path, language="en", history=history, forecast=forecast,
                        config=CONFIG).read_text("utf-8")
    section = _sections(html)["forecast"]
    assert "Model chosen per queue by a rolling-origin backtest" in section
    assert "<td class=\"name\">backtest</td>" in section
