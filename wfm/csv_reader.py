"""Vectorised reading of the CSV tables: Arrow's reader and kernels wherever they give exactly
what the pandas path of ``wfm.tables`` gives, and that path everywhere else.

The pandas path reads every cell as a Python string and validates it with per-cell string
methods (``strip``, a regular expression per timestamp, ``lower``): 8 s of CPU for 3 million
login events. Here the file is read by Arrow's CSV reader into string columns and each column is
trimmed, checked and converted by Arrow kernels; pandas receives finished numbers, timestamps
and text.

Exactness comes from refusing rather than guessing. ``arrow_text_cells`` returns ``None`` (the
caller then uses pandas' reader, as before) for a file with any quote character, a ragged row,
a header it would name differently (blank or repeated names), bytes that are not UTF-8 or a
compressed file. ``parse_arrow_column`` returns ``None`` when a column has any cell the pandas
path would reject or might read differently (an empty required cell, a malformed number or
date, a time that happens twice, non-ASCII text to change the case of, an ISO 8601 form other
than the usual ones); the caller then runs the pandas path on that column, which raises the same
error naming the file, line and field as before, or accepts the cell the same way. One
deliberate difference: Arrow converts decimal text to the nearest float, where pandas' parser
can be one unit in the last place off (``107.98333333333333`` read back as ``...32``), so a
table written and read again now keeps its values exactly.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from wfm.calendar import ARROW_DATETIME_RE

if TYPE_CHECKING:
    from wfm.table_spec import Column

# the characters str.strip() removes (str.isspace), so trimming here strips what Python strips
PYTHON_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
                     "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".tgz", ".zstd")
_TEXT = pd.ArrowDtype(pa.string())

_OFFSET = r"(?:Z|z|[+-]\d\d(?::?\d\d)?)$"  # a time with an offset (Z, +08, +0800, +08:00)
# pandas' nanosecond timestamps span 1677-09-21 to 2262-04-11: dates outside are its errors
_FIRST_DAY, _LAST_DAY = date(1677, 9, 22), date(2262, 4, 10)
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")


def arrow_text_cells(data: bytes) -> pd.DataFrame | None:
    """The cells of a CSV file as Arrow-backed text columns (header names stripped), or
    ``None`` when pandas' reader must read it (see the module docstring)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b'"' in data or not data or data[:1] in (b"\n", b"\r"):
        return None
    end = data.find(b"\n")
    try:
        header = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    names = header.split(",")
    stripped = [name.strip() for name in names]
    if "" in stripped or len(set(names)) < len(names) or len(set(stripped)) < len(names):
        return None  # pandas invents or mangles such names; let it
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, bad UTF-8, a line longer than a block: pandas says which
    frame = table.to_pandas(types_mapper={pa.string(): _TEXT}.get)
    frame.columns = stripped
    return frame


def is_arrow_text(series: pd.Series) -> bool:
    return series.dtype == _TEXT


def text_as_read_by_pandas(series: pd.Series) -> pd.Series:
    """Python strings with the leading blanks removed, as pandas' reader (``skipinitialspace``)
    keeps an unvalidated column."""
    cells = pc.utf8_ltrim(pa.array(series), characters=" ")
    return pd.Series(cells.to_pandas(), index=series.index, dtype=object)


def parse_arrow_column(series: pd.Series, column: Column, tz: ZoneInfo) -> pd.Series | None:
    """The typed column ``_parse_column`` would return for these cells, or ``None`` to let it
    decide (an error it reports by line, or a cell it reads in its own way)."""
    values = pc.utf8_trim(pa.array(series), characters=PYTHON_WHITESPACE)
    empty = pc.equal(values, "")
    any_empty = pc.any(empty).as_py()
    if any_empty and not column.allow_empty:
        return None
    filled = pc.invert(empty)
    cells = pc.if_else(empty, pa.scalar(None, pa.string()), values)  # empty cells as nulls
    try:
        if column.kind == "datetime":
            parsed = _datetimes(cells, filled, tz)
        elif column.kind == "date":
            parsed = _dates(cells)
        elif column.kind in ("float", "int"):
            parsed = _numbers(cells, column, any_empty)
        elif column.kind == "bool":
            parsed = _flags(values, filled)
        elif column.kind == "str":
            parsed = _text(values, filled, column)
        else:  # lists: small tables, parsed by the pandas path
            return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if parsed is None:
        return None
    parsed.index = series.index
    return parsed


def _datetimes(cells: pa.ChunkedArray, filled: pa.ChunkedArray,
               tz: ZoneInfo) -> pd.Series | None:
    """Naive ISO 8601 local times localised to ``tz``, or times with an offset converted.

    Only a column whose every cell is in ``ARROW_DATETIME_RE`` (the usual ISO 8601 extended
    forms, a subset of ``wfm.calendar.DATETIME_RE``) is read here, so Arrow never accepts a
    cell the pandas path refuses (Arrow would read 2026-12-01 as midnight); a column with any
    other form, a cell Arrow refuses, or a mix of local times and times with an offset, is left
    to the pandas path.
    """
    if not pc.all(pc.or_(pc.fill_null(pc.match_substring_regex(cells, ARROW_DATETIME_RE), False),
                         pc.invert(filled))).as_py():
        return None  # another accepted form (2026/12/01 8:30, ...) or a bad cell: pandas path
    try:
        naive = pd.Series(pc.cast(cells, pa.timestamp("ns")).to_pandas())
    except pa.ArrowInvalid:
        naive = None
    if naive is not None:
        # by name, not ZoneInfo: pandas localizes a ZoneInfo one element at a time
        localized = naive.dt.tz_localize(tz.key, ambiguous="NaT", nonexistent="NaT")
        if (localized.isna() & naive.notna()).any():
            return None  # a time that happens twice or never: the pandas path explains it
        return localized.astype(pd.DatetimeTZDtype("ns", tz.key))
    tails = pc.utf8_slice_codeunits(cells, -6)  # the old offset test, on the last characters
    if not pc.all(pc.or_(pc.fill_null(pc.match_substring_regex(tails, _OFFSET), False),
                         pc.invert(filled))).as_py():
        return None
    utc = pd.Series(pc.cast(cells, pa.timestamp("ns", tz="UTC")).to_pandas())
    return utc.dt.tz_convert(tz.key).astype(pd.DatetimeTZDtype("ns", tz.key))


def _dates(cells: pa.ChunkedArray) -> pd.Series | None:
    days = pc.cast(cells, pa.date32())  # YYYY-MM-DD only, real calendar dates
    bounds = pc.min_max(days).as_py()
    if bounds["min"] is not None and not (_FIRST_DAY <= bounds["min"]
                                          and bounds["max"] <= _LAST_DAY):
        return None
    return pd.Series(days.to_pylist(), dtype=object)  # datetime.date objects, None where empty


def _numbers(cells: pa.ChunkedArray, column: Column, any_empty: bool) -> pd.Series | None:
    if column.kind == "int":
        numbers = pc.cast(cells, pa.int64())  # whole-number text only; "3.0" goes to pandas
    else:
        numbers = pc.add(pc.cast(cells, pa.float64()), 0.0)  # -0 + 0 is 0, as pandas reads "-0"
        if not pc.all(pc.is_finite(numbers)).as_py() and len(numbers):
            return None  # nan, inf: the pandas path rejects them by line
    if column.minimum is not None and pc.any(pc.less(numbers, column.minimum)).as_py():
        return None
    if column.whole and column.kind == "float" and len(numbers) and not pc.all(
            pc.equal(pc.floor(numbers), numbers)).as_py():
        return None  # a fraction in a column of counts: the pandas path reports it
    if column.kind == "int" and any_empty:
        return pd.Series(numbers.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    if column.kind == "int":
        return pd.Series(numbers.to_numpy(), dtype="int64")
    return pd.Series(numbers.to_numpy(zero_copy_only=False), dtype=float)


def _flags(values: pa.ChunkedArray, filled: pa.ChunkedArray) -> pd.Series | None:
    if not pc.all(pc.string_is_ascii(values)).as_py():
        return None
    lowered = pc.ascii_lower(values)
    known = pc.is_in(lowered, value_set=pa.array(_TRUE + _FALSE))
    if not pc.all(pc.or_(known, pc.invert(filled))).as_py():
        return None
    return pd.Series(pc.is_in(lowered, value_set=pa.array(_TRUE)).to_numpy(
        zero_copy_only=False), dtype=bool)


def _text(values: pa.ChunkedArray, filled: pa.ChunkedArray, column: Column) -> pd.Series | None:
    if column.case is not None:
        if not pc.all(pc.string_is_ascii(values)).as_py():
            return None  # Python's case mapping of other letters differs from Arrow's
        values = pc.ascii_upper(values) if column.case == "upper" else pc.ascii_lower(values)
    if column.choices:
        allowed = pc.is_in(values, value_set=pa.array(column.choices))
        if not pc.all(pc.or_(allowed, pc.invert(filled))).as_py():
            return None
    return pd.Series(values.to_pandas(), dtype=object)
