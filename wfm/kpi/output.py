"""Writing the KPI table: CSV text formatted once per distinct value, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.kpi.compute import KPI_COLUMNS
from wfm.kpi.definitions import KPIS
from wfm.tables import Column, Source, TableSpec, read_table, write_csv_atomic


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


KPI_TABLE = TableSpec(
    "kpi",
    (Column("level", "str", choices=("interval", "day", "period")),
     Column("interval_start", "datetime", allow_empty=True),
     Column("date", "str", allow_empty=True), Column("queue", "str", allow_empty=True),
     Column("agent_id", "str", allow_empty=True),
     Column("kpi", "str", choices=tuple(kpi.name for kpi in KPIS)),
     Column("value", "float"), Column("unit", "str"),
     Column("target", "float", allow_empty=True),
     Column("met", "str", case="lower", allow_empty=True, choices=("true", "false", "")),
     Column("numerator", "float"), Column("denominator", "float", minimum=0.0)))


def read_kpi_table(source: Source, *, timezone: str = "Asia/Shanghai",
                   label: str | None = None) -> pd.DataFrame:
    """Read a KPI table written by ``wfm kpi`` (for ``wfm report --kpi``)."""
    frame = read_table(source, KPI_TABLE, timezone=timezone, label=label or str(source))
    met = frame["met"].map({"true": True, "false": False, "": pd.NA})
    return frame.assign(met=pd.Series(met, dtype="boolean").to_numpy(dtype=object))
