"""Interval coverage of shifts, checked by hand-worked examples."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from wfm.config import ShiftTemplate, SiteConfig, build_config
from wfm.coverage import coverage_table, covered_offsets_minutes, scheduled_per_interval
from wfm.errors import InvalidInput


def test_default_day_shift_covers_fifteen_half_hours() -> None:
    day = ShiftTemplate(code="DAY", start="08:30", end="16:00")
    offsets = covered_offsets_minutes(day, 30)
    assert offsets[0] == 8 * 60 + 30 and offsets[-1] == 15 * 60 + 30 and len(offsets) == 15


def test_breaks_and_midnight_crossing() -> None:
    late = ShiftTemplate(code="LATE", start="22:00", end="02:00", breaks=[("00:00", 30)])
    offsets = covered_offsets_minutes(late, 30).tolist()
    # 22:00-00:00 and 00:30-02:00 (minutes after the shift date's midnight)
    assert offsets == [1320, 1350, 1380, 1410, 1470, 1500, 1530]


def test_interval_only_partly_inside_a_shift_is_not_covered() -> None:
    day = ShiftTemplate(code="DAY", start="08:30", end="16:00")
    hours = covered_offsets_minutes(day, 60).tolist()
    assert hours[0] == 9 * 60 and hours[-1] == 15 * 60  # 08:00-09:00 and 16:00-17:00 excluded


def test_coverage_table_counts_and_shortfall() -> None:
    config = SiteConfig()
    roster = pd.DataFrame({
        "agent_id": ["a", "b", "c", "d"], "date": [date(2026, 11, 23)] * 4,
        "shift": ["DAY", "DAY", "NIGHT", "OFF"], "queue": ["q", "q", "q", ""]})
    starts = pd.DatetimeIndex(["2026-11-23 08:30", "2026-11-23 16:00", "2026-11-23 23:30"]
                              ).tz_localize(config.timezone)
    requirement = pd.DataFrame({"interval_start": starts, "queue": "q",
                                "scheduled_agents": [3, 1, 2]})
    table = coverage_table(roster, requirement, config)
    by_time = table.set_index(table["interval_start"].dt.strftime("%H:%M"))
    assert by_time.loc["08:30", ["required", "scheduled", "shortfall"]].tolist() == [3, 2, 1]
    assert by_time.loc["16:00", ["required", "scheduled", "shortfall"]].tolist() == [1, 1, 0]
    assert by_time.loc["23:30", ["required", "scheduled", "shortfall"]].tolist() == [2, 0, 2]
    assert by_time.loc["09:00", ["required", "scheduled", "shortfall"]].tolist() == [0, 2, 0]
    assert int(table["scheduled"].sum()) == 2 * 15 + 15


def test_several_queues_need_a_queue_on_working_rows() -> None:
    config = build_config({})
    roster = pd.DataFrame({"agent_id": ["a"], "date": [date(2026, 11, 23)], "shift": ["DAY"],
                           "queue": [""]})
    with pytest.raises(InvalidInput, match="line 2, field 'queue'"):
        scheduled_per_interval(roster, config, ["presales", "aftersales"])
    single = scheduled_per_interval(roster, config, ["presales"])
    assert set(single["queue"]) == {"presales"}


NIGHT_SITE = {"interval_minutes": 60, "open_hours": "",
              "shifts": [{"code": "N", "start": "22:00", "end": "06:00"}]}


def _night_roster(day: date, agents: int) -> pd.DataFrame:
    return pd.DataFrame({"agent_id": [f"a{i}" for i in range(agents)], "date": [day] * agents,
                         "shift": ["N"] * agents, "queue": ["q"] * agents})


def test_a_night_shift_over_the_spring_change_is_counted_once_per_real_hour() -> None:
    """Berlin skips 02:00-03:00 on 2026-03-29: 8 agents on 22:00-06:00 cover 7 real hours,
    8 agents each (nothing is moved onto 03:00 and counted twice)."""
    config = build_config({**NIGHT_SITE, "timezone": "Europe/Berlin"})
    counts = scheduled_per_interval(_night_roster(date(2026, 3, 28), 8), config, ["q"])
    assert len(counts) == 7 and (counts["scheduled"] == 8).all()
    assert (counts["interval_start"] == pd.Timestamp("2026-03-29T03:00:00+02:00")).sum() == 1


def test_a_night_shift_over_the_autumn_change_covers_both_copies_of_the_hour() -> None:
    """New York repeats 01:00-02:00 on 2026-11-01: the 22:00-06:00 shift lasts 9 real hours."""
    config = build_config({**NIGHT_SITE, "timezone": "America/New_York"})
    counts = scheduled_per_interval(_night_roster(date(2026, 10, 31), 3), config, ["q"])
    assert len(counts) == 9 and (counts["scheduled"] == 3).all()
    for copy in ("2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"):
        assert (counts["interval_start"] == pd.Timestamp(copy)).sum() == 1
