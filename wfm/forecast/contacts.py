"""``forecast_contacts``: the forecast table for every interval and queue of a horizon.

Per queue: the candidate models are scored on the queue's own history and one is chosen
(``selection.choose``); special days are applied by one layer (``special``); intervals outside
``open_hours`` are 0; P10/P90 come from the chosen model's own backtest errors; when history
ends during the first forecast day, the rest of that day is re-scaled from what has arrived
(``intraday``); AHT from ``aht.forecast_aht``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for, interval_grid, local_midnight, local_naive
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.forecast.aht import forecast_aht
from wfm.forecast.history import check_length
from wfm.forecast.intraday import IntradayUpdate, update_day
from wfm.forecast.models import Z90, count_quantiles
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import Choice, choose, forecast_rows, level_guard
from wfm.forecast.settings import ForecastSettings, settings_for
from wfm.forecast.special import SpecialDay, apply_effects, learn_effects

FORECAST_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "contacts_p10",
                    "contacts_p90"]
SPECIAL_SIGMA = {"default": 0.35, "no_history": 0.35, "pooled_holidays": 0.35,
                 "configured": 0.35, "closed_dates": 0.0, "closed_holidays": 0.0,
                 "closed_in_history": 0.0}  # log-scale spread of a special day's own factor
LEARNED_SIGMA = 0.25


@dataclass
class QueueForecast:
    """What the forecast of one queue chose and assumed."""

    choice: Choice
    special_days: list[SpecialDay]
    update: IntradayUpdate | None = None
    candidates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> mean on the grid


def forecast_contacts(history: pd.DataFrame, config: SiteConfig, *, start: date, weeks: int,
                      settings: ForecastSettings | None = None) -> pd.DataFrame:
    """Forecast contacts (mean, P10, P90) and AHT per interval for ``weeks`` weeks from ``start``.

    History before ``start`` is used to fit; history on ``start`` itself, when history ends
    that day, updates the rest of the day (intraday update). Intervals the site never serves
    (outside ``open_hours``, or never with a contact on that weekday and time) get 0.

    Parameters
    ----------
    history
        Interval history as returned by ``load_history``.
    config
        Site configuration (interval length, timezone, holidays country, promotion dates).
    start, weeks
        First day of the horizon and its length in weeks (1-52).
    settings
        Forecast knobs (default: ``settings_for(config)``).
    """
    table, _ = run_forecast(history, config, start=start, weeks=weeks, settings=settings)
    return table


def _window(config: SiteConfig, num_slots: int) -> np.ndarray:
    window = config.open_window_minutes()
    if window is None:
        return np.ones(num_slots, dtype=bool)
    slot_start = np.arange(num_slots) * config.interval_minutes
    return (slot_start >= window[0]) & (slot_start + config.interval_minutes <= window[1])


def run_forecast(history: pd.DataFrame, config: SiteConfig, *, start: date, weeks: int,
                 settings: ForecastSettings | None = None, keep_candidates: bool = False,
                 ) -> tuple[pd.DataFrame, dict[str, QueueForecast]]:
    """``forecast_contacts`` that also returns each queue's choice and assumptions
    (``keep_candidates``: every candidate's forecast too, for backtests)."""
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or not 1 <= weeks <= 52:
        raise InvalidInput(f"weeks must be a whole number from 1 to 52, got {weeks!r}")
    settings = settings or settings_for(config)
    calendar = calendar_for(config)
    stop = start + timedelta(days=7 * weeks)
    grid = interval_grid(start, stop, config.interval_minutes, config.tz)
    start_time, day_end = grid[0], local_midnight(start + timedelta(days=1), config.tz)
    naive = local_naive(grid)
    grid_row = np.asarray((naive.normalize() - pd.Timestamp(start)).days, dtype=int)
    grid_slot = np.asarray((naive.hour * 60 + naive.minute) // config.interval_minutes,
                           dtype=int)
    pieces, out = [], {}
    queues = history["queue"].astype(str)
    for queue in sorted(queues.unique()):
        rows = history[queues == queue]
        before = rows[rows["interval_start"] < start_time]
        check_length(before.assign(queue=queue), settings.min_history_days,
                     label=f"history before {start}")
        series = before.set_index("interval_start")
        panel = build_panel(series["contacts"], config.interval_minutes, calendar)
        window = _window(config, panel.num_slots)
        days = 7 * weeks
        choice = choose(panel, settings, window, config.open_window_minutes(),
                        horizon_days=days)
        origin = panel.row_of(start)
        effects = learn_effects(panel, origin, settings)
        ordinary = np.maximum(np.nan_to_num(choice.model.ordinary(panel, origin, days)), 0.0)
        if settings.model == "auto":
            fallback = None
            if choice.best_simple is not None and choice.best_simple != choice.name:
                fallback = np.maximum(np.nan_to_num(
                    choice.pool[choice.best_simple].ordinary(panel, origin, days)), 0.0)
            ordinary, choice.guard = level_guard(choice, panel, origin, ordinary, fallback)
        matrix, specials = apply_effects(effects, panel, origin, ordinary)
        matrix = matrix * window[None, :]
        today = rows[(rows["interval_start"] >= start_time) & (rows["interval_start"] < day_end)]
        update = None
        if len(today) and rows["interval_start"].max() < day_end:  # history ends today
            actual = np.full(panel.num_slots, np.nan)
            clock = local_naive(today["interval_start"])
            actual[np.asarray((clock.hour * 60 + clock.minute) // config.interval_minutes,
                              dtype=int)] = today["contacts"].to_numpy(dtype=float)
            matrix[0], update = update_day(matrix[0], actual, choice.day_sigma,
                                           choice.dispersion, choice.block_dispersion)
        mean = matrix[grid_row, grid_slot]
        p10, p90 = _quantiles(mean, grid_row, specials, choice, start)
        aht = forecast_aht(series["contacts"], series["aht_seconds"], grid,
                           interval_minutes=config.interval_minutes, settings=settings)
        pieces.append(pd.DataFrame({
            "interval_start": grid, "queue": queue, "contacts": np.round(mean, 3),
            "aht_seconds": np.where(mean > 0, np.round(aht, 1), 0.0),
            "contacts_p10": np.round(p10, 3), "contacts_p90": np.round(p90, 3)}))
        result = QueueForecast(choice, specials, update)
        if keep_candidates:
            result.candidates = {
                name: forecast_rows(model, panel, origin, days, effects, window)[
                    grid_row, grid_slot] for name, model in choice.pool.items()}
        out[queue] = result
    if not pieces:
        raise InvalidInput("history is empty; nothing to forecast")
    return pd.concat(pieces, ignore_index=True)[FORECAST_COLUMNS], out


def _quantiles(mean: np.ndarray, grid_row: np.ndarray, specials: list[SpecialDay],
               choice: Choice, start: date) -> tuple[np.ndarray, np.ndarray]:
    """P10/P90: count quantiles whose extra variance combines the chosen model's daily error
    on its folds (growing past a week ahead), the special day's own uncertainty and the
    interval dispersion around the day's shape."""
    num_days = int(grid_row.max()) + 1 if len(grid_row) else 0
    ahead = np.arange(num_days)
    sigma2 = choice.day_sigma ** 2 * (1 + np.maximum(ahead - 7, 0) / 28.0)
    for special in specials:
        row = (special.date - start).days
        sigma2[row] += SPECIAL_SIGMA.get(special.basis, LEARNED_SIGMA) ** 2
    day_dispersion = np.expm1(sigma2)[grid_row]
    dispersion = (1 + day_dispersion) * (1 + choice.dispersion) - 1
    p10 = count_quantiles(mean, dispersion, -Z90)
    p90 = count_quantiles(mean, dispersion, Z90)
    return np.minimum(p10, mean), np.maximum(p90, mean)
