"""Intraday update: re-scale the rest of today from the contacts that have arrived so far.

With ``A`` contacts arrived by the last known interval against ``E`` expected there, the day's
level ``theta`` (actual / forecast) gets a gamma prior with mean 1 and variance ``s^2``, the
spread of the chosen model's daily errors on its backtest folds, and a Poisson likelihood. The
posterior mean is the shrinkage estimate

    theta = (1 / s^2 + c A) / (1 / s^2 + c E),   c = E / (E + max(a sum mu_t^2, b E^2))

where ``c`` discounts the counts for the extra variance of ``A`` beyond Poisson, both measured
on the same folds: the interval dispersion ``a`` (Var = mu + a mu^2, intervals independent) or,
when larger, the part-day dispersion ``b`` (``selection.part_day_dispersion``: how far a
part of a day strays from the level it shares with the rest, e.g. a bank whose mornings and
afternoons are busy or quiet separately; interval dispersion alone understated it there, and
the update moved the afternoon by more than the morning foretold). Early in the day ``E`` is
small next to ``1 / s^2`` and the forecast barely moves (one quiet half-hour at 08:00 does
not halve the afternoon); by midday the morning's volume dominates. This is the gamma-Poisson
update of arrival-rate models with a random day effect (Whitt, 1999, "Dynamic staffing in a
telephone call center aiming to immediately answer all calls"; Weinberg, Brown & Stroud, 2007,
JASA 102:1185).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IntradayUpdate:
    """The update of one queue's first forecast day."""

    arrived: float  # A
    expected: float  # E
    factor: float  # theta, applied after ``through_slot``
    through_slot: int  # last interval (column) with actuals

    def record(self, interval_minutes: int) -> dict[str, float | str]:
        minutes = (self.through_slot + 1) * interval_minutes
        return {"arrived": round(self.arrived, 1), "expected": round(self.expected, 1),
                "factor": round(self.factor, 4),
                "through": f"{minutes // 60:02d}:{minutes % 60:02d}"}


def shrunk_factor(arrived: float, expected: float, day_sigma: float,
                  dispersion: float = 0.0, expected_sq: float = 0.0,
                  block_dispersion: float = 0.0) -> float:
    """The posterior mean ``theta`` (module notes); 1 when nothing was expected."""
    if expected <= 0:
        return 1.0
    prior = 1.0 / max(day_sigma, 1e-3) ** 2
    extra = max(dispersion * expected_sq, block_dispersion * expected ** 2)
    discount = expected / (expected + extra)
    return float((prior + discount * arrived) / (prior + discount * expected))


def update_day(forecast: np.ndarray, actual: np.ndarray, day_sigma: float,
               dispersion: float, block_dispersion: float = 0.0
               ) -> tuple[np.ndarray, IntradayUpdate | None]:
    """Re-scale the intervals of one day after its last known actual.

    ``forecast`` and ``actual`` are one day's intervals (NaN: not known yet). Intervals up to the
    last known one keep the forecast; None when no interval is known.
    """
    known = np.isfinite(actual)
    if not known.any():
        return forecast, None
    last = int(np.flatnonzero(known)[-1])
    seen = known[: last + 1]
    mu = forecast[: last + 1][seen]
    arrived = float(actual[: last + 1][seen].sum())
    expected = float(mu.sum())
    factor = shrunk_factor(arrived, expected, day_sigma, dispersion, float((mu ** 2).sum()),
                           block_dispersion)
    out = forecast.copy()
    out[last + 1:] = forecast[last + 1:] * factor
    return out, IntradayUpdate(arrived, expected, factor, last)
