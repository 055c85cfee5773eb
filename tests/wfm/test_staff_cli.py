"""``wfm staff`` and ``wfm erlang`` through the command line (exit codes, columns, JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.staffing.requirements import REQUIREMENT_COLUMNS
from wfm_cli.main import app

runner = CliRunner()

FORECAST = """interval_start,queue,contacts,aht_seconds,contacts_p10,contacts_p90
2026-11-23T08:30:00,presales,100,180,80,120
2026-11-23T09:00:00,presales,0,,0,0
2026-11-23T08:30:00,aftersales,300,400,250,350
2026-11-23T09:00:00,aftersales,310,400,260,360
"""


@pytest.fixture
def forecast_file(tmp_path: Path) -> Path:
    path = tmp_path / "forecast.csv"
    path.write_text(FORECAST, encoding="utf-8")
    return path


def test_staff_writes_the_requirement_contract(tmp_path: Path, forecast_file: Path) -> None:
    out = tmp_path / "requirement.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == REQUIREMENT_COLUMNS
    presales = frame[(frame["queue"] == "presales")].iloc[0]
    # callcentrehelper worked example: 100 calls, 180 s, 30 min → 14 agents, 20 with 30% shrinkage
    assert (presales["agents"], presales["scheduled_agents"]) == (14, 20)
    closed = frame[(frame["queue"] == "presales")].iloc[1]
    assert (closed["agents"], closed["scheduled_agents"]) == (0, 0)
    assert "peak" in result.output


def test_staff_per_queue_targets_and_json(tmp_path: Path, forecast_file: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[queues.presales]\nanswer_within_seconds = 15\nlevel = 0.9\n",
                      encoding="utf-8")
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o", str(out),
                                 "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["model"] == "erlang_c" and set(summary["queues"]) == {"presales", "aftersales"}
    frame = pd.read_csv(out)
    presales = frame[(frame["queue"] == "presales")].iloc[0]
    assert presales["agents"] > 14 and presales["service_level"] >= 0.9


def test_staff_quantile_staffs_for_p90(tmp_path: Path, forecast_file: Path) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o", str(out),
                                 "--quantile", "0.9"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert frame["contacts"].tolist()[:2] == [350.0, 120.0]


def test_staff_bad_input_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,a,5,0\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["staff", "--forecast", str(path), "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "line 2, field 'aht_seconds': aht_seconds must be > 0 where contacts > 0" in \
        result.output
    assert not (tmp_path / "r.csv").exists()


def test_erlang_calculator_json_matches_published_example() -> None:
    result = runner.invoke(app, ["erlang", "--contacts", "1000", "--aht-seconds", "120",
                                 "--agents", "40", "--interval-minutes", "60", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    # PyPI call-center-tools 1.0.0 README: 19.07% wait, 93.72% SL, 83.33% occupancy, ASA 3.43 s
    assert figures["wait_probability"] == pytest.approx(0.1907, abs=5e-5)
    assert figures["answered_immediately"] == pytest.approx(0.8093, abs=5e-5)
    assert figures["service_level"] == pytest.approx(0.9372, abs=5e-5)
    assert figures["occupancy"] == pytest.approx(0.8333, abs=5e-5)
    assert figures["asa_seconds"] == pytest.approx(3.43, abs=5e-3)


def test_erlang_rejects_negative_aht() -> None:
    result = runner.invoke(app, ["erlang", "--contacts", "10", "--aht-seconds", "-5",
                                 "--agents", "3"])
    assert result.exit_code == 2
    assert "aht_seconds must be a positive number, got -5.0" in result.output


def test_a_queue_section_that_only_differs_in_case_is_refused(tmp_path: Path,
                                                              forecast_file: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[queues.Presales]\nlevel = 0.9\n[queues.vip]\nlevel = 0.95\n")
    out = tmp_path / "requirement.csv"
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o", str(out),
                                 "--config", str(site)])
    assert result.exit_code == 2
    assert "[queues.Presales] matches no queue in the table; did you mean 'presales'?" in (
        result.stderr)
    assert not out.exists()
    site.write_text("[queues.presales]\nlevel = 0.9\n[queues.vip]\nlevel = 0.95\n")
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o", str(out),
                                 "--config", str(site), "--format", "json"])
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert "[queues.vip] is configured but" in warning


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(forecast_file: Path) -> None:
    before = forecast_file.read_text(encoding="utf-8")
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o",
                                 str(forecast_file)])
    assert result.exit_code == 2
    assert "is the same file as the input --forecast" in result.stderr
    assert forecast_file.read_text(encoding="utf-8") == before


def test_a_percentage_typed_for_a_fraction_names_the_flag_and_hints(tmp_path: Path,
                                                                    forecast_file: Path) -> None:
    result = runner.invoke(app, ["staff", "--forecast", str(forecast_file), "-o",
                                 str(tmp_path / "r.csv"), "--service-level", "80"])
    assert result.exit_code == 2
    assert ("--service-level: Input should be less than 1, got 80.0 (a fraction: 0.8 means "
            "80%)") in result.stderr


def test_a_forecast_row_without_aht_names_its_line_without_numpy_spelling(tmp_path: Path
                                                                          ) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text(FORECAST.replace("2026-11-23T08:30:00,presales,100,180",
                                     "2026-11-23T08:30:00,presales,100,"), encoding="utf-8")
    result = runner.invoke(app, ["staff", "--forecast", str(path), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "line 2, field 'aht_seconds': aht_seconds must be > 0 where contacts > 0, got empty" in (
        result.stderr)


def test_erlang_with_no_agents_has_no_occupancy() -> None:
    result = runner.invoke(app, ["erlang", "--contacts", "100", "--aht-seconds", "180",
                                 "--agents", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["occupancy"] is None and figures["service_level"] == 0.0
    text = runner.invoke(app, ["erlang", "--contacts", "100", "--aht-seconds", "180",
                               "--agents", "0"]).stdout
    assert "occupancy                n/a (no agents)" in text
