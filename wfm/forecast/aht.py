"""Average handle time per interval: a recency-weighted, contact-weighted mean by weekday/time.

``aht(w, t) = (sum_d r_d c_dt a_dt + k prior_t) / (sum_d r_d c_dt + k)`` over days ``d`` of
weekday ``w``, with recency weights ``r_d = 0.5 ** (age / half-life)``, contacts ``c`` and AHT
``a``; ``prior_t`` is the same mean pooled over all weekdays (itself shrunk toward the overall
mean), and ``k = aht_shrink_contacts`` is how many contacts the prior is worth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.calendar import local_naive
from wfm.forecast.models import MINUTES_PER_DAY, data_age, day_grid
from wfm.forecast.settings import ForecastSettings


def forecast_aht(contacts: pd.Series, aht_seconds: pd.Series, index: pd.DatetimeIndex, *,
                 interval_minutes: int, settings: ForecastSettings | None = None) -> np.ndarray:
    """AHT (seconds) for each interval start in ``index`` from history on the same index."""
    settings = settings or ForecastSettings()
    count_grid = day_grid(contacts, interval_minutes)
    counts = count_grid.values
    aht = day_grid(aht_seconds.reindex(contacts.index), interval_minutes).values
    usable = np.isfinite(counts) & np.isfinite(aht) & (counts > 0)
    age = data_age(counts)
    recency = 0.5 ** (age / (7 * settings.aht_halflife_weeks))
    weight = np.where(usable, counts * recency[:, None], 0.0)
    work = np.where(usable, aht, 0.0) * weight
    k = settings.aht_shrink_contacts
    overall = work.sum() / weight.sum() if weight.sum() > 0 else 0.0
    prior = (work.sum(axis=0) + k * overall) / (weight.sum(axis=0) + k)
    weekdays = np.array([d.weekday() for d in count_grid.dates])
    table = np.empty((7, counts.shape[1]))
    for w in range(7):
        rows = weekdays == w
        table[w] = (work[rows].sum(axis=0) + k * prior) / (weight[rows].sum(axis=0) + k)
    naive = local_naive(index)
    slots = np.asarray((naive.hour * 60 + naive.minute) // interval_minutes, dtype=int)
    slots = np.minimum(slots, MINUTES_PER_DAY // interval_minutes - 1)
    return table[np.asarray(naive.day_of_week, dtype=int), slots]
