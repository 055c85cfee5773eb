"""Rolling-origin backtest of the forecast against seasonal naive on the same folds.

Fold ``i`` of ``K`` forecasts ``horizon_weeks`` weeks from an origin, using only history before it;
the last fold ends on the last day of history and the origins step back by the horizon. Errors are
pooled over folds and queues (Hyndman & Athanasopoulos, *FPP* 3rd ed., sec. 5.10, "time series
cross-validation"). Days are split into ordinary days and special days (holidays, days next to a
long holiday, swapped working weekends, promotions), reported separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for, interval_grid, local_naive
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.forecast.contacts import run_forecast
from wfm.forecast.metrics import wape
from wfm.forecast.models import SeasonalNaive, intervals_until
from wfm.forecast.settings import ForecastSettings, settings_for

METHODS = ("model", "seasonal_naive")


@dataclass(frozen=True)
class BacktestResult:
    """Per-interval rows of every fold, and the pooled scores.

    ``rows``: fold, interval_start, queue, date, kind, actual, actual_aht, and for each method
    ``<method>`` and ``<method>_aht`` (the model also ``model_p10`` and ``model_p90``); the
    model is the candidate chosen at that fold's origin (column ``chosen``), and every single
    candidate's own forecast is in ``c_<name>`` (names in ``candidates``).
    ``scores``: one row per (method, days) with days in ``all``, ``ordinary``, ``special``;
    columns interval_wape, daily_wape, aht_wape (fractions), intervals, days_scored.
    """

    rows: pd.DataFrame
    scores: pd.DataFrame
    folds: list[tuple[date, date]]
    candidates: list[str]

    def candidate_scores(self) -> pd.DataFrame:
        """Interval and daily WAPE and bias of the chosen model and every candidate on the
        folds (all days), one row per (queue, method); queue ``all`` pools the queues."""
        methods = ["model", *(f"c_{name}" for name in self.candidates)]
        out = []
        for queue, part in [("all", self.rows), *self.rows.groupby("queue", sort=True)]:
            scores = score_rows(part, tuple(methods))
            scores = scores[scores["days"] == "all"].set_index("method")
            for method in methods:
                known = part["actual"].notna() & part[method].notna()
                total = float(part.loc[known, "actual"].sum())
                signed = float((part.loc[known, method] - part.loc[known, "actual"]).sum())
                out.append({"queue": queue, "method": method.removeprefix("c_"),
                            "interval_wape": float(scores.at[method, "interval_wape"]),  # type: ignore[arg-type]
                            "daily_wape": float(scores.at[method, "daily_wape"]),  # type: ignore[arg-type]
                            "bias": signed / total if total > 0 else float("nan")})
        return pd.DataFrame(out)

    def per_fold(self) -> list[dict[str, Any]]:
        """One record per fold: start, end (inclusive), days and intervals scored, and the model's
        and seasonal naive's interval and daily WAPE on that fold (NaN where nothing is scored,
        e.g. a fold inside a gap in history)."""
        out: list[dict[str, Any]] = []
        for number, (start, stop) in enumerate(self.folds, start=1):
            part = self.rows[self.rows["fold"] == number]
            scores = {row["method"]: row for row in score_rows(part).to_dict(orient="records")
                      if row["days"] == "all"}
            row: dict[str, Any] = {"fold": number, "start": start,
                                   "end": stop - timedelta(days=1),
                                   "intervals": int(scores["model"]["intervals"]),
                                   "days_scored": int(scores["model"]["days_scored"])}
            for method in METHODS:
                for measure in ("interval_wape", "daily_wape"):
                    row[f"{method}_{measure}"] = float(scores[method][measure])
            out.append(row)
        return out

    def score(self, method: str, days: str = "all", measure: str = "interval_wape") -> float:
        pick = (self.scores["method"] == method) & (self.scores["days"] == days)
        return float(self.scores.loc[pick, measure].iloc[0])


def fold_origins(history: pd.DataFrame, *, folds: int, horizon_weeks: int,
                 min_days: int) -> list[date]:
    """Origins (first forecast day) of the folds, oldest first; too little history is an error."""
    for name, value, top in (("folds", folds, 52), ("horizon_weeks", horizon_weeks, 52)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InvalidInput(f"{name} must be a whole number from 1 to {top}, got {value!r}")
    naive = local_naive(history["interval_start"])
    first, end = naive.min().date(), naive.max().date() + timedelta(days=1)
    step = 7 * horizon_weeks
    origins = [end - timedelta(days=step * (folds - i)) for i in range(folds)]
    need = min_days + step * folds
    have = (end - first).days
    if origins[0] < first + timedelta(days=min_days):
        raise InvalidInput(f"history is too short for {folds} fold(s) of {horizon_weeks} week(s): "
                           f"it spans {have} days, the backtest needs at least {need} days "
                           f"({min_days} to fit plus {step * folds} to test)")
    return origins


def backtest(history: pd.DataFrame, config: SiteConfig, *, folds: int = 4,
             horizon_weeks: int = 1, settings: ForecastSettings | None = None) -> BacktestResult:
    """Backtest ``forecast_contacts`` and seasonal naive over rolling origins."""
    settings = settings or settings_for(config)
    origins = fold_origins(history, folds=folds, horizon_weeks=horizon_weeks,
                           min_days=settings.min_history_days)
    calendar = calendar_for(config)
    indexed = history.set_index(["queue", "interval_start"]).sort_index()
    pieces = []
    names: list[str] = []
    for number, origin in enumerate(origins):
        stop = origin + timedelta(days=7 * horizon_weeks)
        grid = interval_grid(origin, stop, config.interval_minutes, config.tz)
        past_only = history[history["interval_start"] < grid[0]]
        forecast, info = run_forecast(past_only, config, start=origin, weeks=horizon_weeks,
                                      settings=settings, keep_candidates=True)
        for queue, rows in forecast.groupby("queue", sort=True):
            past = history[(history["queue"] == queue) & (history["interval_start"] < grid[0])]
            series = past.set_index("interval_start")
            naive = _naive(series["contacts"], grid, config.interval_minutes)
            naive_aht = _naive(series["aht_seconds"], grid, config.interval_minutes)
            actual = indexed.loc[queue].reindex(grid)
            days = local_naive(grid).normalize()
            dates = sorted({d.date() for d in days})
            kind_of = dict(zip(dates, calendar.day_kinds(dates), strict=True))
            queue_info = info[str(queue)]
            singles = {name: values for name, values in queue_info.candidates.items()
                       if not name.startswith("mean(")}
            names = names or list(singles)
            piece = pd.DataFrame({
                "fold": number + 1, "interval_start": grid, "queue": queue,
                "date": [d.date() for d in days], "kind": [kind_of[d.date()] for d in days],
                "actual": actual["contacts"].to_numpy(),
                "actual_aht": actual["aht_seconds"].to_numpy(),
                "model": rows["contacts"].to_numpy(), "model_aht": rows["aht_seconds"].to_numpy(),
                "model_p10": rows["contacts_p10"].to_numpy(),
                "model_p90": rows["contacts_p90"].to_numpy(),
                "seasonal_naive": naive, "seasonal_naive_aht": naive_aht,
                "chosen": queue_info.choice.name})
            extra = {}
            for name in names:
                extra[f"c_{name}"] = np.round(singles.get(name, np.full(len(grid), np.nan)), 3)
                extra[f"c_{name}_aht"] = piece["model_aht"].to_numpy()
            pieces.append(pd.concat([piece, pd.DataFrame(extra)], axis=1))
    rows = pd.concat(pieces, ignore_index=True)
    folds_out = [(o, o + timedelta(days=7 * horizon_weeks)) for o in origins]
    return BacktestResult(rows, score_rows(rows), folds_out, names)


def _naive(series: pd.Series, grid: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    model = SeasonalNaive(interval_minutes=interval_minutes).fit(series.dropna())
    steps = intervals_until(model.model_["last"], grid[-1], interval_minutes)
    return model.predict(steps)["mean"].reindex(grid).to_numpy()


def score_rows(rows: pd.DataFrame, methods: tuple[str, ...] = METHODS) -> pd.DataFrame:
    """Pooled interval, daily and AHT errors of each method for all, ordinary and special days.

    Intervals are scored where the actual and every method's forecast are known. A day's total
    is scored when the actual is known in every interval where some method forecasts contacts
    (an interval absent from history that every method leaves empty or at 0 is closed).
    """
    known = rows["actual"].notna()
    for method in methods:
        known &= rows[method].notna()
    expected = np.zeros(len(rows), dtype=bool)
    for method in methods:
        expected |= rows[method].fillna(0).to_numpy() > 0
    rows = rows.assign(known=known, needed=rows["actual"].notna().to_numpy() | ~expected)
    out = []
    for days, pick in (("all", np.ones(len(rows), bool)),
                       ("ordinary", (rows["kind"] == "normal").to_numpy()),
                       ("special", (rows["kind"] != "normal").to_numpy())):
        part = rows[pick]
        scored = part[part["known"]]
        complete = part.groupby(["fold", "queue", "date"])["needed"].transform("all")
        daily = part[complete].groupby(["fold", "queue", "date"])[
            ["actual", *methods]].sum(min_count=1).dropna()
        for method in methods:
            aht_known = scored["actual_aht"].notna() & scored[f"{method}_aht"].notna()
            weight = scored["actual"].where(aht_known, 0.0).to_numpy()
            actual_aht = scored["actual_aht"].fillna(0).to_numpy()
            error = np.abs(actual_aht - scored[f"{method}_aht"].fillna(0).to_numpy())
            aht = float(np.sum(weight * error) / np.sum(weight * actual_aht)) if np.sum(
                weight * actual_aht) > 0 else float("nan")
            out.append({"method": method, "days": days,
                        "interval_wape": wape(scored["actual"], scored[method]),
                        "daily_wape": wape(daily["actual"], daily[method]) if len(daily)
                        else float("nan"),
                        "aht_wape": aht, "intervals": int(len(scored)),
                        "days_scored": int(len(daily))})
    return pd.DataFrame(out)
