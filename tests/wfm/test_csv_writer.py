"""The vectorised table writer writes the very bytes the per-cell writer it replaced wrote.

The reference below is the old ``format_frame`` + ``DataFrame.to_csv`` path, copied verbatim
(``strftime`` per timestamp, Python ``str``/``repr`` per cell, pandas' CSV writer), so a format
change in ``wfm.csv_writer`` (an offset, a float's digits, a quote, an empty cell) fails here.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.csv_writer import csv_bytes
from wfm.tables import (
    ADHERENCE,
    COVERAGE,
    REQUIREMENT,
    ROSTER,
    read_table,
    table_to_csv_text,
    write_table,
)


def old_format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            text = series.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            out[name] = text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
        elif pd.api.types.is_bool_dtype(series):
            out[name] = series.map({True: "true", False: "false"})
        elif series.dtype == object:
            out[name] = series.map(old_format_cell)
    return out


def old_format_cell(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def old_csv(frame: pd.DataFrame) -> bytes:
    return str(old_format_frame(frame).to_csv(index=False)).encode("utf-8")


def same_as_old(frame: pd.DataFrame) -> None:
    new = csv_bytes(frame)
    assert new is not None, f"not handled: {frame.dtypes.to_dict()}"
    old = old_csv(frame)
    if new != old:  # show the first differing line, not two megabytes
        for number, (a, b) in enumerate(zip(new.split(b"\n"), old.split(b"\n"), strict=False)):
            assert a == b, f"line {number + 1}"
    assert new == old


def instants(zone: str, start: str, periods: int, freq: str) -> pd.Series:
    return pd.Series(pd.date_range(start, periods=periods, freq=freq, tz="UTC")).dt.tz_convert(
        zone)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York",
                                  "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
                                  "Pacific/Chatham", "UTC"])
def test_timestamps_across_daylight_saving_changes_match_the_old_writer(zone: str) -> None:
    # a year of 15-minute instants covers both changes (and Lord Howe's 30-minute one)
    stamps = instants(zone, "2026-01-01", 365 * 96, "15min")
    same_as_old(pd.DataFrame({"interval_start": stamps, "queue": "sales"}))


def test_sub_minute_historical_offsets_and_seconds_match_the_old_writer() -> None:
    # Shanghai's local mean time was +08:05:43 before 1901; Amsterdam +00:19:32 in 1920-1937
    frame = pd.DataFrame({
        "a": instants("Asia/Shanghai", "1899-12-31T12:00:07", 48, "37min"),
        "b": instants("Europe/Amsterdam", "1935-06-30T22:59:59.900", 48, "1h"),
        "c": instants("Europe/Berlin", "2026-10-25T00:00:00.123456", 48, "571s")})
    same_as_old(frame)


def test_missing_timestamps_are_empty_cells() -> None:
    stamps = instants("Europe/Berlin", "2026-03-29T00:00", 8, "30min")
    stamps = stamps.mask(np.isin(np.arange(8), [0, 3, 7]))
    assert stamps.isna().sum() == 3
    same_as_old(pd.DataFrame({"login_time": stamps, "n": range(8)}))
    same_as_old(pd.DataFrame({"t": pd.Series([pd.NaT] * 3, dtype="datetime64[ns, UTC]")}))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamps_of_any_unit_are_written_as_their_instant(unit: str) -> None:
    # pandas 3 reads and builds datetimes in microseconds (or seconds): the text must not change
    stamps = instants("Asia/Shanghai", "2026-11-23T00:30", 3, "30min").dt.as_unit(unit)  # UTC
    text = csv_bytes(pd.DataFrame({"interval_start": stamps})).decode()
    assert text.splitlines() == ["interval_start", "2026-11-23T08:30:00+08:00",
                                 "2026-11-23T09:00:00+08:00", "2026-11-23T09:30:00+08:00"]


FLOATS = [0.0, -0.0, 1.0, -1.0, 0.1, 2.5, 100.0, 341.0, 1e-4, 9.999e-5, 1e-5, 1.5e-7, 5e-324,
          1e15, 1e16, 9999999999999998.0, 1.2345678901234567e16, 1e21, 1e22, 1.7976931348623157e308,
          123456789.123, 0.30000000000000004, 1 / 3, 2 / 3, 107.98333333333333, math.pi * 1e10,
          -7.25e-3, float("inf"), float("-inf"), float("nan"), 2.0**53, 2.0**53 + 2, 92.0, 91.67]


def test_float_cells_are_python_repr_as_before() -> None:
    same_as_old(pd.DataFrame({"x": FLOATS, "y": FLOATS[::-1]}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1,
                max_size=60))
def test_any_float64_is_written_as_repr(values: list[float]) -> None:
    same_as_old(pd.DataFrame({"x": values, "label": "q"}))


def test_random_magnitudes_match_repr() -> None:
    rng = np.random.default_rng(16)
    values = rng.standard_normal(20_000) * 10.0 ** rng.integers(-12, 22, 20_000)
    values[::7] = np.round(values[::7], 2)  # percentages are written with 2 decimals
    values[::11] = np.round(values[::11])
    same_as_old(pd.DataFrame({"x": values}))


def test_percentages_with_empty_cells_and_booleans_match_the_old_writer() -> None:
    frame = pd.DataFrame({
        "agent_id": ["a1", "a2", "a3", "a4"],
        "date": [date(2026, 11, 23), date(2026, 11, 24), None, date(1999, 1, 1)],
        "adherence_pct": [92.31, np.nan, 100.0, 0.0],
        "absent": [False, True, False, False],
        "episodes": [3, 0, 1, 12],
        "maybe": pd.array([True, None, False, True], dtype="boolean"),
        "count": pd.array([1, None, 3, -4], dtype="Int64"),
        "ratio": pd.array([0.5, None, 1.0, 1e-9], dtype="Float64"),
        "text": pd.array(["x", None, "", "z"], dtype="string"),
    })
    same_as_old(frame)


def test_text_that_needs_quotes_and_objects_match_the_old_writer() -> None:
    frame = pd.DataFrame({
        "name": ["Li, Wei", 'say "hi"', "two\nlines", "", None, "王芳", " lead", "plain"],
        "skills": [("presales", "aftersales"), (), ("a",), ["x", "y"], (), ("b",), (), ("c",)],
        "mixed": [1.5, "x", True, None, np.nan, np.float64(2.0), 3, date(2026, 1, 2)],
        "n": range(8),
    })
    same_as_old(frame)
    same_as_old(frame.rename(columns={"name": "a,b", "n": 'q"uote'}))


def test_one_column_tables_quote_their_empty_cells_as_before() -> None:
    same_as_old(pd.DataFrame({"only": ["a", "", None, "b"]}))
    same_as_old(pd.DataFrame({"only": [1.5, np.nan]}))
    same_as_old(pd.DataFrame({"only": pd.Series([], dtype=object)}))


def test_empty_tables_write_their_header() -> None:
    same_as_old(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)}))


def test_a_carriage_return_is_quoted_so_the_cell_reads_back_whole(tmp_path: Path) -> None:
    """Python 3.11's csv writer left a lone CR unquoted, and pandas' reader then split the row
    there; the vectorised writer quotes it, as later Pythons do."""
    frame = pd.DataFrame({"agent_id": ["a1"], "date": [date(2026, 11, 23)], "shift": ["DAY"],
                          "queue": ["sales\rdesk"]})
    path = tmp_path / "roster.csv"
    write_table(frame, path, ROSTER)
    assert path.read_bytes().endswith(b'a1,2026-11-23,DAY,"sales\rdesk"\n')
    assert read_table(path, ROSTER)["queue"].tolist() == ["sales\rdesk"]


def test_columns_it_does_not_handle_fall_back_to_the_old_writer(tmp_path: Path) -> None:
    frame = pd.DataFrame({"interval_start": instants("Asia/Shanghai", "2026-11-23", 3, "30min"),
                          "queue": pd.Categorical(["a", "b", "a"]), "required": [1, 2, 3],
                          "scheduled": [1, 1, 3], "shortfall": [0, 1, 0],
                          "span": pd.to_timedelta([1, 2, 3], unit="min")})
    assert csv_bytes(frame) is None
    path = tmp_path / "coverage.csv"
    write_table(frame, path, COVERAGE)
    assert path.read_bytes() == old_csv(frame)


def test_write_table_and_api_text_are_the_old_bytes_for_a_requirement(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 2 * 96
    stamps = instants("Europe/Berlin", "2026-03-28T00:00", n, "15min")
    contacts = rng.integers(0, 300, n).astype(float)
    frame = pd.DataFrame({
        "queue": "sales", "interval_start": stamps, "contacts": contacts,
        "aht_seconds": np.where(contacts > 0, rng.uniform(120, 600, n), np.nan),
        "traffic_erlangs": contacts * 300 / 900, "agents": rng.integers(0, 90, n),
        "service_level": rng.random(n), "asa_seconds": rng.exponential(20, n),
        "occupancy": rng.random(n), "scheduled_agents": rng.integers(0, 130, n),
        "note": "x"})
    ordered = [*REQUIREMENT.names[:10], "note"]
    path = tmp_path / "requirement.csv"
    write_table(frame, path, REQUIREMENT)
    assert path.read_bytes() == old_csv(frame[ordered])
    assert table_to_csv_text(frame, REQUIREMENT) == old_csv(frame[ordered]).decode("utf-8")


def test_adherence_round_trip_keeps_every_value(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "agent_id": ["a1", "a2"], "date": [date(2026, 11, 23), date(2026, 11, 23)],
        "shift": ["DAY", "NIGHT"], "scheduled_minutes": [450.0, 0.0],
        "logged_in_minutes": [461.25, 0.0], "in_adherence_minutes": [430.5, 0.0],
        "adherence_pct": [95.67, np.nan], "conformance_pct": [102.5, np.nan],
        "late_start_minutes": [3.0, 0.0], "early_leave_minutes": [0.0, 0.0],
        "overtime_minutes": [11.25, 0.0], "absent": [False, True], "episodes": [2, 0]})
    path = tmp_path / "adherence.csv"
    write_table(frame, path, ADHERENCE)
    assert path.read_bytes() == old_csv(frame)
    assert "a2,2026-11-23,NIGHT,0.0,0.0,0.0,,,0.0,0.0,0.0,true,0" in path.read_text()
    pd.testing.assert_frame_equal(read_table(path, ADHERENCE), frame)
