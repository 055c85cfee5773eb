"""``wfm scenarios`` against an independent Erlang C reference for one scenario (a textbook
formula written out here, exact shrinkage with fractions), the grid's combinations, and bad
grid keys named."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.scenarios import check_grid, expand_grid
from wfm_cli.main import app

runner = CliRunner()
FORECAST = """interval_start,queue,contacts,aht_seconds
2026-11-23T08:30:00,sales,100,180
2026-11-23T09:00:00,sales,0,
2026-11-23T09:30:00,sales,250,240
2026-11-23T10:00:00,sales,40,300
"""
SITE = """country = ""
[service]
level = 0.8
answer_within_seconds = 20
max_occupancy = 0.85
shrinkage = 0.3
[cost]
hourly_rate = 40
fte_hours_per_week = 40
"""


def erlang_c_reference(traffic: float, agents: int) -> float:
    """Probability of waiting, M/M/N: (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + that)."""
    terms = [1.0]
    for k in range(1, agents + 1):
        terms.append(terms[-1] * traffic / k)
    top = terms[agents] * agents / (agents - traffic)
    return top / (sum(terms[:agents]) + top)


def required_reference(contacts: float, aht: float, *, level: float, within: float,
                       cap: float) -> tuple[int, float, float]:
    """The fewest agents above the traffic meeting SL and the occupancy cap (brute force);
    with their service level and ASA."""
    traffic = contacts * aht / 1800
    agents = math.floor(traffic) + 1
    while True:
        wait = erlang_c_reference(traffic, agents)
        service = 1 - wait * math.exp(-(agents - traffic) * within / aht)
        if service >= level and traffic / agents <= cap:
            return agents, service, wait * aht / (agents - traffic)
        agents += 1


def test_one_scenario_matches_an_independent_erlang_c(tmp_path: Path, engine: int) -> None:
    forecast, site = tmp_path / "forecast.csv", tmp_path / "site.toml"
    forecast.write_text(FORECAST, encoding="utf-8")
    site.write_text(SITE, encoding="utf-8")
    result = runner.invoke(app, [
        "scenarios", "--forecast", str(forecast), "--config", str(site),
        "--service-level", "0.9", "--answer-within", "15", "--shrinkage", "0.25",
        "--volume-factor", "1.2", "--aht-factor", "0.9", "--workers", str(engine),
        "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["scenarios"]
    agents, scheduled, served, waited, busy, contacts = 0, 0, 0.0, 0.0, 0.0, 0.0
    for n, aht in ((100, 180), (250, 240), (40, 300)):
        c, h = n * 1.2, aht * 0.9
        need, service, asa = required_reference(c, h, level=0.9, within=15, cap=0.85)
        agents += need
        scheduled += math.ceil(Fraction(need) / (1 - Fraction(1, 4)))  # exact shrinkage
        served, waited, contacts = served + service * c, waited + asa * c, contacts + c
        busy += c * h / 1800
    assert row["agent_hours"] == pytest.approx(agents * 0.5)
    assert row["scheduled_agent_hours"] == pytest.approx(scheduled * 0.5)
    # one calendar day of forecast: 1/7 of a 40-hour week per FTE
    assert row["fte"] == pytest.approx(scheduled * 0.5 / (40 / 7), abs=0.01)
    assert row["cost"] == pytest.approx(scheduled * 0.5 * 40)
    assert row["service_level_pct"] == pytest.approx(100 * served / contacts, abs=0.01)
    assert row["asa_seconds"] == pytest.approx(waited / contacts, abs=0.01)
    assert row["occupancy_pct"] == pytest.approx(100 * busy / agents, abs=0.01)
    assert row["abandon_pct"] is None  # Erlang C: nobody abandons


def test_the_grid_makes_every_combination_in_order() -> None:
    config = build_config({"country": ""})
    grid = check_grid({"service_level": [0.8, 0.9], "shrinkage": 0.3,
                       "volume_factor": [1.0, 1.1, 1.2]})
    cases = expand_grid(grid, config)
    assert [c.values for c in cases[:3]] == [
        {"service_level": 0.8, "shrinkage": 0.3, "volume_factor": v} for v in (1.0, 1.1, 1.2)]
    assert len(cases) == 6 and cases[3].values["service_level"] == 0.9
    assert cases[0].name == "SL 0.8, shrink 0.3, vol 1"


def test_an_unknown_grid_key_is_named(tmp_path: Path) -> None:
    forecast, grid = tmp_path / "forecast.csv", tmp_path / "grid.toml"
    forecast.write_text(FORECAST, encoding="utf-8")
    grid.write_text("service_level = [0.8, 0.9]\nshrinkge = [0.3]\n", encoding="utf-8")
    result = runner.invoke(app, ["scenarios", "--forecast", str(forecast), "--grid", str(grid),
                                 "--workers", "1"])
    assert result.exit_code == 2
    assert (f"{grid}, field 'shrinkge': unknown scenario key 'shrinkge' (known: "
            "service_level, answer_within_seconds") in result.output


@pytest.mark.parametrize(("grid", "message"), [
    ({"volume_factor": [1.0, 0]}, "volume_factor must be > 0, got 0"),
    ({"service_level": ["high"]}, "service_level values must be numbers, got 'high'"),
])
def test_a_bad_grid_value_is_named(grid: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_grid(grid)


def test_a_value_the_site_refuses_names_the_grid_key() -> None:
    with pytest.raises(InvalidInput, match="shrinkage: Input should be less than 1"):
        expand_grid(check_grid({"shrinkage": [0.3, 1.5]}), build_config({"country": ""}))


def test_the_report_charts_every_scenario_in_the_site_language(tmp_path: Path) -> None:
    forecast, site = tmp_path / "forecast.csv", tmp_path / "site.toml"
    forecast.write_text(FORECAST, encoding="utf-8")
    site.write_text(SITE, encoding="utf-8")
    result = runner.invoke(app, ["scenarios", "--forecast", str(forecast), "--config",
                                 str(site), "--shrinkage", "0.2,0.3,0.4", "--workers", "1",
                                 "--report", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "scenarios.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "假设情景对比" in html
    assert html.count("<svg") == 2 and html.count('<rect x="') == 6  # two charts, 3 bars each


def test_roster_per_scenario_shows_the_shortfall_of_the_agents(tmp_path: Path,
                                                               preferred_engine: int) -> None:
    import pandas as pd

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    history = pd.read_csv(fixtures / "history.csv")
    week = history[history["interval_start"] >= "2026-11-16"].copy()
    week["interval_start"] = (pd.to_datetime(week["interval_start"])
                              + pd.Timedelta(days=7)).map(lambda t: t.isoformat())
    week[["interval_start", "queue", "contacts", "aht_seconds"]].to_csv(
        tmp_path / "forecast.csv", index=False)
    agents = pd.read_csv(fixtures / "agents.csv", dtype=str).head(30)
    agents.to_csv(tmp_path / "agents.csv", index=False)
    result = runner.invoke(app, [
        "scenarios", "--forecast", str(tmp_path / "forecast.csv"), "--config",
        str(fixtures / "site.toml"), "--volume-factor", "0.1,1", "--roster", "--agents",
        str(tmp_path / "agents.csv"), "--time-limit", "1", "--workers", str(preferred_engine),
        "--format", "json"])
    assert result.exit_code == 0, result.output
    light, full = json.loads(result.stdout)["scenarios"]
    # 30 agents cover a tenth of the demo's volume far better than all of it
    assert light["shortfall_hours"] < full["shortfall_hours"]
    assert full["shortfall_hours"] > 0 and light["roster_status"] in ("OPTIMAL", "FEASIBLE")
