"""Forecast error measures. Unknown actuals (NaN) are left out of every sum.

* WAPE = sum |y - f| / sum y (Kolassa & Schuetz, 2007, "Advantages of the MAD/MEAN ratio").
* MAE  = mean |y - f|.
* bias = sum (f - y) / sum y (positive: over-forecast).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if y.shape != f.shape:
        raise ValueError(f"actual and forecast must have the same shape, got {y.shape} and "
                         f"{f.shape}")
    known = np.isfinite(y) & np.isfinite(f)
    return y[known], f[known]


def wape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Weighted absolute percentage error as a fraction; NaN when the actuals sum to 0."""
    y, f = _pair(actual, forecast)
    total = np.sum(np.abs(y))
    return float(np.sum(np.abs(y - f)) / total) if total > 0 else float("nan")


def mae(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute error; NaN when nothing is known."""
    y, f = _pair(actual, forecast)
    return float(np.mean(np.abs(y - f))) if len(y) else float("nan")


def bias(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Relative bias sum(f - y) / sum(y); NaN when the actuals sum to 0."""
    y, f = _pair(actual, forecast)
    total = np.sum(np.abs(y))
    return float(np.sum(f - y) / total) if total > 0 else float("nan")
