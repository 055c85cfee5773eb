"""The horizon extension of a solve: zero-demand copies of the last day, pins, trimming."""

from __future__ import annotations

from datetime import date

import pandas as pd

from api.solve_following import pin_following, within, zero_demand_days
from wfm.config import SiteConfig


def test_zero_demand_days_repeat_the_last_day_and_skip_times_a_dst_change_removes():
    config = SiteConfig(country="", timezone="Europe/Berlin")
    local = pd.date_range("2026-03-28 00:00", periods=8, freq="30min")  # Saturday 00:00-03:30
    requirement = pd.DataFrame({
        "interval_start": local.tz_localize("Europe/Berlin"), "queue": "sales",
        "contacts": 5.0, "aht_seconds": 300.0, "traffic_erlangs": 0.4, "agents": 2,
        "scheduled_agents": 2})
    extended = zero_demand_days(requirement, date(2026, 3, 28), 1, config)
    added = extended.iloc[len(requirement):]
    # on Sunday 29 March clocks jump from 02:00 to 03:00: 02:00 and 02:30 do not exist
    assert [t.strftime("%d %H:%M") for t in added["interval_start"]] == [
        "29 00:00", "29 00:30", "29 01:00", "29 01:30", "29 03:00", "29 03:30"]
    assert (added[["contacts", "traffic_erlangs", "agents", "scheduled_agents"]] == 0).all().all()
    assert (added["aht_seconds"] == 300.0).all()
    assert extended.iloc[:len(requirement)].equals(requirement)  # the horizon is untouched


def test_pins_put_leave_in_the_leave_table_and_keep_only_the_agents_solved():
    stored = pd.DataFrame([("A1", date(2030, 1, 16), "DAY", "sales"),
                           ("A1", date(2030, 1, 17), "LEAVE", None),
                           ("A2", date(2030, 1, 16), "OFF", None),
                           ("A9", date(2030, 1, 16), "NIGHT", "sales")],
                          columns=["agent_id", "date", "shift", "queue"])
    leave, fixed = pin_following(stored, {"A1", "A2"}, None, None)
    assert leave is not None and fixed is not None
    assert leave[["agent_id", "date"]].values.tolist() == [["A1", date(2030, 1, 17)]]
    assert fixed.values.tolist() == [["A1", date(2030, 1, 16), "DAY", "sales"],
                                     ["A2", date(2030, 1, 16), "OFF", ""]]


def test_within_drops_the_extension():
    rows = pd.DataFrame({"agent_id": ["A1"] * 3, "date": [date(2030, 1, d) for d in (15, 16, 17)],
                         "shift": ["DAY", "OFF", "DAY"], "queue": ["sales", "", "sales"]})
    assert within(rows, date(2030, 1, 15))["date"].tolist() == [date(2030, 1, 15)]
