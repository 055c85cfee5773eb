"""Hand-worked adherence cases, one per rule of DESIGN.md ("Adherence") and per kind of dirty
data. Figures in the comments are worked out by hand from the timestamps."""

from __future__ import annotations

import math
from datetime import date

import pytest

from wfm.adherence import ADHERENCE_COLUMNS, REASON_COLUMNS, compute_adherence
from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.tables import read_table_text

CONFIG = build_config({"shifts": [
    {"code": "DAY", "start": "09:00", "end": "17:00"},                              # 480 min
    {"code": "BRK", "start": "09:00", "end": "17:00", "breaks": [["12:00", 60]]},   # 420 min
    {"code": "NIGHT", "start": "22:00", "end": "06:00"},                            # 480 min
]})


def report(roster: str, events: str | None = None, sessions: str | None = None, **options):
    roster_frame = read_table_text("agent_id,date,shift\n" + roster, "roster")
    kwargs = {}
    if events is not None:
        kwargs["events"] = read_table_text("agent_id,timestamp,state\n" + events,
                                           "login events")
    if sessions is not None:
        kwargs["sessions"] = read_table_text("agent_id,login_time,logout_time\n" + sessions,
                                             "login sessions")
    return compute_adherence(roster_frame, CONFIG, **kwargs, **options)


def row(result, agent_id: str, day: str, shift: str) -> dict:
    rows = result.rows
    match = rows[(rows["agent_id"] == agent_id) & (rows["date"] == date.fromisoformat(day))
                 & (rows["shift"] == shift)]
    assert len(match) == 1, rows
    return match.iloc[0].to_dict()


def problems(result) -> list[tuple[int, str, str]]:
    return [(int(p.line), p.problem, p.action) for p in result.problems.itertuples()]


def test_columns_are_the_contract_in_order():
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n"
                    "a1,2026-11-23T17:00:00,logout\n")
    assert list(result.rows.columns) == ADHERENCE_COLUMNS + REASON_COLUMNS
    assert ADHERENCE_COLUMNS[:3] == ["agent_id", "date", "shift"]


def test_perfect_day():
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n"
                    "a1,2026-11-23T17:00:00,logout\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["scheduled_minutes"], r["logged_in_minutes"], r["in_adherence_minutes"]) == (
        480, 480, 480)
    assert (r["adherence_pct"], r["conformance_pct"], r["episodes"], r["absent"]) == (
        100.0, 100.0, 0, False)
    assert result.problems.empty


def test_late_start():
    # 09:15 login: 15 minutes late, 465/480 = 96.875% -> 96.88
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:15:00,login\n"
                    "a1,2026-11-23T17:00:00,logout\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert r["late_start_minutes"] == 15
    assert r["early_leave_minutes"] == 0
    assert r["in_adherence_minutes"] == 465
    assert r["adherence_pct"] == 96.88
    assert r["episodes"] == 1


def test_early_leave_with_seconds():
    # logout 16:29:30: early leave 30.5 min, in adherence 449.5, 93.65%
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n"
                    "a1,2026-11-23T16:29:30,logout\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert r["early_leave_minutes"] == 30.5
    assert r["in_adherence_minutes"] == 449.5
    assert r["adherence_pct"] == 93.65
    assert r["late_start_minutes"] == 0


def test_overtime_after_shift_end_is_reported_not_penalised():
    # finishing a customer until 17:20:30: overtime 20.5, adherence stays 100%
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T08:55:00,login\n"
                    "a1,2026-11-23T17:20:30,logout\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert r["overtime_minutes"] == 25.5
    assert r["adherence_pct"] == 100.0
    assert r["logged_in_minutes"] == 505.5
    assert r["conformance_pct"] == round(100 * 505.5 / 480, 2)


def test_absent_agent():
    result = report("a1,2026-11-23,DAY\na2,2026-11-23,DAY\n",
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:00:00,logout\n")
    r = row(result, "a2", "2026-11-23", "DAY")
    assert r["absent"] is True or r["absent"] == True  # noqa: E712 (numpy bool)
    assert (r["in_adherence_minutes"], r["adherence_pct"], r["episodes"]) == (0, 0.0, 1)
    assert (r["late_start_minutes"], r["early_leave_minutes"]) == (0, 0)
    assert not row(result, "a1", "2026-11-23", "DAY")["absent"]


def test_a_login_before_the_shift_does_not_hide_a_late_start():
    # a1 checks mail 08:29-08:40, then works 09:38-13:56 (DAY 09:00-17:00): late 38,
    # early leave 17:00 - 13:56 = 184, overtime 11 (the login before the shift)
    result = report("a1,2026-11-23,DAY\n", sessions="a1,2026-11-23T08:29:00,2026-11-23T08:40:00\n"
                    "a1,2026-11-23T09:38:00,2026-11-23T13:56:00\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["late_start_minutes"], r["early_leave_minutes"]) == (38, 184)
    assert (r["overtime_minutes"], r["in_adherence_minutes"], r["absent"]) == (11, 258, False)


def test_a_no_show_who_only_logged_in_before_the_shift_is_absent():
    # 08:46-08:56 only; the 10 minutes are overtime, the shift itself was not worked
    result = report("a1,2026-11-23,DAY\n",
                    sessions="a1,2026-11-23T08:46:00,2026-11-23T08:56:00\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert r["absent"] == True  # noqa: E712 (numpy bool)
    assert (r["late_start_minutes"], r["early_leave_minutes"]) == (0, 0)
    assert (r["overtime_minutes"], r["in_adherence_minutes"], r["logged_in_minutes"]) == (
        10, 0, 10)
    assert result.team["absent_days"] == 1


def test_work_after_the_shift_only_is_absent_too():
    # 17:05-17:30 after a DAY shift never worked: overtime, absent, no early leave of 480
    result = report("a1,2026-11-23,DAY\n",
                    sessions="a1,2026-11-23T17:05:00,2026-11-23T17:30:00\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert r["absent"] == True  # noqa: E712 (numpy bool)
    assert (r["late_start_minutes"], r["early_leave_minutes"], r["overtime_minutes"]) == (
        0, 0, 25)


def test_working_only_through_the_break_is_inside_the_shift():
    # BRK 09:00-17:00 with a 12:00-13:00 break; working 12:10-12:40 only: not absent,
    # late 190, early leave 17:00 - 12:40 = 260, no overtime, nothing in adherence
    result = report("a1,2026-11-23,BRK\n",
                    sessions="a1,2026-11-23T12:10:00,2026-11-23T12:40:00\n")
    r = row(result, "a1", "2026-11-23", "BRK")
    assert not r["absent"]
    assert (r["late_start_minutes"], r["early_leave_minutes"], r["overtime_minutes"]) == (
        190, 260, 0)
    assert r["in_adherence_minutes"] == 0


@pytest.mark.parametrize(("grace", "in_adherence", "episodes"), [
    (0, 473, 2),     # out 09:00-09:03 and 12:00-12:04
    (3, 476, 1),     # the 3-minute episode is forgiven (at most grace)
    (4, 480, 0),     # both forgiven
])
def test_grace(grace, in_adherence, episodes):
    result = report("a1,2026-11-23,DAY\n",
                    "a1,2026-11-23T09:03:00,login\na1,2026-11-23T12:00:00,logout\n"
                    "a1,2026-11-23T12:04:00,login\na1,2026-11-23T17:00:00,logout\n",
                    grace_minutes=grace)
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["in_adherence_minutes"], r["episodes"]) == (in_adherence, episodes)
    assert r["logged_in_minutes"] == 473  # grace never changes the time actually logged in


def test_grace_defaults_to_config():
    config = CONFIG.with_overrides(**{"adherence.grace_minutes": 3})
    roster = read_table_text("agent_id,date,shift\na1,2026-11-23,DAY\n", "roster")
    events = read_table_text("agent_id,timestamp,state\na1,2026-11-23T09:03:00,login\n"
                             "a1,2026-11-23T17:00:00,logout\n", "login events")
    result = compute_adherence(roster, config, events=events)
    assert row(result, "a1", "2026-11-23", "DAY")["in_adherence_minutes"] == 480


def test_break_states_during_scheduled_break_are_adherent():
    # BRK: 09:00-17:00 with lunch 12:00-13:00 (420 scheduled minutes)
    events = ("a1,2026-11-23T08:55:00,login\na1,2026-11-23T09:00:00,ready\n"
              "a1,2026-11-23T12:00:00,lunch\na1,2026-11-23T13:00:00,talk\n"
              "a1,2026-11-23T15:00:00,not_ready\na1,2026-11-23T15:10:00,acw\n"
              "a1,2026-11-23T17:00:00,logout\n")
    r = row(report("a1,2026-11-23,BRK\n", events), "a1", "2026-11-23", "BRK")
    assert r["scheduled_minutes"] == 420
    assert r["in_adherence_minutes"] == 180 + 120 + 110   # not_ready 15:00-15:10 is out
    assert r["episodes"] == 1
    assert r["logged_in_minutes"] == 485
    assert r["conformance_pct"] == round(100 * (485 - 60 - 10) / 420, 2)
    assert r["overtime_minutes"] == 5                      # 08:55-09:00 logged in (working)


def test_lunch_taken_late_and_working_through_the_break():
    # works through 12:00-12:15 (neutral), lunch 12:15-13:15: 13:00-13:15 is out of adherence
    events = ("a1,2026-11-23T09:00:00,ready\na1,2026-11-23T12:15:00,lunch\n"
              "a1,2026-11-23T13:15:00,ready\na1,2026-11-23T17:00:00,logout\n")
    result = report("a1,2026-11-23,BRK\n", events)
    r = row(result, "a1", "2026-11-23", "BRK")
    assert r["in_adherence_minutes"] == 405
    assert r["episodes"] == 1
    assert r["overtime_minutes"] == 0                      # break-time work is not overtime
    assert r["conformance_pct"] == round(100 * (195 + 225) / 420, 2)
    assert problems(result) == [(2, "'ready' while logged out", "treated as a login at this time")]


def test_away_across_a_break_is_one_episode():
    # out 11:50-12:00 and 13:00-13:10, joined across the scheduled lunch: one 20-minute episode
    events = ("a1,2026-11-23T09:00:00,login\na1,2026-11-23T11:50:00,logout\n"
              "a1,2026-11-23T13:10:00,login\na1,2026-11-23T17:00:00,logout\n")
    r = row(report("a1,2026-11-23,BRK\n", events, grace_minutes=15), "a1", "2026-11-23", "BRK")
    assert (r["in_adherence_minutes"], r["episodes"]) == (400, 1)


def test_shift_crossing_midnight():
    result = report("a1,2026-11-23,NIGHT\n", "a1,2026-11-23T22:10:00,login\n"
                    "a1,2026-11-24T05:40:00,logout\n")
    r = row(result, "a1", "2026-11-23", "NIGHT")
    assert (r["late_start_minutes"], r["early_leave_minutes"]) == (10, 20)
    assert r["in_adherence_minutes"] == 450
    assert len(result.rows) == 1


def test_off_day_with_logins_is_overtime():
    result = report("a1,2026-11-23,DAY\na1,2026-11-24,OFF\na1,2026-11-25,LEAVE\n",
                    "a1,2026-11-24T10:00:00,login\na1,2026-11-24T11:30:00,logout\n",
                    date_from=date(2026, 11, 23))   # by default the period is the data's 11-24
    r = row(result, "a1", "2026-11-24", "OFF")
    assert (r["scheduled_minutes"], r["overtime_minutes"], r["absent"]) == (0, 90, False)
    assert math.isnan(r["adherence_pct"]) and math.isnan(r["conformance_pct"])
    # the LEAVE day without logins is not listed; the DAY shift is (absent)
    assert sorted(result.rows["shift"]) == ["DAY", "OFF"]


def test_unscheduled_agent_is_reported_as_unscheduled_work():
    result = report("a1,2026-11-23,DAY\n", "zz,2026-11-23T10:00:00,login\n"
                    "zz,2026-11-23T12:00:00,logout\n")
    r = row(result, "zz", "2026-11-23", "UNSCHEDULED")
    assert (r["logged_in_minutes"], r["overtime_minutes"], r["scheduled_minutes"]) == (120, 120, 0)
    assert problems(result) == [(2, "agent not in the roster", "reported as unscheduled work")]


def test_activity_attribution_nearest_shift_within_three_hours():
    # 06:30-08:00 ends 1 h before DAY: overtime of DAY; 04:00-05:00 is 4 h away: unscheduled
    result = report("a1,2026-11-23,DAY\n",
                    "a1,2026-11-23T04:00:00,login\na1,2026-11-23T05:00:00,logout\n"
                    "a1,2026-11-23T06:30:00,login\na1,2026-11-23T08:00:00,logout\n"
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:00:00,logout\n")
    day = row(result, "a1", "2026-11-23", "DAY")
    assert (day["overtime_minutes"], day["in_adherence_minutes"]) == (90, 480)
    assert row(result, "a1", "2026-11-23", "UNSCHEDULED")["logged_in_minutes"] == 60


def test_a_session_over_two_shifts_is_cut_half_way_between_them():
    # NIGHT ends 06:00, DAY starts 09:00: half-way is 07:30
    result = report("a1,2026-11-23,NIGHT\na1,2026-11-24,DAY\n",
                    "a1,2026-11-23T22:00:00,login\na1,2026-11-24T17:00:00,logout\n")
    assert row(result, "a1", "2026-11-23", "NIGHT")["overtime_minutes"] == 90
    assert row(result, "a1", "2026-11-24", "DAY")["overtime_minutes"] == 90


def test_unscheduled_work_is_cut_at_midnight():
    result = report("a1,2026-11-23,OFF\na1,2026-11-24,OFF\n",
                    "a1,2026-11-23T23:00:00,login\na1,2026-11-24T00:30:00,logout\n")
    assert row(result, "a1", "2026-11-23", "OFF")["overtime_minutes"] == 60
    assert row(result, "a1", "2026-11-24", "OFF")["overtime_minutes"] == 30


def test_open_session_is_closed_at_shift_end_and_flagged():
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["in_adherence_minutes"], r["overtime_minutes"]) == (480, 0)
    assert problems(result) == [(2, "no logout after this event",
                                 "session closed at 2026-11-23T17:00:00+08:00 "
                                 "(the end of its shift)")]


def test_open_unscheduled_session_is_closed_at_the_end_of_the_data():
    result = report("a1,2026-11-23,DAY\n",
                    "zz,2026-11-23T10:00:00,login\na1,2026-11-23T09:00:00,login\n"
                    "a1,2026-11-23T15:00:00,logout\n")
    assert row(result, "zz", "2026-11-23", "UNSCHEDULED")["logged_in_minutes"] == 300
    assert (2, "no logout after this event",
            "session closed at 2026-11-23T15:00:00+08:00 (the end of the data)") in \
        problems(result)


def test_login_without_logout_before_the_next_login():
    # the 09:00 session has no logout; it is closed at the next login (13:00), before DAY ends
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n"
                    "a1,2026-11-23T13:00:00,login\na1,2026-11-23T17:00:00,logout\n")
    assert row(result, "a1", "2026-11-23", "DAY")["in_adherence_minutes"] == 480
    assert problems(result) == [(2, "no logout before the login on line 3",
                                 "session closed at 2026-11-23T13:00:00+08:00 (the next login)")]


def test_forgotten_logout_is_not_counted_overnight():
    # 09:00 login, no logout, next login the following day: closed at 17:00, not at the login
    result = report("a1,2026-11-23,DAY\na1,2026-11-24,DAY\n",
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-24T09:00:00,login\n"
                    "a1,2026-11-24T17:00:00,logout\n")
    assert row(result, "a1", "2026-11-23", "DAY")["logged_in_minutes"] == 480
    assert row(result, "a1", "2026-11-24", "DAY")["logged_in_minutes"] == 480


def test_duplicated_and_unsorted_events():
    events = ("a1,2026-11-23T17:00:00,logout\na1,2026-11-23T09:10:00,login\n"
              "a1,2026-11-23T09:10:00,login\n")
    result = report("a1,2026-11-23,DAY\n", events)
    assert row(result, "a1", "2026-11-23", "DAY")["in_adherence_minutes"] == 470
    assert problems(result) == [
        (3, "event earlier than an event above it for the same agent", "sorted into time order"),
        (4, "duplicate of line 3", "skipped"),
        (4, "event earlier than an event above it for the same agent", "sorted into time order"),
    ]


def test_logout_without_login_is_ignored_and_reported():
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T08:00:00,logout\n"
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:00:00,logout\n")
    assert row(result, "a1", "2026-11-23", "DAY")["in_adherence_minutes"] == 480
    assert problems(result) == [(2, "logout without login", "ignored")]


def test_overlapping_sessions_are_merged():
    sessions = ("a1,2026-11-23T09:00:00,2026-11-23T13:00:00\n"
                "a1,2026-11-23T12:00:00,2026-11-23T17:00:00\n")
    result = report("a1,2026-11-23,DAY\n", sessions=sessions)
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["logged_in_minutes"], r["in_adherence_minutes"]) == (480, 480)
    assert problems(result) == [(3, "overlaps the session on line 2",
                                 "merged: the overlapping time counts once")]


def test_sessions_dirty_rows():
    sessions = ("a1,2026-11-23T09:30:00,\n"                               # open: closed at 17:00
                "a1,2026-11-23T09:30:00,\n"                               # duplicate
                "a1,2026-11-23T09:00:00,2026-11-23T08:00:00\n"            # backwards
                "zz,2026-11-23T09:00:00,2026-11-23T10:00:00\n")           # not in the roster
    result = report("a1,2026-11-23,DAY\n", sessions=sessions)
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["in_adherence_minutes"], r["late_start_minutes"]) == (450, 30)
    assert row(result, "zz", "2026-11-23", "UNSCHEDULED")["logged_in_minutes"] == 60
    assert problems(result) == [
        (2, "no logout_time", "session closed at 2026-11-23T17:00:00+08:00 (the end of its shift)"),
        (3, "duplicate session", "skipped"),
        (4, "logout_time before login_time", "skipped"),
        (5, "agent not in the roster", "reported as unscheduled work"),
    ]


def test_timestamps_with_offsets_are_converted_to_site_time():
    # 01:00Z is 09:00 in Shanghai; 17:00+08:00 is the shift end
    result = report("a1,2026-11-23,DAY\n", "a1,2026-11-23T01:00:00Z,login\n"
                    "a1,2026-11-23T10:00:00+01:00,logout\n")
    r = row(result, "a1", "2026-11-23", "DAY")
    assert (r["in_adherence_minutes"], r["late_start_minutes"]) == (480, 0)


def test_events_outside_the_period_are_skipped_and_reported():
    result = report("a1,2026-11-23,DAY\na1,2026-11-24,DAY\n",
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:00:00,logout\n"
                    "a1,2026-11-24T09:00:00,login\na1,2026-11-24T17:00:00,logout\n",
                    date_from=date(2026, 11, 24))
    assert list(result.rows["date"]) == [date(2026, 11, 24)]
    assert problems(result) == [(
        2, "activity outside the period 2026-11-24..2026-11-24: logged in "
           "2026-11-23T09:00:00+08:00..2026-11-23T17:00:00+08:00 (480 min, 480 working), "
           "attributed to shift DAY on 2026-11-23", "skipped")]


def test_work_after_the_last_day_is_reported_not_lost():
    # the period is the roster's one day, 11-23. a2 is OFF and logs in 23:00-02:00: 60 min
    # on the OFF row, 120 min after midnight fall on 11-24. zz (not rostered) works 10:00 to
    # 10:00 next day: 840 min on 11-23, 600 min on 11-24. Both tails are reported.
    sessions = ("a1,2026-11-23T09:00:00,2026-11-23T17:00:00\n"
                "a2,2026-11-23T23:00:00,2026-11-24T02:00:00\n"
                "zz,2026-11-23T10:00:00,2026-11-24T10:00:00\n")
    result = report("a1,2026-11-23,DAY\na2,2026-11-23,OFF\n", sessions=sessions,
                    date_to=date(2026, 11, 23))  # by default the data's 11-23..11-24
    assert row(result, "a2", "2026-11-23", "OFF")["logged_in_minutes"] == 60
    assert row(result, "zz", "2026-11-23", "UNSCHEDULED")["logged_in_minutes"] == 840
    assert len(result.rows) == 3
    assert problems(result) == [
        (3, "activity outside the period 2026-11-23..2026-11-23: logged in "
            "2026-11-24T00:00:00+08:00..2026-11-24T02:00:00+08:00 (120 min, 120 working), "
            "attributed to no shift, on 2026-11-24 (UNSCHEDULED)", "skipped"),
        (4, "activity outside the period 2026-11-23..2026-11-23: logged in "
            "2026-11-24T00:00:00+08:00..2026-11-24T10:00:00+08:00 (600 min, 600 working), "
            "attributed to no shift, on 2026-11-24 (UNSCHEDULED)", "skipped"),
        (4, "agent not in the roster", "reported as unscheduled work"),
    ]


def test_skipped_activity_is_one_problem_per_stretch_with_its_own_minutes():
    # OFF on the period's last day and the next: 23:00 login, 00:30 lunch, 01:00 ready, 01:30
    # logout, 03:00 login, 03:20 logout. Inside: 23:00-24:00. Skipped: 00:00-01:30 (90 logged
    # in, 60 working; it began with the login on line 2) and 03:00-03:20 (20, line 6).
    events = ("a1,2026-11-23T23:00:00,login\na1,2026-11-24T00:30:00,lunch\n"
              "a1,2026-11-24T01:00:00,ready\na1,2026-11-24T01:30:00,logout\n"
              "a1,2026-11-24T03:00:00,login\na1,2026-11-24T03:20:00,logout\n")
    result = report("a1,2026-11-23,OFF\na1,2026-11-24,OFF\n", events,
                    date_to=date(2026, 11, 23))
    assert row(result, "a1", "2026-11-23", "OFF")["logged_in_minutes"] == 60
    assert problems(result) == [
        (2, "activity outside the period 2026-11-23..2026-11-23: logged in "
            "2026-11-24T00:00:00+08:00..2026-11-24T01:30:00+08:00 (90 min, 60 working), "
            "attributed to no shift, on 2026-11-24 (OFF)", "skipped"),
        (6, "activity outside the period 2026-11-23..2026-11-23: logged in "
            "2026-11-24T03:00:00+08:00..2026-11-24T03:20:00+08:00 (20 min, 20 working), "
            "attributed to no shift, on 2026-11-24 (OFF)", "skipped"),
    ]


def test_a_night_shift_on_the_last_day_keeps_its_work_after_midnight():
    # NIGHT 22:00-06:00 on the last day: the whole session belongs to the shift, nothing skipped
    result = report("a1,2026-11-23,NIGHT\n", "a1,2026-11-23T22:00:00,login\n"
                    "a1,2026-11-24T06:30:00,logout\n")
    r = row(result, "a1", "2026-11-23", "NIGHT")
    assert (r["logged_in_minutes"], r["overtime_minutes"]) == (510, 30)
    assert result.problems.empty


def test_period_summary_is_a_ratio_of_sums():
    # day 1: 480/480; day 2 (BRK): 210/420. Ratio of sums 690/900 = 76.67 (mean of days: 75.0)
    result = report("a1,2026-11-23,DAY\na1,2026-11-24,BRK\na2,2026-11-23,DAY\n",
                    "a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:00:00,logout\n"
                    "a1,2026-11-24T09:00:00,login\na1,2026-11-24T12:00:00,logout\n"
                    "a1,2026-11-24T16:30:00,login\na1,2026-11-24T17:00:00,logout\n"
                    "a2,2026-11-23T09:00:00,login\na2,2026-11-23T17:00:00,logout\n")
    agents = result.agents.set_index("agent_id")
    assert agents.loc["a1", "adherence_pct"] == 76.67
    assert bool(agents.loc["a1", "below_target"]) and not bool(agents.loc["a2", "below_target"])
    assert result.team["adherence_pct"] == round(100 * (690 + 480) / 1380, 2)
    assert [b["agent_id"] for b in result.team["agents_below_target"]] == ["a1"]


def test_team_conformance_counts_only_work_attributed_to_shifts():
    # a1 DAY 09:00-17:20: 480 scheduled, 500 working (20 overtime). a2 OFF on 11-23 with
    # 10:00-11:00 (60, attributed to no shift), DAY on 11-24 09:00-17:00 (480/480). zz, not on
    # the roster, 10:00-12:00 (120). Shift work 980 / scheduled 960 = 102.083 -> 102.08
    # (counting the 180 unattributed minutes would give 1160/960 = 120.83).
    events = ("a1,2026-11-23T09:00:00,login\na1,2026-11-23T17:20:00,logout\n"
              "a2,2026-11-23T10:00:00,login\na2,2026-11-23T11:00:00,logout\n"
              "a2,2026-11-24T09:00:00,login\na2,2026-11-24T17:00:00,logout\n"
              "zz,2026-11-23T10:00:00,login\nzz,2026-11-23T12:00:00,logout\n")
    result = report("a1,2026-11-23,DAY\na1,2026-11-24,OFF\na2,2026-11-23,OFF\n"
                    "a2,2026-11-24,DAY\n", events)
    team = result.team
    assert (team["scheduled_minutes"], team["working_minutes"]) == (960, 980)
    assert team["conformance_pct"] == 102.08
    assert team["adherence_pct"] == 100.0
    assert team["unscheduled_working_minutes"] == 180
    assert team["overtime_minutes"] == 20          # overtime is of shifts: a1's 20 minutes
    agents = result.agents.set_index("agent_id")
    assert agents.loc["a2", "conformance_pct"] == 100.0        # 480/480, not 540/480
    assert (agents.loc["a2", "unscheduled_working_minutes"],
            agents.loc["a2", "overtime_minutes"]) == (60, 0)
    assert agents.loc["a1", "conformance_pct"] == round(100 * 500 / 480, 2)
    assert agents.loc["zz", "unscheduled_working_minutes"] == 120
    assert math.isnan(agents.loc["zz", "conformance_pct"])
    # the rows still show unattributed work as overtime: Σ overtime = 20 + 180
    assert result.rows["overtime_minutes"].sum() == 200


def test_exactly_one_kind_of_login_data():
    roster = read_table_text("agent_id,date,shift\na1,2026-11-23,DAY\n", "roster")
    with pytest.raises(InvalidInput, match="exactly one"):
        compute_adherence(roster, CONFIG)


def test_unknown_shift_code_names_the_roster_line():
    with pytest.raises(InvalidInput, match=r"line 3.*'shift'.*'EVE'"):
        report("a1,2026-11-23,DAY\na1,2026-11-24,EVE\n", "a1,2026-11-23T09:00:00,login\n")


def test_negative_grace_is_rejected():
    with pytest.raises(InvalidInput, match="grace_minutes must be a non-negative number"):
        report("a1,2026-11-23,DAY\n", "a1,2026-11-23T09:00:00,login\n", grace_minutes=-1)


def test_scheduled_minutes_are_elapsed_time_across_a_dst_change():
    # New York falls back at 02:00 on 2026-11-01: 22:00-06:00 lasts 9 real hours that night
    config = CONFIG.with_overrides(timezone="America/New_York", country="")
    roster = read_table_text("agent_id,date,shift\na1,2026-10-31,NIGHT\n", "roster",
                             timezone="America/New_York")
    events = read_table_text("agent_id,timestamp,state\na1,2026-10-31T22:00:00,login\n"
                             "a1,2026-11-01T11:00:00Z,logout\n", "login events",
                             timezone="America/New_York")   # 11:00Z is 06:00 EST
    result = compute_adherence(roster, config, events=events)
    r = row(result, "a1", "2026-10-31", "NIGHT")
    assert (r["scheduled_minutes"], r["in_adherence_minutes"]) == (540, 540)


NY = "America/New_York"
EARLY_HOURS = CONFIG.with_overrides(timezone=NY, country="", shifts=[
    {"code": "R", "start": "01:00", "end": "09:00"},
    {"code": "RB", "start": "01:00", "end": "09:00", "breaks": [["01:30", 20]]},
    {"code": "EVE", "start": "18:00", "end": "01:30"},
])


def _ny_report(roster: str, sessions: str):
    return compute_adherence(
        read_table_text("agent_id,date,shift\n" + roster, "roster", timezone=NY), EARLY_HOURS,
        sessions=read_table_text("agent_id,login_time,logout_time\n" + sessions,
                                 "login sessions", timezone=NY))


def test_a_shift_starting_in_the_repeated_hour_starts_at_the_first_01_00():
    # New York repeats 01:00-02:00 on 2026-11-01. R 01:00-09:00 starts at the first 01:00
    # (05:00Z, as coverage and the rule checker count it) and ends 09:00 EST (14:00Z): 9 real
    # hours. Logged in 05:00Z-14:00Z is the whole shift, no overtime.
    result = _ny_report("w1,2026-11-01,R\n",
                        "w1,2026-11-01T01:00:00-04:00,2026-11-01T09:00:00-05:00\n")
    r = row(result, "w1", "2026-11-01", "R")
    assert (r["scheduled_minutes"], r["logged_in_minutes"], r["in_adherence_minutes"]) == (
        540, 540, 540)
    assert (r["overtime_minutes"], r["late_start_minutes"], r["early_leave_minutes"]) == (
        0, 0, 0)


def test_breaks_and_ends_in_the_repeated_hour_are_at_the_first_occurrence():
    # RB: break at the first 01:30 (05:30Z-05:50Z); work 05:00Z-14:00Z minus the break is
    # 520 scheduled. EVE on 2026-10-31 ends at the first 01:30 (05:30Z): 18:00 EDT (22:00Z)
    # to 05:30Z is 450 minutes; logged in until 06:30Z (01:30 EST) is 60 minutes overtime.
    result = _ny_report("w1,2026-11-01,RB\nw2,2026-10-31,EVE\n",
                        "w1,2026-11-01T05:00:00Z,2026-11-01T14:00:00Z\n"
                        "w2,2026-10-31T22:00:00Z,2026-11-01T06:30:00Z\n")
    rb = row(result, "w1", "2026-11-01", "RB")
    assert (rb["scheduled_minutes"], rb["in_adherence_minutes"], rb["overtime_minutes"]) == (
        520, 520, 0)
    eve = row(result, "w2", "2026-10-31", "EVE")
    assert (eve["scheduled_minutes"], eve["in_adherence_minutes"], eve["overtime_minutes"]) == (
        450, 450, 60)


def test_a_calendar_day_ends_at_the_first_of_two_midnights():
    # Havana falls back from 01:00 to 00:00 on 2027-11-07, so 00:00-01:00 happens twice and
    # both copies are on 2027-11-07. Unscheduled work 23:00-04:00 (03:00Z) to 02:00-05:00
    # (07:00Z): 60 min on 2027-11-06, 180 min on 2027-11-07.
    havana = "America/Havana"
    config = CONFIG.with_overrides(timezone=havana, country="")
    result = compute_adherence(
        read_table_text("agent_id,date,shift\na1,2027-11-06,OFF\na1,2027-11-07,OFF\n",
                        "roster", timezone=havana), config,
        sessions=read_table_text("agent_id,login_time,logout_time\n"
                                 "a1,2027-11-07T03:00:00Z,2027-11-07T07:00:00Z\n",
                                 "login sessions", timezone=havana))
    assert row(result, "a1", "2027-11-06", "OFF")["overtime_minutes"] == 60
    assert row(result, "a1", "2027-11-07", "OFF")["overtime_minutes"] == 180


def test_a_shared_attributed_activity_gives_the_same_report():
    # wfm kpi builds the attributed activity once and hands it over: the report must not change
    from wfm.adherence import attributed_activity

    roster = read_table_text("agent_id,date,shift\na1,2026-11-23,DAY\na1,2026-11-24,OFF\n"
                             "a2,2026-11-23,NIGHT\n", "roster")
    events = read_table_text(
        "agent_id,timestamp,state\na1,2026-11-23T09:10:00,login\na1,2026-11-23T16:00:00,"
        "logout\na1,2026-11-24T10:00:00,login\na1,2026-11-24T11:00:00,logout\n"
        "a2,2026-11-23T22:30:00,login\na2,2026-11-23T22:30:00,login\nzz,2026-11-23T10:00:00,"
        "login\n", "login events")
    alone = compute_adherence(roster, CONFIG, events=events)
    shared = compute_adherence(roster, CONFIG, events=events,
                               activity=attributed_activity(roster, CONFIG, events=events))
    assert alone.rows.equals(shared.rows) and alone.problems.equals(shared.problems)
    assert alone.agents.equals(shared.agents)
    assert str(alone.team) == str(shared.team)
    assert len(alone.problems) >= 2  # the repeated login and the unknown agent are reported
