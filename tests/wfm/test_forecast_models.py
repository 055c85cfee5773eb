"""Forecast models: the shared contract, hand-worked kernels, metrics and quantiles."""

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from wfm.calendar import HolidayCalendar, interval_grid
from wfm.forecast import ForecastSettings, ProfileModel, SeasonalNaive, bias, mae, wape
from wfm.forecast.candidates import Combination, DailyETS, WeekdayStat, candidate_set
from wfm.forecast.contract import AutoModel, CandidateModel
from wfm.forecast.models import (
    count_quantiles,
    fit_daily,
    month_positions,
    recent_origins,
    tune_level_halflife,
    weighted_median,
)
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history


def assert_model_contract(model, y: pd.Series, h: int) -> None:
    """fit + predict == forecast; in-sample length == input length; the next h intervals."""
    fitted = model.fit(y)
    assert fitted is model
    assert hasattr(model, "model_")
    assert len(model.fitted_) == len(y)
    assert model.fitted_.index.equals(y.index)
    predicted = model.predict(h)
    assert list(predicted.columns) == ["mean", "p10", "p90"]
    assert len(predicted) == h
    step = pd.Timedelta(minutes=model.interval_minutes)
    assert predicted.index[0] == y.index[-1] + step
    assert (np.diff(predicted.index) == step).all()
    stateless = type(model)(**_params(model)).forecast(y, h)
    pd.testing.assert_frame_equal(predicted, stateless)


def _params(model) -> dict:
    if hasattr(model, "_params"):
        return model._params()
    if isinstance(model, SeasonalNaive):
        return {"interval_minutes": model.interval_minutes, "season_days": model.season_days}
    return {"interval_minutes": model.interval_minutes, "calendar": model.calendar,
            "open_window": model.open_window, "settings": model.settings}


@pytest.fixture(scope="module")
def series() -> pd.Series:
    history = synthetic_history(SyntheticParameters(weeks=5, daily_volume=800))
    y = history.set_index("interval_start")["contacts"]
    return y.iloc[:-5]  # ends mid-day


@pytest.mark.parametrize("make", [
    lambda: SeasonalNaive(interval_minutes=30),
    lambda: ProfileModel(interval_minutes=30),
    lambda: ProfileModel(interval_minutes=30, calendar=HolidayCalendar("CN"),
                         open_window=(8 * 60, 22 * 60)),
    *[lambda i=i: CandidateModel(lambda i=i: candidate_set(ForecastSettings(), None)[i],
                                 interval_minutes=30, calendar=HolidayCalendar("CN"))
      for i in range(len(candidate_set(ForecastSettings(), None)))],
    lambda: CandidateModel(lambda: Combination(WeekdayStat(4), DailyETS()), interval_minutes=30),
    lambda: AutoModel(interval_minutes=30, calendar=HolidayCalendar("CN"),
                      open_window=(8 * 60, 22 * 60)),
])
def test_every_model_passes_the_contract(make, series):
    assert_model_contract(make(), series, h=100)


def test_seasonal_naive_repeats_the_last_week():
    index = interval_grid(date(2026, 3, 2), date(2026, 3, 16), 720, "Asia/Shanghai")
    y = pd.Series(np.arange(28, dtype=float), index=index)  # two intervals a day
    model = SeasonalNaive(interval_minutes=720).fit(y)
    assert model.predict(3)["mean"].tolist() == [14.0, 15.0, 16.0]
    assert np.isnan(model.fitted_.iloc[13]) and model.fitted_.iloc[14] == 0.0
    assert model.predict(16)["mean"].iloc[14:].tolist() == [14.0, 15.0]


def test_weighted_median_by_hand():
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.ones(3)) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0])) == 3.0
    assert weighted_median(np.array([5.0, 1.0]), np.array([3.0, 1.0])) == 5.0


def test_metrics_by_hand_and_unknowns_left_out():
    actual = np.array([10.0, 0.0, 5.0, np.nan])
    forecast = np.array([8.0, 1.0, 5.0, 3.0])
    assert wape(actual, forecast) == pytest.approx(3 / 15)
    assert mae(actual, forecast) == pytest.approx(1.0)
    assert bias(actual, forecast) == pytest.approx(-1 / 15)
    assert math.isnan(wape(np.zeros(2), np.ones(2)))
    with pytest.raises(ValueError, match="same shape"):
        wape(np.ones(2), np.ones(3))


def _poisson_quantile(mu: float, q: float) -> int:
    """Exact Poisson quantile by summing the pmf (independent of the model's approximation)."""
    k, cdf = 0, 0.0
    while True:
        cdf += math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1))
        if cdf >= q:
            return k
        k += 1


@pytest.mark.parametrize("mu", [5.0, 20.0, 80.0, 400.0])
def test_count_quantiles_match_poisson_without_extra_dispersion(mu):
    p10 = count_quantiles(np.array([mu]), 0.0, -1.2815515655446004)[0]
    p90 = count_quantiles(np.array([mu]), 0.0, 1.2815515655446004)[0]
    assert abs(p10 - _poisson_quantile(mu, 0.1)) <= 1.0
    assert abs(p90 - _poisson_quantile(mu, 0.9)) <= 1.0


def test_count_quantiles_widen_with_dispersion_and_stay_non_negative():
    narrow = count_quantiles(np.array([100.0]), 0.0, 1.28)[0]
    wide = count_quantiles(np.array([100.0]), 0.05, 1.28)[0]
    assert wide > narrow
    assert count_quantiles(np.array([0.0, 0.3]), 0.1, -1.28).tolist() == [0.0, 0.0]


# ---- within-month effect --------------------------------------------------------------------

def _daily_series(first: date, days: int, month_slope: float, growth_per_day: float,
                  seed: int = 7) -> tuple[np.ndarray, ...]:
    """Daily totals 1000 x weekday factor x exp(month_slope x position) x growth, Poisson."""
    dates = [first + timedelta(days=i) for i in range(days)]
    weekdays = np.array([d.weekday() for d in dates])
    positions = month_positions(dates)
    factors = np.array([1.2, 1.1, 1.05, 1.0, 0.95, 0.8, 0.9])
    mean = (1000 * factors[weekdays] * np.exp(month_slope * positions)
            * (1 + growth_per_day * np.arange(days)))
    totals = np.random.default_rng(seed).poisson(mean).astype(float)
    kinds = np.full(days, "normal", dtype=object)
    return totals, weekdays, kinds, positions


def test_month_positions_run_from_minus_half_to_half():
    got = month_positions([date(1999, 2, 1), date(1999, 2, 28), date(1999, 10, 16)])
    np.testing.assert_allclose(got, [-0.5, 0.5, 0.0])


def test_month_effect_is_recovered_and_forecast():
    """Volume falling 40% (log -0.5) through each month: the slope within 0.05 over 3 months,
    and the next month's first week forecast within 5% of the truth."""
    totals, weekdays, kinds, positions = _daily_series(date(2025, 1, 1), 90, -0.5, 0.0)
    fit = fit_daily(totals, weekdays, kinds, ForecastSettings(), frozenset({5, 6}),
                    positions=positions)
    assert fit.month_slope == pytest.approx(-0.5, abs=0.05)
    ahead = np.arange(1, 8)  # 2025-04-01 .. 04-07
    days = [date(2025, 4, d) for d in range(1, 8)]
    predicted = fit.predict(ahead, np.array([d.weekday() for d in days]),
                            np.full(7, "normal", dtype=object), positions=month_positions(days))
    factors = np.array([1.2, 1.1, 1.05, 1.0, 0.95, 0.8, 0.9])
    truth = 1000 * factors[[d.weekday() for d in days]] * np.exp(-0.5 * month_positions(days))
    np.testing.assert_allclose(predicted, truth, rtol=0.05)


def test_growth_alone_is_not_taken_for_a_month_effect():
    totals, weekdays, kinds, positions = _daily_series(date(2025, 1, 1), 90, 0.0, 0.004)
    fit = fit_daily(totals, weekdays, kinds, ForecastSettings(), frozenset({5, 6}),
                    positions=positions)
    assert abs(fit.month_slope) < 0.05


def test_no_month_effect_from_a_single_month_or_when_disabled():
    """One month cannot tell a month effect from a trend; month_effect_min_days=0 turns it off."""
    totals, weekdays, kinds, positions = _daily_series(date(2025, 1, 1), 31, -0.5, 0.0)
    fit = fit_daily(totals, weekdays, kinds, ForecastSettings(), frozenset({5, 6}),
                    positions=positions)
    assert fit.month_slope == 0.0
    totals, weekdays, kinds, positions = _daily_series(date(2025, 1, 1), 90, -0.5, 0.0)
    fit = fit_daily(totals, weekdays, kinds, ForecastSettings(month_effect_min_days=0),
                    frozenset({5, 6}), positions=positions)
    assert fit.month_slope == 0.0


# ---- trend extrapolation ----------------------------------------------------------------------

def test_a_falling_trend_never_forecasts_zero_and_stops_after_its_span():
    """Volume falling 2% a day for five weeks: the trend is kept, but months later the forecast
    is still positive, no longer falling, and down by no more than the fall seen in history."""
    days = 35
    dates = [date(2025, 3, 3) + timedelta(days=i) for i in range(days)]
    totals = 1000 * 0.98 ** np.arange(days)
    weekdays = np.array([d.weekday() for d in dates])
    kinds = np.full(days, "normal", dtype=object)
    fit = fit_daily(totals, weekdays, kinds, ForecastSettings(), frozenset({5, 6}))
    assert fit.growth == pytest.approx(math.log(0.98), rel=0.01)
    far = fit.predict(np.array([200, 400, 1000]), np.array([0, 0, 0]),
                      np.full(3, "normal", dtype=object))
    assert (far > 0).all()
    assert far[0] == pytest.approx(far[1]) == pytest.approx(far[2])
    assert far[2] >= fit.level * fit.factors[0] * 0.98 ** days * 0.999


# ---- holidays on a weekend day ---------------------------------------------------------------

def test_a_holiday_on_a_weekend_day_keeps_that_days_opening_hours():
    """Israel: Friday opens 08:00-13:00, Saturday 19:00-23:00. Simchat Torah 1999 is a
    Saturday: its forecast follows Saturday's hours, not a blend of Friday's and Saturday's."""
    grid = interval_grid(date(1999, 8, 1), date(1999, 9, 26), 30, "Asia/Jerusalem")
    naive = grid.tz_localize(None)
    minute = naive.hour * 60 + naive.minute
    weekday = naive.day_of_week
    open_ = np.where(weekday == 4, (minute >= 480) & (minute < 780),
                     np.where(weekday == 5, (minute >= 1140) & (minute < 1380),
                              (minute >= 480) & (minute < 1020)))
    rng = np.random.default_rng(3)
    y = pd.Series(np.where(open_, rng.poisson(30, len(grid)), 0).astype(float), index=grid)
    model = ProfileModel(interval_minutes=30, calendar=HolidayCalendar("IL")).fit(y)
    predicted = model.predict(7 * 48)["mean"]
    saturday = predicted[predicted.index.tz_localize(None).normalize()
                         == pd.Timestamp("1999-10-02")]
    hours = saturday.index.tz_localize(None).hour
    assert saturday[(hours >= 19) & (hours < 23)].min() > 0
    assert saturday[(hours < 19) | (hours >= 23)].sum() == 0


# ---- the level: Poisson weighting and its half-life learned from the series --------------------

def _flat_week_series(days: int, factors: np.ndarray, level: float = 1000.0,
                      first: date = date(2025, 3, 3)) -> tuple[np.ndarray, ...]:
    dates = [first + timedelta(days=i) for i in range(days)]
    weekdays = np.array([d.weekday() for d in dates])
    return level * factors[weekdays], weekdays, np.full(days, "normal", dtype=object)


def test_a_small_days_noise_moves_the_level_less_than_a_busy_days():
    """Weekend days carry a tenth of a weekday's volume, so the same +15% surprise on the last
    Saturday says less about the level than on the Friday before it (Poisson likelihood)."""
    factors = np.array([1, 1, 1, 1, 1, 0.1, 0.1]) / (5.2 / 7)
    totals, weekdays, kinds = _flat_week_series(28, factors)  # ends on a Sunday
    settings = ForecastSettings(trend_weeks=0, level_halflife_auto=False)
    base = fit_daily(totals, weekdays, kinds, settings, frozenset({5, 6})).level
    moved = {}
    for name, day in (("friday", 25), ("saturday", 26)):
        bumped = totals.copy()
        bumped[day] *= 1.15  # a surprise, not an outlier
        moved[name] = fit_daily(bumped, weekdays, kinds, settings, frozenset({5, 6})).level - base
    assert 0 < moved["saturday"] < 0.2 * moved["friday"]


def test_recent_origins_step_back_a_week_at_a_time_and_skip_a_gap():
    totals = np.ones(70)
    totals[35:49] = np.nan  # weeks 6 and 7 missing
    assert recent_origins(totals, 14, folds=10) == [63, 56, 49, 28, 21, 14]
    assert recent_origins(totals, 14, folds=2) == [63, 56]
    assert recent_origins(np.ones(20), 14, folds=4) == []


def test_the_level_half_life_is_learned_from_the_series_own_history():
    """A level that wanders week to week wants a short memory; a steady low-volume level with
    Poisson noise does not. Neither is told which it is. Ten weeks of errors are noisy, so the
    claim is statistical: right in at least 8 of 10 seeded series of 16 weeks each."""
    factors = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.4, 0.4])
    days = 16 * 7
    shape, weekdays, kinds = _flat_week_series(days, factors, 1.0)
    right = {"wandering": 0, "steady": 0}
    for seed in range(10):
        rng = np.random.default_rng(seed)
        wandering = 2000 * np.exp(np.cumsum(rng.normal(0, 0.06, days)))
        for name, level in (("wandering", wandering), ("steady", np.full(days, 20.0))):
            totals = rng.poisson(level * shape).astype(float)
            chosen = tune_level_halflife(totals, weekdays, kinds, ForecastSettings(),
                                         frozenset({5, 6}))
            right[name] += (chosen <= 0.35) if name == "wandering" else (chosen >= 0.5)
    assert right["wandering"] >= 8 and right["steady"] >= 8, right
    fixed = ForecastSettings(level_halflife_auto=False, level_halflife_weeks=1.4)
    assert tune_level_halflife(totals, weekdays, kinds, fixed, frozenset({5, 6})) == 1.4
    short_history, weekdays, kinds = _flat_week_series(21, factors)
    assert tune_level_halflife(short_history, weekdays, kinds, ForecastSettings(),
                               frozenset({5, 6})) == ForecastSettings().level_halflife_weeks


# ---- daylight saving -------------------------------------------------------------------------

def _new_york_history(weeks: int = 4) -> pd.Series:
    """Quarter-hours over four weeks ending just before the 2026-11-01 fall-back, with a count
    equal to the wall-clock minute of the day (so a value says which clock time it is)."""
    grid = interval_grid(date(2026, 10, 4), date(2026, 10, 4) + timedelta(weeks=weeks), 15,
                         "America/New_York")
    clock = grid.tz_localize(None)
    return pd.Series((clock.hour * 60 + clock.minute).astype(float), index=grid)


def test_forecasts_keep_the_repeated_autumn_hour():
    y = _new_york_history()
    for model in (SeasonalNaive(interval_minutes=15), ProfileModel(interval_minutes=15)):
        predicted = model.fit(y).predict(2 * 96 + 4)["mean"]
        day = predicted[predicted.index.tz_localize(None).normalize()
                        == pd.Timestamp("2026-11-01")]
        assert len(day) == 100
        first = day.loc[pd.Timestamp("2026-11-01T01:15:00-04:00")]
        second = day.loc[pd.Timestamp("2026-11-01T01:15:00-05:00")]
        assert first == pytest.approx(second) and first > 0
    naive = SeasonalNaive(interval_minutes=15).fit(y).predict(2 * 96 + 4)["mean"]
    clock = naive.index.tz_localize(None)
    # the same wall-clock time one week earlier, before and after the change
    np.testing.assert_array_equal(naive.to_numpy(), clock.hour * 60 + clock.minute)


def test_open_hours_narrower_than_history_cut_the_closed_hours_out_not_squeeze_them_in():
    """History has 30 contacts every half-hour 09:00-21:00; the site now opens 09:00-18:00.
    The open half-hours still forecast about 30 (not 30 x 24/18 = 40), the closed ones 0."""
    grid = interval_grid(date(2026, 8, 3), date(2026, 9, 28), 30, "Asia/Shanghai")
    clock = grid.tz_localize(None)
    minute = clock.hour * 60 + clock.minute
    rng = np.random.default_rng(5)
    counts = np.where((minute >= 540) & (minute < 1260), rng.poisson(30, len(grid)), 0)
    y = pd.Series(counts.astype(float), index=grid)
    predicted = ProfileModel(interval_minutes=30, open_window=(540, 1080)).fit(y).predict(
        7 * 48)["mean"]
    at = predicted.index.tz_localize(None)
    at_minute = at.hour * 60 + at.minute
    open_now = (at_minute >= 540) & (at_minute < 1080)
    assert predicted[open_now].mean() == pytest.approx(30, rel=0.05)
    assert predicted[~open_now].sum() == 0


def test_the_trend_is_read_from_three_weeks_of_days_even_with_a_gap():
    """Volume falling 1% a day, 24 days of history with two days missing and one wild day: the
    fitted growth is log(0.99) (Theil-Sen ignores the wild day); with 20 days there is none."""
    days = 24
    dates = [date(2025, 3, 3) + timedelta(days=i) for i in range(days)]
    totals = 1000 * 0.99 ** np.arange(days)
    totals[[9, 10]] = np.nan
    totals[15] *= 1.8
    weekdays = np.array([d.weekday() for d in dates])
    kinds = np.full(days, "normal", dtype=object)
    settings = ForecastSettings(level_halflife_auto=False, outlier_threshold=100)
    fit = fit_daily(totals, weekdays, kinds, settings, frozenset({5, 6}))
    assert fit.growth == pytest.approx(math.log(0.99), abs=0.001)
    short = fit_daily(totals[:20], weekdays[:20], kinds[:20], settings, frozenset({5, 6}))
    assert short.growth == 0.0
