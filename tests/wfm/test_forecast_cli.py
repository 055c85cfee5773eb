"""`wfm forecast` and `wfm forecast backtest` through the typer app."""

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.forecast.synthetic import SyntheticParameters, synthetic_history
from wfm.tables import FORECAST, read_table, write_table
from wfm_cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("forecast") / "history.csv"
    params = SyntheticParameters(start=date(2025, 8, 4), weeks=10, queues=("presales", "after"),
                                 daily_volume=1500)
    write_table(synthetic_history(params), path, "history")
    return path


def test_forecast_writes_every_interval_and_queue(history_csv, tmp_path):
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                 "2025-10-13", "--weeks", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: 1344 rows, 2 queue(s), 2025-10-13 to 2025-10-26" in result.output
    table = read_table(out, FORECAST)
    assert list(table.columns) == ["interval_start", "queue", "contacts", "aht_seconds",
                                   "contacts_p10", "contacts_p90"]
    assert len(table) == 2 * 14 * 48
    assert table["interval_start"].min() == pd.Timestamp("2025-10-13T00:00+08:00")
    assert (table["contacts_p10"] <= table["contacts"]).all()
    assert (table["contacts"] <= table["contacts_p90"]).all()


def test_forecast_json_lists_special_days(history_csv, tmp_path):
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                 "2025-09-29", "--weeks", "2", "-o", str(out), "--format",
                                 "json", "--holiday-factor", "0.4"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["intervals"] == 2 * 14 * 48
    assert set(summary["queues"]) == {"presales", "after"}
    special = {day["date"]: day for day in summary["special_days"]}
    assert special["2025-10-01"]["kind"] == "holiday"
    assert special["2025-10-01"]["multiplier"] == 0.4
    assert special["2025-10-01"]["learned_from_days"] == 0
    assert special["2025-10-11"]["kind"] == "working_weekend"


def test_backtest_reports_model_and_seasonal_naive(history_csv):
    result = runner.invoke(app, ["forecast", "backtest", "--history", str(history_csv),
                                 "--folds", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [f["start"] for f in summary["folds"]] == ["2025-09-29", "2025-10-06"]
    scores = {(s["method"], s["days"]): s for s in summary["scores"]}
    assert scores[("model", "all")]["interval_wape"] < scores[("seasonal_naive", "all")][
        "interval_wape"]
    assert scores[("model", "special")]["days_scored"] > 0  # National Day reported apart
    text = runner.invoke(app, ["forecast", "backtest", "--history", str(history_csv),
                               "--folds", "2"])
    assert "model vs seasonal naive (all days): interval wape" in text.output


def test_missing_options_and_bad_input_exit_2(history_csv, tmp_path):
    result = runner.invoke(app, ["forecast", "--history", str(history_csv)])
    assert result.exit_code == 2
    assert "missing option(s) --start, -o/--output" in result.output
    result = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                 "13/10/2025", "-o", str(tmp_path / "f.csv")])
    assert result.exit_code == 2
    assert "--start must be a date YYYY-MM-DD, got '13/10/2025'" in result.output
    result = runner.invoke(app, ["forecast", "backtest", "--history", str(history_csv),
                                 "--folds", "30"])
    assert result.exit_code == 2
    assert "history is too short for 30 fold(s) of 1 week(s)" in result.output
    assert not (tmp_path / "f.csv").exists()


def test_help_of_both_forms():
    main = runner.invoke(app, ["forecast", "--help"])
    assert main.exit_code == 0 and "--history" in main.output and "backtest" in main.output
    sub = runner.invoke(app, ["forecast", "backtest", "--help"])
    assert sub.exit_code == 0 and "--horizon-weeks" in sub.output


@pytest.fixture(scope="module")
def gapped_csv(tmp_path_factory):
    """Ten weeks of history with weeks 7 and 8 missing (e.g. an export that failed)."""
    path = tmp_path_factory.mktemp("gapped") / "history.csv"
    params = SyntheticParameters(start=date(2025, 6, 2), weeks=10, queues=("presales",),
                                 daily_volume=1500)
    history = synthetic_history(params)
    local = history["interval_start"].dt.tz_localize(None)
    gap = (local >= pd.Timestamp("2025-07-14")) & (local < pd.Timestamp("2025-07-28"))
    write_table(history[~gap], path, "history")
    return path


def test_backtest_lists_each_fold_and_says_which_fall_in_a_gap(gapped_csv):
    result = runner.invoke(app, ["forecast", "backtest", "--history", str(gapped_csv),
                                 "--folds", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    folds = {f["start"]: f for f in json.loads(result.stdout)["folds"]}
    assert folds["2025-07-14"]["intervals"] == 0 and folds["2025-07-21"]["intervals"] == 0
    assert folds["2025-08-04"]["days_scored"] == 7
    assert 0 < folds["2025-08-04"]["model_daily_wape"] < 1
    text = runner.invoke(app, ["forecast", "backtest", "--history", str(gapped_csv),
                               "--folds", "4"]).output
    assert "2025-07-14..2025-07-20: no actuals (a gap in history), not scored" in text
    assert "2025-08-04..2025-08-10: 7 day(s) scored, model " in text


def test_forecast_warns_when_history_ends_long_before_the_start(history_csv, tmp_path):
    out = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                 "2025-11-10", "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    [warning] = [w for w in json.loads(result.stdout)["warnings"] if "presales" in w]
    assert "history ends 2025-10-12, 28 days before 2025-11-10" in warning
    fresh = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                "2025-10-13", "-o", str(out), "--format", "json"])
    assert json.loads(fresh.stdout)["warnings"] == []


def test_forecast_warns_about_history_outside_open_hours(history_csv, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('open_hours = "09:00-18:00"\n')
    result = runner.invoke(app, ["forecast", "--history", str(history_csv), "--start",
                                 "2025-10-13", "-o", str(tmp_path / "f.csv"), "--config",
                                 str(site), "--format", "json"])
    assert result.exit_code == 0, result.output
    warnings = [w for w in json.loads(result.stdout)["warnings"] if "open_hours" in w]
    assert len(warnings) == 2  # one per queue
    history = pd.read_csv(history_csv)
    clock = pd.to_datetime(history["interval_start"].str[:19])
    minute = clock.dt.hour * 60 + clock.dt.minute
    presales = history[(history["queue"] == "presales")]
    outside = presales[(minute[presales.index] < 540) | (minute[presales.index] + 30 > 1080)]
    share = 100 * outside["contacts"].sum() / presales["contacts"].sum()
    [line] = [w for w in warnings if "presales" in w]
    assert f"({share:.1f}%) arrived outside open_hours 09:00-18:00" in line


def test_forecast_says_which_model_won_and_by_how_much(history_csv, tmp_path):
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--history", str(history_csv), "--start", "2025-10-13", "-o", str(out)]
    summary = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    model = summary["models"]["presales"]
    assert model["rule"] == "backtest" and len(model["folds"]) >= 6
    names = {c["model"] for c in model["candidates"]}
    assert {"seasonal_naive", "mean_4w", "median_4w", "profile", "ets"} <= names
    assert model["model"] in names and model["runner_up"] in names
    simple = [c for c in model["candidates"]
              if c["model"].startswith(("mean_", "median_", "seasonal_naive"))]
    assert model["best_simple"] in {c["model"] for c in simple}
    assert model["versus"]["simple"] == model["best_simple"]
    assert model["gain_vs_seasonal_naive"] > 0
    assert abs(model["bias"]) <= model["bias_noise"] or summary["warnings"]
    text = runner.invoke(app, args).output
    assert "presales: " in text and (
        f"model {model['model']} chosen simple-first over {len(model['folds'])} weekly "
        "origin(s) at a 1-week horizon") in text
    assert f"beat {model['best_simple']} on" in text and "; bias " in text
