"""Data contracts: the CSV tables of DESIGN.md, read with validation and written atomically.

Every table is described once by a ``TableSpec`` (columns, types, key; defined in
``wfm.table_spec``). ``read_table`` parses a CSV into a typed DataFrame or raises
``InvalidInput`` naming the file, the line (the header is line 1) and the field; nothing is
dropped silently. ``write_table`` writes to a temporary file and renames it, so a failed write
never leaves half a file behind. Both are vectorised with Arrow (``wfm.csv_reader``,
``wfm.csv_writer``) where that gives exactly the same table or bytes as the per-cell pandas
path, which handles everything else.

Column kinds
------------
``datetime``  a date-time in the forms of ``wfm.calendar.DATETIME_RE`` (ISO 8601 and the
              planner guide's others); naive values are in the site timezone, values with an
              offset (``Z``, ``+08``, ``+0800``, ``+08:00``) are converted to it. Parsed to
              tz-aware ``datetime64``.
``date``      ``YYYY-MM-DD`` and the other forms of ``wfm.calendar.DATE_RE``, parsed to
              ``datetime.date`` objects.
``float``/``int`` numbers, with an optional lower bound; ``whole`` floats are counts.
``str``       stripped text; ``upper``/``lower`` normalise case.
``list``      ``;``-separated text, parsed to a tuple of stripped, non-empty strings; another
              separator (``,`` ``、`` ``|`` ...) is refused as a likely mistake.
``bool``      ``true``/``false`` (also ``1``/``0``, ``yes``/``no``).

Files are decoded by ``decode_csv`` (BOM, then UTF-8, then GB18030); a header wider than
``MAX_COLUMNS`` or naming a column twice is refused before the body is read.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.calendar import (
    DATE_FORMS,
    DATETIME_FORMS,
    parse_dates,
    parse_local_times,
    wall_clock_instants,
)
from wfm.csv_reader import (
    COMPRESSED_SUFFIXES,
    arrow_text_cells,
    is_arrow_text,
    parse_arrow_column,
    text_as_read_by_pandas,
)
from wfm.csv_writer import atomic_file, csv_bytes, format_frame
from wfm.csv_writer import write_csv_atomic as write_csv_atomic  # the public name stays here
from wfm.errors import InvalidInput
from wfm.states import ACD_STATES as ACD_STATES  # the public name stays here
from wfm.table_spec import Column as Column  # the public names stay here
from wfm.table_spec import TableSpec as TableSpec

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_COLUMNS = 1000  # a wider header is refused before the body is read
NAMES_SHOWN = 30  # header names quoted in an error message before "... (N more)"
log = logging.getLogger(__name__)  # notes a file read in another encoding than UTF-8
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _num(name: str, *, required: bool = True, empty: bool = False, minimum: float | None = 0.0,
         kind: str = "float", whole: bool = False) -> Column:
    return Column(name, kind, required=required, allow_empty=empty, minimum=minimum, whole=whole)


# History counts contacts that arrived: whole numbers (12.5 is a typo or an average, not a
# count). Forecast and requirement contacts are expected values and may be fractional.
HISTORY_INTERVALS = TableSpec(
    "history",
    (Column("interval_start", "datetime"), _num("contacts", whole=True),
     _num("aht_seconds", empty=True), Column("queue", "str", required=False)),
    key=("interval_start", "queue"), defaults={"queue": "default"})

HISTORY_RECORDS = TableSpec(
    "history records",
    (Column("arrival_time", "datetime"), _num("handle_seconds", empty=True),
     Column("queue", "str", required=False), Column("abandoned", "bool", required=False)),
    defaults={"queue": "default", "abandoned": False})

FORECAST = TableSpec(
    "forecast",
    (Column("interval_start", "datetime"), Column("queue", "str"), _num("contacts"),
     _num("aht_seconds", empty=True), _num("contacts_p10", required=False, empty=True),
     _num("contacts_p90", required=False, empty=True)),
    key=("interval_start", "queue"))

REQUIREMENT = TableSpec(
    "requirement",
    (Column("interval_start", "datetime"), Column("queue", "str"), _num("contacts"),
     _num("aht_seconds", empty=True), _num("traffic_erlangs"), _num("agents", kind="int"),
     _num("service_level", empty=True), _num("asa_seconds", empty=True),
     _num("occupancy", empty=True), _num("scheduled_agents", kind="int"),
     _num("abandon_rate", required=False, empty=True)),
    key=("interval_start", "queue"))

AGENTS = TableSpec(
    "agents",
    (Column("agent_id", "str"), Column("name", "str", allow_empty=True), Column("skills", "list"),
     Column("preferred_rest_days", "list", required=False, allow_empty=True, choices=WEEKDAYS),
     _num("max_nights_per_week", required=False, empty=True, kind="int"),
     Column("start_date", "date", required=False, allow_empty=True),
     Column("end_date", "date", required=False, allow_empty=True)),
    key=("agent_id",))

LEAVE = TableSpec(
    "leave",
    (Column("agent_id", "str"), Column("date", "date"),
     Column("reason", "str", required=False, allow_empty=True)),
    key=("agent_id", "date"))

FIXED = TableSpec(
    "fixed",
    (Column("agent_id", "str"), Column("date", "date"), Column("shift", "str", case="upper"),
     Column("queue", "str", required=False, allow_empty=True)),
    key=("agent_id", "date"))

ROSTER = TableSpec(
    "roster",
    (Column("agent_id", "str"), Column("date", "date"), Column("shift", "str", case="upper"),
     Column("queue", "str", required=False, allow_empty=True)),
    key=("agent_id", "date"))

LOGIN_EVENTS = TableSpec(
    "login events",
    (Column("agent_id", "str"), Column("timestamp", "datetime"),
     # any text: a site's own state names are mapped to ACD_STATES (wfm.states.map_states)
     Column("state", "str")))

LOGIN_SESSIONS = TableSpec(
    "login sessions",
    (Column("agent_id", "str"), Column("login_time", "datetime"),
     Column("logout_time", "datetime", allow_empty=True)))

# periods a supervisor excuses (issue 24, wfm.adherence.exceptions): agent_id or team (its
# skills, ';'-separated), exactly one per row
ADHERENCE_EXCEPTIONS = TableSpec(
    "adherence exceptions",
    (Column("agent_id", "str", required=False, allow_empty=True),
     Column("team", "str", required=False, allow_empty=True),
     Column("start", "datetime"), Column("end", "datetime"), Column("reason", "str"),
     Column("excused_by", "str", required=False, allow_empty=True)))

COVERAGE = TableSpec(
    "coverage",
    (Column("interval_start", "datetime"), Column("queue", "str"), _num("required", kind="int"),
     _num("scheduled", kind="int"), _num("shortfall", kind="int")),
    key=("interval_start", "queue"))

ADHERENCE = TableSpec(
    "adherence",
    (Column("agent_id", "str"), Column("date", "date"), Column("shift", "str"),
     _num("scheduled_minutes"), _num("logged_in_minutes"), _num("in_adherence_minutes"),
     _num("adherence_pct", empty=True), _num("conformance_pct", empty=True),
     _num("late_start_minutes"), _num("early_leave_minutes"), _num("overtime_minutes"),
     Column("absent", "bool"), _num("episodes", kind="int"),
      # why minutes were lost (issue 24): optional, they sum to scheduled - in adherence
     # + excused (the excused minutes count as in adherence too)
     *(_num(f"lost_{cause}_minutes", required=False) for cause in (
         "late_start", "early_leave", "absent", "break_overrun", "not_ready", "other",
         "worked_break", "excused"))),
    key=("agent_id", "date", "shift"))

SPECS = {spec.name: spec for spec in (
    HISTORY_INTERVALS, HISTORY_RECORDS, FORECAST, REQUIREMENT, AGENTS, LEAVE, FIXED, ROSTER,
    LOGIN_EVENTS, LOGIN_SESSIONS, ADHERENCE_EXCEPTIONS, COVERAGE, ADHERENCE)}


# ---- reading ------------------------------------------------------------------------------

Source = str | Path | IO[str]


def _label(source: Source, label: str | None) -> str:
    if label:
        return label
    if isinstance(source, str | Path):
        return str(source)
    return getattr(source, "name", "<input>")


def read_header(source: Source) -> list[str]:
    """The column names of a CSV file (to tell interval history from records)."""
    if isinstance(source, str | Path) and Path(source).suffix.lower() not in COMPRESSED_SUFFIXES:
        name = str(source)
        data, _ = _source_bytes(source, name)
        if data is not None:
            return header_names(decode_csv(data, name)[0])
    frame = pd.read_csv(source, nrows=0)
    return [str(c).strip() for c in frame.columns]


# Byte order marks, longest first (UTF-32's LE mark starts with UTF-16's)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16",
                  "utf-32": "UTF-32", "gb18030": "GB18030 (GBK)"}


def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in (a key of ``ENCODING_NAMES``).

    A strict order of tries, no guessing from statistics: a byte order mark names UTF-8,
    UTF-16 or UTF-32; otherwise strict UTF-8; otherwise GB18030, the superset of GBK and GB2312
    that Excel on Chinese Windows writes as "CSV". Bytes none of them reads are an error naming
    the line of the first byte UTF-8 cannot read.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise _undecodable(data, error, f"not {ENCODING_NAMES[encoding]}", name) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise _undecodable(data, utf8_error, "neither UTF-8 nor GB18030 (GBK)", name) from None


def _undecodable(data: bytes, error: UnicodeDecodeError, what: str, name: str) -> InvalidInput:
    line = data.count(b"\n", 0, error.start) + 1
    shown = data[error.start:error.start + 4]
    return InvalidInput(f"the file is {what} text: the bytes {shown!r} cannot be read; "
                        "save it as CSV UTF-8 (Excel: Save As, \"CSV UTF-8\")", file=name,
                        line=line)


def header_names(text: str) -> list[str]:
    """The stripped names of a CSV text's first record (quotes understood), in linear time."""
    try:
        first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), [])
    except csv.Error:
        return []  # a NUL or stray quote: the readers themselves say what is wrong
    return [name.strip() for name in first]


def check_width(text: str, name: str) -> None:
    """Refuse a header wider than ``MAX_COLUMNS`` before the body is read: a reader builds one
    column object per name (a 10 MiB upload could name a million columns)."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if first.count(",") < MAX_COLUMNS:
        return  # fewer separators than the limit: few enough columns, however they are quoted
    count = len(header_names(text))  # one parse of the first line, done only for a wide one
    if count > MAX_COLUMNS:
        raise InvalidInput(f"the header has {count:,} columns; a table may have at most "
                           f"{MAX_COLUMNS:,} (is this the right file, with ',' between fields?)",
                           file=name, line=1)


def read_raw(source: Source, *, label: str | None = None) -> pd.DataFrame:
    """Read a CSV as text cells; a missing or unreadable file is ``InvalidInput``.

    The bytes are decoded by ``decode_csv``; the encoding used is in ``frame.attrs["encoding"]``
    (kept on the table ``parse_table`` returns). Arrow reads the file when it can do so exactly
    (``wfm.csv_reader``): its columns are then Arrow-backed text, which ``parse_table`` validates
    with Arrow kernels. Otherwise pandas' reader gives Python strings, as it always did.
    """
    name = _label(source, label)
    data, fallback = _source_bytes(source, name)
    encoding = "utf-8"
    if data is not None:
        text, encoding = decode_csv(data, name)
        if encoding not in ("utf-8", "utf-8-sig"):
            log.warning("%s read as %s", name, ENCODING_NAMES[encoding])
        check_width(text, name)
        repeated = sorted(n for n, k in Counter(header_names(text)).items() if k > 1 and n)
        if repeated:  # pandas would rename the second "x" to "x.1" and read on
            raise InvalidInput(f"header repeats column(s) {_names_shown(repeated)}", file=name,
                               line=1)
        if encoding != "utf-8":
            data = text.lstrip("\ufeff").encode("utf-8")
            fallback = io.BytesIO(data)
        cells = arrow_text_cells(data)
        if cells is not None:
            cells.attrs["encoding"] = encoding
            return cells
    try:
        raw = pd.read_csv(fallback, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InvalidInput("file not found", file=name) from None
    except pd.errors.EmptyDataError:
        raise InvalidInput("the file is empty (a header line is required)", file=name) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InvalidInput(f"not a readable UTF-8 CSV: {error}", file=name) from None
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    if not isinstance(raw.index, pd.RangeIndex):
        raw = _one_field_too_many(raw, name)
    raw.attrs["encoding"] = encoding
    return raw


def _source_bytes(source: Source, name: str) -> tuple[bytes | None, Source | IO[bytes]]:
    """The file's bytes for Arrow (None: let pandas read it, e.g. compressed), and what pandas
    reads instead (the same bytes, not a second read of the file)."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.suffix.lower() in COMPRESSED_SUFFIXES:
            return None, source
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InvalidInput("file not found", file=name) from None
        return data, io.BytesIO(data)
    text = source.read()
    if isinstance(text, bytes):
        return text, io.BytesIO(text)
    try:
        return text.encode("utf-8"), io.StringIO(text)
    except UnicodeEncodeError:  # lone surrogates in an in-memory text
        return None, io.StringIO(text)


def _one_field_too_many(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    """Every row has one field more than the header (pandas then takes the first field as an
    index). An empty last field is a trailing separator, as many spreadsheet exports write:
    dropped. Anything else is an error naming the first such line."""
    header = list(raw.columns)
    if raw.index.nlevels > 1:
        raise InvalidInput(f"the rows have more fields than the {len(header)} columns the header "
                           "names", file=name, line=2)
    extra = raw.iloc[:, -1]
    filled = np.flatnonzero(extra.to_numpy() != "")
    if len(filled):
        raise InvalidInput(f"{len(header) + 1} fields but the header names {len(header)} "
                           f"columns ({', '.join(header)})", file=name, line=int(filled[0]) + 2)
    values = np.column_stack([raw.index.to_numpy(dtype=object), raw.iloc[:, :-1].to_numpy()])
    return pd.DataFrame(values, columns=header).astype(str)


def read_table(source: Source, spec: TableSpec | str, *, timezone: str | ZoneInfo =
               "Asia/Shanghai", label: str | None = None) -> pd.DataFrame:
    """Read and validate one table; see the module docstring for the column kinds."""
    spec = SPECS[spec] if isinstance(spec, str) else spec
    name = _label(source, label)
    raw = read_raw(source, label=name)
    return parse_table(raw, spec, timezone=timezone, label=name)


def read_table_text(text: str, spec: TableSpec | str, *, timezone: str | ZoneInfo =
                    "Asia/Shanghai", label: str = "<upload>") -> pd.DataFrame:
    """Same as ``read_table`` for CSV text held in memory (API uploads)."""
    return read_table(io.StringIO(text), spec, timezone=timezone, label=label)


def parse_table(raw: pd.DataFrame, spec: TableSpec, *, timezone: str | ZoneInfo,
                label: str) -> pd.DataFrame:
    """Validate text cells into typed columns (``raw`` as produced by ``read_raw``)."""
    header = [str(c) for c in raw.columns]
    counts = Counter(header)  # linear: a header may have a million names (a 10 MiB upload)
    duplicated_names = sorted(name for name, count in counts.items() if count > 1)
    if duplicated_names:
        raise InvalidInput(f"header repeats column(s) {_names_shown(duplicated_names)}",
                           file=label, line=1)
    missing = [c for c in spec.required if c not in counts]
    if missing:
        raise InvalidInput(f"missing required column(s) {', '.join(missing)} in the {spec.name} "
                           f"table (header has: {_names_shown(header) or 'nothing'})",
                           file=label, line=1)
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    columns: dict[str, Any] = {}
    for column in spec.columns:
        if column.name in raw.columns:
            columns[column.name] = _parse_column(raw[column.name], column, tz, label)
        elif column.name in spec.defaults:
            columns[column.name] = spec.defaults[column.name]
    known = set(spec.names)
    extra = [c for c in raw.columns if c not in known]
    for name in extra:  # keep unknown columns as text: nothing is lost
        text = raw[name]
        columns[name] = text_as_read_by_pandas(text) if is_arrow_text(text) else text.copy()
    # one frame over the new columns (no copy): not one insertion, then a copy, per column
    out = pd.DataFrame(columns, index=raw.index, copy=False)
    if spec.key:
        _check_duplicates(out, [k for k in spec.key if k in out.columns], label)
    if not isinstance(out.index, pd.RangeIndex) or out.index.start != 0 or out.index.step != 1:
        out = out.reset_index(drop=True)
    out.attrs["encoding"] = raw.attrs.get("encoding", "utf-8")
    return out


def _names_shown(names: list[str]) -> str:
    """Header names for a message: the first ``NAMES_SHOWN``, then how many more."""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f", ... ({more} more)" if more > 0 else "")


def _fail(label: str, values: pd.Series, bad: np.ndarray, column: Column, rule: str) -> None:
    position = int(np.flatnonzero(bad)[0])
    count = int(bad.sum())
    more = f" ({count - 1} more row(s) like it)" if count > 1 else ""
    shown = values.iloc[position]
    raise InvalidInput(f"{rule}, got {shown!r}{more}", file=label, line=position + 2,
                       field=column.name)


def _parse_column(text: pd.Series, column: Column, tz: ZoneInfo, label: str) -> pd.Series:
    if is_arrow_text(text):
        parsed = parse_arrow_column(text, column, tz)
        if parsed is not None:
            return parsed
        text = text.astype(object)  # this path reports the problem (or reads the cell its way)
    values = text.astype(str).str.strip()
    empty = (values == "").to_numpy()
    if empty.any() and not column.allow_empty:
        _fail(label, values, empty, column, "a value is required")
    if column.kind == "datetime":
        return _parse_datetimes(values, column, tz, label)
    if column.kind == "date":
        days, bad = parse_dates(values)
        if bad.any():
            _fail(label, values, bad, column, f"expected a date {DATE_FORMS}")
        return days
    if column.kind in ("float", "int"):
        numbers = pd.to_numeric(values.where(~empty), errors="coerce")
        bad = (numbers.isna().to_numpy() | ~np.isfinite(numbers.to_numpy(dtype=float))) & ~empty
        if bad.any():
            _fail(label, values, bad, column, f"expected a number ({column.kind})")
        if column.kind == "int" or column.whole:
            fractional = ~empty & (numbers.fillna(0) % 1 != 0).to_numpy()
            if fractional.any():
                counted = " (a count of contacts)" if column.whole else ""
                _fail(label, values, fractional, column, f"expected a whole number{counted}")
        if column.minimum is not None:
            low = ~empty & (numbers.fillna(column.minimum) < column.minimum).to_numpy()
            if low.any():
                _fail(label, values, low, column, f"must be >= {column.minimum:g}")
        if column.kind == "int" and not empty.any():
            return numbers.astype("int64")
        if column.kind == "int":
            return numbers.astype("Int64")
        return numbers.astype(float)
    if column.kind == "bool":
        lowered = values.str.lower()
        bad = ~empty & ~lowered.isin(_TRUE | _FALSE).to_numpy()
        if bad.any():
            _fail(label, values, bad, column, "expected true or false")
        return lowered.isin(_TRUE)
    if column.kind == "list":
        _check_separators(values, column, label)
        items = values.map(lambda cell: tuple(p.strip() for p in cell.split(";") if p.strip()))
        if column.choices:
            allowed = {c.lower(): c for c in column.choices}
            bad = items.map(lambda parts: any(p.lower() not in allowed for p in parts)).to_numpy()
            if bad.any():
                _fail(label, values, bad, column,
                      f"each item must be one of {', '.join(column.choices)}")
            items = items.map(lambda parts: tuple(allowed[p.lower()] for p in parts))
        return items
    # str
    if column.case == "upper":
        values = values.str.upper()
    elif column.case == "lower":
        values = values.str.lower()
    if column.choices:
        bad = ~empty & ~values.isin(column.choices).to_numpy()
        if bad.any():
            _fail(label, values, bad, column, f"must be one of {', '.join(column.choices)}")
    return values


LIST_SEPARATOR = ";"
# what a list cell holds when its items were joined the way a spreadsheet or a habit joins them
LIKELY_SEPARATORS = (",", "，", "、", "；", "|", "/")


def _check_separators(values: pd.Series, column: Column, label: str) -> None:
    """A list cell with ``,`` ``，`` ``、`` ``；`` ``|`` or ``/`` is refused as a likely
    separator mistake (``sales,service`` would otherwise be one skill nobody has)."""
    for separator in LIKELY_SEPARATORS:
        found = values.str.contains(separator, regex=False).to_numpy()
        if found.any():
            example = LIST_SEPARATOR.join(
                p.strip() for p in values.iloc[int(np.flatnonzero(found)[0])].split(separator)
                if p.strip())
            _fail(label, values, found, column,
                  f"{column.name} uses {separator!r}: separate {column.name} with "
                  f"{LIST_SEPARATOR!r} ({example})")


def _parse_datetimes(values: pd.Series, column: Column, tz: ZoneInfo,
                     label: str) -> pd.Series:
    result, bad, unclear = parse_local_times(values, tz)
    if bad.any():
        _fail(label, values, bad, column, "expected " + DATETIME_FORMS.format(zone=tz.key))
    if unclear.any():
        first = int(np.flatnonzero(unclear)[0])
        wall = parse_local_times(values.iloc[[first]], "UTC")[0].iloc[0].tz_localize(None)
        _fail(label, values, unclear, column, _dst_problem(wall, tz))
    return result


def _dst_problem(wall: pd.Timestamp, tz: ZoneInfo) -> str:
    """Why a local time without offset cannot be placed: it happens twice (autumn) or not at
    all (spring) in ``tz``; the message shows the two readings or the gap."""
    readings, _ = wall_clock_instants(pd.DatetimeIndex([wall]), tz)
    if len(readings) == 0:
        return (f"this local time does not exist in {tz.key} (the clocks jump forward over it "
                "for daylight saving); check the export")
    first, second = readings
    return (f"this local time happens twice in {tz.key} (daylight saving ends); write it with "
            f"its UTC offset: {first.isoformat()} or {second.isoformat()}")


def _check_duplicates(frame: pd.DataFrame, key: list[str], label: str) -> None:
    if not key:
        return
    duplicated = frame.duplicated(key, keep=False).to_numpy()
    if duplicated.any():
        rows = np.flatnonzero(duplicated)
        first = frame.iloc[rows[0]][key]
        same = rows[(frame.iloc[rows][key] == first).all(axis=1).to_numpy()]
        lines = ", ".join(str(r + 2) for r in same[:10])
        shown = ", ".join(f"{k}={first[k]}" for k in key)
        raise InvalidInput(f"duplicate rows for {shown} on lines {lines}; each "
                           f"({', '.join(key)}) may appear once", file=label, line=int(same[1]) + 2)


# ---- writing ------------------------------------------------------------------------------

def _contract_order(frame: pd.DataFrame, spec: TableSpec) -> list[str]:
    """The contract's columns first (required, then optional present), then any others."""
    ordered = [c for c in spec.names if c in frame.columns]
    return ordered + [c for c in frame.columns if c not in ordered]


def table_csv_bytes(frame: pd.DataFrame, spec: TableSpec | str) -> bytes:
    """The CSV file of a table, UTF-8: contract column order, the cell formats of the module
    docstring (vectorised by ``wfm.csv_writer``; ``format_frame`` for column kinds it does
    not handle)."""
    spec = SPECS[spec] if isinstance(spec, str) else spec
    ordered = _contract_order(frame, spec)
    data = csv_bytes(frame[ordered])
    if data is None:
        data = str(format_frame(frame, ordered).to_csv(index=False)).encode("utf-8")
    return data


def write_table(frame: pd.DataFrame, path: str | Path, spec: TableSpec | str) -> None:
    """Write a table with the contract's columns first (required, then optional present)."""
    spec = SPECS[spec] if isinstance(spec, str) else spec
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise InvalidInput(f"cannot write the {spec.name} table: missing column(s) "
                           f"{', '.join(missing)}")
    data = table_csv_bytes(frame, spec)
    with atomic_file(path, "xb") as stream:
        stream.write(data)


def table_to_csv_text(frame: pd.DataFrame, spec: TableSpec | str) -> str:
    """CSV text of a table (for API responses)."""
    return table_csv_bytes(frame, spec).decode("utf-8")
