"""The intraday view re-forecasts with the spread kept with the published forecast (issue 25):
a forecast published by ``wfm forecast --store`` carries its backtest's spread, and ``GET
/api/v1/intraday`` then re-forecasts the rest of the day exactly as ``wfm forecast``'s mid-day
update does; a forecast published without one keeps the default (0.15, Poisson)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.factories import Site, set_now
from tests.api.test_intraday_api import ACTUALS_HEADER, forecast_csv, local, post, view
from tests.web.conftest import sign_in
from wfm.calendar import local_naive
from wfm.forecast import run_forecast
from wfm.forecast.intraday import shrunk_factor
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history
from wfm_cli.commands.forecast import _publish


def _history(site: Site) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eleven flat weeks of one queue before the site's first Monday, then that morning to noon
    with 40% more contacts than usual, in whole contacts: (history before, the busy morning)."""
    config = site.store.config
    params = SyntheticParameters(start=site.start - timedelta(weeks=11), weeks=12,
                                 queues=("sales",), daily_volume=3000, growth_per_week=0.0,
                                 country="", timezone=config.timezone)
    history = synthetic_history(params)
    first = pd.Timestamp(site.start, tz=config.tz)
    noon = first + pd.Timedelta(hours=12)
    before = history[history["interval_start"] < first]
    morning = history[(history["interval_start"] >= first)
                      & (history["interval_start"] < noon)].copy()
    morning["contacts"] = np.round(morning["contacts"] * 1.4)
    morning["aht_seconds"] = morning["aht_seconds"].fillna(300.0)
    return before, morning


def _actuals_csv(morning: pd.DataFrame) -> str:
    rows = [f"{t.isoformat()},sales,{n},{n},0,{n},{n * a:.1f},0,0\n"
            for t, n, a in zip(morning["interval_start"], morning["contacts"].astype(int),
                               morning["aht_seconds"], strict=True)]
    return ACTUALS_HEADER + "".join(rows)


def test_the_view_reforecasts_with_the_forecasts_backtest_spread(site: Site) -> None:
    config = site.store.config
    before, morning = _history(site)
    plain, info = run_forecast(before, config, start=site.start, weeks=1)
    updated, mid_day = run_forecast(pd.concat([before, morning]), config, start=site.start,
                                    weeks=1)
    choice, update = mid_day["sales"].choice, mid_day["sales"].update
    assert update is not None and choice.scores  # measured on backtest folds
    assert abs(choice.day_sigma - 0.15) > 0.02  # not the default spread
    # what `wfm forecast --store` does: publish each queue with its spread
    published = _publish(plain, info, config, site.start, str(site.store.unit.engine.url))
    assert [p["queue"] for p in published] == ["sales"]
    post(site, "/api/v1/actuals", _actuals_csv(morning))
    set_now(site, local(site.start, "12:05"))

    body = view(site, site.start, "sales")
    spread = next(u for u in body["updates"] if u["queue"] == "sales")
    assert spread["spread_source"] == "backtest"
    assert (spread["day_sigma"], spread["dispersion"], spread["block_dispersion"]) == \
        pytest.approx((choice.day_sigma, choice.dispersion, choice.block_dispersion))
    assert spread["factor"] == pytest.approx(update.factor, abs=1e-4)
    # the default spread would have moved the afternoon by a visibly different factor
    default = shrunk_factor(update.arrived, update.expected, 0.15)
    assert abs(default - update.factor) > 1e-3
    today = updated[local_naive(updated["interval_start"]).date == site.start]
    expected = {t.strftime("%H:%M"): c for t, c in zip(
        local_naive(today["interval_start"]), today["contacts"], strict=True)}
    rows = [r for r in body["intervals"] if r["interval_start"][11:16] >= "12:00"]
    assert len(rows) == 24
    for row in rows:
        assert row["reforecast_contacts"] == pytest.approx(
            expected[row["interval_start"][11:16]], rel=1e-3, abs=1e-2), row["interval_start"]


def test_a_forecast_published_without_spread_keeps_the_default(site: Site) -> None:
    post(site, "/api/v1/forecasts?model=mean_4w", forecast_csv(site.start))
    set_now(site, local(site.start, "11:05"))
    body = view(site, site.start)
    assert {(u["queue"], u["day_sigma"], u["spread_source"]) for u in body["updates"]} == {
        ("sales", 0.15, "default"), ("support", 0.15, "default")}


def test_post_forecasts_keeps_the_spread_sent(site: Site) -> None:
    kept = post(site, "/api/v1/forecasts?model=mean_4w&day_sigma=0.05&dispersion=0.02",
                forecast_csv(site.start))
    assert (kept["day_sigma"], kept["dispersion"], kept["block_dispersion"]) == (0.05, 0.02, 0.0)
    set_now(site, local(site.start, "11:05"))
    updates = {u["queue"]: u for u in view(site, site.start)["updates"]}
    assert (updates["sales"]["day_sigma"], updates["sales"]["dispersion"],
            updates["sales"]["spread_source"]) == (0.05, 0.02, "backtest")
    listed = site.client.get("/api/v1/forecasts", headers=site.planner).json()["items"]
    assert listed[0]["day_sigma"] == 0.05
    browser = TestClient(site.client.app)
    sign_in(browser, site.planner["Authorization"].removeprefix("Bearer "))
    page = browser.get("/planner/intraday", params={"date": site.start.isoformat(),
                                                    "queue": "sales"}).text
    assert "离散度为该预测回测实测的值。" in page  # the site's language: the spread's source


@pytest.mark.parametrize("query", ["day_sigma=0", "day_sigma=-1", "dispersion=0.1",
                                   "day_sigma=0.1&block_dispersion=-0.5"])
def test_a_bad_spread_is_422_and_stores_nothing(site: Site, query: str) -> None:
    response = site.client.post(f"/api/v1/forecasts?model=mean_4w&{query}",
                                content=forecast_csv(site.start),
                                headers={**site.planner, "Content-Type": "text/csv"})
    assert response.status_code == 422, response.text
    field = query.split("&")[-1].split("=")[0]
    assert field in response.text
    assert site.client.get("/api/v1/forecasts", headers=site.planner).json()["total"] == 0
