"""Forecast against actual (``wfm.forecast.accuracy``), on numbers worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from wfm.forecast.accuracy import accuracy_report, latest_forecast

MONDAY = date(2026, 11, 2)


def frames(days: list[tuple[float, float]], *, start: date = MONDAY,
           queue: str = "q") -> tuple[pd.DataFrame, pd.DataFrame]:
    """One 10:00 interval per day: (forecast, actual) per day from ``start``."""
    starts = [pd.Timestamp(f"{start + timedelta(days=k)}T10:00", tz="UTC")
              for k in range(len(days))]
    forecast = pd.DataFrame({"interval_start": starts, "queue": queue,
                             "contacts": [f for f, _ in days], "model": "mean_4w"})
    actuals = pd.DataFrame({"interval_start": starts, "queue": queue,
                            "offered": [a for _, a in days]})
    return forecast, actuals


def test_accuracy_report_day_wape_sums_interval_errors() -> None:
    # Monday: intervals (f, a) = (10, 12) and (20, 15): forecast 30, actual 27,
    # Σ|f - a| = 2 + 5 = 7, WAPE 7/27 (not |30 - 27| / 27), bias 3/27
    starts = [pd.Timestamp("2026-11-02T10:00", tz="UTC"),
              pd.Timestamp("2026-11-02T10:30", tz="UTC")]
    forecast = pd.DataFrame({"interval_start": starts, "queue": "q", "contacts": [10, 20]})
    actuals = pd.DataFrame({"interval_start": starts, "queue": "q", "offered": [12, 15]})
    report = accuracy_report(forecast, actuals, timezone="UTC")
    day = report.days.iloc[0]
    assert (day["date"], day["intervals"], day["forecast"], day["actual"]) == (
        MONDAY, 2, 30, 27)
    assert day["wape"] == pytest.approx(7 / 27)
    assert day["bias"] == pytest.approx(3 / 27)


def test_accuracy_report_skips_unknown_actuals_and_unforecast_intervals() -> None:
    forecast, actuals = frames([(10, 10), (20, 10)])
    # the second day's actual is missing: unknown, not zero; an actual with no forecast
    actuals = pd.concat([actuals.iloc[:1], actuals.iloc[:1].assign(queue="other")])
    report = accuracy_report(forecast, actuals, timezone="UTC")
    assert report.days["date"].tolist() == [MONDAY]
    assert report.window.bias == 0.0


def test_accuracy_report_weeks_and_window() -> None:
    # 10 days from Monday 2 Nov: forecast 110, actual 100 each day
    forecast, actuals = frames([(110, 100)] * 10)
    report = accuracy_report(forecast, actuals, timezone="UTC", weeks=4)
    assert report.weeks["week"].tolist() == [MONDAY, MONDAY + timedelta(days=7)]
    assert report.weeks["days"].tolist() == [7, 3]
    assert report.weeks["forecast"].tolist() == [770, 330]
    assert report.weeks["bias"].tolist() == pytest.approx([0.1, 0.1])
    # week 1: noise 2·√max(7·10², 700) / 700 = 0.0756 < 0.1; week 2 (3 days): 2·√300/300 = 0.115
    assert report.weeks["beyond_noise"].tolist() == [True, False]
    window = report.window
    assert (window.first_day, window.last_day, window.days) == (
        MONDAY, MONDAY + timedelta(days=9), 10)
    assert window.wape == pytest.approx(0.1) and window.bias == pytest.approx(0.1)
    # noise 2·√max(10·10², 1000) / 1000 = 0.0632: a drift
    assert window.noise == pytest.approx(2 * 1000 ** 0.5 / 1000)
    assert window.drift
    # a one-week window keeps the last 7 days only
    last = accuracy_report(forecast, actuals, timezone="UTC", weeks=1)
    assert last.window.first_day == MONDAY + timedelta(days=3) and last.window.days == 7


def test_drift_needs_a_week_of_days() -> None:
    # 6 days 10% over: beyond noise (2·√600/600 = 0.0816) but fewer than 7 days
    forecast, actuals = frames([(110, 100)] * 6)
    window = accuracy_report(forecast, actuals, timezone="UTC").window
    assert window.bias == pytest.approx(0.1) and window.noise == pytest.approx(0.0816, abs=1e-4)
    assert not window.drift
    forecast, actuals = frames([(110, 100)] * 7)
    assert accuracy_report(forecast, actuals, timezone="UTC").window.drift


def test_no_drift_within_poisson_noise_or_from_one_bad_day() -> None:
    # 1% over on 10 days of 100: Σe² = 10 < Σa = 1000, noise 2·√1000/1000 = 0.063 > 0.01
    forecast, actuals = frames([(101, 100)] * 10)
    window = accuracy_report(forecast, actuals, timezone="UTC").window
    assert window.noise == pytest.approx(0.0632, abs=1e-4) and not window.drift
    # one day 300 for 100 among 9 perfect ones: bias 0.2, noise 2·200/1000 = 0.4
    forecast, actuals = frames([(100, 100)] * 9 + [(300, 100)])
    window = accuracy_report(forecast, actuals, timezone="UTC").window
    assert window.bias == pytest.approx(0.2) and window.noise == pytest.approx(0.4)
    assert not window.drift


def test_accuracy_report_days_are_local_dates() -> None:
    # 23:30 UTC on Monday is Tuesday 07:30 in Shanghai
    start = pd.Timestamp("2026-11-02T23:30", tz="UTC")
    forecast = pd.DataFrame({"interval_start": [start], "queue": "q", "contacts": [5.0]})
    actuals = pd.DataFrame({"interval_start": [start], "queue": "q", "offered": [4]})
    report = accuracy_report(forecast, actuals, timezone="Asia/Shanghai")
    assert report.days["date"].tolist() == [date(2026, 11, 3)]


def test_accuracy_report_empty() -> None:
    forecast, actuals = frames([(1, 1)])
    report = accuracy_report(forecast, actuals.iloc[:0], timezone="UTC")
    assert report.days.empty and report.weeks.empty
    assert report.window.wape is None and not report.window.drift


def test_latest_forecast_takes_the_latest_origin_on_or_before_the_day() -> None:
    days = [MONDAY + timedelta(days=k) for k in range(5)]
    starts = [pd.Timestamp(f"{d}T10:00", tz="UTC") for d in days]
    first = pd.DataFrame({"interval_start": starts, "queue": "q", "contacts": 1.0,
                          "forecast_id": 1, "origin": MONDAY, "model": "a"})
    # published later, origin Wednesday; its Tuesday row is before its origin and never counts
    second = pd.DataFrame({"interval_start": starts[1:], "queue": "q", "contacts": 2.0,
                           "forecast_id": 2, "origin": days[2], "model": "b"})
    # republished with the same origin: the latest published wins
    third = second.iloc[2:].assign(forecast_id=3, contacts=3.0, model="c")
    chosen = latest_forecast(pd.concat([third, second, first]), "UTC").sort_values(
        "interval_start")
    assert chosen["contacts"].tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert chosen["model"].tolist() == ["a", "a", "b", "c", "c"]
