"""Forecast benchmark: the per-queue model choice against every candidate, seasonal naive and
the Poisson noise floor; the intraday update; speed.

Run from the project root: ``python bench/forecast.py [--mstl] [--skip-speed] [--skip-intraday]
[--skip-accuracy] [--skip-regret] [--regret-origins N]``.

(d) Regret (printed first): for every data set and every weekly origin with 35+ days of
    history before it, the chosen forecast's interval WAPE over the next two weeks against
    the 4-week same-slot mean (the mean of the same weekday and interval over the 4 weeks
    before the origin, the planner's spreadsheet): the mean WAPE of both, the mean ratio,
    the share of origins lost (and lost by more than 5%), the worst ratio. Data: Anonymous
    Bank 1999, the fixtures, every synthetic shape below, and the two shapes of issue 23:
    (i) a weekday-only center whose level falls 13% over eight weeks, then settles; (ii) an
    open holiday never seen in history whose history holds eves of closed holidays.

(a) Accuracy, rolling-origin folds (``wfm.forecast.backtest``: at each origin the whole forecast,
    model choice included, sees only the history before it), pooled per data set:
    * real data: Anonymous Bank 1999 (``../shared/data/anonymous_bank_1999``), calls entering
      the queue per 30-minute interval, Israeli holidays; the 4 weeks of October (what
      ``wfm forecast backtest --folds 4`` scores) and the last 2 weeks of January (under a month
      of history: the short-history rule);
    * the bundled fixtures (``fixtures/history.csv`` with ``fixtures/site.toml``), last 4 weeks;
    * synthetic series of known structure (``wfm.forecast.synthetic``): 24/7 flat; 24/7 with a
      trend and China holidays; a weekday-only 07:00-21:00 center with US holidays (some closed,
      no rows on closed days, as an export leaves them out) and about 30,000 contacts a day;
      closed weekends with zero rows and a trend; a level shift; the China 16-week series.
    Printed: each candidate's interval WAPE, daily WAPE and bias on the same folds, the model
    chosen at each origin, seasonal naive (same interval a week earlier), the Poisson noise
    floor sum sqrt(2 mu / pi) / sum mu (mu: the chosen forecast), and the two targets: the chosen
    forecast within 2% of the best single candidate, and 15% below seasonal naive.
    ``--mstl`` adds statsforecast MSTL(season_length=[day, week]) on the same folds.
(b) Intraday update: on each of the last 15 days with data, history ends at 12:00 and the
    afternoon (12:00 to midnight) is forecast with and without the morning's actuals; pooled
    afternoon WAPE of both (bank and two synthetic series).
(c) Speed: 2 years of 15-minute history for 5 queues, 6 weeks ahead, model choice included;
    wall time and peak RSS (``resource.getrusage``), with seasonal naive as the peer.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import interval_grid, local_naive
from wfm.config import SiteConfig, build_config, load_config
from wfm.forecast.anonymous_bank import bank_history as read_bank_history
from wfm.forecast.anonymous_bank import default_bank_dir
from wfm.forecast.backtest import backtest, score_rows
from wfm.forecast.contacts import run_forecast
from wfm.forecast.history import load_history
from wfm.forecast.models import SeasonalNaive
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

BANK = default_bank_dir()


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


def _signed(value: float) -> str:
    return "-" if value != value else f"{100 * value:+.1f}%"


def report(name: str, result: Any, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """Print every candidate, the chosen model and seasonal naive on the same folds."""
    rows = result.rows
    singles = [f"c_{c}" for c in result.candidates]
    methods = ("model", "seasonal_naive", *extra, *singles)
    scores = score_rows(rows, methods)
    scores = scores[scores["days"] == "all"].set_index("method")
    known = rows[["actual", *methods]].notna().all(axis=1)
    mu = rows.loc[known, "model"].to_numpy()
    floor = float(np.sum(np.sqrt(2 * mu / np.pi)) / np.sum(mu))
    print(f"\n== {name}: {rows['fold'].nunique()} fold(s), "
          f"{int(scores.loc['model', 'intervals'])} intervals, "
          f"{int(scores.loc['model', 'days_scored'])} days scored")
    print(f"  {'method':<26} {'interval WAPE':>13} {'daily WAPE':>11} {'bias':>7}")
    for method in sorted(methods, key=lambda m: scores.loc[m, "interval_wape"]):
        part = rows[known]
        bias = float((part[method] - part["actual"]).sum() / part["actual"].sum())
        label = {"model": "CHOSEN (per fold)", "seasonal_naive": "seasonal naive (peer)"}.get(
            method, method.removeprefix("c_"))
        print(f"  {label:<26} {_pct(scores.loc[method, 'interval_wape']):>13} "
              f"{_pct(scores.loc[method, 'daily_wape']):>11} {_signed(bias):>7}")
    chosen = rows.groupby(["fold", "queue"])["chosen"].first()
    print("  chosen at each origin: " + ", ".join(
        f"{fold}/{queue}: {model}" for (fold, queue), model in chosen.items()))
    model = float(scores.loc["model", "interval_wape"])
    naive = float(scores.loc["seasonal_naive", "interval_wape"])
    best_name = min(singles, key=lambda m: scores.loc[m, "interval_wape"])
    best = float(scores.loc[best_name, "interval_wape"])
    within = model <= 1.02 * best
    gain = 1 - model / naive
    print(f"  Poisson noise floor: {_pct(floor)} (chosen is {model / floor:.2f}x the floor)")
    print(f"  chosen vs best single candidate ({best_name.removeprefix('c_')}): "
          f"{_pct(model)} vs {_pct(best)} (target within 2%: "
          f"{'met' if within else 'NOT met'}); vs seasonal naive {_pct(gain)} lower "
          f"(target >= 15%: {'met' if gain >= 0.15 else 'NOT met'})")
    return {"gain": gain, "floor": floor}


def synthetic_sets() -> list[tuple[str, SiteConfig, pd.DataFrame, int]]:
    """(name, site, history, outer folds) of the synthetic series (module docstring)."""
    us = {"New Year's Day": 0.0, "Memorial Day": 0.0, "Independence Day": 0.0,
          "Labor Day": 0.0, "Thanksgiving Day": 0.0, "Christmas Day": 0.0,
          "Columbus Day": 1.15, "Veterans Day": 1.0, "Martin Luther King Jr. Day": 0.9,
          "Washington's Birthday": 0.9, "Juneteenth National Independence Day": 0.95}
    flat = (1.0,) * 7
    weekdays_only = (1.1, 1.0, 1.0, 0.95, 0.95, 0.0, 0.0)
    out = []
    params = SyntheticParameters(start=date(2025, 1, 6), weeks=30, daily_volume=4000,
                                 weekday_factors=flat, growth_per_week=0.0,
                                 open_minutes=(0, 1440), country="", random_seed=11)
    out.append(("synthetic 24/7, flat, no holidays (30 weeks, 4,000/day)",
                build_config({"country": ""}), synthetic_history(params), 4))
    params = SyntheticParameters(start=date(2025, 5, 5), weeks=30, daily_volume=4000,
                                 growth_per_week=0.01, open_minutes=(0, 1440), random_seed=12)
    out.append(("synthetic 24/7, trend +1%/week, China holidays incl. National Day",
                build_config({}), synthetic_history(params), 6))
    params = SyntheticParameters(
        start=date(2023, 10, 30), weeks=104, daily_volume=21500, weekday_factors=weekdays_only,
        growth_per_week=0.0, open_minutes=(7 * 60, 21 * 60), country="US",
        timezone="America/New_York", multipliers={"holiday": 0.0, "pre_holiday": 1.0,
                                                   "post_holiday": 1.15, "promotion": 2.0},
        holiday_multipliers=us, export_closed_days=False, holiday_profile="own", day_sigma=0.05,
        random_seed=13)
    out.append(("synthetic weekday-only 07:00-21:00, US holidays (closed days have no rows), "
                "~30,000/day, 2 years",
                build_config({"country": "US", "timezone": "America/New_York",
                              "open_hours": "07:00-21:00"}), synthetic_history(params), 6))
    params = SyntheticParameters(
        start=date(2024, 9, 2), weeks=60, daily_volume=3000,
        weekday_factors=(1.2, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0), growth_per_week=0.005,
        open_minutes=(8 * 60, 20 * 60), country="US", timezone="America/New_York",
        multipliers={"holiday": 0.0, "pre_holiday": 1.0, "post_holiday": 1.2,
                     "promotion": 2.0}, holiday_profile="own", random_seed=14)
    out.append(("synthetic closed weekends (zero rows), US holidays closed, trend +0.5%/week",
                build_config({"country": "US", "timezone": "America/New_York"}),
                synthetic_history(params), 6))
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=30, daily_volume=2500,
                                 growth_per_week=0.0, country="",
                                 level_shifts=(("2025-08-04", 1.25),), random_seed=15)
    out.append(("synthetic level shift +25% eight weeks before the end (no holidays)",
                build_config({"country": ""}), synthetic_history(params), 4))
    params = SyntheticParameters(start=date(2025, 7, 7), weeks=16, daily_volume=1500)
    out.append(("synthetic 16 weeks (1,500/day, China calendar incl. National Day)",
                SiteConfig(), synthetic_history(params), 6))
    out += issue23_sets()
    return out


US_WEEKDAY_SITE = {"country": "US", "timezone": "America/New_York", "open_hours": "07:00-21:00"}


def issue23_sets() -> list[tuple[str, SiteConfig, pd.DataFrame, int]]:
    """The two shapes of issue 23's failures: (i) a weekday-only center whose level falls
    13% over eight weeks (-1.7% a week), then settles; (ii) an open holiday never seen in
    history (Columbus Day, history from January) whose history holds eves of closed
    holidays (x1.2 before, x1.15 after them) while its own eve and day after are ordinary."""
    weekdays_only = (1.1, 1.0, 1.0, 0.95, 0.95, 0.0, 0.0)
    site = build_config(US_WEEKDAY_SITE)
    steps = tuple(((date(2025, 7, 7) + timedelta(weeks=i)).isoformat(), 0.983)
                  for i in range(8))
    params = SyntheticParameters(
        start=date(2024, 11, 4), weeks=52, daily_volume=21500, weekday_factors=weekdays_only,
        growth_per_week=0.0, open_minutes=(7 * 60, 21 * 60), country="US",
        timezone="America/New_York", multipliers={"holiday": 0.0, "pre_holiday": 1.0,
                                                   "post_holiday": 1.0, "promotion": 1.0},
        export_closed_days=False, holiday_profile="own", day_sigma=0.04, level_shifts=steps,
        random_seed=31)
    out = [("(i) weekday-only, level falls 13% over 8 weeks (Jul-Aug) then settles, US "
            "holidays closed", site, synthetic_history(params), 6)]
    params = SyntheticParameters(
        start=date(2025, 1, 6), weeks=47, daily_volume=21500, weekday_factors=weekdays_only,
        growth_per_week=0.0, open_minutes=(7 * 60, 21 * 60), country="US",
        timezone="America/New_York", multipliers={"holiday": 0.0, "pre_holiday": 1.2,
                                                   "post_holiday": 1.15, "promotion": 1.0},
        holiday_multipliers={"Columbus Day": 1.0, "Veterans Day": 1.0},
        export_closed_days=False, holiday_profile="own", day_sigma=0.04, random_seed=32)
    history = synthetic_history(params)
    rng = np.random.default_rng(33)
    clock = local_naive(history["interval_start"]).date
    for day, factor in ((date(2025, 10, 10), 1.2), (date(2025, 10, 14), 1.15)):
        rows = clock == day  # the open holiday's own eve and day after: ordinary days
        history.loc[rows, "contacts"] = rng.binomial(
            history.loc[rows, "contacts"].to_numpy().astype(int), 1 / factor).astype(float)
    out.append(("(ii) weekday-only, Columbus Day open and unseen, eves of closed holidays in "
                "history", site, history, 6))
    return out


REGRET_WEEKS = 2  # the horizon of the regret table (the issue's two-week forecast)
REGRET_MIN_DAYS = 35  # history before the first origin: 4 weeks for the 4-week mean, + 1


def four_week_mean(values: np.ndarray, origin: int, days: int) -> np.ndarray:
    """The planner's spreadsheet: the mean of the same weekday and interval over its last 4
    days with data before the origin (a gap in history skipped, holidays not; unknown
    intervals skipped, 0 where none is known)."""
    out = np.zeros((days, values.shape[1]))
    known = np.isfinite(values[:origin]).any(axis=1)
    for d in range(min(days, 7)):
        rows = [r for r in range(origin + d - 7, -1, -7) if known[r]][:4]
        if rows:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-unknown interval
                out[d] = np.nan_to_num(np.nanmean(values[rows], axis=0))
    for d in range(7, days):
        out[d] = out[d % 7]
    return out


def regret_rows(name: str, site: SiteConfig, history: pd.DataFrame,
                max_origins: int) -> pd.DataFrame:
    """Per weekly origin: the chosen forecast's and the 4-week mean's interval WAPE over
    the next ``REGRET_WEEKS`` weeks (queues pooled), and what the forecast chose."""
    from wfm.calendar import calendar_for
    from wfm.forecast.panel import build_panel, to_matrix

    calendar = calendar_for(site)
    panels = {str(q): build_panel(rows.set_index("interval_start")["contacts"],
                                  site.interval_minutes, calendar)
              for q, rows in history.groupby(history["queue"].astype(str))}
    first = min(p.first_day for p in panels.values())
    last = max(p.first_day + timedelta(days=p.num_days) for p in panels.values())
    origins = []
    origin = last - timedelta(days=7)
    origin -= timedelta(days=origin.weekday())  # Mondays, as a planner forecasts a week
    while (origin - first).days >= REGRET_MIN_DAYS:
        origins.append(origin)
        origin -= timedelta(days=7)
    origins = origins[::-1][-max_origins:] if max_origins else origins[::-1]
    days = 7 * REGRET_WEEKS
    out = []
    for start in origins:
        past = history[history["interval_start"] < pd.Timestamp(start).tz_localize(site.tz)]
        table, info = run_forecast(past, site, start=start, weeks=REGRET_WEEKS)
        errors = {"model": 0.0, "mean_4w": 0.0}
        total = 0.0
        for queue, panel in panels.items():
            row = panel.row_of(start)
            actual = panel.values[row:row + days]
            if len(actual) == 0:
                continue
            part = table[table["queue"] == queue].set_index("interval_start")
            model = np.nan_to_num(to_matrix(part, start, days, panel.num_slots,
                                            site.interval_minutes, "contacts"))[:len(actual)]
            baseline = four_week_mean(panel.values, row, days)[:len(actual)]
            known = np.isfinite(actual)
            total += float(actual[known].sum())
            errors["model"] += float(np.abs(model[known] - actual[known]).sum())
            errors["mean_4w"] += float(np.abs(baseline[known] - actual[known]).sum())
        if total <= 0:
            continue
        queue_info = next(iter(info.values()))
        guard = queue_info.choice.guard
        out.append({"set": name, "origin": start, "model": errors["model"] / total,
                    "mean_4w": errors["mean_4w"] / total, "chosen": queue_info.choice.name,
                    "guard": guard.action if guard else "-"})
    return pd.DataFrame(out)


def regret(max_origins: int) -> None:
    """The regret table (module docstring, (d)): one run, every data set."""
    sets: list[tuple[str, SiteConfig, pd.DataFrame]] = []
    if BANK.exists():
        site = build_config({"timezone": "Etc/GMT-2", "country": "IL", "interval_minutes": 30})
        sets.append(("Anonymous Bank 1999 (January and October)", site, bank_history(site)))
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    if (fixtures / "history.csv").exists():
        site = load_config(fixtures / "site.toml")
        sets.append(("fixtures/history.csv", site,
                     load_history(fixtures / "history.csv", site)))
    sets += [(name, site, history) for name, site, history, _ in synthetic_sets()]
    cap = f"the latest {max_origins}" if max_origins else "every"
    print(f"\n== regret: the chosen forecast against the 4-week same-slot mean, {cap} weekly "
          f"origin(s) with {REGRET_MIN_DAYS}+ days before it, {REGRET_WEEKS}-week horizon, "
          "interval WAPE (queues pooled)")
    print(f"  {'data set':<58} {'origins':>7} {'WAPE%':>6} {'4w mean':>7} {'ratio':>6} "
          f"{'lost':>5} {'>5%':>5} {'worst':>6}  target")
    detail = []
    for name, site, history in sets:
        began = time.perf_counter()
        rows = regret_rows(name, site, history, max_origins)
        if rows.empty:
            continue
        ratio = rows["model"] / rows["mean_4w"]
        lost, big = float((ratio > 1).mean()), float((ratio > 1.05).mean())
        met = rows["model"].mean() <= rows["mean_4w"].mean() and big <= 0.2
        print(f"  {name[:58]:<58} {len(rows):>7} {100 * rows['model'].mean():>6.2f} "
              f"{100 * rows['mean_4w'].mean():>7.2f} {ratio.mean():>6.3f} {_pct(lost):>5} "
              f"{_pct(big):>5} {ratio.max():>6.3f}  {'met' if met else 'NOT met'} "
              f"({time.perf_counter() - began:.0f} s)")
        detail.append(rows.assign(ratio=ratio))
    print("  (WAPE: mean over origins of the interval WAPE; ratio: mean of chosen / 4-week "
          "mean per origin; lost: share of origins where it is higher; >5%: higher by more "
          "than 5%; worst: the largest ratio; target: mean WAPE <= the 4-week mean's and "
          "'>5%' <= 20%)")
    rows = pd.concat(detail, ignore_index=True)
    worst = rows.sort_values("ratio", ascending=False).head(8)
    print("  worst origins: " + "; ".join(
        f"{r.set[:24]} {r.origin} {r.ratio:.3f} ({r.chosen}, guard {r.guard})"
        for r in worst.itertuples()))


def accuracy(use_mstl: bool) -> None:
    extra = ("mstl",) if use_mstl else ()
    sets: list[tuple[str, SiteConfig, pd.DataFrame, int]] = []
    if BANK.exists():
        site = build_config({"timezone": "Etc/GMT-2", "country": "IL", "interval_minutes": 30})
        history = bank_history(site)
        january = history[history["interval_start"] < pd.Timestamp("1999-02-01", tz=site.tz)]
        sets.append(("Anonymous Bank 1999, October: the CLI's default folds (--folds 4)",
                     site, history, 4))
        sets.append(("Anonymous Bank 1999, the 2 January folds (15-22 days of history)",
                     site, january, 2))
    else:
        print(f"\n== Anonymous Bank 1999: skipped, {BANK} is absent")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    if (fixtures / "history.csv").exists():
        site = load_config(fixtures / "site.toml")
        sets.append(("bundled fixtures/history.csv (2 queues, open hours only, Singles' Day)",
                     site, load_history(fixtures / "history.csv", site), 4))
    sets += synthetic_sets()
    for name, site, history, folds in sets:
        result = backtest(history, site, folds=folds, horizon_weeks=1)
        if use_mstl:
            result = replace(result, rows=add_mstl(result.rows, history, site))
        report(name, result, extra)


def intraday(days: int = 15) -> None:
    """Afternoon WAPE with and without the morning's actuals (module docstring, (b))."""
    sets: list[tuple[str, SiteConfig, pd.DataFrame]] = []
    if BANK.exists():
        site = build_config({"timezone": "Etc/GMT-2", "country": "IL", "interval_minutes": 30})
        sets.append(("Anonymous Bank 1999 (October)", site, bank_history(site)))
    for name, site, history, _folds in synthetic_sets():
        if "24/7, flat" in name or "weekday-only" in name:
            sets.append((name.split(" (")[0], site, history))
    print("\n== intraday update: history ends at 12:00, afternoon (12:00-24:00) forecast")
    for name, site, history in sets:
        clock = local_naive(history["interval_start"])
        known_days = sorted(set(clock[history["contacts"].notna().to_numpy()].date))[-days:]
        errors = {"without": 0.0, "with": 0.0}
        total = 0.0
        factors = []
        for day in known_days:
            noon = pd.Timestamp(day).tz_localize(site.tz) + pd.Timedelta(hours=12)
            midnight = pd.Timestamp(day).tz_localize(site.tz) + pd.Timedelta(days=1)
            partial = history[history["interval_start"] < noon]
            table, info = run_forecast(partial, site, start=day, weeks=1)
            afternoon = (table["interval_start"] >= noon) & (table["interval_start"] < midnight)
            actual = history[(history["interval_start"] >= noon)
                             & (history["interval_start"] < midnight)]
            for queue, rows in table[afternoon].groupby("queue"):
                update = info[str(queue)].update
                factor = update.factor if update is not None else 1.0
                factors.append(factor)
                merged = rows.merge(actual[actual["queue"] == queue], on="interval_start",
                                    how="inner")
                y = merged["contacts_y"].to_numpy()
                with_update = merged["contacts_x"].to_numpy()
                errors["with"] += float(np.abs(with_update - y).sum())
                errors["without"] += float(np.abs(with_update / factor - y).sum())
                total += float(y.sum())
        if total <= 0:
            continue
        without, with_update = errors["without"] / total, errors["with"] / total
        print(f"  {name}: {len(known_days)} days, afternoon WAPE without the morning "
              f"{_pct(without)}, with it {_pct(with_update)} ({_pct(1 - with_update / without)} "
              f"lower); update factors {min(factors):.3f}-{max(factors):.3f}")


def speed() -> None:
    site = build_config({"interval_minutes": 15})
    params = SyntheticParameters(start=date(2024, 1, 1), weeks=104, interval_minutes=15,
                                 queues=("q1", "q2", "q3", "q4", "q5"), daily_volume=4000)
    history = synthetic_history(params)
    start = params.start + timedelta(weeks=params.weeks)
    began, cpu = time.perf_counter(), time.process_time()
    table, info = run_forecast(history, site, start=start, weeks=6)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    began = time.perf_counter()
    for _queue, rows in history.groupby("queue"):
        SeasonalNaive(interval_minutes=15).fit(rows.set_index("interval_start")["contacts"]
                                               ).predict(6 * 7 * 96)
    naive_seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(f"\n== speed: {len(history)} history rows (2 years x 15 min x 5 queues), "
          f"{len(table)} forecast rows (6 weeks), model choice included (chosen: "
          + ", ".join(f"{q} {i.choice.name}" for q, i in info.items()) + ")")
    print(f"  fit + choice + forecast: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU (target "
          f"< 10 s: {'met' if seconds < 10 else 'NOT met'}; load average {load:.1f} on "
          f"{os.cpu_count()} CPUs while measuring); seasonal naive peer: {naive_seconds:.2f} s")
    print(f"  peak RSS of this process: {peak_mb:.0f} MB (target < 2048 MB: "
          f"{'met' if peak_mb < 2048 else 'NOT met'})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mstl", action="store_true", help="add statsforecast MSTL")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-intraday", action="store_true")
    parser.add_argument("--skip-regret", action="store_true")
    parser.add_argument("--regret-origins", type=int, default=0,
                        help="cap the regret table at the latest N weekly origins (0: all)")
    args = parser.parse_args(argv)
    if not args.skip_regret:
        regret(args.regret_origins)
    if not args.skip_accuracy:
        accuracy(use_mstl=args.mstl)
    if not args.skip_intraday:
        intraday()
    if not args.skip_speed:
        speed()


if __name__ == "__main__":
    main(sys.argv[1:])
