"""Forecast against actual: accuracy per day and week, and a drift flag (issue 23).

A published forecast is held against the contacts that arrived (the actuals table's
``offered``), interval by interval and queue by queue, where both are known: an interval with
no actual row is unknown (never zero) and one no published forecast covers is not scored.
Which published forecast covers an interval is ``latest_forecast``'s choice: the one with the
latest origin on or before the interval's date (the one the planner acted on), the latest
published among equal origins.

Figures, all ratios of sums over the intervals of a day, a week or the window
(Kolassa & Schuetz, 2007, "Advantages of the MAD/MEAN ratio over the MAPE"):

* WAPE = Σ |f − a| / Σ a, the absolute errors taken per interval and queue (the interval WAPE
  ``wfm forecast backtest`` reports);
* bias = Σ (f − a) / Σ a (positive: over-forecast).

Drift rule. Over the window (the last ``weeks`` x 7 days ending on the last date with
actuals), with e_d = f_d − a_d the error of day d's total and A = Σ a_d, the bias's noise is
``NOISE_UNITS`` (2) standard errors, the larger of two estimates of the standard error of Σ e_d:
the day-to-day one √(Σ e_d²) (the bias noise ``wfm forecast`` reports for its choice) and the
Poisson one √A (arrivals are at least Poisson: a sum of A arrivals varies by √A):

    noise = 2 · √max(Σ e_d², Σ a_d) / Σ a_d

A drift is flagged when |bias| > noise over at least ``MIN_DRIFT_DAYS`` (7) days. One bad day
cannot raise it alone (its error is its own noise: |e| / √e² = 1 < 2); the same error on n days
stands √n noise units out, so a level the forecast keeps missing by a steady share is seen
within a week or two. Each week gets the same test on its own days (``beyond_noise``); a single
day has no day-to-day spread of its own and is shown without one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

ACCURACY_WEEKS = 4
NOISE_UNITS = 2.0
MIN_DRIFT_DAYS = 7
PERIOD_COLUMNS = ["forecast", "actual", "abs_error", "wape", "bias", "noise", "beyond_noise"]
DAY_COLUMNS = ["date", "intervals", "models", "forecast", "actual", "abs_error", "wape", "bias"]
WEEK_COLUMNS = ["week", "days", *PERIOD_COLUMNS]


@dataclass(frozen=True)
class AccuracyWindow:
    """The window's figures (ratios of sums; ``None`` where nothing is known)."""

    first_day: date | None
    last_day: date | None
    days: int
    forecast: float
    actual: float
    wape: float | None
    bias: float | None
    noise: float | None
    drift: bool

    def record(self) -> dict[str, Any]:
        return {"first_day": self.first_day, "last_day": self.last_day, "days": self.days,
                "forecast": self.forecast, "actual": self.actual, "wape": self.wape,
                "bias": self.bias, "noise": self.noise, "drift": self.drift}


@dataclass(frozen=True)
class AccuracyReport:
    """Forecast against actual per local day (``DAY_COLUMNS``) and Monday-Sunday week
    (``WEEK_COLUMNS``) over the window, and the window's figures with the drift flag."""

    days: pd.DataFrame
    weeks: pd.DataFrame
    window: AccuracyWindow


def latest_forecast(rows: pd.DataFrame, timezone: str | ZoneInfo) -> pd.DataFrame:
    """Per (interval_start, queue), the row of the forecast the planner acted on.

    ``rows`` holds every published forecast's rows: ``interval_start`` (tz-aware), ``queue``,
    ``contacts``, ``forecast_id``, ``origin`` (a date) and ``model``. Rows dated before their
    forecast's origin never count; of the rest the latest origin wins, then the highest
    ``forecast_id`` (the latest published).
    """
    if rows.empty:
        return rows
    local = pd.to_datetime(rows["interval_start"]).dt.tz_convert(timezone).dt.date
    usable = rows[local >= rows["origin"]]
    ordered = usable.sort_values(["origin", "forecast_id"], kind="stable")
    return ordered.drop_duplicates(["interval_start", "queue"], keep="last").reset_index(
        drop=True)


def _noise(errors: pd.Series, actuals: pd.Series) -> float | None:
    total = float(actuals.sum())
    if total <= 0:
        return None
    return NOISE_UNITS * math.sqrt(max(float((errors ** 2).sum()), total)) / total


def _period(group: pd.DataFrame) -> pd.Series:
    """One period's figures from its daily rows (``forecast``, ``actual``, ``abs_error``)."""
    forecast, actual = float(group["forecast"].sum()), float(group["actual"].sum())
    noise = _noise(group["forecast"] - group["actual"], group["actual"])
    wape = float(group["abs_error"].sum()) / actual if actual > 0 else None
    bias = (forecast - actual) / actual if actual > 0 else None
    beyond = bool(bias is not None and noise is not None and abs(bias) > noise)
    return pd.Series({"forecast": forecast, "actual": actual,
                      "abs_error": float(group["abs_error"].sum()), "wape": wape,
                      "bias": bias, "noise": noise, "beyond_noise": beyond})


def _empty() -> AccuracyReport:
    return AccuracyReport(pd.DataFrame(columns=DAY_COLUMNS), pd.DataFrame(columns=WEEK_COLUMNS),
                          AccuracyWindow(None, None, 0, 0.0, 0.0, None, None, None, False))


def accuracy_report(forecast: pd.DataFrame, actuals: pd.DataFrame, *,
                    timezone: str | ZoneInfo, weeks: int = ACCURACY_WEEKS,
                    last_day: date | None = None) -> AccuracyReport:
    """Forecast against actual per day and week over the last ``weeks`` weeks.

    Parameters
    ----------
    forecast
        ``interval_start`` (tz-aware), ``queue``, ``contacts`` [, ``model``]: one forecast row
        per interval and queue (``latest_forecast`` picks it among published forecasts).
    actuals
        ``interval_start`` (tz-aware), ``queue``, ``offered`` (the actuals table).
    timezone
        The site's zone: days are local dates.
    weeks
        Length of the window, in weeks of 7 days.
    last_day
        The window's last local date (default: the last date with both forecast and actual).

    Returns
    -------
    AccuracyReport
        Days and weeks inside the window, oldest first; the window's WAPE, bias, noise and
        drift flag (module docstring).
    """
    keys = ["interval_start", "queue"]
    if forecast.empty or actuals.empty:
        return _empty()
    f = forecast[[*keys, "contacts", *(["model"] if "model" in forecast else [])]].copy()
    a = actuals[[*keys, "offered"]].copy()
    for frame in (f, a):
        frame["interval_start"] = pd.to_datetime(frame["interval_start"]).dt.tz_convert(timezone)
        frame["queue"] = frame["queue"].astype(str)
    pairs = f.merge(a, on=keys, how="inner")
    pairs = pairs[pairs["contacts"].notna() & pairs["offered"].notna()]
    if "model" not in pairs:
        pairs["model"] = ""
    pairs = pairs.assign(date=pairs["interval_start"].dt.date,
                         abs_error=(pairs["contacts"] - pairs["offered"]).abs())
    if last_day is None and not pairs.empty:
        last_day = max(pairs["date"])
    if last_day is not None:
        first = last_day - timedelta(days=7 * weeks - 1)
        pairs = pairs[(pairs["date"] >= first) & (pairs["date"] <= last_day)]
    if pairs.empty:
        return _empty()
    daily = pairs.groupby("date", sort=True).agg(
        intervals=("contacts", "size"), forecast=("contacts", "sum"), actual=("offered", "sum"),
        abs_error=("abs_error", "sum"),
        models=("model", lambda m: ", ".join(sorted({str(v) for v in m if str(v)}))))
    daily = daily.reset_index()
    known = daily["actual"].where(daily["actual"] > 0)
    days = daily.assign(wape=daily["abs_error"] / known,
                        bias=(daily["forecast"] - daily["actual"]) / known)
    days = days.astype({"wape": object, "bias": object})
    days = days.where(days.notna(), None)[DAY_COLUMNS]
    daily["week"] = [d - timedelta(days=d.weekday()) for d in daily["date"]]
    week_rows = pd.DataFrame(
        [{"week": w, "days": len(group), **_period(group).to_dict()}
         for w, group in daily.groupby("week", sort=True)], columns=WEEK_COLUMNS)
    whole = _period(daily)
    window = AccuracyWindow(
        first_day=min(daily["date"]), last_day=max(daily["date"]), days=len(daily),
        forecast=float(whole["forecast"]), actual=float(whole["actual"]),
        wape=whole["wape"], bias=whole["bias"], noise=whole["noise"],
        drift=bool(whole["beyond_noise"]) and len(daily) >= MIN_DRIFT_DAYS)
    return AccuracyReport(days, week_rows[WEEK_COLUMNS], window)
