"""Synthetic contact history with known structure, for tests and benchmarks.

The expected count of interval ``t`` on day ``d`` is
``level_d * f_w(d) * m_kind(d) * p_w(d)(t)`` with a known growth of the level, weekday factors
``f_w``, calendar multipliers ``m`` (holiday, optionally per holiday name, pre/post long holiday,
promotion; a swapped working weekend behaves like an average workday) and a per-weekday
intraday profile ``p_w`` (two peaks, zero outside the open hours). Counts are Poisson around
it, times a log-normal day effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import HolidayCalendar, interval_grid, local_naive


@dataclass(kw_only=True)
class SyntheticParameters:
    """Generator parameters; every draw is fixed by ``random_seed``."""

    start: date = date(2025, 9, 1)
    weeks: int = 16
    interval_minutes: int = 30
    queues: tuple[str, ...] = ("default",)
    daily_volume: float = 3000.0
    weekday_factors: tuple[float, ...] = (1.2, 1.1, 1.05, 1.0, 0.95, 0.8, 0.9)
    growth_per_week: float = 0.005
    multipliers: dict[str, float] = field(default_factory=lambda: {
        "holiday": 0.5, "pre_holiday": 1.2, "post_holiday": 1.4, "promotion": 2.0})
    holiday_multipliers: dict[str, float] = field(default_factory=dict)  # by holiday name
    open_minutes: tuple[int, int] = (8 * 60, 22 * 60)
    day_sigma: float = 0.04
    aht_seconds: float = 300.0
    country: str = "CN"
    promotion_dates: tuple[str, ...] = ()
    random_seed: int = 7
    timezone: str = "Asia/Shanghai"
    # (first day, factor): the level is multiplied by ``factor`` from that day on
    level_shifts: tuple[tuple[str, float], ...] = ()
    # False: days with no expected contacts (closed weekdays, closed holidays) have no rows,
    # as in an export that leaves them out
    export_closed_days: bool = True
    holiday_profile: str = "sunday"  # "sunday" or "own" (the holiday's own weekday's shape)


def intraday_profile(weekday: int, interval_minutes: int, open_minutes: tuple[int, int],
                     ) -> np.ndarray:
    """Known intraday shares: a morning and an evening peak, weekends later and flatter."""
    starts = np.arange(0, 1440, interval_minutes) + interval_minutes / 2
    morning = 10.5 * 60 if weekday < 5 else 11.5 * 60
    evening_weight = 0.6 if weekday < 5 else 0.9
    shape = (np.exp(-0.5 * ((starts - morning) / 90) ** 2)
             + evening_weight * np.exp(-0.5 * ((starts - 20 * 60) / 70) ** 2) + 0.15)
    slot_start = starts - interval_minutes / 2
    shape = np.where((slot_start >= open_minutes[0])
                     & (slot_start + interval_minutes <= open_minutes[1]), shape, 0.0)
    return shape / shape.sum()


def expected_contacts(params: SyntheticParameters, start: date, days: int) -> pd.DataFrame:
    """The true mean per interval (``mean``) and AHT for ``days`` days from ``start``."""
    calendar = HolidayCalendar(params.country, params.promotion_dates)
    grid = interval_grid(start, start + timedelta(days=days), params.interval_minutes,
                         params.timezone)
    naive = local_naive(grid)
    dates = [start + timedelta(days=i) for i in range(days)]
    kinds, groups = calendar.day_info(dates)
    factors = np.asarray(params.weekday_factors) / np.mean(params.weekday_factors)
    workday = factors[:5].mean()
    weekday = np.array([d.weekday() for d in dates])
    weeks_in = np.array([(d - params.start).days / 7 for d in dates])
    level = params.daily_volume * (1 + params.growth_per_week) ** weeks_in
    for first, factor in params.level_shifts:
        level = level * np.where(np.array(dates) >= date.fromisoformat(first), factor, 1.0)
    base = np.where(kinds == "working_weekend", workday, factors[weekday])
    multiplier = np.array([params.holiday_multipliers.get(g, params.multipliers.get(k, 1.0))
                           for k, g in zip(kinds, groups, strict=True)])
    totals = level * base * multiplier
    profiles = np.vstack([intraday_profile(w, params.interval_minutes, params.open_minutes)
                          for w in range(7)])
    day = np.asarray((naive.normalize() - pd.Timestamp(start)).days, dtype=int)
    slot = np.asarray((naive.hour * 60 + naive.minute) // params.interval_minutes, dtype=int)
    profile_day = np.where(kinds == "working_weekend", 0, weekday)
    if params.holiday_profile == "sunday":
        profile_day = np.where(kinds == "holiday", 6, profile_day)
    mean = totals[day] * profiles[profile_day[day], slot]
    minute = naive.hour * 60 + naive.minute
    aht = params.aht_seconds * (1 + 0.15 * np.sin(2 * np.pi * minute / 1440)) * np.where(
        weekday[day] >= 5, 1.1, 1.0)
    return pd.DataFrame({"interval_start": grid, "mean": mean, "aht_seconds": aht,
                         "kind": kinds[day], "day_total": totals[day]})


def synthetic_history(params: SyntheticParameters | None = None) -> pd.DataFrame:
    """Interval history (``interval_start, queue, contacts, aht_seconds``) drawn from the truth."""
    params = params or SyntheticParameters()
    rng = np.random.default_rng(params.random_seed)
    days = 7 * params.weeks
    pieces = []
    for number, queue in enumerate(params.queues):
        truth = expected_contacts(params, params.start, days)
        day_effect = rng.lognormal(-params.day_sigma**2 / 2, params.day_sigma, size=days)
        naive = local_naive(truth["interval_start"])
        day = np.asarray((naive.normalize() - pd.Timestamp(params.start)).days, dtype=int)
        scale = 1.0 / (1 + number)
        contacts = rng.poisson(truth["mean"].to_numpy() * scale * day_effect[day])
        aht = truth["aht_seconds"].to_numpy() + rng.normal(0, 30, size=len(truth)) / np.sqrt(
            np.maximum(contacts, 1))
        frame = pd.DataFrame({
            "interval_start": truth["interval_start"], "queue": queue,
            "contacts": contacts.astype(float),
            "aht_seconds": np.where(contacts > 0, np.round(aht, 1), np.nan)})
        if not params.export_closed_days:
            frame = frame[truth["day_total"].to_numpy() > 0]
        pieces.append(frame)
    return pd.concat(pieces, ignore_index=True)
