"""Forecast models of contacts per interval, with the statsforecast contract.

Every model takes ``y``, a float Series indexed by tz-aware interval starts on the site's interval
grid (NaN or a missing row = unknown, never zero), and offers:

``fit(y) -> self``       estimate, keeping the fitted state in ``model_`` and the in-sample
                         one-step fit in ``fitted_`` (same length as ``y``);
``predict(h)``           a DataFrame indexed by the next ``h`` interval starts with columns
                         ``mean``, ``p10``, ``p90`` (NaN where a model has no interval);
``forecast(y, h)``       the same as ``fit(y).predict(h)`` without keeping state.

``SeasonalNaive`` repeats the last week (the usual peer). ``ProfileModel`` is the production model:
a robust daily-total model (weekday effects x level and damped trend x calendar multipliers
x a within-month effect where history shows one)
whose total is spread over the day by a per-weekday intraday profile. The decomposition follows
the classical multiplicative one (Hyndman & Athanasopoulos, *Forecasting: Principles and
Practice*, 3rd ed., sec. 3.4), made robust with weighted medians and outlier screening.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import HolidayCalendar, local_naive
from wfm.errors import InvalidInput
from wfm.forecast.settings import ForecastSettings

MINUTES_PER_DAY = 1440
Z90 = 1.2815515655446004  # standard normal quantile at 0.9


# ---- grid helpers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DayGrid:
    """A series laid out as a days x slots matrix in local wall-clock time."""

    first_day: date
    values: np.ndarray  # (num_days, slots_per_day), NaN = unknown
    day_index: np.ndarray  # row of each input value
    slot_index: np.ndarray  # column of each input value

    @property
    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=d) for d in range(self.values.shape[0])]


def grid_clock(y: pd.Series, interval_minutes: int) -> pd.DatetimeIndex:
    """The local wall-clock times of ``y``'s index; timestamps off the interval grid are an
    error."""
    if not isinstance(y.index, pd.DatetimeIndex) or len(y) == 0:
        raise InvalidInput("y must be a non-empty Series indexed by interval start times")
    naive = local_naive(y.index)
    off_grid = ((naive.hour * 60 + naive.minute) % interval_minutes != 0) | (naive.second != 0)
    if off_grid.any():
        bad = naive[np.flatnonzero(off_grid)[0]]
        raise InvalidInput(f"timestamp {bad} is not on the {interval_minutes}-minute interval grid")
    return naive


def day_grid(y: pd.Series, interval_minutes: int) -> DayGrid:
    """Lay ``y`` out as days x slots; timestamps off the interval grid are an error."""
    naive = grid_clock(y, interval_minutes)
    minute_of_day = naive.hour * 60 + naive.minute
    first = naive.min().normalize()
    day_index = np.asarray((naive.normalize() - first).days, dtype=int)
    slot_index = np.asarray(minute_of_day // interval_minutes, dtype=int)
    values = np.full((int(day_index.max()) + 1, MINUTES_PER_DAY // interval_minutes), np.nan)
    values[day_index, slot_index] = np.asarray(y, dtype=float)
    return DayGrid(first.date(), values, day_index, slot_index)


def next_intervals(last: pd.Timestamp, h: int, interval_minutes: int) -> pd.DatetimeIndex:
    """The ``h`` interval starts after ``last`` in elapsed time (tz-aware: a daylight-saving
    change neither drops the repeated hour nor invents the skipped one)."""
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 0:
        raise InvalidInput(f"h (intervals to forecast) must be a whole number >= 0, got {h!r}")
    step = pd.Timedelta(minutes=interval_minutes)
    return pd.date_range(last + step, periods=int(h), freq=step)


def intervals_until(last: pd.Timestamp, end: pd.Timestamp, interval_minutes: int) -> int:
    """How many interval starts follow ``last`` up to and including ``end`` (elapsed time)."""
    return max(0, int((end - last) // pd.Timedelta(minutes=interval_minutes)))


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median (the smallest value holding half of the total weight)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def _predict_frame(index: pd.DatetimeIndex, mean: np.ndarray, p10: np.ndarray | None = None,
                   p90: np.ndarray | None = None) -> pd.DataFrame:
    nan = np.full(len(index), np.nan)
    return pd.DataFrame({"mean": mean, "p10": nan if p10 is None else p10,
                         "p90": nan if p90 is None else p90}, index=index)


# ---- seasonal naive --------------------------------------------------------------------------

class SeasonalNaive:
    """The value of the same interval one season (by default one week) earlier.

    Parameters
    ----------
    interval_minutes
        Interval length of ``y``.
    season_days
        Season length in days (7: same interval one week earlier).
    """

    def __init__(self, *, interval_minutes: int = 30, season_days: int = 7) -> None:
        self.interval_minutes = interval_minutes
        self.season_days = season_days

    def fit(self, y: pd.Series) -> SeasonalNaive:
        naive = grid_clock(y, self.interval_minutes)
        season = pd.Timedelta(days=self.season_days)
        by_clock = pd.Series(np.asarray(y, dtype=float), index=naive)
        by_clock = by_clock[~by_clock.index.duplicated(keep="first")]
        last_clock = naive.max()
        self.model_ = {"recent": by_clock[by_clock.index > last_clock - season],
                       "last": y.index.max(), "last_clock": last_clock}
        self.fitted_ = pd.Series(by_clock.reindex(naive - season).to_numpy(), index=y.index)
        return self

    def predict(self, h: int) -> pd.DataFrame:
        """The same local clock time one season earlier (repeated as often as needed)."""
        index = next_intervals(self.model_["last"], h, self.interval_minutes)
        season = pd.Timedelta(days=self.season_days)
        clock = local_naive(index)
        seasons_back = np.ceil((clock - self.model_["last_clock"]) / season).astype(int)
        source = clock - season * np.maximum(seasons_back, 1)
        return _predict_frame(index, self.model_["recent"].reindex(source).to_numpy())

    def forecast(self, y: pd.Series, h: int) -> pd.DataFrame:
        return SeasonalNaive(interval_minutes=self.interval_minutes,
                             season_days=self.season_days).fit(y).predict(h)


# ---- the daily-total model ------------------------------------------------------------------

@dataclass
class DailyFit:
    """Fitted daily-total model (see ``fit_daily``)."""

    factors: np.ndarray  # (7,) weekday factors, mean 1 over weekdays with contacts
    workday_factor: float  # mean factor of the country's working weekdays
    level: float  # deseasonalized level at the last history day
    growth: float  # trend: log change of the level per day
    damping: float
    multipliers: dict[str, float]  # day kind -> multiplier (learned or default)
    learned: dict[str, int]  # day kind -> number of history days it was learned from
    kind_sigma: dict[str, float]  # day kind -> log-scale spread
    local_level: np.ndarray  # in-sample level per history day
    outlier: np.ndarray  # history days screened out as outliers
    sigma_log: float = 0.0  # spread of log(actual / predicted) daily totals, one week ahead
    named: dict[str, float] = field(default_factory=dict)  # holiday name -> multiplier
    named_days: dict[str, int] = field(default_factory=dict)  # holiday name -> history days
    month_slope: float = 0.0  # log change of volume from the first to the last day of a month
    trend_span: float = 0.0  # days of history the trend was fitted on (its extrapolation cap)

    def base_factor(self, weekdays: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        base = self.factors[weekdays]
        return np.where(kinds == "working_weekend", self.workday_factor, base)

    def multiplier(self, kinds: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """Calendar multiplier per day: the holiday's own (same name in history), else the
        day kind's (learned or default)."""
        names = groups if groups is not None else np.full(len(kinds), "", dtype=object)
        return np.array([self.named.get(g, self.multipliers.get(k, 1.0)) if g else
                         self.multipliers.get(k, 1.0) for k, g in zip(kinds, names, strict=True)],
                        dtype=float)

    def month_factor(self, positions: np.ndarray | None) -> np.ndarray | float:
        """Multiplier of each day for its position in the month (see ``month_positions``)."""
        if positions is None or self.month_slope == 0.0:
            return 1.0
        return np.exp(self.month_slope * np.asarray(positions, dtype=float))

    def trend_factor(self, ahead: np.ndarray) -> np.ndarray:
        """Multiplier of the level ``ahead`` days on: a damped multiplicative trend.

        The trend compounds at ``growth`` per day (so it can never reach zero), is damped by
        ``damping`` per day, and is extrapolated over at most ``trend_span`` days, the span of
        history it was fitted on: a trend seen over four weeks says nothing about month eight.
        """
        ahead = np.asarray(ahead, dtype=float)
        if self.growth == 0.0:
            return np.ones_like(ahead)
        if self.damping >= 1:
            steps = ahead
        else:
            steps = self.damping * (1 - self.damping ** ahead) / (1 - self.damping)
        steps = np.minimum(np.maximum(steps, 0.0), self.trend_span)
        return np.exp(self.growth * steps)

    def predict(self, ahead: np.ndarray, weekdays: np.ndarray, kinds: np.ndarray,
                groups: np.ndarray | None = None,
                positions: np.ndarray | None = None) -> np.ndarray:
        """Daily totals ``ahead`` days after the last history day (0 = that day)."""
        level = self.level * self.trend_factor(ahead)
        return (level * self.base_factor(weekdays, kinds) * self.multiplier(kinds, groups)
                * self.month_factor(positions))


def month_positions(dates: list[date]) -> np.ndarray:
    """Position of each date in its month, from -0.5 (the 1st) to +0.5 (the last day)."""
    out = np.empty(len(dates))
    for i, d in enumerate(dates):
        last = (date(d.year + d.month // 12, d.month % 12 + 1, 1) - timedelta(days=1)).day
        out[i] = (d.day - 1) / (last - 1) - 0.5
    return out


def _month_slope(series: np.ndarray, factors: np.ndarray, weekdays: np.ndarray,
                 positions: np.ndarray, min_days: int) -> float:
    """Within-month slope of log(total / weekday factor) against the position in the month.

    Least squares of ``log(total / f_w) = a + g t + b position`` over the usable ordinary days
    (``t`` the day index), returning ``b``. The growth ``g`` is fitted jointly so that a trend is
    not mistaken for a month effect; the two can only be told apart when history covers days of
    at least two calendar months, one of them with ``min_days`` usable days; and ``b`` is kept
    only when it exceeds two standard errors. Otherwise 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(series / factors[weekdays])
    usable = np.isfinite(logs)
    month = np.concatenate([[0], np.cumsum(np.diff(positions) < 0)])
    counts = np.bincount(month[usable], minlength=int(month.max()) + 1)
    if (counts > 0).sum() < 2 or counts.max() < min_days:
        return 0.0
    t = np.flatnonzero(usable).astype(float)
    design = np.column_stack([np.ones(len(t)), (t - t.mean()) / max(np.ptp(t), 1.0),
                              positions[usable]])
    coef, _res, rank, _sv = np.linalg.lstsq(design, logs[usable], rcond=None)
    if rank < 3 or len(t) <= 3:
        return 0.0
    resid = logs[usable] - design @ coef
    variance = float(resid @ resid) / (len(t) - 3) * np.linalg.inv(design.T @ design)[2, 2]
    # kept only when clearly there (|b| > 2 standard errors), so noise is not forecast
    return float(coef[2]) if abs(coef[2]) > 2 * np.sqrt(variance) else 0.0


def fit_daily(totals: np.ndarray, weekdays: np.ndarray, kinds: np.ndarray,
              settings: ForecastSettings, weekend: frozenset[int],
              groups: np.ndarray | None = None,
              positions: np.ndarray | None = None) -> DailyFit:
    """Fit weekday factors, level, damped trend and calendar multipliers to daily totals.

    ``totals`` holds one value per day (NaN = unknown). Ordinary days give the weekday factors
    ``f_w`` (weighted medians of total / centred 7-day level, iterated three times) and the
    level and trend (Theil-Sen slope of log daily total / f_w, recency-weighted
    level). Other day kinds get a multiplier: the median of total / (level x f_w) over history
    days of that kind, else the default from ``settings``. Given ``positions``
    (``month_positions`` of the days), a within-month effect ``exp(b x position)`` is learned
    too (``_month_slope``) and divided out before the level and trend. Day ages count days with
    data, so a gap of months in history does not leave the weekday factors to the few days
    after it.
    """
    num_days = len(totals)
    # age in days *with data* after each day, so that a long gap in history (e.g. months
    # missing) does not make everything before it count for nothing next to a few recent days
    known_day = np.isfinite(totals)
    age = (np.cumsum(known_day[::-1])[::-1] - known_day).astype(float)
    normal = (kinds == "normal") & np.isfinite(totals)
    series = np.where(normal, totals, np.nan)
    factors = np.ones(7)
    factor_weight = 0.5 ** (age / (7 * settings.weekday_halflife_weeks))
    outlier = np.zeros(num_days, dtype=bool)
    level = np.full(num_days, np.nan)
    month_slope, month = 0.0, np.ones(num_days)
    learn_month = positions is not None and settings.month_effect_min_days > 0
    for iteration in range(4):
        with np.errstate(divide="ignore", invalid="ignore"):
            deseasonalized = np.where(factors[weekdays] > 0,
                                      series / (factors[weekdays] * month), np.nan)
        level = (pd.Series(deseasonalized).rolling(7, center=True, min_periods=3).mean()
                 .interpolate(limit_direction="both").to_numpy())
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = series / (level * month)
        new = np.full(7, np.nan)
        for w in range(7):
            pick = np.isfinite(ratio) & (weekdays == w)
            if pick.any():
                new[w] = weighted_median(ratio[pick], factor_weight[pick])
        seen = np.isfinite(new)
        if not seen.any():
            break
        new[~seen] = np.nanmean(new[seen])
        factors = new / new[new > 0].mean() if (new > 0).any() else np.ones(7)
        if learn_month and positions is not None:
            month_slope = _month_slope(series, factors, weekdays, positions,
                                       settings.month_effect_min_days)
            month = np.exp(month_slope * positions)
        if iteration == 1:  # screen outliers once the factors are roughly right
            seasonal = factors[weekdays] * month
            with np.errstate(divide="ignore", invalid="ignore"):
                robust = (pd.Series(series / seasonal)
                          .rolling(7, center=True, min_periods=3).median()
                          .interpolate(limit_direction="both").to_numpy())
                resid = np.log(series / (robust * seasonal))
            finite = np.isfinite(resid)
            if finite.sum() >= 7:
                centre = np.median(resid[finite])
                spread = max(1.4826 * np.median(np.abs(resid[finite] - centre)), 0.05)
                outlier = finite & (np.abs(resid - centre) > settings.outlier_threshold * spread)
                series = np.where(outlier, np.nan, series)
    workdays = [w for w in range(7) if w not in weekend] or list(range(7))
    workday_factor = float(factors[workdays].mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        deseasonalized = np.where(factors[weekdays] > 0,
                                  series / (factors[weekdays] * month), np.nan)
    growth, trend_span = _trend(deseasonalized, settings)
    recent = np.isfinite(deseasonalized)
    weights = 0.5 ** (age / (7 * settings.level_halflife_weeks))
    if recent.any():
        at_last = deseasonalized * np.exp(growth * ((num_days - 1) - np.arange(num_days)))
        # the Poisson maximum-likelihood level given the seasonal factors: a small day (an
        # Israeli Saturday, a Chinese Sunday) counts for its expected volume, not as much as a
        # busy one, so its larger relative noise does not move the level
        expected = weights * factors[weekdays] * month
        current = float(np.sum((expected * at_last)[recent]) / np.sum(expected[recent]))
    else:
        current = 0.0
    fit = DailyFit(factors=factors, workday_factor=workday_factor, level=max(current, 0.0),
                   growth=growth, damping=settings.trend_damping, multipliers={}, learned={},
                   kind_sigma={}, local_level=level, outlier=outlier,
                   month_slope=month_slope, trend_span=trend_span)
    defaults = settings.factor_defaults()
    base = fit.base_factor(weekdays, kinds) * month
    for kind, default in defaults.items():
        pick = (kinds == kind) & np.isfinite(totals) & (level * base > 0)
        if pick.any():
            ratios = totals[pick] / (level[pick] * base[pick])
            fit.multipliers[kind] = float(np.median(ratios))
            fit.learned[kind] = int(pick.sum())
            logs = np.log(np.maximum(ratios, 1e-3))
            fit.kind_sigma[kind] = float(np.std(logs)) if len(logs) >= 3 else 0.25
        else:
            fit.multipliers[kind] = default
            fit.learned[kind] = 0
            fit.kind_sigma[kind] = 0.35
    if groups is not None:  # the same holiday in earlier years
        usable = (kinds == "holiday") & np.isfinite(totals) & (level * base > 0)
        for name in sorted({g for g in groups[usable] if g}):
            pick = usable & (groups == name)
            fit.named[name] = float(np.median(totals[pick] / (level[pick] * base[pick])))
            fit.named_days[name] = int(pick.sum())
    return fit


def _trend(deseasonalized: np.ndarray, settings: ForecastSettings) -> tuple[float, float]:
    """Growth per day of the deseasonalized level over the last ``trend_weeks`` weeks, and the
    span in days it is fitted on; (0, 0) with fewer than ``trend_min_weeks`` weeks' worth of days
    with data there.

    The Theil-Sen estimator (the median of the pairwise slopes) of log daily values: robust to a
    few odd days (its breakdown point is 29%), and it uses every day, so three weeks of history,
    or a month with a gap in it, already tell a trend.
    """
    if settings.trend_weeks < settings.trend_min_weeks:
        return 0.0, 0.0
    recent = deseasonalized[-7 * settings.trend_weeks:]
    days = np.flatnonzero(np.isfinite(recent) & (recent > 0))
    if len(days) < 7 * settings.trend_min_weeks:
        return 0.0, 0.0
    logs = np.log(recent[days])
    i, j = np.triu_indices(len(days), k=1)
    return float(np.median((logs[j] - logs[i]) / (days[j] - days[i]))), float(np.ptp(days) + 1)


def recent_origins(totals: np.ndarray, min_history_days: int, folds: int) -> list[int]:
    """Up to ``folds`` weekly forecast origins, newest first, stepping back from the end of
    history: each has ``min_history_days`` known days before it and at least 4 known days in the
    week after it (weeks inside a gap in history are skipped, not scored as zeros)."""
    known = np.isfinite(totals)
    known_before = np.concatenate([[0], np.cumsum(known)])
    out: list[int] = []
    origin = len(totals) - 7
    while origin > 0 and len(out) < folds and known_before[origin] >= min_history_days:
        if known[origin:origin + 7].sum() >= 4:
            out.append(origin)
        origin -= 7
    return out


def one_week_ahead(totals: np.ndarray, weekdays: np.ndarray, kinds: np.ndarray,
                   settings: ForecastSettings, weekend: frozenset[int], origins: list[int],
                   positions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Actual and predicted ordinary-day totals of the week after each origin, refitting the
    daily model on the history before it (a rolling-origin backtest of the daily model)."""
    actual_out, predicted_out = [], []
    for origin in origins:
        past = None if positions is None else positions[:origin]
        fit = fit_daily(totals[:origin], weekdays[:origin], kinds[:origin], settings, weekend,
                        positions=past)
        week = slice(origin, origin + 7)
        predicted = fit.predict(np.arange(1, 8)[: len(totals[week])], weekdays[week],
                                kinds[week],
                                positions=None if positions is None else positions[week])
        actual = totals[week]
        ok = (kinds[week] == "normal") & (actual > 0) & (predicted > 0)
        actual_out.append(actual[ok])
        predicted_out.append(predicted[ok])
    if not origins:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(actual_out), np.concatenate(predicted_out)


def daily_spread(totals: np.ndarray, weekdays: np.ndarray, kinds: np.ndarray,
                 settings: ForecastSettings, weekend: frozenset[int], folds: int = 4,
                 positions: np.ndarray | None = None) -> float:
    """Robust spread of log(actual / forecast) daily totals, one week ahead, over recent origins.

    Refits the daily model at up to ``folds`` weekly origins before the end of history; falls
    back to 0.15 when history is too short for 5 scored days.
    """
    origins = recent_origins(totals, settings.min_history_days, folds)
    actual, predicted = one_week_ahead(totals, weekdays, kinds, settings, weekend, origins,
                                       positions)
    if len(actual) < 5:
        return 0.15
    values = np.log(actual / predicted)
    return float(max(1.4826 * np.median(np.abs(values)), 0.02))


LEVEL_HALFLIFE_GRID = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0)  # weeks
LEVEL_TUNING_MARGIN = 0.03  # a candidate must beat the configured half-life by 3% to replace it


def tune_level_halflife(totals: np.ndarray, weekdays: np.ndarray, kinds: np.ndarray,
                        settings: ForecastSettings, weekend: frozenset[int],
                        positions: np.ndarray | None = None) -> float:
    """The level half-life (weeks) with the smallest one-week-ahead absolute error of daily
    totals over the last ``level_tuning_weeks`` weeks of this series' own history.

    This is how exponential smoothing picks its smoothing constant (Hyndman & Athanasopoulos,
    *FPP* 3rd ed., sec. 8.1), scored a week ahead because that is how the forecast is used.
    A series with fewer than 3 scorable weeks keeps ``level_halflife_weeks``; so does one
    where no candidate beats it by ``LEVEL_TUNING_MARGIN`` (a few weeks of errors are noisy:
    without the margin a steady series sometimes picks the shortest memory by chance).
    """
    default = settings.level_halflife_weeks
    if not settings.level_halflife_auto:
        return default
    origins = recent_origins(totals, settings.min_history_days, settings.level_tuning_weeks)
    if len(origins) < 3:
        return default

    def error(halflife: float) -> float:
        trial = settings.model_copy(update={"level_halflife_weeks": halflife})
        actual, predicted = one_week_ahead(totals, weekdays, kinds, trial, weekend, origins,
                                           positions)
        return float(np.sum(np.abs(actual - predicted)))

    baseline = error(default)
    scores = {h: error(h) for h in LEVEL_HALFLIFE_GRID if h != default}
    best = min(scores, key=scores.__getitem__, default=default)
    return best if scores and scores[best] < (1 - LEVEL_TUNING_MARGIN) * baseline else default


# ---- intraday profiles ----------------------------------------------------------------------

def data_age(values: np.ndarray) -> np.ndarray:
    """Age of each day in days *with data* after it (a gap in history does not age the past)."""
    known = np.isfinite(values).any(axis=1)
    after = np.cumsum(known[::-1])[::-1] - known
    return after.astype(float)


def _weighted_shares(values: np.ndarray, totals: np.ndarray, use: np.ndarray,
                     weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean share of each slot in the day's total, and the weight behind each slot."""
    rows = values[use] / totals[use, None]
    w = np.broadcast_to(weights[use, None], rows.shape)
    known = np.isfinite(rows)
    weight = np.sum(np.where(known, w, 0.0), axis=0)
    total = np.sum(np.where(known, rows * w, 0.0), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weight > 0, total / weight, np.nan), weight


def _smooth(profile: np.ndarray, weight: float) -> np.ndarray:
    """Blend each interval with its neighbours: ``(1 - 2c) p_t + c (p_{t-1} + p_{t+1})``."""
    if weight <= 0:
        return profile
    padded = np.concatenate([profile[:1], profile, profile[-1:]])
    return (1 - 2 * weight) * profile + weight * (padded[:-2] + padded[2:])


def _normalise(profile: np.ndarray, open_mask: np.ndarray) -> np.ndarray:
    masked = np.where(open_mask & np.isfinite(profile), np.maximum(profile, 0.0), 0.0)
    total = masked.sum()
    return masked / total if total > 0 else masked


def fit_profiles(values: np.ndarray, totals: np.ndarray, weekdays: np.ndarray,
                 kinds: np.ndarray, outlier: np.ndarray, open_mask: np.ndarray,
                 settings: ForecastSettings, weekend: frozenset[int]) -> dict[str, np.ndarray]:
    """Intraday profiles (shares summing to 1): one per weekday and per special day kind.

    A weekday's profile is the recency-weighted mean share of each interval over the last
    ``profile_weeks`` weeks, shrunk toward the all-weekday profile by ``profile_shrink_days``
    days' worth of weight, then limited to the intervals open on that weekday.
    """
    num_days, num_slots = values.shape
    age = data_age(values)
    weights = 0.5 ** (age / (7 * settings.profile_halflife_weeks))
    usable = np.isfinite(totals) & (totals > 0) & ~outlier
    recent = usable & (age < 7 * settings.profile_weeks) & (kinds == "normal")
    if not recent.any():
        recent = usable
    workdays = [w for w in range(7) if w not in weekend] or list(range(7))
    offdays = [w for w in range(7) if w in weekend] or list(range(7))
    pooled_all, _ = _weighted_shares(values, totals, recent, weights)
    pooled_all = np.where(np.isfinite(pooled_all), pooled_all, 0.0)
    if settings.profile_prior == "workdays":
        pooled_work, _ = _weighted_shares(values, totals, recent & np.isin(weekdays, workdays),
                                          weights)
        pooled_work = np.where(np.isfinite(pooled_work), pooled_work, pooled_all)
    else:
        pooled_work = pooled_all
    profiles: dict[str, np.ndarray] = {}
    k = settings.profile_shrink_days
    for w in range(7):
        prior = pooled_work if w in workdays else pooled_all
        own, weight = _weighted_shares(values, totals, recent & (weekdays == w), weights)
        own = np.where(np.isfinite(own), own, prior)
        shrunk = (weight * own + k * prior) / np.maximum(weight + k, 1e-12)
        profiles[str(w)] = _normalise(_smooth(shrunk, settings.profile_smooth), open_mask[w])
    workday = np.mean([profiles[str(w)] for w in workdays], axis=0)
    offday = np.mean([profiles[str(w)] for w in offdays], axis=0)
    profiles["working_weekend"] = _normalise(workday, np.asarray(open_mask[workdays].any(axis=0)))
    any_open = np.asarray(open_mask.any(axis=0))
    holiday_days = usable & (kinds == "holiday")
    if holiday_days.any():  # history's holiday shape; without one a holiday keeps its own
        own, weight = _weighted_shares(values, totals, holiday_days, np.ones(num_days))
        own = np.where(np.isfinite(own), own, offday)
        offday = (weight * own + k * offday) / np.maximum(weight + k, 1e-12)
        profiles["holiday"] = _normalise(offday, any_open)
    return profiles


def _profile_rows(profiles: dict[str, np.ndarray], weekdays: np.ndarray,
                  kinds: np.ndarray, weekend: frozenset[int] = frozenset()) -> np.ndarray:
    """The profile of each day: its weekday's, or its kind's for a holiday on a working weekday
    and a swapped working weekend (a holiday on a weekend day keeps that day's own shape, e.g.
    an Israeli Saturday that opens only in the evening)."""
    rows = [profiles[k] if k == "working_weekend" or (
        k == "holiday" and w not in weekend and k in profiles)
            else profiles[str(w)] for w, k in zip(weekdays, kinds, strict=True)]
    return np.vstack(rows) if rows else np.zeros((0, 0))


def _interval_dispersion(values: np.ndarray, expected: np.ndarray) -> float:
    """Extra-Poisson dispersion ``a`` in Var = mu + a mu^2, by the method of moments."""
    known = np.isfinite(values) & (expected > 0)
    if known.sum() < 10:
        return 0.0
    y, mu = values[known], expected[known]
    return float(np.clip(np.sum((y - mu) ** 2 - mu) / np.sum(mu**2), 0.0, 1.0))


def count_quantiles(mean: np.ndarray, dispersion: np.ndarray, z: float) -> np.ndarray:
    """Approximate quantile of a count with mean ``mu`` and variance ``mu + a mu^2``.

    Cornish-Fisher expansion with the negative-binomial skewness
    ``(1 + 2 a mu) / sqrt(mu (1 + a mu))``: ``q = mu + sd (z + (z^2 - 1) skew / 6)``,
    floored at zero (Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed., 5.1).
    """
    mean = np.asarray(mean, dtype=float)
    variance = mean + dispersion * mean**2
    sd = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(sd > 0, (1 + 2 * dispersion * mean) / sd, 0.0)
    return np.maximum(mean + sd * (z + (z * z - 1) * skew / 6), 0.0)


# ---- the production model -------------------------------------------------------------------

class ProfileModel:
    """Daily total x intraday profile, with holidays, promotions and P10/P90.

    Parameters
    ----------
    interval_minutes
        Interval length of ``y``.
    calendar
        Holidays and promotions (default: no calendar effects).
    open_window
        (start, end) minutes after midnight when the site is open; other intervals forecast 0.
    settings
        Tuning knobs and default calendar multipliers (``ForecastSettings``).
    calendar_effects
        False: forecast every day as an ordinary day of its weekday (special days are then
        applied by ``wfm.forecast.special``, as for every candidate of the model choice).
    quantiles
        False: skip the refits behind P10/P90 (``p10``/``p90`` are then those of a Poisson
        count around the mean), for a candidate scored on its mean only.
    """

    def __init__(self, *, interval_minutes: int = 30, calendar: HolidayCalendar | None = None,
                 open_window: tuple[int, int] | None = None,
                 settings: ForecastSettings | None = None,
                 calendar_effects: bool = True, quantiles: bool = True) -> None:
        self.interval_minutes = interval_minutes
        self.calendar = calendar or HolidayCalendar("")
        self.open_window = open_window
        self.settings = settings or ForecastSettings()
        self.calendar_effects = calendar_effects
        self.quantiles = quantiles

    def _params(self) -> dict[str, Any]:
        return {"interval_minutes": self.interval_minutes, "calendar": self.calendar,
                "open_window": self.open_window, "settings": self.settings,
                "calendar_effects": self.calendar_effects, "quantiles": self.quantiles}

    def _day_info(self, dates: list[date]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        weekdays = np.array([d.weekday() for d in dates], dtype=int)
        kinds, groups = self.calendar.day_info(dates)
        return weekdays, kinds, groups

    def fit(self, y: pd.Series) -> ProfileModel:
        settings = self.settings
        grid = day_grid(y, self.interval_minutes)
        values = grid.values
        num_days, num_slots = values.shape
        weekdays, kinds, groups = self._day_info(grid.dates)
        weekend = self.calendar.weekend
        seen_mask = self._seen_mask(values, weekdays)
        window = self._window_slots(num_slots)
        open_mask = seen_mask & window[None, :]
        totals = _daily_totals(values, weekdays)
        positions = month_positions(grid.dates)
        halflife = tune_level_halflife(totals, weekdays, kinds, settings, weekend, positions)
        settings = settings.model_copy(update={"level_halflife_weeks": halflife})
        daily = fit_daily(totals, weekdays, kinds, settings, weekend, groups, positions)
        if self.quantiles:  # the out-of-sample spread behind P10/P90 (costs refits)
            daily.sigma_log = daily_spread(totals, weekdays, kinds, settings, weekend,
                                           positions=positions)
        # shares of the whole day seen in history, then the hours outside ``open_hours`` cut
        # out: their contacts are not squeezed into the open hours (they are reported instead)
        profiles = {kind: profile * window for kind, profile in fit_profiles(
            values, totals, weekdays, kinds, daily.outlier, seen_mask, settings, weekend).items()}
        in_sample_totals = (daily.local_level * daily.base_factor(weekdays, kinds)
                            * daily.multiplier(kinds, groups) * daily.month_factor(positions))
        expected = in_sample_totals[:, None] * _profile_rows(profiles, weekdays, kinds, weekend)
        dispersion = self._shape_dispersion(values[:, window], totals, weekdays, kinds,
                                            daily.outlier, seen_mask,
                                            window) if self.quantiles else 0.0
        self.model_ = {"daily": daily, "profiles": profiles, "open_mask": open_mask,
                       "dispersion": dispersion, "last": y.index.max(),
                       "last_day": grid.dates[-1], "totals": totals}
        self.fitted_ = pd.Series(expected[grid.day_index, grid.slot_index], index=y.index)
        return self

    def _shape_dispersion(self, values: np.ndarray, totals: np.ndarray, weekdays: np.ndarray,
                          kinds: np.ndarray, outlier: np.ndarray, open_mask: np.ndarray,
                          window: np.ndarray) -> float:
        """Extra-Poisson dispersion of the open intervals (``values`` holds only the columns
        of ``window``) around (actual day total x profile).

        Measured out of sample where history allows: profiles fitted without the last week (and
        without the last two weeks) predict the shape of that week, so the estimate includes the
        profile's own estimation error; otherwise in sample over the profile window.
        """
        settings, weekend = self.settings, self.calendar.weekend
        full = np.full((len(totals), len(window)), np.nan)
        full[:, window] = values  # closed columns unknown: profiles need the whole day's width
        known_total = np.where(np.isfinite(totals), totals, 0.0)
        num_days = len(totals)
        observed, expected = [], []
        for weeks_back in (1, 2):
            cut = num_days - 7 * weeks_back
            if cut < settings.min_history_days:
                break
            profiles = fit_profiles(full[:cut], totals[:cut], weekdays[:cut], kinds[:cut],
                                    outlier[:cut], open_mask, settings, weekend)
            days = slice(cut, cut + 7)
            rows = _profile_rows(profiles, weekdays[days], kinds[days], weekend)[:, window]
            keep = ~outlier[days]
            observed.append(values[days][keep])
            expected.append((known_total[days][:, None] * rows)[keep])
        if observed:
            return _interval_dispersion(np.vstack(observed), np.vstack(expected))
        profiles = fit_profiles(full, totals, weekdays, kinds, outlier, open_mask, settings,
                                weekend)
        recent = slice(-7 * settings.profile_weeks, None)
        rows = _profile_rows(profiles, weekdays, kinds, self.calendar.weekend)[:, window]
        return _interval_dispersion(values[recent], (known_total[:, None] * rows)[recent])

    def _seen_mask(self, values: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
        """(7, slots) True where history shows contacts recently on that weekday and time.

        "Recently" is the last ``open_weeks`` days of each weekday that have data, so a long gap
        in history does not close the site.
        """
        num_slots = values.shape[1]
        known_day = np.isfinite(values).any(axis=1)
        mask = np.zeros((7, num_slots), dtype=bool)
        for w in range(7):
            days = np.flatnonzero(known_day & (weekdays == w))[-self.settings.open_weeks:]
            if len(days):
                mask[w] = np.nansum(values[days], axis=0) > 0
        return mask

    def _window_slots(self, num_slots: int) -> np.ndarray:
        """(slots,) True for the intervals inside ``open_hours`` (all when it is unset)."""
        if self.open_window is None:
            return np.ones(num_slots, dtype=bool)
        start, end = self.open_window
        slot_start = np.arange(num_slots) * self.interval_minutes
        return (slot_start >= start) & (slot_start + self.interval_minutes <= end)

    def predict(self, h: int) -> pd.DataFrame:
        index = next_intervals(self.model_["last"], h, self.interval_minutes)
        if len(index) == 0:
            return _predict_frame(index, np.zeros(0), np.zeros(0), np.zeros(0))
        naive = local_naive(index)
        first = naive.min().normalize()
        day_offset = np.asarray((naive.normalize() - first).days, dtype=int)
        slot = np.asarray((naive.hour * 60 + naive.minute) // self.interval_minutes, dtype=int)
        dates = [first.date() + timedelta(days=int(d)) for d in range(day_offset.max() + 1)]
        daily: DailyFit = self.model_["daily"]
        weekdays, kinds, groups = self._day_info(dates)
        if not self.calendar_effects:  # every day as an ordinary day of its weekday
            kinds = np.full(len(dates), "normal", dtype=object)
            groups = np.full(len(dates), "", dtype=object)
        ahead = np.array([(d - self.model_["last_day"]).days for d in dates])
        totals = daily.predict(ahead, weekdays, kinds, groups, month_positions(dates))
        rows = _profile_rows(self.model_["profiles"], weekdays, kinds, self.calendar.weekend)
        mean = (totals[:, None] * rows)[day_offset, slot]
        sigma2 = daily.sigma_log**2 * (1 + np.maximum(ahead - 7, 0) / 28.0)
        sigma2 = sigma2 + np.array([daily.kind_sigma.get(k, 0.0) ** 2 for k in kinds])
        day_dispersion = np.expm1(sigma2)[day_offset]
        dispersion = (1 + day_dispersion) * (1 + self.model_["dispersion"]) - 1
        p10 = count_quantiles(mean, dispersion, -Z90)
        p90 = count_quantiles(mean, dispersion, Z90)
        return _predict_frame(index, mean, np.minimum(p10, mean), np.maximum(p90, mean))

    def forecast(self, y: pd.Series, h: int) -> pd.DataFrame:
        return ProfileModel(**self._params()).fit(y).predict(h)


def _daily_totals(values: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Each day's total, scaled up for unknown intervals; NaN when under half the day is known.

    The share of a day's volume that its known intervals hold is judged from the mean count per
    interval of the same weekday, so an unknown hour at the peak counts for more than one at
    night.
    """
    num_days, num_slots = values.shape
    rough = np.zeros((7, num_slots))
    for w in range(7):
        rows = values[weekdays == w]
        if len(rows) and np.isfinite(rows).any():
            count = np.isfinite(rows).sum(axis=0)
            mean = np.nansum(rows, axis=0) / np.maximum(count, 1)
            if mean.sum() > 0:
                rough[w] = mean / mean.sum()
    known = np.isfinite(values)
    coverage = np.sum(rough[weekdays] * known, axis=1)
    closed_weekday = rough[weekdays].sum(axis=1) == 0
    coverage = np.where(closed_weekday, known.any(axis=1).astype(float), coverage)
    observed = np.nansum(values, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = np.where(coverage >= 0.5, observed / coverage, np.nan)
    return totals
