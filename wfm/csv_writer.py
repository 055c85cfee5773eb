"""Vectorised CSV text of a typed table: what ``format_frame`` then ``DataFrame.to_csv`` write.

``write_table`` used to format every cell in Python (``strftime`` per timestamp, ``str`` per
number) and then hand the text to pandas' Python CSV writer: 0.9 s for a year of 15-minute
intervals, 80 times the Erlang arithmetic behind it. Here every column becomes an Arrow string
array through C kernels, and the rows are joined by Arrow as well:

* a timestamp is its local date, time of day and UTC offset, each formatted once per
  distinct value (a year of intervals has 365 dates, 96 times and one or two offsets) and
  gathered with ``take``; the offset text comes from the old formatter applied to one instant
  that has it, so odd historical offsets read exactly as before;
* a float is Python's ``repr``, as pandas writes it: whole numbers below 1e16 are their integer
  text plus ``.0``, other values between 1e-4 and 1e16 are Arrow's shortest round-trip digits
  (the same digits as ``repr``; checked, and any value Arrow writes with an exponent is redone
  by ``repr``), the rest (tiny, huge, infinite) go through ``repr``;
* integers, booleans (``true``/``false``), text and dates (``YYYY-MM-DD``) map directly; a
  column of other objects (tuples, mixed values) is formatted cell by cell as before.

A cell is quoted as Python's ``csv`` module quotes it (it contains ``,``, ``"`` or a line
break; an empty cell is quoted when it is the only one in its row), with one deliberate change:
a lone carriage return is quoted too (Python 3.11 left it bare, and a reader then split the row
there; later Pythons quote it). The output is compared byte
for byte with the old writer in ``tests/wfm/test_csv_writer.py``. A column of a kind not listed
(categorical, naive datetime, timedelta, float32, ...) makes ``csv_bytes`` return ``None`` and
the caller uses the old writer, ``format_frame`` then ``to_csv``, kept here for that.

Files are written through a temporary file renamed over the target (``atomic_file``), so a
failed write never leaves half a file behind.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

_NEEDS_QUOTES = r'[,"\r\n]'
_REPR_LOW, _REPR_HIGH = 1e-4, 1e16  # repr writes fixed notation exactly in this band
_NS_PER_SECOND = 1_000_000_000
_SECONDS_PER_DAY = 86_400


def datetime_text(series: pd.Series) -> pd.Series:
    """ISO 8601 with the offset, one ``strftime`` per cell (the reference ``csv_bytes`` meets)."""
    text = series.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)


def format_cell(value: Any) -> Any:
    """Text of one cell of an ``object`` column: lists joined by ';', dates ISO, None empty."""
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes | None:
    """UTF-8 CSV (header, ``\\n`` line ends) of ``frame`` as ``format_frame`` + ``to_csv``
    write it, or ``None`` when a column has a kind this writer does not handle."""
    if len(frame.columns) == 0:
        return None
    alone = len(frame.columns) == 1
    cells: list[pa.Array] = []
    quoted = False
    for position in range(len(frame.columns)):
        series = frame.iloc[:, position]
        column = _cells(series)
        if column is None:
            return None
        if alone:  # see _quoted: a lone empty cell is written as ""
            column = pc.fill_null(column, "")
        if (alone or _may_need_quotes(series)) and _needs_quotes(column, alone=alone):
            column, quoted = _quoted(column, alone=alone), True
        cells.append(column)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(c) for c in frame.columns])
    head = header.getvalue().encode("utf-8")
    if len(frame) == 0:
        return head
    if not quoted:  # Arrow's writer, told never to quote: nothing here needs it
        body = io.BytesIO()
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(pa.table(cells, names=[str(i) for i in range(len(cells))]), body,
                         options)
        return head + body.getvalue()
    rows = pc.binary_join_element_wise(*cells, ",", null_handling="replace",
                                       null_replacement="")
    lines = pc.binary_join_element_wise(rows, "", "\n")  # each row followed by its line end
    return head + _concatenated(lines)


def _concatenated(strings: pa.Array | pa.ChunkedArray) -> bytes:
    """The characters of every string, back to back (the data buffer between the first and
    the last offset)."""
    if isinstance(strings, pa.ChunkedArray):
        return b"".join(_concatenated(chunk) for chunk in strings.chunks)
    wide = pa.types.is_large_string(strings.type)
    if not wide and not pa.types.is_string(strings.type):
        strings, wide = strings.cast(pa.large_string()), True
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64 if wide else np.int32)
    first, last = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return strings.buffers()[2].to_pybytes()[first:last]


def _may_need_quotes(series: pd.Series) -> bool:
    """Text columns only: numbers, flags and timestamps never hold a separator or a quote."""
    return series.dtype == np.dtype(object) or isinstance(series.dtype, pd.StringDtype)


def _needs_quotes(cells: pa.Array, *, alone: bool) -> bool:
    if alone and pc.any(pc.equal(cells, "")).as_py():
        return True
    characters = _concatenated(pc.fill_null(cells, ""))
    return any(mark in characters for mark in (b",", b'"', b"\n", b"\r"))


def _quoted(cells: pa.Array, *, alone: bool) -> pa.Array:
    """Quote the cells Python's ``csv`` writer quotes (``QUOTE_MINIMAL``), doubling quotes."""
    special = pc.match_substring_regex(cells, _NEEDS_QUOTES)
    if alone:  # csv writes a lone empty field as "" so that the row is not a blank line
        special = pc.or_kleene(special, pc.equal(cells, ""))
    doubled = pc.replace_substring(cells, '"', '""')
    wrapped = pc.binary_join_element_wise('"', doubled, '"', "")
    return pc.if_else(pc.fill_null(special, False), wrapped, cells)


def _cells(series: pd.Series) -> pa.Array | None:
    """One column's cells as Arrow strings (null: an empty cell), or None (not handled)."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _datetime_cells(series)
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series, type=pa.bool_(), from_pandas=True)
        return pc.if_else(flags, "true", "false")
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(series.to_numpy()), pa.string())
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu":
        return pc.cast(pa.array(series, from_pandas=True), pa.string())
    if dtype == np.float64 or isinstance(dtype, pd.Float64Dtype):
        return _float_cells(series.to_numpy(dtype=np.float64, na_value=np.nan))
    if isinstance(dtype, pd.StringDtype):
        return pa.array(series.astype(object), type=pa.string(), from_pandas=True)
    if dtype == np.dtype(object):
        return _object_cells(series)
    return None


def _float_cells(values: np.ndarray) -> pa.Array:
    """``repr`` of each float (NaN: an empty cell), vectorised; see the module docstring."""
    if len(values) == 0:
        return pa.array([], pa.string())
    finite = np.isfinite(values)
    size = np.abs(np.where(finite, values, 0.0))
    whole = finite & (np.floor(np.where(finite, values, 0.5)) == values) & (size < _REPR_HIGH)
    by_repr = np.isinf(values) | (finite & ~whole & ((size < _REPR_LOW) | (size >= _REPR_HIGH)))
    by_repr |= whole & (values == 0) & np.signbit(values)  # -0.0
    if whole.any():  # 341.0: the integer's digits and ".0" (Arrow would write "341")
        integers = pc.cast(pa.array(np.where(whole, values, 0.0).astype(np.int64)), pa.string())
        text = pc.binary_join_element_wise(integers, ".0", "")
    if not whole.all():
        digits = pc.cast(pa.array(values, from_pandas=True), pa.string())
        # Arrow switches to exponent notation at other magnitudes than repr: redo those
        if b"e" in _concatenated(digits):  # one scan of all the text, then cell by cell
            exponent = pc.fill_null(pc.match_substring(digits, "e"), False)
            by_repr |= ~whole & exponent.to_numpy(zero_copy_only=False)
        text = pc.if_else(pa.array(whole), text, digits) if whole.any() else digits
    if by_repr.any():
        redone = [repr(v) for v in values[by_repr].tolist()]
        text = pc.replace_with_mask(text, pa.array(by_repr), pa.array(redone, pa.string()))
    return text


def _object_cells(series: pd.Series) -> pa.Array:
    """Text, dates and other objects of an ``object`` column, as ``format_frame`` wrote them."""
    values = series.to_numpy()
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return pa.array(values, type=pa.string(), from_pandas=True)
    if kind == "date" and not any(isinstance(v, datetime) for v in values):
        return pc.cast(pa.array(values, type=pa.date32(), from_pandas=True), pa.string())
    formatted = np.array([format_cell(v) for v in values], dtype=object)
    missing = pd.isna(formatted)
    return pa.array(["" if gone else str(v) for v, gone in zip(formatted, missing, strict=True)],
                    type=pa.string())


def _datetime_cells(series: pd.Series) -> pa.Array | None:
    """ISO 8601 local time with the UTC offset (``2026-11-23T08:30:00+08:00``)."""
    try:  # the integers below are nanoseconds; pandas 3 often holds microseconds or seconds
        series = series.dt.as_unit("ns")
    except (OverflowError, ValueError):  # a year beyond what nanoseconds hold: the old writer
        return None
    missing = series.isna().to_numpy()
    utc = series.array.asi8
    local = series.dt.tz_localize(None).array.asi8
    seconds = np.where(missing, 0, local) // _NS_PER_SECOND
    days, clock = np.divmod(seconds, _SECONDS_PER_DAY)
    day_codes, distinct_days = pd.factorize(days)
    day_text = np.datetime_as_string(np.asarray(distinct_days).astype("M8[D]"), unit="D")
    if any(len(text) != len("2026-11-23") for text in day_text):
        return None  # a year outside 1000-9999, which strftime writes differently
    clock_codes, distinct_clocks = pd.factorize(clock)
    clock_text = [f"T{c // 3600:02d}:{c % 3600 // 60:02d}:{c % 60:02d}"
                  for c in distinct_clocks.tolist()]
    offset_codes, distinct_offsets = pd.factorize(np.where(missing, 0, local - utc))
    present = np.flatnonzero(~missing)
    codes, first = np.unique(offset_codes[present], return_index=True)
    offset_text = [""] * len(distinct_offsets)
    for code, row in zip(codes.tolist(), present[first].tolist(), strict=True):
        offset_text[code] = _offset_text(series.iloc[row:row + 1])
    text = pc.binary_join_element_wise(
        pa.array(day_text).take(pa.array(day_codes)),
        pa.array(clock_text, pa.string()).take(pa.array(clock_codes)),
        pa.array(offset_text, pa.string()).take(pa.array(offset_codes)), "")
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)


def _offset_text(instant: pd.Series) -> str:
    """The offset as the old formatter wrote it (``+08:00``), from one instant that has it."""
    return str(datetime_text(instant).iloc[0])[len("2026-11-23T08:30:00"):]


def format_frame(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Text form of a typed frame: ISO 8601 datetimes with offset, dates, lists joined by ';'."""
    out = frame[list(columns)] if columns is not None else frame.copy()
    out = out.copy()
    for name in out.columns:
        series = out[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[name] = datetime_text(series)
        elif pd.api.types.is_bool_dtype(series):
            out[name] = series.map({True: "true", False: "false"})
        elif series.dtype == object:
            out[name] = series.map(format_cell)
    return out


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, **to_csv: Any) -> None:
    """Write ``frame`` with ``DataFrame.to_csv`` (pandas' own cell formats) to ``path`` through
    a temporary file, so readers never see half a file."""
    with atomic_file(path, "x", encoding="utf-8", newline="") as stream:
        frame.to_csv(stream, index=False, **to_csv)


@contextmanager
def atomic_file(path: str | Path, mode: str, **open_args: Any) -> Iterator[IO[Any]]:
    """A temporary file beside ``path``, renamed over it when the block succeeds and removed
    when it fails.

    The temporary file is created with the ordinary permissions (the umask applies), unlike
    ``mkstemp``'s owner-only mode, so outputs are readable as any other file the user writes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, mode, **open_args) as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        if temporary.exists():
            temporary.unlink()
        raise
