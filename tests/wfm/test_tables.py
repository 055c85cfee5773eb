"""CSV contracts: typed reading, errors naming file/line/field, atomic writing, round trips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InvalidInput
from wfm.states import map_states
from wfm.tables import AGENTS, FORECAST, LOGIN_EVENTS, ROSTER, read_table, write_table


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_datetimes_naive_are_local_and_offsets_are_converted(tmp_path: Path) -> None:
    path = write(tmp_path, "interval_start,queue,contacts,aht_seconds\n"
                 "2026-11-23T08:30:00,a,10,300\n"
                 "2026-11-23T02:00:00Z,a,5,200\n"
                 "2026-11-23 09:00:00+08:00,a,0,\n")
    frame = read_table(path, FORECAST, timezone="Asia/Shanghai")
    assert str(frame["interval_start"].dt.tz) == "Asia/Shanghai"
    assert [t.strftime("%H:%M") for t in frame["interval_start"]] == ["08:30", "10:00", "09:00"]
    assert pd.isna(frame.loc[2, "aht_seconds"])


@pytest.mark.parametrize(("body", "message"), [
    ("interval_start,queue,contacts\n", "line 1: missing required column(s) aht_seconds"),
    ("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,a,ten,300\n",
     "line 2, field 'contacts': expected a number (float), got 'ten'"),
    ("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,a,1,300\n"
     "2026-11-23T25:30:00,a,1,300\n", "line 3, field 'interval_start': expected an ISO 8601"),
    ("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,a,-1,300\n",
     "line 2, field 'contacts': must be >= 0, got '-1'"),
    ("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,,1,300\n",
     "line 2, field 'queue': a value is required"),
    ("interval_start,queue,contacts,aht_seconds\n2026-11-23T08:30:00,a,1,300\n"
     "2026-11-23T08:30:00,a,2,300\n", "duplicate rows for interval_start=2026-11-23 08:30:00+08:00,"
     " queue=a on lines 2, 3"),
])
def test_errors_name_file_line_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(InvalidInput) as error:
        read_table(path, FORECAST)
    assert message in str(error.value)
    assert str(error.value).startswith(str(path))


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="file not found"):
        read_table(tmp_path / "none.csv", ROSTER)
    with pytest.raises(InvalidInput, match="the file is empty"):
        read_table(write(tmp_path, ""), ROSTER)


def test_agents_lists_and_weekdays(tmp_path: Path) -> None:
    path = write(tmp_path, "agent_id,name,skills,preferred_rest_days,max_nights_per_week\n"
                 "a1,Li Wei,presales; aftersales,sat;Sun,3\n"
                 "a2,王芳,aftersales,,\n")
    frame = read_table(path, AGENTS)
    assert frame.loc[0, "skills"] == ("presales", "aftersales")
    assert frame.loc[0, "preferred_rest_days"] == ("Sat", "Sun")
    assert frame.loc[1, "name"] == "王芳" and frame.loc[1, "preferred_rest_days"] == ()
    assert pd.isna(frame.loc[1, "max_nights_per_week"])
    bad = write(tmp_path, "agent_id,name,skills,preferred_rest_days\na1,x,q,Funday\n", "b.csv")
    with pytest.raises(InvalidInput, match=r"line 2, field 'preferred_rest_days': each item must "
                                           r"be one of Mon, Tue"):
        read_table(bad, AGENTS)


def test_unknown_acd_state_is_rejected_with_its_line(tmp_path: Path) -> None:
    # the reader keeps a site's own wording; mapping it to wfm's states names the bad line
    path = write(tmp_path, "agent_id,timestamp,state\na1,2026-11-23T08:30:00,LOGIN\n"
                 "a1,2026-11-23T08:31:00,dancing\n")
    frame = read_table(path, LOGIN_EVENTS)
    assert list(frame["state"]) == ["LOGIN", "dancing"]
    with pytest.raises(InvalidInput, match=r"line 3, field 'state': unknown state 'dancing'"):
        map_states(frame, label=str(path))


def test_roster_round_trip_and_extra_columns_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "agent_id,date,shift,queue,note\na1,2026-11-23,day,presales,x\n"
                 "a1,2026-11-24,OFF,,\n")
    frame = read_table(path, ROSTER)
    assert frame["shift"].tolist() == ["DAY", "OFF"]
    assert frame.loc[0, "date"] == date(2026, 11, 23)
    assert frame["note"].tolist() == ["x", ""]
    out = tmp_path / "out" / "roster.csv"
    write_table(frame, out, ROSTER)
    again = read_table(out, ROSTER)
    pd.testing.assert_frame_equal(frame, again)


def test_write_is_atomic_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "roster.csv"
    target.write_text("previous content", encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing column"):
        write_table(pd.DataFrame({"agent_id": ["a"]}), target, ROSTER)
    assert target.read_text(encoding="utf-8") == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["roster.csv"]


def test_a_trailing_separator_on_every_row_is_read_as_if_absent(tmp_path: Path) -> None:
    """Spreadsheet exports often end every data row with a comma; the columns must not shift."""
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,date,shift,queue\nA1,2026-11-23,DAY,sales,\nA2,2026-11-23,OFF,,\n")
    table = read_table(path, ROSTER, timezone="Asia/Shanghai")
    assert table["agent_id"].tolist() == ["A1", "A2"]
    assert table["shift"].tolist() == ["DAY", "OFF"]
    assert table["date"].tolist() == [date(2026, 11, 23)] * 2


def test_a_real_extra_field_on_every_row_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,date,shift\nA1,2026-11-23,DAY,\nA2,2026-11-23,OFF,sales\n")
    with pytest.raises(InvalidInput, match=r"roster.csv, line 3: 4 fields but the header names "
                                           r"3 columns \(agent_id, date, shift\)"):
        read_table(path, ROSTER, timezone="Asia/Shanghai")
