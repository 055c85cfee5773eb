"""The rows of one KPI figure in the long KPI table (``wfm.kpi.compute.KPI_COLUMNS``).

The queue figures (``wfm.kpi.compute``) and the people figures (``wfm.kpi.people``) both build
their rows here; ``compute`` calls ``people``, so the piece they share sits below both and
``people`` needs nothing from ``compute``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wfm.kpi.definitions import Kpi


def met_flags(kpi: Kpi, value: np.ndarray, target: np.ndarray) -> pd.Series:
    """True/False where a target is set, missing (NA) where not. Values are compared as
    rounded in the table (2 decimals), so a shown 80.00 meets a target of 80."""
    shown = np.round(value, 2)
    if kpi.comparison == ">=":
        ok = shown >= target
    elif kpi.comparison == "<=":
        ok = shown <= target
    else:
        ok = np.abs(shown) <= target
    return pd.Series(ok, dtype="boolean").mask(np.isnan(target))


def kpi_rows(kpi: Kpi, numerator: np.ndarray, denominator: np.ndarray, target: np.ndarray,
             keys: dict[str, Any], level: str, tz: str) -> pd.DataFrame:
    """Rows of one figure (``keys``: the group columns, aligned); zero denominators left out.
    ``tz`` types the empty ``interval_start`` of day and period rows."""
    keep = np.isfinite(denominator) & (denominator > 0) & np.isfinite(numerator)
    value = kpi.scale * numerator[keep] / denominator[keep]
    index = pd.RangeIndex(int(keep.sum()))
    rows: dict[str, Any] = {"level": level}
    for name in ("date", "queue", "agent_id"):
        column = keys.get(name)
        rows[name] = "" if column is None else np.asarray(column, dtype=object)[keep]
    out = pd.DataFrame(rows, index=index)
    starts = keys.get("interval_start")
    out["interval_start"] = (pd.Series(pd.NaT, index=index, dtype=f"datetime64[ns, {tz}]")
                             if starts is None else pd.Series(starts.array[keep], index=index))
    out["kpi"] = kpi.name
    out["value"] = np.round(value, 2)
    out["unit"] = kpi.unit
    out["target"] = target[keep]
    out["met"] = met_flags(kpi, value, target[keep]).to_numpy()
    out["numerator"] = np.round(numerator[keep], 3)
    out["denominator"] = np.round(denominator[keep], 3)
    return out
