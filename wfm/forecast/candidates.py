"""The candidate models of the per-queue model choice (``wfm.forecast.selection``).

Each candidate forecasts the days ``[origin, origin + days)`` of a ``Panel`` *as ordinary days
of their weekday*, from the history before ``origin`` only; holidays, promotions and closed days
are applied afterwards by one shared layer (``wfm.forecast.special``), so every candidate is
judged on the same calendar. The candidates:

``seasonal_naive``   the last known ordinary day of the same weekday (the same interval a week
                     earlier, skipping a holiday or a gap)
``mean_<k>w``        the mean of the same weekday and interval over the last k days of that
                     weekday with data (the planner's window: a gap in history is skipped,
                     as it has no rows), an odd day of it replaced by the next older
                     ordinary day, never one from before a gap in history (``window_rows``)
``median_<k>w``      the same with the median (robust to one odd day)
``profile``          ``models.ProfileModel``: weekday factors x level x damped trend x a
                     within-month effect, spread by per-weekday intraday profiles
``ets``              a damped additive-trend, additive-season exponential smoothing of log
                     daily totals (Holt-Winters, statsmodels; Hyndman & Athanasopoulos, *FPP*
                     3rd ed., sec. 8.3-8.4) on the weekdays the queue is open, spread by the
                     intraday shares of the last 8 ordinary weeks

Simple candidates read a few weeks of the matrix and cost microseconds per fold; ``profile``
(on its last 26 weeks: its weekday factors have a 6-week half-life, its level one of under 2
weeks) and ``ets`` (on its last 52 weeks) are refitted at every fold, which keeps the choice
within the speed target.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wfm.config import ForecastSettings
from wfm.forecast.models import ProfileModel, intervals_until, tune_level_halflife
from wfm.forecast.panel import Panel, to_matrix

MODEL_HISTORY_WEEKS = 52  # ETS: a year of daily totals
PROFILE_HISTORY_WEEKS = 26  # the profile model (its estimates weigh older weeks little)
SHARE_WEEKS = 8  # weeks of ordinary days for the intraday shares of ``ets``


class Candidate(Protocol):
    name: str
    family: str

    def ordinary(self, panel: Panel, origin: int, days: int) -> np.ndarray:
        """(days, slots) forecast of rows ``origin ..`` as ordinary days (NaN: no forecast)."""
        ...


OUTLIER_Z = 4.0  # robust z-score of an outlier day, as the profile model's default


_USABLE: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def usable_days(panel: Panel, origin: int) -> np.ndarray:
    """Rows before ``origin`` that are ordinary days with at least one known interval and are
    not outlier days (``outlier_days``). Cached per panel and origin: every simple candidate
    of a model choice asks for the same origins."""
    key = (id(panel.values), origin)
    hit = _USABLE.get(key)
    if hit is not None and hit[0] is panel.values:
        return hit[1]
    end = min(origin, panel.num_days)
    weekdays, kinds, _ = panel.day_info(0, end)
    known = np.isfinite(panel.values[:end]).any(axis=1)
    usable = known & (kinds == "normal")
    out = usable & ~outlier_days(panel.totals(end), weekdays, usable)
    if len(_USABLE) > 4096:
        _USABLE.clear()
    _USABLE[key] = (panel.values, out)  # the reference keeps the id from being reused
    return out


def column_nanmedian(block: np.ndarray) -> np.ndarray:
    """``np.nanmedian(block, axis=0)`` by one sort (NaNs sort last): several times faster
    on the small blocks of a k-week median; NaN where a column has no value."""
    ordered = np.sort(block, axis=0)
    count = np.isfinite(block).sum(axis=0)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[None, :], axis=0)[0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[None, :], axis=0)[0]
    return np.where(count > 0, 0.5 * (low + high), np.nan)


def outlier_days(totals: np.ndarray, weekdays: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Days whose log total is more than ``OUTLIER_Z`` robust spreads (1.4826 MAD, at least
    0.05) from its weekday's median after a centred 7-day median level, the profile model's
    screen: one call-back storm must not enter a k-week mean or a seasonal naive."""
    ok = usable & np.isfinite(totals) & (totals > 0)
    out = np.zeros(len(totals), dtype=bool)
    if ok.sum() < 7:
        return out
    logs = np.where(ok, np.log(np.where(ok, totals, 1.0)), np.nan)
    season = np.zeros(len(totals))
    for w in np.unique(weekdays[ok]):
        season[weekdays == w] = np.median(logs[ok & (weekdays == w)])
    # min_periods=1: a day with under 3 known days around it (after a gap in history) is
    # its own level (it cannot be judged), not judged against a level from across the gap
    level = (pd.Series(logs - season).rolling(7, center=True, min_periods=1).median()
             .interpolate(limit_direction="both").to_numpy())
    resid = logs - season - level
    finite = np.isfinite(resid)
    if finite.sum() < 7:
        return out
    centre = np.median(resid[finite])
    spread = max(1.4826 * float(np.median(np.abs(resid[finite] - centre))), 0.05)
    out[finite] = np.abs(resid[finite] - centre) > OUTLIER_Z * spread
    return out


def window_rows(with_data: np.ndarray, usable: np.ndarray, weeks: int, after_gap: int
                ) -> np.ndarray:
    """The rows a k-week mean or median reads, from ``with_data`` (the rows of one weekday
    that have data, ascending): the planner's window, the last ``weeks`` of them (a gap in
    history skipped, as it has no rows), with its odd days (not ``usable``) left out and
    each replaced by the next older usable day, as a planner would, but only from the
    stretch of history after the last gap (``after_gap``, the first row after the last
    ``GAP_DAYS`` or more days without data): across a gap the history cannot show that the
    older day's level and intraday shape still hold (the Anonymous Bank's January standing
    in for an October day), the reason the ``ets`` candidate starts after the last gap too.
    When nothing is left: the last ``weeks`` usable days."""
    recent = with_data[-weeks:]
    inside = recent[usable[recent]]
    missing = len(recent) - len(inside)
    if missing:
        older = with_data[:len(with_data) - len(recent)]
        older = older[usable[older] & (older >= after_gap)][-missing:]
        inside = np.concatenate([older, inside])
    if len(inside):
        return inside
    return with_data[usable[with_data]][-weeks:]


@dataclass(frozen=True)
class WeekdayStat:
    """Mean (or median) of the same weekday and interval over its last ``weeks`` days with
    data, odd days replaced by older usable ones from after the last gap in history
    (``window_rows``); ``weeks = 1`` with ``stat = "last"`` is seasonal naive, the last usable
    day however far back."""

    weeks: int
    stat: str = "mean"  # "mean", "median" or "last"

    @property
    def name(self) -> str:
        return "seasonal_naive" if self.stat == "last" else f"{self.stat}_{self.weeks}w"

    @property
    def family(self) -> str:
        return "seasonal_naive" if self.stat == "last" else self.stat

    def template(self, panel: Panel, origin: int) -> np.ndarray:
        """(7, slots): the statistic per weekday (NaN where a weekday has no data)."""
        end = min(origin, panel.num_days)
        usable = usable_days(panel, origin)
        weekdays, _, _ = panel.day_info(0, end)
        out = np.full((7, panel.num_slots), np.nan)
        known = panel.days_with_data[:end]
        after_gap = _after_last_gap(panel, end)
        for w in range(7):
            same = weekdays == w
            if self.stat == "last":
                rows = np.flatnonzero(usable & same)[-1:]
            else:
                rows = window_rows(np.flatnonzero(known & same), usable, self.weeks,
                                   after_gap)
            if len(rows) == 0:
                continue
            block = panel.values[rows]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-unknown interval
                out[w] = (column_nanmedian(block) if self.stat == "median"
                          else np.nanmean(block, axis=0))
        return out

    def ordinary(self, panel: Panel, origin: int, days: int) -> np.ndarray:
        weekdays, _, _ = panel.day_info(origin, days)
        return self.template(panel, origin)[weekdays]


class ProfileCandidate:
    """``ProfileModel`` fitted on the last ``MODEL_HISTORY_WEEKS`` weeks before the origin.

    The level half-life is chosen once (``tune_level_halflife``, on the history before the
    first origin asked for: the earliest fold) and kept for every later origin, so a fold costs
    one fit, not eight. Make one instance per queue and model choice.
    """

    name = "profile"
    family = "profile"

    def __init__(self, settings: ForecastSettings,
                 open_window: tuple[int, int] | None = None) -> None:
        self.settings = settings
        self.open_window = open_window
        self.halflife: float | None = None
        self.last_fit: tuple[int, ProfileModel] | None = None

    def model(self, panel: Panel, origin: int) -> ProfileModel:
        if self.last_fit is not None and self.last_fit[0] == origin:
            return self.last_fit[1]
        if self.halflife is None:
            totals = panel.totals(origin)
            known = np.flatnonzero(np.isfinite(totals))
            first = int(known[-7 * PROFILE_HISTORY_WEEKS]) if len(known) > (
                7 * PROFILE_HISTORY_WEEKS) else 0
            weekdays, kinds, _ = panel.day_info(first, len(totals) - first)
            self.halflife = tune_level_halflife(totals[first:], weekdays, kinds, self.settings,
                                                panel.calendar.weekend)
        settings = self.settings.model_copy(update={
            "level_halflife_weeks": self.halflife, "level_halflife_auto": False})
        model = ProfileModel(interval_minutes=panel.interval_minutes, calendar=panel.calendar,
                             open_window=self.open_window, settings=settings,
                             calendar_effects=False, quantiles=False)
        model.fit(panel.before(origin, PROFILE_HISTORY_WEEKS))
        self.last_fit = (origin, model)
        return model

    def ordinary(self, panel: Panel, origin: int, days: int) -> np.ndarray:
        if not np.isfinite(panel.values[:min(origin, panel.num_days)]).any():
            return np.zeros((days, panel.num_slots))  # no history before the origin
        model = self.model(panel, origin)
        end = panel.origin_time(origin + days) - pd.Timedelta(seconds=1)
        steps = intervals_until(model.model_["last"], end, panel.interval_minutes)
        predicted = model.predict(steps)
        return np.nan_to_num(to_matrix(predicted, panel.dates(origin, 1)[0], days,
                                       panel.num_slots, panel.interval_minutes))


def _import_smoothing() -> Any:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    return ExponentialSmoothing


class DailyETS:
    """Damped Holt-Winters on log daily totals of the open weekdays x intraday shares.

    Refitted at every origin on at most ``MODEL_HISTORY_WEEKS`` weeks (SLSQP: the default
    L-BFGS-B takes ~20x longer here for the same fit).
    """

    name = "ets"
    family = "ets"

    def ordinary(self, panel: Panel, origin: int, days: int) -> np.ndarray:
        end = min(origin, panel.num_days)
        start = max(0, end - 7 * MODEL_HISTORY_WEEKS, _after_last_gap(panel, end))
        totals = panel.totals(end)[start:]
        weekdays, kinds, _ = panel.day_info(start, end - start)
        usable = np.isfinite(totals) & (kinds == "normal") & (totals > 0)
        open_days = sorted({int(w) for w in weekdays[usable][-7 * SHARE_WEEKS:]})
        out = np.zeros((days, panel.num_slots))
        if not open_days:
            return out
        is_open = np.isin(weekdays, open_days)
        series = np.where(usable, totals, np.nan)[is_open]
        filled = _fill_by_weekday(series, weekdays[is_open], open_days)
        if not np.isfinite(filled).all() or len(filled) < 2 * len(open_days) + 2:
            return out
        horizon_weekdays, _, _ = panel.day_info(origin, days)
        # open days from the end of the series to each horizon day (a gap counted too)
        row_open = np.isin(horizon_weekdays, open_days)
        gap_weekdays, _, _ = panel.day_info(end, max(origin - end, 0))
        steps = int(np.isin(gap_weekdays, open_days).sum()) + np.cumsum(row_open)
        log_mean = self._fit_forecast(np.log(filled), len(open_days), int(steps.max(initial=0)))
        daily = np.where(row_open, np.exp(log_mean[np.maximum(steps, 1) - 1]), 0.0)
        return daily[:, None] * self.shares(panel, origin)[horizon_weekdays]

    @staticmethod
    def _fit_forecast(log_totals: np.ndarray, season: int, steps: int) -> np.ndarray:
        if steps == 0:
            return np.zeros(0)
        smoothing = _import_smoothing()
        seasonal = "add" if season > 1 and len(log_totals) >= 2 * season + 2 else None
        spec: dict[str, Any] = {"trend": "add", "damped_trend": True, "seasonal": seasonal,
                                "seasonal_periods": season if seasonal else None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter of the optimiser
            fit = smoothing(log_totals, initialization_method="estimated", **spec).fit(
                use_brute=False, method="SLSQP")
        resid = np.asarray(fit.resid, dtype=float)
        spread = float(np.var(resid[-4 * max(season, 1):])) if len(resid) else 0.0
        # exp of a log-scale forecast is the median; exp(s^2 / 2) makes it the mean
        return np.asarray(fit.forecast(steps), dtype=float) + spread / 2

    @staticmethod
    def shares(panel: Panel, origin: int) -> np.ndarray:
        """(7, slots) share of each interval in its weekday's total (ratio of sums over the
        last ``SHARE_WEEKS`` ordinary days of that weekday)."""
        end = min(origin, panel.num_days)
        usable = usable_days(panel, origin)
        weekdays, _, _ = panel.day_info(0, end)
        out = np.zeros((7, panel.num_slots))
        for w in range(7):
            rows = np.flatnonzero(usable & (weekdays == w))[-SHARE_WEEKS:]
            if len(rows):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # an all-unknown interval
                    sums = np.nan_to_num(np.nanmean(panel.values[rows], axis=0))
                if sums.sum() > 0:
                    out[w] = sums / sums.sum()
        return out


@dataclass(frozen=True)
class Combination:
    """The mean of two candidates' forecasts."""

    first: Any
    second: Any

    @property
    def name(self) -> str:
        return f"mean({self.first.name}, {self.second.name})"

    @property
    def family(self) -> str:
        return "combination"

    def ordinary(self, panel: Panel, origin: int, days: int) -> np.ndarray:
        return 0.5 * (np.nan_to_num(self.first.ordinary(panel, origin, days))
                      + np.nan_to_num(self.second.ordinary(panel, origin, days)))


GAP_DAYS = 14


def _after_last_gap(panel: Panel, end: int) -> int:
    """The first row after the last run of ``GAP_DAYS`` or more days without data before
    ``end`` (0 without one): a smoother cannot bridge months of missing history."""
    rows = np.flatnonzero(panel.days_with_data[:end])
    if len(rows) == 0:
        return end
    jumps = np.flatnonzero(np.diff(rows) > GAP_DAYS)
    return int(rows[jumps[-1] + 1]) if len(jumps) else int(rows[0])


def _fill_by_weekday(series: np.ndarray, weekdays: np.ndarray, open_days: list[int]
                     ) -> np.ndarray:
    """Special days and gaps replaced by the same weekday's median of its 4 known days before
    (else after), so the smoother sees ordinary weeks; leading unknowns are cut."""
    filled = series.copy()
    for w in open_days:
        rows = np.flatnonzero(weekdays == w)
        for position, row in enumerate(rows):
            if np.isfinite(filled[row]):
                continue
            before = series[rows[max(0, position - 4):position]]
            after = series[rows[position + 1:position + 5]]
            pool = before[np.isfinite(before)]
            pool = pool if len(pool) else after[np.isfinite(after)]
            filled[row] = np.median(pool) if len(pool) else np.nan
    return filled[int(np.argmax(np.isfinite(filled))):] if np.isfinite(filled).any() else filled


def candidate_set(settings: ForecastSettings, open_window: tuple[int, int] | None
                  ) -> list[Any]:
    """Every single candidate the settings ask for, simplest first."""
    out: list[Any] = [WeekdayStat(1, "last")]
    out += [WeekdayStat(k, "mean") for k in settings.candidate_weeks]
    out += [WeekdayStat(k, "median") for k in settings.candidate_weeks if k >= 3]
    out.append(ProfileCandidate(settings=settings, open_window=open_window))
    if settings.ets_candidate:
        out.append(DailyETS())
    return out
