"""Writing the KPI table: CSV text formatted once per distinct value, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.kpi.compute import KPI_COLUMNS
from wfm.tables import write_csv_atomic


def _iso_instants(values: pd.Series) -> np.ndarray:
    """ISO 8601 with offset (``2026-11-23T08:30:00+08:00``), '' for NaT; each distinct
    instant is formatted once (a year of 15-minute rows repeats each one per figure)."""
    codes, uniques = pd.factorize(values)
    if len(uniques) == 0:
        return np.full(len(values), "", dtype=object)
    text = pd.DatetimeIndex(uniques).strftime("%Y-%m-%dT%H:%M:%S%z")
    text = text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    table = np.append(np.asarray(text, dtype=object), "")
    return table[np.where(codes < 0, len(uniques), codes)]


def kpi_frame_text(table: pd.DataFrame) -> pd.DataFrame:
    """The KPI table as CSV cells: instants with offset, ``true``/``false``/'' for met."""
    out = table[KPI_COLUMNS].copy()
    out["interval_start"] = _iso_instants(out["interval_start"])
    met = out["met"].astype("boolean")
    out["met"] = np.where(met.isna(), "", np.where(met.fillna(False), "true", "false"))
    return out


def write_kpi_table(table: pd.DataFrame, path: str | Path) -> None:
    """Write the KPI table (``KPI_COLUMNS``) to ``path`` through a temporary file."""
    write_csv_atomic(kpi_frame_text(table), path)
