"""``forecast_contacts``: the forecast table for every interval and queue of a horizon."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for, interval_grid
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.forecast.aht import forecast_aht
from wfm.forecast.history import check_length
from wfm.forecast.models import ProfileModel, intervals_until
from wfm.forecast.settings import ForecastSettings, settings_for

FORECAST_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "contacts_p10",
                    "contacts_p90"]


def forecast_contacts(history: pd.DataFrame, config: SiteConfig, *, start: date, weeks: int,
                      settings: ForecastSettings | None = None) -> pd.DataFrame:
    """Forecast contacts (mean, P10, P90) and AHT per interval for ``weeks`` weeks from ``start``.

    Only history before ``start`` is used. Intervals the site never serves (outside
    ``open_hours``, or never with a contact on that weekday and time in recent history) get 0.

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


def run_forecast(history: pd.DataFrame, config: SiteConfig, *, start: date, weeks: int,
                 settings: ForecastSettings | None = None,
                 ) -> tuple[pd.DataFrame, dict[str, ProfileModel]]:
    """``forecast_contacts`` that also returns the fitted model of each queue."""
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or not 1 <= weeks <= 52:
        raise InvalidInput(f"weeks must be a whole number from 1 to 52, got {weeks!r}")
    settings = settings or settings_for(config)
    calendar = calendar_for(config)
    grid = interval_grid(start, start + timedelta(days=7 * weeks), config.interval_minutes,
                         config.tz)
    start_time = grid[0]
    pieces, models = [], {}
    for queue in sorted(history["queue"].astype(str).unique()):
        rows = history[(history["queue"].astype(str) == queue)
                       & (history["interval_start"] < start_time)]
        check_length(rows.assign(queue=queue), settings.min_history_days,
                     label=f"history before {start}")
        series = rows.set_index("interval_start")
        model = ProfileModel(interval_minutes=config.interval_minutes, calendar=calendar,
                             open_window=config.open_window_minutes(), settings=settings)
        model.fit(series["contacts"])
        steps = intervals_until(series.index.max(), grid[-1], config.interval_minutes)
        predicted = model.predict(steps).reindex(grid)
        mean = predicted["mean"].to_numpy()
        aht = forecast_aht(series["contacts"], series["aht_seconds"], grid,
                           interval_minutes=config.interval_minutes, settings=settings)
        pieces.append(pd.DataFrame({
            "interval_start": grid, "queue": queue, "contacts": np.round(mean, 3),
            "aht_seconds": np.where(mean > 0, np.round(aht, 1), 0.0),
            "contacts_p10": np.round(predicted["p10"].to_numpy(), 3),
            "contacts_p90": np.round(predicted["p90"].to_numpy(), 3)}))
        models[queue] = model
    if not pieces:
        raise InvalidInput("history is empty; nothing to forecast")
    return pd.concat(pieces, ignore_index=True)[FORECAST_COLUMNS], models
