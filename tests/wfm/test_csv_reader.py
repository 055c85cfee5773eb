"""Arrow's reader and kernels give the tables (and the errors) the pandas path gives.

The reference is the pandas path of ``wfm.tables``: ``pd.read_csv`` of text cells, then
``parse_table`` on Python strings (per-cell ``strip``, regular expressions, ``to_datetime``),
which is how every table was read before. Each case is read both ways; the typed frames must be
equal (floats to 1e-15: pandas' own decimal parser can be one unit in the last place off, Arrow
rounds correctly), and a bad file must give the same message naming the file, line and field.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.csv_reader import PYTHON_WHITESPACE, is_arrow_text
from wfm.errors import InvalidInput
from wfm.tables import (
    AGENTS,
    FORECAST,
    HISTORY_RECORDS,
    LOGIN_EVENTS,
    LOGIN_SESSIONS,
    REQUIREMENT,
    ROSTER,
    TableSpec,
    parse_table,
    read_raw,
    read_table,
    read_table_text,
)


def reference(path: Path, spec: TableSpec, timezone: str) -> pd.DataFrame:
    """The pandas path: the reader ``read_raw`` used before Arrow (copied), then
    ``parse_table`` on Python strings."""
    name = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InvalidInput("the file is empty (a header line is required)", file=name) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InvalidInput(f"not a readable UTF-8 CSV: {error}", file=name) from None
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    if not isinstance(raw.index, pd.RangeIndex):  # a trailing separator: read_raw's own rule
        raw = read_raw(path)
    return parse_table(raw.astype(object), spec, timezone=timezone, label=name)


def outcome(read: object) -> pd.DataFrame | str:
    try:
        return read()  # type: ignore[operator, no-any-return]
    except InvalidInput as error:
        return f"InvalidInput: {error}"


def same_both_ways(tmp_path: Path, text: str, spec: TableSpec, timezone: str = "Asia/Shanghai",
                   *, arrow: bool = True) -> pd.DataFrame | str:
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode("utf-8"))
    raw = outcome(lambda: read_raw(path))
    assert (not isinstance(raw, str) and len(raw.columns) > 0
            and all(is_arrow_text(raw[c]) for c in raw.columns)) == arrow
    new = outcome(lambda: read_table(path, spec, timezone=timezone))
    old = outcome(lambda: reference(path, spec, timezone))
    if isinstance(old, str) or isinstance(new, str):
        assert str(new) == str(old)
    else:
        pd.testing.assert_frame_equal(text_as_object(new), text_as_object(old),
                                      check_exact=False, rtol=1e-15)
    return new


def text_as_object(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object: pandas 3 gives its ``str`` dtype where Arrow's path gives object
    (the same values either way; the suite runs on both pandas 2 and 3)."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_string_dtype(out[name]) and not pd.api.types.is_object_dtype(out[name]):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def test_python_whitespace_is_what_str_strip_removes() -> None:
    import sys

    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1)
                                      if chr(c).isspace()}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York",
                                  "Australia/Lord_Howe"])
def test_naive_local_times_in_every_zone(tmp_path: Path, zone: str) -> None:
    stamps = pd.date_range("2026-01-01", "2026-12-31", freq="47min", tz="UTC").tz_convert(zone)
    wall = pd.Series(stamps).dt.tz_localize(None)
    # keep the times that exist once (the ambiguous hour is tested below)
    keep = pd.Series(wall).dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").notna()
    body = "\n".join(f"a{i % 7},{t:%Y-%m-%dT%H:%M:%S},login" for i, t in enumerate(wall[keep]))
    frame = same_both_ways(tmp_path, "agent_id,timestamp,state\n" + body + "\n", LOGIN_EVENTS,
                           zone)
    assert isinstance(frame, pd.DataFrame) and len(frame) == int(keep.sum())


def test_times_with_offsets_and_iso_forms(tmp_path: Path) -> None:
    same_both_ways(tmp_path, "agent_id,timestamp,state\na1,2026-11-23T08:30:00Z,login\n"
                   "a1,2026-11-23T09:30:00.25+08:00,ready\na1,2026-11-23 10:30+0530,talk\n"
                   "a1,2026-11-23T11:30:00-00:00,logout\n", LOGIN_EVENTS, "Europe/Berlin")
    same_both_ways(tmp_path, "interval_start,queue,contacts,aht_seconds\n2026-11-23,a,1,300\n"
                   "2026-11-23 08,a,1,300\n2026-11-23T08:30,a,1,300\n"
                   "2026-11-23T09:00:00.123456789,a,1,300\n", FORECAST)


def test_forms_arrow_leaves_to_pandas_read_the_same(tmp_path: Path) -> None:
    # mixed local and offset times, lower-case z, basic format, a single-digit month
    same_both_ways(tmp_path, "agent_id,timestamp,state\na1,2026-11-23T08:30:00Z,login\n"
                   "a1,2026-11-23T09:30:00,ready\na1,2026-11-23T10:30:00z,talk\n"
                   "a1,20261123T1130,logout\na1,2026-1-24,login\n", LOGIN_EVENTS)


@pytest.mark.parametrize("cell", ["2026-03-29T02:30:00", "2026-10-25T02:30:00",
                                  "2026-11-23T25:30:00", "2026-02-30T08:00:00", "yesterday",
                                  "1500-01-01T00:00:00"])
def test_bad_or_unclear_local_times_give_the_same_error(tmp_path: Path, cell: str) -> None:
    result = same_both_ways(tmp_path, f"agent_id,timestamp,state\na1,2026-03-28T08:00,login\n"
                            f"a1,{cell},logout\n", LOGIN_EVENTS, "Europe/Berlin")
    assert isinstance(result, str) and "line 3, field 'timestamp'" in result


def test_numbers_with_blanks_signs_exponents_and_empty_optional_cells(tmp_path: Path) -> None:
    frame = same_both_ways(
        tmp_path, "interval_start,queue,contacts,aht_seconds,contacts_p10\n"
        "2026-11-23T08:00, sales , 12 ,300.5,\n2026-11-23T08:30,sales,1e3,\t.5,3\n"
        "2026-11-23T09:00,sales,+5,5.,007\n2026-11-23T09:30,sales\u3000,-0,,0.1\n"
        "2026-11-23T10:00,\xa0sales,107.98333333333333,0,2\n", FORECAST)
    assert isinstance(frame, pd.DataFrame)
    assert frame["queue"].tolist() == ["sales"] * 5
    assert frame["contacts"].tolist() == [12.0, 1000.0, 5.0, 0.0, 107.98333333333333]
    assert np.isnan(frame.loc[3, "aht_seconds"]) and np.isnan(frame.loc[0, "contacts_p10"])


@pytest.mark.parametrize(("cell", "problem"), [
    ("ten", "expected a number"), ("nan", "expected a number"), ("inf", "expected a number"),
    ("-1", "must be >= 0"), ("", "a value is required"), ("1,5", "fields"),
    ("2.5", "expected a whole number")])
def test_bad_numbers_give_the_same_error(tmp_path: Path, cell: str, problem: str) -> None:
    header = ("interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,service_level,"
              "asa_seconds,occupancy,scheduled_agents")
    good = "2026-11-23T08:00:00,a,10,300,3.3,5,0.8,10,0.66,8"
    bad = f"2026-11-23T08:30:00,a,10,300,3.3,{cell},0.8,10,0.66,8"
    result = same_both_ways(tmp_path, f"{header}\n{good}\n{bad}\n", REQUIREMENT, arrow=False
                            if "," in cell else True)
    assert isinstance(result, str) and problem in result and "line 3" in result


def test_whole_numbers_with_a_decimal_point_in_integer_columns(tmp_path: Path) -> None:
    header = ("interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,service_level,"
              "asa_seconds,occupancy,scheduled_agents")
    frame = same_both_ways(tmp_path, f"{header}\n2026-11-23T08:00,a,10,300,3.3,5.0,,,,8\n"
                           "2026-11-23T08:30,a,0,,0,0,,,,0\n", REQUIREMENT)
    assert isinstance(frame, pd.DataFrame) and frame["agents"].tolist() == [5, 0]


def test_flags_dates_lists_case_and_extra_columns(tmp_path: Path) -> None:
    same_both_ways(tmp_path, "arrival_time,handle_seconds,abandoned,note\n"
                   "2026-11-23T08:00:01,300,TRUE,  kept as text \n2026-11-23T08:00:02,,no,\n"
                   "2026-11-23T08:00:03,10,1, x\n2026-11-23T08:00:04,10,,y\n", HISTORY_RECORDS)
    same_both_ways(tmp_path, "agent_id,date,shift,queue\na1,2026-11-23,day,sales\n"
                   "a1,2026-11-24, off ,\na2,2026-11-23,Straße,x\n", ROSTER)
    same_both_ways(tmp_path, "agent_id,name,skills,preferred_rest_days,max_nights_per_week,"
                   "start_date,end_date\na1,Li Wei,presales;aftersales,sat;Sun,3,2026-1-5,\n"
                   "a2,王芳,aftersales,,,,2026-12-31\n", AGENTS)
    same_both_ways(tmp_path, "agent_id,login_time,logout_time\na1,2026-11-23T08:00,\n"
                   "a1,2026-11-23T13:00,2026-11-23T17:00\n", LOGIN_SESSIONS)


@pytest.mark.parametrize(("body", "problem"), [
    ("a1,2026-11-23T08:30:00,\n", "field 'state': a value is required"),
    (",2026-11-23T08:30:00,login\n", "field 'agent_id': a value is required")])
def test_bad_text_gives_the_same_error(tmp_path: Path, body: str, problem: str) -> None:
    result = same_both_ways(tmp_path, "agent_id,timestamp,state\na1,2026-11-23T08:00,login\n"
                            + body, LOGIN_EVENTS)
    assert isinstance(result, str) and f"line 3, {problem}" in result


@pytest.mark.parametrize("cell", ["2026-02-30", "0999-01-01", "23/11/2026", "maybe"])
def test_bad_dates_and_flags_give_the_same_error(tmp_path: Path, cell: str) -> None:
    result = same_both_ways(tmp_path, f"agent_id,date,shift\na1,2026-11-23,DAY\na1,{cell},OFF\n",
                            ROSTER)
    assert isinstance(result, str) and "line 3, field 'date'" in result
    flags = same_both_ways(tmp_path, f"arrival_time,handle_seconds,abandoned\n"
                           f"2026-11-23T08:00,1,yes\n2026-11-23T08:01,1,{cell}\n",
                           HISTORY_RECORDS)
    assert isinstance(flags, str) and "line 3, field 'abandoned'" in flags


def test_file_shapes_pandas_reads_its_own_way(tmp_path: Path) -> None:
    events = "agent_id,timestamp,state\n"
    cases = [
        events + 'a1,"2026-11-23T08:00",login\n"a, 1",2026-11-23T09:00,logout\n',  # quotes
        events + "a1,2026-11-23T08:00,login,\na1,2026-11-23T09:00,logout,\n",  # trailing comma
        events + "a1,2026-11-23T08:00,login\na1,2026-11-23T09:00\n",  # a short row
        events + "a1,2026-11-23T08:00,login,x\na1,2026-11-23T09:00,logout\n",  # a long row
        "\n" + events + "a1,2026-11-23T08:00,login\n",  # a blank first line
        "",  # empty
        events.replace("\n", "\r") + "a1,2026-11-23T08:00,login\r",  # old Mac line ends
    ]
    for text in cases:
        same_both_ways(tmp_path, text, LOGIN_EVENTS, arrow=False)
    assert len(same_both_ways(tmp_path, "agent_id,timestamp,state\n", LOGIN_EVENTS)) == 0
    with pytest.raises(InvalidInput, match="line 1: header repeats column"):  # not read as x.1
        read_table_text("agent_id,timestamp,timestamp\na1,2026-11-23T08:00,x\n", LOGIN_EVENTS)


def test_byte_order_mark_crlf_and_blank_lines(tmp_path: Path) -> None:
    text = ("\ufeffagent_id, timestamp ,state\r\na1,2026-11-23T08:00,login\r\n\r\n"
            "a1,2026-11-23T09:00,logout\r\n")
    frame = same_both_ways(tmp_path, text, LOGIN_EVENTS)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2
    unterminated = same_both_ways(tmp_path, "agent_id,timestamp,state\na1,2026-11-23T08:00,login",
                                  LOGIN_EVENTS)
    assert isinstance(unterminated, pd.DataFrame) and len(unterminated) == 1


def test_invalid_utf8_and_missing_files_give_the_same_errors(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"agent_id,timestamp,state\na\xff1,2026-11-23T08:00,login\n")
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030") as error:
        read_table(path, LOGIN_EVENTS)  # decoded before either reader runs (issue 28)
    assert error.value.line == 2
    with pytest.raises(InvalidInput, match="file not found"):
        read_table(tmp_path / "nowhere.csv", LOGIN_EVENTS)


def test_compressed_files_and_uploads(tmp_path: Path) -> None:
    text = "agent_id,timestamp,state\na1,2026-11-23T08:00,login\na1,2026-11-23T09:00,logout\n"
    packed = tmp_path / "events.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "events.csv"
    plain.write_text(text)
    expected = reference(plain, LOGIN_EVENTS, "Asia/Shanghai")
    pd.testing.assert_frame_equal(read_table(packed, LOGIN_EVENTS), expected)
    pd.testing.assert_frame_equal(read_table_text(text, LOGIN_EVENTS), expected)
    pd.testing.assert_frame_equal(read_table(io.StringIO(text), LOGIN_EVENTS), expected)
    assert all(is_arrow_text(read_raw(io.StringIO(text))[c]) for c in ("agent_id", "state"))
