"""The report's service-KPI section, ``wfm report --kpi`` and the demo's actuals."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tests.wfm.test_kpi import CONFIG, actuals, people
from wfm.config import build_config
from wfm.kpi import KPIS, compute_kpis, read_actuals, read_kpi_table, write_kpi_table
from wfm.report import build_report
from wfm_cli.demo import FIXTURES_DIR
from wfm_cli.main import app


def _section(html: str) -> str:
    match = re.search(r'<section id="service_kpis">(.*?)</section>', html, re.S)
    assert match, "no service-KPI section"
    return match.group(1)


def test_section_lists_misses_first_and_draws_a_chart_per_figure(tmp_path: Path) -> None:
    table = people().table
    html = build_report(tmp_path, language="en", kpi_table=table,
                        config=build_config(CONFIG)).read_text("utf-8")
    section = _section(html)
    assert '<a href="#service_kpis">' in html
    # the misses table comes before the period overview and the charts
    misses = section.index("miss(es)</b>")
    assert misses < section.index("The period's figures") < section.index("<svg")
    rows = re.findall(r"<tr><td class=\"name\">([^<]+)</td><td class=\"name\">([^<]+)</td>"
                      r"<td class=\"name\">([^<]+)</td>", section)
    # queue and team figures over the period first, then days, then agents
    whos = [(figure, who, when) for figure, who, when in rows]
    first_agent = next(i for i, (_, who, _) in enumerate(whos) if who in ("a", "b"))
    assert all(who not in ("a", "b") for _, who, _ in whos[:first_agent])
    assert all(who in ("a", "b") for _, who, _ in whos[first_agent:])
    periods = [i for i, (_, who, when) in enumerate(whos[:first_agent]) if when == "period"]
    assert periods == list(range(len(periods)))  # period misses before day misses
    # one chart per figure with data: 7 queue figures (staffed time from the events) and the
    # two agent figures; the forecast error has no data here
    titles = re.findall(r'class="chart-title" text-anchor="middle">([^<]+)<', section)
    assert len(titles) == 9
    charted = {kpi.label for kpi in KPIS if any(t.startswith(kpi.label) for t in titles)}
    assert charted == {kpi.label for kpi in KPIS} - {"Forecast error"}
    # figures with a miss are drawn first: the SL chart (10:00 missed 80 %) before ASA's
    def has_miss(title: str) -> bool:
        return "missed" in title or (" below " in title and "(0 of" not in title)

    dirty = [i for i, t in enumerate(titles) if has_miss(t)]
    clean = [i for i, t in enumerate(titles) if not has_miss(t)]
    assert dirty and clean and max(dirty) < min(clean)
    assert "Attendance per agent, lowest first (1 of 2 below 95%)" in titles


def test_without_a_kpi_table_the_section_is_absent(tmp_path: Path) -> None:
    html = build_report(tmp_path, language="en").read_text("utf-8")
    assert 'id="service_kpis"' not in html


def test_kpi_table_round_trips_through_its_reader(tmp_path: Path) -> None:
    table = compute_kpis(actuals(), build_config(CONFIG)).table
    path = tmp_path / "kpi.csv"
    write_kpi_table(table, path)
    back = read_kpi_table(path, label="kpi.csv")
    assert len(back) == len(table)
    pd.testing.assert_series_equal(back["value"], table["value"], check_names=False)
    def flags(values: pd.Series) -> list[bool | None]:
        return [None if pd.isna(m) else bool(m) for m in values]

    assert flags(back["met"]) == flags(table["met"])
    assert (back["interval_start"].isna() == table["interval_start"].isna()).all()


def test_report_command_reads_the_kpi_table(tmp_path: Path) -> None:
    table = compute_kpis(actuals(), build_config(CONFIG)).table
    write_kpi_table(table, tmp_path / "kpi.csv")
    result = CliRunner().invoke(app, ["report", "--lang", "en", "--out", str(tmp_path / "out"),
                                      "--kpi",
                                      str(tmp_path / "kpi.csv")])
    assert result.exit_code == 0, result.output
    assert "from kpi" in result.output
    assert 'id="service_kpis"' in (tmp_path / "out" / "report.html").read_text("utf-8")
    (tmp_path / "bad.csv").write_text("level,kpi\nweekly,x\n")
    bad = CliRunner().invoke(app, ["report", "--lang", "en", "--out", str(tmp_path / "o2"), "--kpi",
                                   str(tmp_path / "bad.csv")])
    assert bad.exit_code == 2 and "bad.csv, line 1: missing required column(s)" in bad.output


def test_demo_actuals_are_consistent_with_the_demo_week() -> None:
    site = build_config({"timezone": "Asia/Shanghai", "interval_minutes": 30})
    frame = read_actuals(FIXTURES_DIR / "actuals.csv", timezone=site.timezone)
    days = sorted(set(frame["interval_start"].dt.date))
    assert [d.isoformat() for d in (days[0], days[-1])] == ["2026-11-23", "2026-11-29"]
    assert set(frame["queue"]) == {"presales", "aftersales"}
    assert len(frame) == 7 * 30 * 2  # every open half-hour of both queues
    assert (frame["answered"] + frame["abandoned"] == frame["offered"]).all()


def test_the_glossary_in_readme_and_planner_guide_is_the_definitions() -> None:
    from wfm.kpi.definitions import glossary_markdown

    root = Path(__file__).resolve().parents[2]
    table = glossary_markdown()
    for name in ("README.md", "docs/planner-guide.md"):
        assert table in (root / name).read_text(encoding="utf-8"), (
            f"{name}: the KPI glossary differs from wfm.kpi.definitions.glossary_markdown()")
