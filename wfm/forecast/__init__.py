"""Forecasting contacts and AHT per interval (DESIGN.md: history -> forecast).

Per queue, ``selection.choose`` scores the candidates of ``candidates`` (seasonal naive, k-week
means and medians of the same weekday and interval, the profile model below, a damped ETS of
daily totals, the mean of the best two) on rolling origins of the queue's own history and
picks one; ``special`` applies holidays, promotions and closed days to every candidate alike;
``intraday`` re-scales the rest of a day that history ends in; ``contract`` gives each
candidate the statsforecast model contract.

The profile model (``models.ProfileModel``):

1. Each day's total (scaled up for unknown intervals; unknown when under half the day is known).
2. Weekday factors: recency-weighted medians of total / centred 7-day level, iterated; days whose
   total is far from a rolling-median level (robust z > ``outlier_threshold``) are left out.
3. Level: the Poisson maximum-likelihood level, recency-weighted with a half-life chosen per
   queue by a one-week-ahead backtest on its own last weeks (``level_halflife_auto``, else
   ``level_halflife_weeks``); a damped multiplicative Theil-Sen trend of daily log totals,
   extrapolated no further than the span it was fitted on; a within-month effect where history
   covers two months.
4. Calendar multipliers (``wfm.calendar`` day kinds: holiday, pre/post long holiday, swapped
   working weekend, promotion) learned as median ratios from history, else the defaults in
   ``ForecastSettings``.
5. Intraday profile per weekday (recent weeks, shrunk toward the pooled workday profile, lightly
   smoothed, zero where the site is closed or outside ``open_hours``: contacts history shows
   there are left out, not moved); holidays on workdays use history's holiday shape, else
   their own weekday's, swapped working weekends the
   workday shape. Intervals are laid out in real time (23- and 25-hour DST days).
6. P10/P90: negative-binomial-like counts whose extra variance combines the one-week-ahead error
   of daily totals (re-fitted at recent origins) and the out-of-sample interval dispersion.
7. AHT: contact- and recency-weighted mean by weekday and interval (``aht.forecast_aht``).

``backtest.backtest`` compares it with seasonal naive on rolling origins; ``bench/forecast.py``
also with statsforecast's MSTL.
"""

from wfm.forecast.contacts import forecast_contacts, run_forecast
from wfm.forecast.history import load_history
from wfm.forecast.metrics import bias, mae, wape
from wfm.forecast.models import ProfileModel, SeasonalNaive
from wfm.forecast.settings import ForecastSettings

__all__ = ["ForecastSettings", "ProfileModel", "SeasonalNaive", "bias", "forecast_contacts",
           "load_history", "mae", "run_forecast", "wape"]
