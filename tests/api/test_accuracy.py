"""Published forecasts, actuals and forecast accuracy through the API (issue 23)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.db import make_engine
from api.store import Store
from tests.api.factories import Site
from wfm.config import load_config
from wfm_cli.main import app

CSV = {"Content-Type": "text/csv"}
ACTUALS_HEADER = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
                  "handle_seconds,acw_seconds,wait_seconds\n")
DAY = date(2030, 1, 7)  # a Monday


def actuals_csv(days: dict[date, int], queue: str = "sales") -> str:
    rows = [f"{d.isoformat()}T10:00:00,{queue},{n},{n},0,{n},{n * 100},0,0\n"
            for d, n in days.items()]
    return ACTUALS_HEADER + "".join(rows)


def forecast_csv(days: dict[date, float], queue: str = "sales") -> str:
    return "interval_start,queue,contacts,aht_seconds\n" + "".join(
        f"{d.isoformat()}T10:00:00,{queue},{n},300\n" for d, n in days.items())


def week(values: list[float], start: date = DAY) -> dict[date, float]:
    return {start + timedelta(days=k): v for k, v in enumerate(values)}


def test_import_actuals_is_idempotent_and_a_resent_interval_replaces(site: Site) -> None:
    first = site.client.post("/api/v1/actuals", content=actuals_csv({DAY: 100}),
                             headers={**site.planner, **CSV})
    assert first.status_code == 200
    assert first.json() == {"received": 1, "inserted": 1, "replaced": 0}
    again = site.client.post("/api/v1/actuals",
                             content=actuals_csv({DAY: 80, DAY + timedelta(days=1): 90}),
                             headers={**site.planner, **CSV})
    assert again.json() == {"received": 2, "inserted": 1, "replaced": 1}
    stored = site.store.actuals.frame(date_from=DAY, date_to=DAY + timedelta(days=1))
    assert stored["offered"].tolist() == [80, 90]


@pytest.mark.parametrize("path", ["/api/v1/actuals", "/api/v1/forecasts?model=m"])
def test_uploads_are_forbidden_for_agents_and_need_a_token(site: Site, path: str) -> None:
    body = actuals_csv({DAY: 1}) if "actuals" in path else forecast_csv({DAY: 1})
    response = site.client.post(path, content=body, headers={**site.agents["A1"], **CSV})
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")
    assert site.client.post(path, content=body, headers=CSV).status_code == 401
    got = site.client.get("/api/v1/forecasts/accuracy", headers=site.agents["A1"])
    assert (got.status_code, got.json()["detail"]) == (403, "planner role required")


def test_bad_actuals_name_the_line(site: Site) -> None:
    body = actuals_csv({DAY: 5}) + "2030-01-08T10:00:00,sales,5,6,0,0,0,0,0\n"
    response = site.client.post("/api/v1/actuals", content=body,
                                headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("actuals, line 3, field 'answered'")
    bad = ACTUALS_HEADER + "2030-01-07T10:00:00,sales,five,5,0,5,0,0,0\n"
    response = site.client.post("/api/v1/actuals", content=bad, headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("actuals, line 2, field 'offered'")


def test_bad_forecast_names_the_line(site: Site) -> None:
    body = forecast_csv({DAY: 5}) + "2030-01-08T10:00:00,sales,-,300\n"
    response = site.client.post("/api/v1/forecasts?model=m", content=body,
                                headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("forecast, line 3, field 'contacts'")
    early = site.client.post(f"/api/v1/forecasts?model=m&origin={DAY + timedelta(days=1)}",
                             content=forecast_csv(week([5, 5])), headers={**site.planner, **CSV})
    assert early.status_code == 422
    assert early.json()["detail"].startswith("forecast, line 2, field 'interval_start'")


def test_published_forecasts_are_kept_with_model_and_origin(site: Site) -> None:
    response = site.client.post("/api/v1/forecasts?model=mean_4w&reason=weekly",
                                content=forecast_csv(week([100] * 7)),
                                headers={**site.planner, **CSV})
    assert response.status_code == 201
    body = response.json()
    assert (body["model"], body["origin"], body["rows"], body["reason"]) == (
        "mean_4w", DAY.isoformat(), 7, "weekly")
    site.client.post(f"/api/v1/forecasts?model=ets&origin={DAY}",
                     content=forecast_csv(week([90] * 7)), headers={**site.planner, **CSV})
    listed = site.client.get("/api/v1/forecasts", headers=site.planner).json()
    assert [(f["model"], f["origin"]) for f in listed["items"]] == [
        ("ets", DAY.isoformat()), ("mean_4w", DAY.isoformat())]
    missing = site.client.post("/api/v1/forecasts", content=forecast_csv({DAY: 1}),
                               headers={**site.planner, **CSV})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "model"]


def test_accuracy_against_the_latest_forecast_with_drift(site: Site) -> None:
    # an old forecast of 100 a day, then one published with the same origin at 110
    site.client.post("/api/v1/forecasts?model=mean_4w", content=forecast_csv(week([100] * 14)),
                     headers={**site.planner, **CSV})
    site.client.post("/api/v1/forecasts?model=ets", content=forecast_csv(week([110] * 14)),
                     headers={**site.planner, **CSV})
    site.client.post("/api/v1/actuals", content=actuals_csv(week([100] * 10)),
                     headers={**site.planner, **CSV})
    response = site.client.get("/api/v1/forecasts/accuracy", headers=site.planner)
    assert response.status_code == 200
    body = response.json()
    assert body["queues"] == ["sales"]
    window = body["window"]
    assert (window["first_day"], window["last_day"], window["days"]) == (
        DAY.isoformat(), (DAY + timedelta(days=9)).isoformat(), 10)
    assert window["bias"] == pytest.approx(0.1) and window["wape"] == pytest.approx(0.1)
    assert window["noise"] == pytest.approx(2 * 1000 ** 0.5 / 1000) and window["drift"]
    assert [w["days"] for w in body["weeks"]] == [7, 3]
    assert body["days"][0]["models"] == "ets"
    other = site.client.get("/api/v1/forecasts/accuracy?queue=none", headers=site.planner)
    assert other.json()["window"]["days"] == 0 and not other.json()["window"]["drift"]


def test_accuracy_without_actuals_is_empty(site: Site) -> None:
    body = site.client.get("/api/v1/forecasts/accuracy", headers=site.planner).json()
    assert body["window"]["days"] == 0 and body["days"] == [] and body["queues"] == []


def test_wfm_forecast_store_publishes_each_queue_with_its_model(tmp_path: Path) -> None:
    """``wfm forecast --store --db URL`` keeps the forecast in the service's database, one
    published forecast per queue with its chosen model and ``--start`` as origin."""
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    url = f"sqlite:///{tmp_path / 'wfm.db'}"
    result = CliRunner().invoke(app, [
        "forecast", "--history", str(fixtures / "history.csv"), "--start", "2026-11-23",
        "--weeks", "1", "-o", str(tmp_path / "forecast.csv"), "--config",
        str(fixtures / "site.toml"), "--store", "--db", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    store = Store(make_engine(url), load_config(fixtures / "site.toml"))
    published = store.published_forecasts()
    assert sorted(p["queue"] for p in summary["published"]) == sorted(summary["queues"])
    assert {(f.model, f.origin) for f in published} == {
        (summary["models"][p["queue"]]["model"], date(2026, 11, 23))
        for p in summary["published"]}
    assert sum(f.rows for f in published) == summary["intervals"]
    # each keeps the intraday update's spread its backtest measured (the intraday view's),
    # the one the command reports
    by_id = {f.id: f for f in published}
    for item in summary["published"]:
        kept, said = by_id[item["forecast_id"]], summary["intraday_spread"][item["queue"]]
        assert said["source"] == "backtest" and kept.day_sigma is not None
        assert (kept.day_sigma, kept.dispersion, kept.block_dispersion) == pytest.approx(
            (said["day_sigma"], said["dispersion"], said["block_dispersion"]), abs=1e-6)
