"""A short roster in a planner's words (issue 28): extra agents per day and hour range, from
the coverage table. Figures are worked out by hand from the table built here."""

from __future__ import annotations

from datetime import date

import pandas as pd

from wfm.coverage import describe_gap, staffing_gap

TZ = "Asia/Shanghai"


def _coverage(short: dict[str, int]) -> pd.DataFrame:
    """Half-hour intervals of Mon 2026-12-07..Sat 12-12, short where ``short`` says."""
    starts = pd.date_range("2026-12-07 08:00", "2026-12-12 23:30", freq="30min", tz=TZ)
    shortfall = [short.get(s.strftime("%a %H:%M"), short.get(s.strftime("%H:%M"), 0))
                 if s.strftime("%a") != "Sat" or s.strftime("%a %H:%M") in short else 0
                 for s in starts]
    return pd.DataFrame({"interval_start": starts, "queue": "presales", "required": 20,
                         "scheduled": [20 - n for n in shortfall], "shortfall": shortfall})


def test_staffing_gap_names_days_hours_and_agents() -> None:
    evening = {f"{h:02d}:{m:02d}": 12 if h == 18 else 5 for h in range(16, 21) for m in (0, 30)}
    table = _coverage({**evening, "Sat 09:00": 3, "Sat 09:30": 2, "Sat 10:00": 1})
    gap = staffing_gap(table, timezone=TZ, interval_minutes=30)
    assert gap.peak_agents == 12
    # weekdays: 8 half-hours x 5 + 2 x 12 = 64 agent-intervals a day, 5 days; Saturday 6
    assert gap.agent_hours == (64 * 5 + 6) / 2
    assert [(s.days[0], s.days[-1], s.start, s.end, s.peak_agents) for s in gap.spans] == [
        (date(2026, 12, 7), date(2026, 12, 11), "16:00", "21:00", 12),
        (date(2026, 12, 12), date(2026, 12, 12), "09:00", "11:00", 3)]
    assert describe_gap(gap) == (
        "about 12 more agent(s) at the busiest time (163 agent-hours short): "
        "Mon-Fri 2026-12-07..2026-12-11 16:00-21:00 up to 12; Sat 2026-12-12 09:00-11:00 up to 3")


def test_staffing_gap_sums_queues_and_reads_utc_times_in_site_time() -> None:
    start = pd.Timestamp("2026-12-07 08:00", tz="UTC")  # 16:00 in Shanghai
    table = pd.DataFrame({"interval_start": [start, start], "queue": ["a", "b"],
                          "required": [3, 2], "scheduled": [1, 1], "shortfall": [2, 1]})
    gap = staffing_gap(table, timezone=TZ, interval_minutes=30)
    assert (gap.peak_agents, gap.agent_hours) == (3, 1.5)
    assert (gap.spans[0].start, gap.spans[0].end) == ("16:00", "17:00")


def test_no_shortfall_says_so() -> None:
    gap = staffing_gap(_coverage({}), timezone=TZ, interval_minutes=30)
    assert not gap.short and gap.spans == ()
    assert describe_gap(gap).startswith("no shortfall")


def test_days_with_nearly_the_same_hours_form_one_span() -> None:
    """Mon 16:00-21:00, Tue 15:00-21:00, Wed 16:00-22:00: one span 15:00-22:00; Thu's
    10:00-12:00 starts a new one."""
    short = {"Mon 16:00": 2, "Mon 20:30": 2, "Tue 15:00": 3, "Tue 20:30": 1, "Wed 16:00": 4,
             "Wed 21:30": 1, "Thu 10:00": 1, "Thu 11:30": 1}
    starts = pd.date_range("2026-12-07 08:00", "2026-12-10 23:30", freq="30min", tz=TZ)
    shortfall = [short.get(s.strftime("%a %H:%M"), 0) for s in starts]
    table = pd.DataFrame({"interval_start": starts, "queue": "q", "required": 9,
                          "scheduled": [9 - n for n in shortfall], "shortfall": shortfall})
    gap = staffing_gap(table, timezone=TZ, interval_minutes=30)
    assert [(len(s.days), s.start, s.end, s.peak_agents) for s in gap.spans] == [
        (3, "15:00", "22:00", 4), (1, "10:00", "12:00", 1)]
