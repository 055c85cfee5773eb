"""Forecast benchmark: accuracy against seasonal naive and statsforecast MSTL, and speed.

Run from the project root: ``python bench/forecast.py [--skip-mstl] [--skip-speed]``.

(a) Accuracy, rolling-origin folds of one week, pooled:
    * real data: Anonymous Bank 1999 (``../shared/data/anonymous_bank_1999/calls_1999_*.csv``),
      calls entering the queue (a ``q_start`` other than 0:00:00 or an AGENT outcome) counted per
      30-minute interval at their queue entry time, AHT from served calls; times are naive local
      (a fixed UTC+2 zone, Israeli holidays); folds: the 4 weeks of October (what
      ``wfm forecast backtest --folds 4`` scores on this history), the last 2 weeks of January
      (history of under a month: a stress test), and all 6 pooled (fold history is everything
      before the fold);
    * the bundled fixtures (``fixtures/history.csv`` with ``fixtures/site.toml``), last 4 weeks;
    * synthetic: 16 weeks from ``wfm.forecast.synthetic`` (China holidays incl. National Day).
    Peers on the same folds: seasonal naive (same interval one week earlier) and statsforecast
    MSTL(season_length=[day, week]) fed the same history, with whole weeks of a long gap cut out
    and the remaining unknown intervals filled from a week earlier (MSTL needs a gap-free
    series), forecasts clipped at 0. Also printed: the Poisson noise floor sum sqrt(2 mu / pi) /
    sum mu with mu the model forecast. Per fold: daily WAPE of each method and the model's bias;
    then the three days with the largest model error (holidays and other special days are also
    scored separately in the ``special`` rows).
(b) Speed: fit + forecast 2 years of 15-minute history for 5 queues, 6 weeks ahead; wall time
    and peak RSS (``resource.getrusage``), with seasonal naive on the same data as the peer.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.calendar import interval_grid, local_naive
from wfm.config import SiteConfig, build_config, load_config
from wfm.forecast.anonymous_bank import bank_history as read_bank_history
from wfm.forecast.backtest import backtest, score_rows
from wfm.forecast.contacts import forecast_contacts
from wfm.forecast.history import load_history
from wfm.forecast.models import SeasonalNaive
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

BANK = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous_bank_1999"
METHODS = ("model", "seasonal_naive", "mstl")


def bank_history(config: SiteConfig) -> pd.DataFrame:
    """Calls entering the queue, as interval history (see the module docstring)."""
    return read_bank_history(BANK, config)


def mstl_input(series: pd.Series, config: SiteConfig) -> np.ndarray:
    """A gap-free series for MSTL: whole weeks of long gaps cut out, other holes from a week
    earlier (or later), else 0."""
    naive = local_naive(pd.DatetimeIndex(series.index))
    first, last = naive.min().date(), naive.max().date()
    grid = interval_grid(first, last + timedelta(days=1), config.interval_minutes, config.tz)
    values = series.reindex(grid).to_numpy().reshape(-1, 1440 // config.interval_minutes)
    known_day = np.isfinite(values).any(axis=1)
    keep = np.ones(len(values), dtype=bool)
    day = 0
    while day < len(values):
        if known_day[day]:
            day += 1
            continue
        end = day
        while end < len(values) and not known_day[end]:
            end += 1
        cut = (end - day) // 7 * 7
        keep[day:day + cut] = False
        day = end
    flat = values[keep].ravel()
    week = 7 * values.shape[1]
    for shift in (week, -week, 2 * week, -2 * week):
        holes = np.flatnonzero(np.isnan(flat))
        source = holes - shift
        ok = (source >= 0) & (source < len(flat))
        flat[holes[ok]] = flat[source[ok]]
    return np.nan_to_num(flat, nan=0.0)


def add_mstl(rows: pd.DataFrame, history: pd.DataFrame, config: SiteConfig) -> pd.DataFrame:
    """The MSTL forecast for every fold in ``rows`` (same origins and horizons)."""
    from statsforecast.models import MSTL

    slots = 1440 // config.interval_minutes
    out = rows.copy()
    out["mstl"] = np.nan
    out["mstl_aht"] = out["seasonal_naive_aht"]  # MSTL is compared on contacts only
    for (_fold, queue), part in rows.groupby(["fold", "queue"]):
        origin = part["interval_start"].min()
        past = history[(history["queue"] == queue) & (history["interval_start"] < origin)]
        y = mstl_input(past.set_index("interval_start")["contacts"], config)
        model = MSTL(season_length=[slots, 7 * slots])
        mean = model.forecast(y=y, h=len(part))["mean"]
        out.loc[part.index, "mstl"] = np.maximum(mean, 0.0)
    return out


def _pct(value: float) -> str:
    return "-" if value != value else f"{100 * value:.1f}%"


def report(name: str, rows: pd.DataFrame, methods: tuple[str, ...]) -> dict[str, float]:
    """Print the pooled scores of ``rows`` and the targets; returns the gains."""
    scores: list[dict] = score_rows(rows, methods).to_dict(orient="records")
    print(f"\n== {name}: {rows['fold'].nunique()} fold(s), {scores[0]['intervals']} intervals, "
          f"{scores[0]['days_scored']} days scored")
    print(f"  {'method':<15} {'days':<9} {'interval WAPE':>13} {'daily WAPE':>11} "
          f"{'AHT error':>10}")
    for row in scores:
        aht = "-" if row["method"] == "mstl" else _pct(row["aht_wape"])
        print(f"  {row['method']:<15} {row['days']:<9} {_pct(row['interval_wape']):>13} "
              f"{_pct(row['daily_wape']):>11} {aht:>10}")
    known = rows[["actual", *methods]].notna().all(axis=1)
    mu = rows.loc[known, "model"].to_numpy()
    floor = float(np.sum(np.sqrt(2 * mu / np.pi)) / np.sum(mu))
    inside = known & (rows["model"] > 0)
    actual = rows.loc[inside, "actual"]
    coverage = float(((actual >= rows.loc[inside, "model_p10"])
                      & (actual <= rows.loc[inside, "model_p90"])).mean())
    get = {(r["method"], r["days"]): r for r in scores}
    model, naive = get[("model", "all")], get[("seasonal_naive", "all")]
    interval_gain = 1 - model["interval_wape"] / naive["interval_wape"]
    daily_gain = 1 - model["daily_wape"] / naive["daily_wape"]
    print(f"  Poisson noise floor (interval): {_pct(floor)}  -> model is "
          f"{model['interval_wape'] / floor:.2f}x the floor; actuals inside [P10, P90]: "
          f"{_pct(coverage)} (nominal 80%)")
    print(f"  model vs seasonal naive: interval WAPE {_pct(interval_gain)} lower "
          f"(target >= 15%: {'met' if interval_gain >= 0.15 else 'NOT met'}), daily WAPE "
          f"{_pct(daily_gain)} lower (target >= 25%: "
          f"{'met' if daily_gain >= 0.25 else 'NOT met'})")
    if "mstl" in methods:
        mstl = get[("mstl", "all")]
        better = model["interval_wape"] < mstl["interval_wape"]
        print(f"  model vs MSTL: interval {_pct(model['interval_wape'])} vs "
              f"{_pct(mstl['interval_wape'])}, daily {_pct(model['daily_wape'])} vs "
              f"{_pct(mstl['daily_wape'])} (target lower: {'met' if better else 'NOT met'})")
    day_diagnostics(rows, methods)
    return {"interval_gain": interval_gain, "daily_gain": daily_gain, "floor": floor}


def day_diagnostics(rows: pd.DataFrame, methods: tuple[str, ...]) -> None:
    """Daily WAPE and bias per fold, and the days with the largest model errors."""
    expected = np.zeros(len(rows), dtype=bool)  # the day rule of score_rows
    for method in methods:
        expected |= rows[method].fillna(0).to_numpy() > 0
    needed = pd.Series(rows["actual"].notna().to_numpy() | ~expected, index=rows.index)
    complete = needed.groupby([rows["fold"], rows["queue"], rows["date"]]).transform("all")
    days = (rows[complete].groupby(["fold", "queue", "date", "kind"])[["actual", *methods]]
            .sum(min_count=1).dropna().reset_index())
    if days.empty:
        return
    print("  per fold (daily WAPE; model bias = sum(model - actual) / sum(actual)):")
    for fold, part in days.groupby("fold"):
        total = part["actual"].sum()
        cells = "  ".join(f"{m} {_pct(np.abs(part[m] - part['actual']).sum() / total)}"
                          for m in methods)
        bias = (part["model"] - part["actual"]).sum() / total
        print(f"    fold {fold} ({part['date'].min()}..{part['date'].max()}, {len(part)} days): "
              f"{cells}  bias {_pct(bias)}")
    error = (days["model"] - days["actual"]).abs()
    share = error / error.sum()
    worst = days.assign(share=share).nlargest(3, "share")
    print("  largest model day errors: " + "; ".join(
        f"{r.date} {r.kind} actual {r.actual:.0f} model {r.model:.0f} "
        f"({_pct(r.share)} of all daily error)" for r in worst.itertuples()))


def accuracy(use_mstl: bool) -> None:
    methods = METHODS if use_mstl else METHODS[:2]
    if BANK.exists():
        site = build_config({"timezone": "Etc/GMT-2", "country": "IL", "interval_minutes": 30})
        history = bank_history(site)
        january = history[history["interval_start"] < pd.Timestamp("1999-02-01", tz=site.tz)]
        part_a = backtest(january, site, folds=2, horizon_weeks=1).rows
        part_b = backtest(history, site, folds=4, horizon_weeks=1).rows
        if use_mstl:
            part_a, part_b = add_mstl(part_a, history, site), add_mstl(part_b, history, site)
        name = "Anonymous Bank 1999, calls entering the queue, 30-minute intervals"
        report(f"{name}: the CLI's default folds (`wfm forecast backtest --folds 4`, the last 4 "
               "weeks, October)", part_b, methods)
        report(f"{name}: the 2 January folds (15-22 days of history, no earlier month)",
               part_a, methods)
        rows = pd.concat([part_a, part_b.assign(fold=part_b["fold"] + 2)], ignore_index=True)
        report(f"{name}: all 6 folds pooled", rows, methods)
    else:
        print(f"\n== Anonymous Bank 1999: skipped, {BANK} is absent")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    if (fixtures / "history.csv").exists():
        site = load_config(fixtures / "site.toml")
        history = load_history(fixtures / "history.csv", site)
        rows = backtest(history, site, folds=4, horizon_weeks=1).rows
        if use_mstl:
            rows = add_mstl(rows, history, site)
        report("bundled fixtures/history.csv (2 queues, open hours only, Singles' Day)", rows,
               methods)
    site = SiteConfig()
    params = SyntheticParameters(start=date(2025, 7, 7), weeks=16, daily_volume=1500)
    history = synthetic_history(params)
    rows = backtest(history, site, folds=6, horizon_weeks=1).rows
    if use_mstl:
        rows = add_mstl(rows, history, site)
    report("synthetic 16 weeks (1500 contacts/day, China calendar incl. National Day)", rows,
           methods)


def speed() -> None:
    site = build_config({"interval_minutes": 15})
    params = SyntheticParameters(start=date(2024, 1, 1), weeks=104, interval_minutes=15,
                                 queues=("q1", "q2", "q3", "q4", "q5"), daily_volume=4000)
    history = synthetic_history(params)
    start = params.start + timedelta(weeks=params.weeks)
    began = time.perf_counter()
    table = forecast_contacts(history, site, start=start, weeks=6)
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    for _queue, rows in history.groupby("queue"):
        SeasonalNaive(interval_minutes=15).fit(rows.set_index("interval_start")["contacts"]
                                               ).predict(6 * 7 * 96)
    naive_seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n== speed: {len(history)} history rows (2 years x 15 min x 5 queues), "
          f"{len(table)} forecast rows (6 weeks)")
    print(f"  fit + forecast: {seconds:.2f} s (target < 10 s: "
          f"{'met' if seconds < 10 else 'NOT met'}); seasonal naive peer: {naive_seconds:.2f} s")
    print(f"  peak RSS of this process: {peak_mb:.0f} MB (target < 2048 MB: "
          f"{'met' if peak_mb < 2048 else 'NOT met'})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-mstl", action="store_true", help="leave out statsforecast MSTL")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_accuracy:
        accuracy(use_mstl=not args.skip_mstl)
    if not args.skip_speed:
        speed()


if __name__ == "__main__":
    main(sys.argv[1:])
