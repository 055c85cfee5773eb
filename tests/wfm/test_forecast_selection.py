"""Model choice, special days and the intraday update on synthetic data of known structure
(``wfm.forecast.synthetic``): the truth is known, so each test states what must come out."""

from datetime import date, timedelta
from typing import Any

import mpmath
import numpy as np
import pandas as pd
import pytest

from wfm.calendar import calendar_for, local_naive
from wfm.config import SiteConfig, build_config
from wfm.forecast import ForecastSettings, run_forecast
from wfm.forecast.candidates import WeekdayStat
from wfm.forecast.intraday import shrunk_factor
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import choose, part_day_dispersion
from wfm.forecast.synthetic import SyntheticParameters, expected_contacts, synthetic_history

WEEKDAYS_ONLY = (1.1, 1.0, 1.0, 0.95, 0.95, 0.0, 0.0)
US_SITE = {"country": "US", "timezone": "America/New_York", "interval_minutes": 60}


def _daily(frame: pd.DataFrame, column: str = "contacts") -> pd.Series:
    return frame.groupby(local_naive(frame["interval_start"]).date)[column].sum()


def _day(frame: pd.DataFrame, day: date) -> np.ndarray:
    return frame.loc[local_naive(frame["interval_start"]).date == day, "contacts"].to_numpy()


def test_weekday_only_center_keeps_an_unseen_open_holiday_open():
    """No weekend rows and Labor Day / July 4th absent (closed); Columbus Day 2025 is not in
    history: no default factor, it is an ordinary Monday (hours, shape and volume), and the
    message says so loudly (issue 23)."""
    params = SyntheticParameters(
        start=date(2025, 6, 2), weeks=18, interval_minutes=60, daily_volume=21500,
        weekday_factors=WEEKDAYS_ONLY, growth_per_week=0.0, open_minutes=(7 * 60, 21 * 60),
        country="US", timezone="America/New_York", export_closed_days=False,
        multipliers={"holiday": 0.0, "pre_holiday": 1.0, "post_holiday": 1.0, "promotion": 1.0},
        holiday_multipliers={"Columbus Day": 1.15}, holiday_profile="own")
    history = synthetic_history(params)
    assert local_naive(history["interval_start"]).dayofweek.max() == 4  # no weekend rows
    site = build_config({**US_SITE, "open_hours": "07:00-21:00"})
    table, info = run_forecast(history, site, start=date(2025, 10, 6), weeks=2)
    columbus, monday = _day(table, date(2025, 10, 13)), _day(table, date(2025, 10, 6))
    assert columbus.sum() == pytest.approx(monday.sum(), rel=0.03)
    np.testing.assert_allclose(columbus / columbus.sum(), monday / monday.sum(), atol=0.002)
    assert (columbus[7:21] > 0).all() and (columbus[:7] == 0).all()
    special = {d.date: d for d in info["default"].special_days}[date(2025, 10, 13)]
    assert special.basis == "no_history" and special.multiplier == 1.0 and special.flagged
    assert special.message.startswith("no history for this holiday: forecast as an ordinary "
                                      "Monday; history shows")
    assert 'set [forecast] day_factors = {"Columbus Day" = "closed"}' in special.message
    # weekends were never seen: closed; weekdays not dragged down by the missing rows
    daily = _daily(table)
    assert daily[date(2025, 10, 11)] == 0 and daily[date(2025, 10, 12)] == 0
    truth = _daily(expected_contacts(params, date(2025, 10, 6), 5), "mean")
    np.testing.assert_allclose(daily[list(truth.index)].to_numpy(), truth.to_numpy(), rtol=0.06)


@pytest.fixture(scope="module")
def closed_weekends():
    """Closed weekends with zero rows; Thanksgiving closed (rows of zeros), Columbus Day open."""
    params = SyntheticParameters(
        start=date(2024, 9, 2), weeks=64, interval_minutes=60, daily_volume=3000,
        weekday_factors=(1.2, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0), growth_per_week=0.0,
        open_minutes=(8 * 60, 20 * 60), country="US", timezone="America/New_York",
        multipliers={"holiday": 0.0, "pre_holiday": 1.0, "post_holiday": 1.0, "promotion": 1.0},
        holiday_multipliers={"Columbus Day": 1.3}, holiday_profile="own")
    return params, synthetic_history(params)


def test_a_holiday_closed_in_history_is_forecast_closed(closed_weekends):
    _, history = closed_weekends
    site = build_config(US_SITE)
    table, info = run_forecast(history, site, start=date(2025, 11, 24), weeks=1)
    daily = _daily(table)
    assert daily[date(2025, 11, 27)] == 0  # Thanksgiving: closed on 2024-11-28
    assert daily[date(2025, 11, 26)] > 1000 and daily[date(2025, 11, 28)] > 1000
    assert daily[date(2025, 11, 29)] == 0 and daily[date(2025, 11, 30)] == 0
    special = {d.date: d for d in info["default"].special_days}[date(2025, 11, 27)]
    assert special.basis == "closed_in_history"
    assert "Thanksgiving Day on 2024-11-28 closed while the days around it were open" in (
        special.message)


def test_a_holiday_open_in_history_keeps_its_own_ratio(closed_weekends):
    _, history = closed_weekends
    site = build_config(US_SITE)
    history = history[history["interval_start"] < pd.Timestamp("2025-10-06", tz=site.tz)]
    _, info = run_forecast(history, site, start=date(2025, 10, 6), weeks=2)
    special = {d.date: d for d in info["default"].special_days}[date(2025, 10, 13)]
    assert special.basis == "same_holiday" and special.learned_from_days == 1
    # 2024-10-14 was x1.3; one occurrence keeps 1 / (1 + 0.25) of its log effect
    assert special.multiplier == pytest.approx(1.3 ** 0.8, abs=0.06)


def test_closed_dates_and_closed_holidays_from_the_configuration(closed_weekends):
    _, history = closed_weekends
    site = build_config(US_SITE)
    history = history[history["interval_start"] < pd.Timestamp("2025-11-03", tz=site.tz)]
    settings = ForecastSettings(closed_dates=["2025-11-05"], closed_holidays=["Veterans Day"])
    table, info = run_forecast(history, site, start=date(2025, 11, 3), weeks=2,
                               settings=settings)
    daily = _daily(table)
    assert daily[date(2025, 11, 5)] == 0 and daily[date(2025, 11, 11)] == 0
    assert daily[date(2025, 11, 4)] > 1000 and daily[date(2025, 11, 12)] > 1000
    bases = {d.date: d.basis for d in info["default"].special_days}
    assert bases[date(2025, 11, 5)] == "closed_dates"
    assert bases[date(2025, 11, 11)] == "closed_holidays"
    everything = ForecastSettings(closed_holidays=True)
    table, _ = run_forecast(history, site, start=date(2025, 11, 3), weeks=2,
                            settings=everything)
    assert _daily(table)[date(2025, 11, 11)] == 0


def test_a_level_shift_is_followed():
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=20, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=0.0, country="",
                                 level_shifts=(("2025-06-23", 1.3),))
    history = synthetic_history(params)
    start = params.start + timedelta(weeks=20)
    table = run_forecast(history, build_config({"country": "", "interval_minutes": 60}),
                         start=start, weeks=1)[0]
    truth = expected_contacts(params, start, 7)["mean"].sum()
    assert table["contacts"].sum() == pytest.approx(truth, rel=0.05)


def test_a_trend_is_followed_and_the_chosen_model_is_not_a_lagging_mean():
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=20, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=0.03, country="")
    history = synthetic_history(params)
    start = params.start + timedelta(weeks=20)
    table, info = run_forecast(history, build_config({"country": "", "interval_minutes": 60}),
                               start=start, weeks=2)
    truth = _daily(expected_contacts(params, start, 14), "mean")
    forecast = _daily(table)
    second_week = list(truth.index[7:])
    assert forecast[second_week].sum() == pytest.approx(truth[second_week].sum(), rel=0.04)
    choice = info["default"].choice
    assert choice.model.family in ("profile", "ets", "combination")
    assert choice.score("mean_8w").bias < -0.05  # the 8-week mean lags the trend


def _two_shapes() -> tuple[pd.DataFrame, SyntheticParameters]:
    """Big volume; the opening hours (so the intraday shape) moved 8 weeks before the end."""
    old = SyntheticParameters(start=date(2025, 3, 3), weeks=13, interval_minutes=60,
                              daily_volume=40000, growth_per_week=0.0, country="",
                              open_minutes=(8 * 60, 22 * 60))
    new = SyntheticParameters(start=date(2025, 6, 2), weeks=8, interval_minutes=60,
                              daily_volume=40000, growth_per_week=0.0, country="",
                              open_minutes=(6 * 60, 18 * 60), random_seed=8)
    return pd.concat([synthetic_history(old), synthetic_history(new)], ignore_index=True), new


def test_the_k_week_mean_wins_where_the_shape_just_changed():
    history, new = _two_shapes()
    site = build_config({"country": "", "interval_minutes": 60})
    start = new.start + timedelta(weeks=8)
    table, info = run_forecast(history, site, start=start, weeks=1)
    choice = info["default"].choice
    parts = [choice.model.first, choice.model.second] if choice.model.family == (
        "combination") else [choice.model]
    assert {p.family for p in parts} <= {"mean", "median", "seasonal_naive"}
    assert choice.score("profile").interval_wape > 1.1 * choice.score(choice.name).interval_wape
    assert _daily(table).iloc[0] > 0 and (_day(table, start)[:6] == 0).all()


def test_the_profile_model_wins_on_a_small_queue_with_a_trend():
    """Low volume: k-week means of single intervals are noisy and lag the growth; the profile
    model pools the shape over weekdays and weeks and follows the trend."""
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=16, daily_volume=300,
                                 growth_per_week=0.02, country="")
    history = synthetic_history(params)
    site = build_config({"country": "", "interval_minutes": 30})
    _, info = run_forecast(history, site, start=params.start + timedelta(weeks=16), weeks=1,
                           settings=ForecastSettings(ets_candidate=False))
    choice = info["default"].choice
    assert choice.name == "profile"
    simple = [s for s in choice.scores if s.family in ("mean", "median", "seasonal_naive")]
    assert min(s.interval_wape for s in simple) > choice.score("profile").interval_wape


class _Scaled:
    """A test candidate: the 8-week mean times ``factor``."""

    def __init__(self, factor: float, name: str) -> None:
        self.inner, self.factor, self.name, self.family = WeekdayStat(8), factor, name, name

    def ordinary(self, panel, origin, days):
        return self.factor * self.inner.ordinary(panel, origin, days)


def test_a_biased_candidate_loses_and_its_bias_is_outside_the_noise():
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=16, interval_minutes=60,
                                 daily_volume=5000, growth_per_week=0.0, country="")
    y = synthetic_history(params).set_index("interval_start")["contacts"]
    panel = build_panel(y, 60, calendar_for(build_config({"country": ""})))
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool),
                    candidates=[_Scaled(1.0, "plain"), _Scaled(1.08, "high")])
    assert choice.name == "plain"
    high, plain = choice.score("high"), choice.score("plain")
    assert high.bias == pytest.approx(plain.bias + 0.08, abs=0.01)
    assert abs(high.bias) > high.bias_noise
    assert abs(plain.bias) <= plain.bias_noise


def _short_choice(weeks: int, growth: float, seed: int) -> Any:
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=weeks, interval_minutes=60,
                                 country="", growth_per_week=growth, daily_volume=6000,
                                 day_sigma=0.02, random_seed=seed)
    _, info = run_forecast(synthetic_history(params), build_config({"interval_minutes": 60,
                                                                    "country": ""}),
                           start=params.start + timedelta(weeks=weeks), weeks=1)
    return info["default"].choice


def test_short_history_backtests_the_simple_candidates_on_one_week_folds():
    choice = _short_choice(3, 0.0, 21)  # 21 days: origins after 7 and 14 days
    assert choice.rule == "short history"
    assert choice.folds == [date(2025, 3, 10), date(2025, 3, 17)]
    assert {s.family for s in choice.scores} <= {"seasonal_naive", "mean", "profile",
                                                 "combination"}
    # a flat series: averaging two weeks halves the Poisson variance of one week
    assert choice.score("mean_2w").interval_wape < choice.score("seasonal_naive").interval_wape
    assert choice.name != "seasonal_naive"
    assert "one-week-ahead origins" in choice.summary()["rule_text"]


def test_short_history_with_a_trend_does_not_choose_the_lagging_mean():
    """+10% a week on 4 weeks: the profile model cannot prove itself on 3 origins (a sign
    test needs 5 wins in a row at 5%), so the simple rule holds and picks the least lagging
    simple candidate, seasonal naive (a stated cost of simple-first on short, steep series)."""
    choice = _short_choice(4, 0.10, 22)  # the mean of 3 weeks lags by ~20%
    assert choice.rule == "short history"
    lagging = choice.score("mean_3w")
    assert lagging.bias < -lagging.bias_noise  # the all-weeks mean is biased beyond its noise
    assert choice.name == "seasonal_naive"
    assert abs(choice.score(choice.name).bias) < 0.7 * abs(lagging.bias)
    # the output states the test that let it replace the 4-week mean
    test = choice.anchor_test
    assert test is not None and test.candidate == "seasonal_naive" and test.replaced
    assert test.anchor == "mean_4w" and test.t < -test.critical == -2.0


def test_under_two_weeks_of_history_the_rule_is_unscored_profile():
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=2, interval_minutes=60,
                                 country="")
    _, info = run_forecast(synthetic_history(params).iloc[:-24],
                           build_config({"interval_minutes": 60}), start=date(2025, 3, 16),
                           weeks=1, settings=ForecastSettings(min_history_days=7))
    choice = info["default"].choice
    assert (choice.rule, choice.name, choice.scores) == ("short history", "profile", [])
    assert "too short to backtest" in choice.summary()["rule_text"]


def test_an_unknown_configured_model_is_an_error():
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=6, interval_minutes=60,
                                 country="")
    with pytest.raises(ValueError, match="unknown model 'arima'; use 'auto' or one of "
                                         "seasonal_naive, mean_2w"):
        run_forecast(synthetic_history(params), build_config({"interval_minutes": 60}),
                     start=date(2025, 4, 14), weeks=1, settings=ForecastSettings(model="arima"))


# ---- intraday update ------------------------------------------------------------------------

@pytest.mark.parametrize(("arrived", "expected", "sigma"), [(25, 50, 0.1), (900, 1000, 0.1),
                                                            (130, 100, 0.3), (0, 40, 0.2)])
def test_shrunk_factor_is_the_gamma_poisson_posterior_mean(arrived, expected, sigma):
    """Against numerical integration of prior x likelihood (mpmath)."""
    shape = 1 / sigma**2

    def weight(theta, power):
        return theta**power * theta ** (shape - 1 + arrived) * mpmath.exp(
            -theta * (shape + expected))

    mpmath.mp.dps = 30
    mode = (shape - 1 + arrived) / (shape + expected)
    sd = np.sqrt(shape + arrived) / (shape + expected)
    points = [0, *sorted({max(mode + k * sd, 1e-12) for k in range(-10, 11)}), mpmath.inf]
    mean = mpmath.quad(lambda t: weight(t, 1), points) / mpmath.quad(
        lambda t: weight(t, 0), points)
    assert shrunk_factor(arrived, expected, sigma) == pytest.approx(float(mean), rel=1e-9)


def test_shrunk_factor_by_hand_and_its_limits():
    assert shrunk_factor(25, 50, 0.1) == pytest.approx(125 / 150)  # (100 + 25) / (100 + 50)
    assert shrunk_factor(5, 0, 0.1) == 1.0
    assert shrunk_factor(5000, 10000, 0.1) == pytest.approx(0.5, abs=0.01)
    # extra-Poisson dispersion makes the same counts worth less
    assert shrunk_factor(25, 50, 0.1, dispersion=0.2, expected_sq=500) > 125 / 150


def test_part_day_dispersion_by_hand():
    # b E^2 = 0.01 * 500^2 = 2500 exceeds Poisson's 500 fivefold: c = 1/6
    theta = (100 + 600 / 6) / (100 + 500 / 6)
    assert shrunk_factor(600, 500, 0.1, block_dispersion=0.01) == pytest.approx(theta)
    # the larger of the two extra variances counts, not their sum
    assert shrunk_factor(600, 500, 0.1, dispersion=0.02, expected_sq=100_000,
                         block_dispersion=0.01) == pytest.approx(theta)


@pytest.mark.parametrize("half_sd", [0.0, 0.1])
def test_part_day_dispersion_recovers_independent_half_day_levels(half_sd):
    """Days of 24 intervals, a shared day level (sd 0.1) and, per half-day, an independent
    level ``h1``, ``h2`` (variance v): b is what a part-day's ratio x varies beyond what it
    shares with the rest z. Cut at 1/4: x ~ h1, z ~ (h1 + 2 h2) / 3, b = v - v / 3; at 1/2:
    b = v; at 3/4: x ~ (2 h1 + h2) / 3, z ~ h2, b = 5 v / 9 - v / 3; b is their mean."""
    rng = np.random.default_rng(5)
    days, shape = 400, np.full(24, 200.0)
    theta = rng.lognormal(0, 0.1, days)[:, None]
    half = rng.lognormal(0, half_sd, (days, 2)) if half_sd else np.ones((days, 2))
    rate = shape[None, :] * theta * np.repeat(half, 12, axis=1)
    actual = rng.poisson(rate).astype(float)
    b = part_day_dispersion([actual], [np.tile(shape, (days, 1))])
    if half_sd == 0:
        assert b < 0.001
    else:
        v = np.expm1(half_sd ** 2)
        assert b == pytest.approx((2 * v / 3 + v + 2 * v / 9) / 3, rel=0.25)


def history_ending_at_noon() -> tuple[SiteConfig, date, pd.DataFrame, pd.DataFrame]:
    """Eleven flat weeks of hourly history, then the morning of Monday 2025-05-12 to noon with
    40% more contacts than usual: (site, that day, history before it, the busy morning)."""
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=11, interval_minutes=60,
                                 daily_volume=6000, growth_per_week=0.0, country="")
    history = synthetic_history(params)
    site = build_config({"country": "", "interval_minutes": 60})
    start = date(2025, 5, 12)
    noon = pd.Timestamp("2025-05-12 12:00", tz=site.tz)
    before = history[history["interval_start"] < pd.Timestamp(start, tz=site.tz)]
    morning = history[(history["interval_start"] >= pd.Timestamp(start, tz=site.tz))
                      & (history["interval_start"] < noon)].copy()
    morning["contacts"] = morning["contacts"] * 1.4  # a busy morning
    return site, start, before, morning


def test_history_ending_mid_day_rescales_the_rest_of_that_day():
    site, start, before, morning = history_ending_at_noon()
    plain, _ = run_forecast(before, site, start=start, weeks=1)
    updated, info = run_forecast(pd.concat([before, morning]), site, start=start, weeks=1)
    update = info["default"].update
    assert update is not None and update.through_slot == 11
    raw = update.arrived / update.expected
    assert 1 + 0.8 * (raw - 1) < update.factor < raw  # shrunk a little toward 1 by noon
    today = local_naive(plain["interval_start"]).date == start
    afternoon = today & (local_naive(plain["interval_start"]).hour >= 12)
    np.testing.assert_allclose(updated.loc[afternoon, "contacts"],
                               plain.loc[afternoon, "contacts"] * update.factor, rtol=1e-3,
                               atol=1e-3)
    morning_rows = today & ~afternoon
    np.testing.assert_allclose(updated.loc[morning_rows, "contacts"],
                               plain.loc[morning_rows, "contacts"])
    later = ~today
    np.testing.assert_allclose(updated.loc[later, "contacts"], plain.loc[later, "contacts"])
