"""``wfm plan`` on two small sites and a broken one: every good site gets its outputs and a
summary row, checked against its own files and the independent rule checker; the broken site
is reported by name and file and the exit status says something failed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.config import load_config
from wfm.rules import check_roster
from wfm.tables import AGENTS, ROSTER, read_table
from wfm_cli.main import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ROOMY_CAP = "600"  # the solver's work, not the machine's load, decides the roster


def small_site(folder: Path, agents: int) -> Path:
    """The demo site cut down: 3 weeks of history at a quarter of the volume, ``agents``
    agents with their previous roster."""
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "site.toml", folder / "site.toml")
    history = pd.read_csv(FIXTURES / "history.csv")
    history = history[history["interval_start"] >= "2026-11-02"]
    history.assign(contacts=(history["contacts"] / 4).round()).to_csv(
        folder / "history.csv", index=False)
    people = pd.read_csv(FIXTURES / "agents.csv", dtype=str).head(agents)
    people.to_csv(folder / "agents.csv", index=False)
    previous = pd.read_csv(FIXTURES / "previous_roster.csv", dtype=str)
    previous[previous["agent_id"].isin(people["agent_id"])].to_csv(
        folder / "previous_roster.csv", index=False)
    return folder


def test_plan_runs_every_site_and_reports_the_broken_one(tmp_path: Path,
                                                        preferred_engine: int) -> None:
    north, south = small_site(tmp_path / "north", 30), small_site(tmp_path / "south", 24)
    broken = small_site(tmp_path / "broken", 10)
    (broken / "agents.csv").unlink()
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "plan", str(north), str(broken), str(south), "--out", str(out), "--time-limit", "1",
        "--wall-cap", ROOMY_CAP, "--seed", "3", "--workers", str(preferred_engine),
        "--format", "json"])
    assert result.exit_code == 2, result.output  # a site's input is missing: bad input
    summary = json.loads(result.stdout)
    rows = {row["site"]: row for row in summary["sites"]}
    assert [row["site"] for row in summary["sites"]] == ["north", "broken", "south"]
    assert rows["broken"]["status"] == "failed"
    assert rows["broken"]["error"].startswith("site broken: missing agents.csv in ")
    for name, folder, count in (("north", north, 30), ("south", south, 24)):
        row, site_out = rows[name], out / name
        assert {p.name for p in site_out.iterdir()} >= {
            "forecast.csv", "requirement.csv", "roster.csv", "coverage.csv", "violations.csv",
            "report.html"}
        config = load_config(folder / "site.toml")
        roster = read_table(site_out / "roster.csv", ROSTER, timezone=config.timezone)
        agents = read_table(folder / "agents.csv", AGENTS, timezone=config.timezone)
        previous = read_table(folder / "previous_roster.csv", ROSTER,
                              timezone=config.timezone)
        assert check_roster(roster, agents, config, previous=previous) == []
        assert row["rule_problems"] == 0 and row["agents"] == count
        requirement = pd.read_csv(site_out / "requirement.csv")
        coverage = pd.read_csv(site_out / "coverage.csv")
        hours = config.interval_minutes / 60
        assert row["required_hours"] == pytest.approx(
            requirement["scheduled_agents"].sum() * hours)
        assert row["shortfall_hours"] == pytest.approx(coverage["shortfall"].sum() * hours)
        assert row["scheduled_hours"] == pytest.approx(coverage["scheduled"].sum() * hours)
    assert summary["totals"]["agents"] == 54
    assert "broken: FAILED: site broken: missing agents.csv" in result.stderr


def test_plan_site_names_a_missing_site_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(tmp_path / "nowhere"), "--out",
                                      str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 2
    assert f"site nowhere: folder {tmp_path / 'nowhere'} not found" in result.stdout
