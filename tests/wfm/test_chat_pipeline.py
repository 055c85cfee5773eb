"""Chat and phone queues side by side through ``wfm staff``, ``wfm roster`` and the report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.config import load_config
from wfm.coverage import coverage_table
from wfm.report import build_report, headline_figures
from wfm.rules import check_roster
from wfm.staffing.chat import chat_metrics, required_agents_chat
from wfm.tables import AGENTS, REQUIREMENT, ROSTER, read_table
from wfm_cli.main import app

SITE = """
interval_minutes = 60
country = ""
[service]
level = 0.8
shrinkage = 0.0
max_occupancy = 1.0
[queues.web]
channel = "chat"
max_concurrency = 3
first_response_seconds = 15
concurrency_inflation = 0.2
[[shifts]]
code = "D"
start = "09:00"
end = "17:00"
[rules]
min_rest_days_per_week = 0
"""
runner = CliRunner()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    starts = pd.date_range("2026-11-23 09:00", periods=8, freq="60min")
    rows = [(t.isoformat(), queue, contacts, aht) for t in starts
            for queue, contacts, aht in (("web", 36, 300), ("tel", 24, 300))]
    pd.DataFrame(rows, columns=["interval_start", "queue", "contacts", "aht_seconds"]).to_csv(
        tmp_path / "forecast.csv", index=False)
    return path


def test_staff_writes_chat_and_phone_requirements(tmp_path: Path, site: Path) -> None:
    out = tmp_path / "requirement.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(tmp_path / "forecast.csv"), "-o",
                                 str(out), "--config", str(site), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["model"] == "mixed"
    assert summary["queue_models"]["tel"] == "erlang_c"
    assert summary["queue_models"]["web"].startswith("chat (up to 3 at once")
    table = read_table(out, REQUIREMENT)
    web = table[table["queue"] == "web"].iloc[0]
    # 36 chats of 300 s an hour = 3 Erlangs; the chat model at k = 3, δ = 0.2, 80 % in 15 s
    expected = required_agents_chat(3.0, 300.0, max_concurrency=3, target_seconds=15,
                                    inflation=0.2)
    assert web["agents"] == int(expected.agents) and web["traffic_erlangs"] == 3.0
    tel = table[table["queue"] == "tel"].iloc[0]
    assert tel["agents"] == 4  # Erlang C: A = 2, 80 % in 20 s needs 4 agents
    text = runner.invoke(app, ["staff", "--forecast", str(tmp_path / "forecast.csv"), "-o",
                               str(out), "--config", str(site)])
    assert "web [chat (up to 3 at once, first response 15 s)]" in text.output
    assert "on chats" in text.output and "on the phones" in text.output


def test_staff_patience_flag_applies_to_phone_queues_only(tmp_path: Path, site: Path) -> None:
    out = tmp_path / "requirement.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(tmp_path / "forecast.csv"), "-o",
                                 str(out), "--config", str(site), "--patience", "60"])
    assert result.exit_code == 0, result.output
    assert "abandon_rate" in read_table(out, REQUIREMENT).columns


def test_roster_covers_chat_and_phone_queues(tmp_path: Path, site: Path) -> None:
    pytest.importorskip("ortools")
    requirement = tmp_path / "requirement.csv"
    runner.invoke(app, ["staff", "--forecast", str(tmp_path / "forecast.csv"), "-o",
                        str(requirement), "--config", str(site)])
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,name,skills\n" + "".join(
        f"a{i},,{skills}\n" for i, skills in enumerate(
            ["web"] * 2 + ["tel"] * 3 + ["web;tel"] * 3)))
    out = tmp_path / "roster.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(requirement), "--agents",
                                 str(agents), "--config", str(site), "--time-limit", "5",
                                 "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    config = load_config(site)
    roster = read_table(out, ROSTER)
    assert check_roster(roster, read_table(agents, AGENTS), config,
                        requirement_queues=["tel", "web"]) == []
    coverage = coverage_table(roster, read_table(requirement, REQUIREMENT), config)
    assert (coverage["shortfall"] == 0).all(), coverage
    served = set(roster.loc[roster["shift"] == "D", "queue"])
    assert served == {"tel", "web"}


def test_report_rates_chat_queues_with_the_chat_model(tmp_path: Path, site: Path) -> None:
    config = load_config(site)
    start = pd.Timestamp("2026-11-23 09:00", tz=config.timezone)
    requirement = pd.DataFrame({
        "interval_start": [start], "queue": ["web"], "contacts": [36.0], "aht_seconds": [300.0],
        "traffic_erlangs": [3.0], "agents": [2], "service_level": [0.9], "asa_seconds": [1.0],
        "occupancy": [0.5], "scheduled_agents": [2]})
    coverage = pd.DataFrame({"interval_start": [start], "queue": ["web"], "required": [2],
                             "scheduled": [2], "shortfall": [0]})
    figures = headline_figures(requirement=requirement, coverage=coverage, config=config)
    metrics = chat_metrics(3.0, 2, 300.0, max_concurrency=3, target_seconds=15,
                           inflation=0.2)
    assert figures["service_level_pct"] == pytest.approx(100 * float(metrics.service_level),
                                                         abs=0.01)
    assert figures["occupancy_pct"] == pytest.approx(100 * float(metrics.occupancy), abs=0.01)
    assert "chat model" in figures["basis"]
    html = build_report(tmp_path / "out", language="en", requirement=requirement, coverage=coverage,
                        config=config).read_text("utf-8")
    assert re.search(r'id="kpis"', html)
