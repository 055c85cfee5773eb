"""The roster rule checker: each rule on tiny hand-made rosters, passing and violating side by
side, and a brute-force re-implementation compared on random rosters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.config import ShiftTemplate, SiteConfig, build_config, load_config
from wfm.errors import InvalidInput
from wfm.rules import RULE_CODES, check_roster, is_night_shift, violations_frame
from wfm.tables import AGENTS, LEAVE, ROSTER, read_table

MONDAY = date(2026, 11, 23)
LETTERS = {"D": "DAY", "N": "NIGHT", "O": "OFF", "L": "LEAVE", "E": "EVE", "X": "LATE"}
CONFIG = SiteConfig()


def days(pattern: str, first: date = MONDAY, queue: str = "sales", agent: str = "ana"
         ) -> list[tuple[str, date, str, str]]:
    """Rows of one agent from a letter pattern (D DAY, N NIGHT, O OFF, L LEAVE, . no row)."""
    return [(agent, first + timedelta(days=i), LETTERS[c], queue if c in "DNEX" else "")
            for i, c in enumerate(pattern) if c != "."]


def roster(*parts: list[tuple[str, date, str, str]]) -> pd.DataFrame:
    rows = [row for part in parts for row in part]
    return pd.DataFrame(rows, columns=["agent_id", "date", "shift", "queue"])


def agents(*ids: str, skills: tuple[str, ...] = ("sales",), **extra: object) -> pd.DataFrame:
    frame = pd.DataFrame({"agent_id": list(ids), "name": list(ids),
                          "skills": [skills] * len(ids)})
    for column, value in extra.items():
        frame[column] = [value] * len(ids)
    return frame


def found(violations: list) -> list[tuple[str, str, str]]:
    return [(v.code, v.agent_id, v.date) for v in violations]


def iso(offset: int) -> str:
    return (MONDAY + timedelta(days=offset)).isoformat()


# ---- is_night_shift ---------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "night"), [
    ("08:30", "16:00", False), ("16:00", "23:30", True), ("12:00", "20:00", False),
    ("12:00", "20:01", True), ("22:00", "06:00", True), ("06:00", "14:00", False),
    ("05:59", "14:00", True), ("00:00", "08:00", True), ("20:00", "21:00", True),
])
def test_is_night_shift(start: str, end: str, night: bool) -> None:
    assert is_night_shift(ShiftTemplate(code="S", start=start, end=end)) is night


# ---- identity rules ---------------------------------------------------------------------------

def test_clean_roster_has_no_violations() -> None:
    assert check_roster(roster(days("DDDDDOO"), days("NNNNNOO", agent="bob")),
                        agents("ana", "bob"), CONFIG) == []


def test_empty_roster_has_no_violations() -> None:
    assert check_roster(roster(), agents("ana"), CONFIG) == []


def test_unknown_agent_reported_once_per_agent() -> None:
    frame = roster(days("DDO"), days("DD", agent="zoe", first=MONDAY + timedelta(days=1)))
    violations = check_roster(frame, agents("ana"), CONFIG)
    assert found(violations) == [("unknown_agent", "zoe", iso(1))]
    assert "zoe" in violations[0].message and "agents table" in violations[0].message
    assert check_roster(frame, agents("ana", "zoe"), CONFIG) == []


def test_unknown_shift_per_row() -> None:
    frame = roster(days("DEO"))
    violations = check_roster(frame, agents("ana"), CONFIG)
    assert found(violations) == [("unknown_shift", "ana", iso(1))]
    assert "'EVE'" in violations[0].message and "DAY, NIGHT, OFF, LEAVE" in violations[0].message
    eve = build_config({"shifts": [{"code": "DAY", "start": "08:30", "end": "16:00"},
                                   {"code": "EVE", "start": "12:00", "end": "20:00"}]})
    assert check_roster(frame, agents("ana"), eve) == []


def test_shift_codes_match_whatever_the_case() -> None:
    frame = roster(days("DO")).assign(shift=["day", " off "])
    assert check_roster(frame, agents("ana"), CONFIG) == []


def test_one_shift_per_day() -> None:
    once = roster(days("DO"))
    twice = roster(days("DO"), days("N"))
    assert check_roster(once, agents("ana"), CONFIG) == []
    violations = check_roster(twice, agents("ana"), CONFIG)
    assert found(violations) == [("one_shift_per_day", "ana", iso(0))]
    assert "2 rows" in violations[0].message and "DAY, NIGHT" in violations[0].message


# ---- leave ------------------------------------------------------------------------------------

def leave_on(*offsets: int, agent: str = "ana") -> pd.DataFrame:
    return pd.DataFrame({"agent_id": [agent] * len(offsets),
                         "date": [MONDAY + timedelta(days=o) for o in offsets]})


def test_leave_honoured_when_rostered_leave_or_off() -> None:
    assert check_roster(roster(days("DLO")), agents("ana"), CONFIG, leave=leave_on(1, 2)) == []


def test_working_on_approved_leave_is_a_violation() -> None:
    violations = check_roster(roster(days("DDO")), agents("ana"), CONFIG, leave=leave_on(1))
    assert found(violations) == [("leave", "ana", iso(1))]
    assert "approved leave" in violations[0].message and "DAY" in violations[0].message


def test_leave_without_approval() -> None:
    frame = roster(days("DLO"))
    assert check_roster(frame, agents("ana"), CONFIG) == []  # no leave table: not judged
    violations = check_roster(frame, agents("ana"), CONFIG, leave=leave_on(2))
    assert found(violations) == [("leave", "ana", iso(1))]
    assert "without approved leave" in violations[0].message


def test_leave_of_other_agent_does_not_count() -> None:
    violations = check_roster(roster(days("DLO")), agents("ana"), CONFIG,
                              leave=leave_on(1, agent="bob"))
    assert found(violations) == [("leave", "ana", iso(1))]


# ---- skills and queues ------------------------------------------------------------------------

def test_skill() -> None:
    two = agents("ana", skills=("sales", "presales"))
    assert check_roster(roster(days("DN", queue="presales")), two, CONFIG) == []
    violations = check_roster(roster(days("DN", queue="presales")), agents("ana"), CONFIG)
    assert found(violations) == [("skill", "ana", iso(0)), ("skill", "ana", iso(1))]
    assert "'presales'" in violations[0].message and "(sales)" in violations[0].message


def test_skills_as_semicolon_text() -> None:
    frame = agents("ana").assign(skills=["sales; presales"])
    assert check_roster(roster(days("D", queue="presales")), frame, CONFIG) == []


def test_missing_queue_only_when_the_site_has_several_queues() -> None:
    no_queue = roster(days("DO", queue=""))
    assert check_roster(no_queue, agents("ana"), CONFIG) == []
    several = pd.concat([agents("ana"), agents("bob", skills=("presales",))])
    assert found(check_roster(no_queue, several, CONFIG)) == [("missing_queue", "ana", iso(0))]
    assert found(check_roster(no_queue, agents("ana"), CONFIG,
                              requirement_queues=["sales", "presales"])) == [
        ("missing_queue", "ana", iso(0))]
    assert check_roster(no_queue, agents("ana"), CONFIG, requirement_queues=["sales"]) == []


def test_queue_column_may_be_absent() -> None:
    frame = roster(days("DO")).drop(columns="queue")
    assert check_roster(frame, agents("ana"), CONFIG) == []


# ---- contract dates ---------------------------------------------------------------------------

def test_outside_contract() -> None:
    staff = agents("ana", start_date=MONDAY + timedelta(days=2),
                   end_date=MONDAY + timedelta(days=4))
    assert check_roster(roster(days("OODDDOO")), staff, CONFIG) == []
    violations = check_roster(roster(days("ODDDDDO")), staff, CONFIG)
    assert found(violations) == [("outside_contract", "ana", iso(1)),
                                 ("outside_contract", "ana", iso(5))]
    assert "before the contract starts on 2026-11-25" in violations[0].message
    assert "after the contract ended on 2026-11-27" in violations[1].message


def test_open_ended_contract() -> None:
    staff = agents("ana").assign(start_date=[None], end_date=[MONDAY + timedelta(days=1)])
    assert check_roster(roster(days("DDO")), staff, CONFIG) == []
    assert found(check_roster(roster(days("DOD")), staff, CONFIG)) == [
        ("outside_contract", "ana", iso(2))]


# ---- consecutive working days -----------------------------------------------------------------

def test_max_consecutive_days() -> None:
    assert check_roster(roster(days("DDDDDDO")), agents("ana"), CONFIG) == []
    violations = check_roster(roster(days("DDDDDDDO")), agents("ana"), CONFIG)
    assert found(violations) == [("min_rest_days_per_week", "ana", iso(0)),
                                 ("max_consecutive_days", "ana", iso(6))]
    assert violations[1].message == "ana works 7 days in a row 2026-11-23..2026-11-29 (max 6)"


def test_consecutive_days_one_violation_per_run() -> None:
    loose = build_config({"rules": {"min_rest_days_per_week": 0, "max_consecutive_days": 3}})
    violations = check_roster(roster(days("DDDDDODDDDO")), agents("ana"), loose)
    assert found(violations) == [("max_consecutive_days", "ana", iso(3)),
                                 ("max_consecutive_days", "ana", iso(9))]
    assert "5 days in a row 2026-11-23..2026-11-27 (max 3)" in violations[0].message


def test_consecutive_days_count_the_previous_roster() -> None:
    before = MONDAY - timedelta(days=3)
    tail_ok = roster(days("ODD", first=before))
    tail_long = roster(days("DDD", first=before))
    week = roster(days("DDDDOOO"))
    assert check_roster(week, agents("ana"), CONFIG, previous=tail_ok) == []
    violations = check_roster(week, agents("ana"), CONFIG, previous=tail_long)
    assert found(violations) == [("max_consecutive_days", "ana", iso(3))]
    assert "7 days in a row 2026-11-20..2026-11-26" in violations[0].message


def test_run_already_too_long_in_the_previous_roster_is_reported_on_the_first_day() -> None:
    tail = roster(days("DDDDDDDD", first=MONDAY - timedelta(days=8)))
    violations = check_roster(roster(days("DOO")), agents("ana"), CONFIG, previous=tail)
    assert found(violations) == [("max_consecutive_days", "ana", iso(0))]
    assert "9 days in a row" in violations[0].message
    # the previous roster alone breaks the rule, but the horizon starts with a rest day
    assert check_roster(roster(days("ODD")), agents("ana"), CONFIG, previous=tail) == []


def test_previous_rows_inside_the_horizon_are_superseded() -> None:
    previous = roster(days("DDDDDDD", first=MONDAY - timedelta(days=3)))
    assert check_roster(roster(days("OOOO")), agents("ana"), CONFIG, previous=previous) == []


def test_unknown_day_breaks_a_run() -> None:
    assert check_roster(roster(days("DDDD.DDDD")), agents("ana"), CONFIG) == []


# ---- weekly rest days -------------------------------------------------------------------------

def test_min_rest_days_per_week() -> None:
    relaxed = build_config({"rules": {"max_consecutive_days": 7}})
    assert check_roster(roster(days("DDDDDDO")), agents("ana"), relaxed) == []
    assert check_roster(roster(days("DDDDDDL")), agents("ana"), relaxed) == []
    violations = check_roster(roster(days("DDDDDDD")), agents("ana"), relaxed)
    assert found(violations) == [("min_rest_days_per_week", "ana", iso(0))]
    assert violations[0].message == ("ana has 0 rest day(s) in the week "
                                     "2026-11-23..2026-11-29 (min 1)")


def test_two_rest_days_per_week() -> None:
    two = build_config({"rules": {"min_rest_days_per_week": 2}})
    assert check_roster(roster(days("DDDDDOO")), agents("ana"), two) == []
    assert found(check_roster(roster(days("DDODDDD"), ), agents("ana"), two)) == [
        ("min_rest_days_per_week", "ana", iso(0))]


def test_partial_weeks_are_not_judged() -> None:
    relaxed = build_config({"rules": {"max_consecutive_days": 20}})
    thursday = MONDAY + timedelta(days=3)
    # Thu..Wed: two partial weeks, neither fully known
    assert check_roster(roster(days("DDDDDDD", first=thursday)), agents("ana"), relaxed) == []
    # a day missing inside the week: not judged either
    assert check_roster(roster(days("DDD.DDD")), agents("ana"), relaxed) == []


def test_week_completed_by_the_previous_roster_is_judged() -> None:
    relaxed = build_config({"rules": {"max_consecutive_days": 20}})
    wednesday = MONDAY + timedelta(days=2)
    horizon = roster(days("DDDDD", first=wednesday))
    assert check_roster(horizon, agents("ana"), relaxed,
                        previous=roster(days("OD"))) == []
    violations = check_roster(horizon, agents("ana"), relaxed, previous=roster(days("DD")))
    assert found(violations) == [("min_rest_days_per_week", "ana", iso(0))]


def test_week_wholly_in_the_previous_roster_is_not_judged() -> None:
    relaxed = build_config({"rules": {"max_consecutive_days": 20}})
    previous = roster(days("DDDDDDD", first=MONDAY - timedelta(days=7)))
    assert check_roster(roster(days("DDDDDDO")), agents("ana"), relaxed, previous=previous) == []


# ---- rest hours -------------------------------------------------------------------------------

def test_night_then_day_meets_nine_hours() -> None:
    assert check_roster(roster(days("NDO")), agents("ana"), CONFIG) == []


def test_min_rest_hours() -> None:
    ten = build_config({"rules": {"min_rest_hours": 10}})
    assert check_roster(roster(days("DNO")), agents("ana"), ten) == []
    violations = check_roster(roster(days("NDO")), agents("ana"), ten)
    assert found(violations) == [("min_rest_hours", "ana", iso(1))]
    assert violations[0].message == ("ana rests 9 h between NIGHT ending 2026-11-23 23:30 and "
                                     "DAY starting 2026-11-24 08:30 (min 10 h)")


def test_rest_hours_across_the_previous_roster_boundary() -> None:
    ten = build_config({"rules": {"min_rest_hours": 10}})
    sunday = MONDAY - timedelta(days=1)
    horizon = roster(days("DO"))
    assert check_roster(horizon, agents("ana"), ten, previous=roster(days("D", first=sunday))) == []
    violations = check_roster(horizon, agents("ana"), ten,
                              previous=roster(days("N", first=sunday)))
    assert found(violations) == [("min_rest_hours", "ana", iso(0))]


def test_rest_hours_of_a_shift_crossing_midnight() -> None:
    late = build_config({"shifts": [{"code": "DAY", "start": "08:30", "end": "16:00"},
                                    {"code": "LATE", "start": "18:00", "end": "02:00"}]})
    assert check_roster(roster(days("XOD")), agents("ana"), late) == []
    violations = check_roster(roster(days("XDO")), agents("ana"), late)
    assert found(violations) == [("min_rest_hours", "ana", iso(1))]
    assert "rests 6.5 h between LATE ending 2026-11-24 02:00" in violations[0].message


def test_rest_hours_span_a_day_off() -> None:
    long_rest = build_config({"rules": {"min_rest_hours": 41}})
    assert check_roster(roster(days("DOOD")), agents("ana"), long_rest) == []
    violations = check_roster(roster(days("DOD")), agents("ana"), long_rest)
    assert found(violations) == [("min_rest_hours", "ana", iso(2))]
    assert "rests 40.5 h" in violations[0].message


def test_rest_hours_use_real_time_across_a_dst_change() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25: the night is one hour longer.
    berlin = build_config({"timezone": "Europe/Berlin", "rules": {"min_rest_hours": 10}})
    saturday = date(2026, 10, 24)
    violations = check_roster(roster(days("ND", first=saturday)), agents("ana"), berlin)
    assert violations == []  # 23:30 -> 08:30 is 10 h of real time that night
    other = check_roster(roster(days("ND", first=saturday - timedelta(days=7))),
                         agents("ana"), berlin)
    assert found(other) == [("min_rest_hours", "ana", "2026-10-18")]


# ---- nights per week --------------------------------------------------------------------------

def test_max_nights_per_week() -> None:
    staff = agents("ana", max_nights_per_week=2)
    assert check_roster(roster(days("NNDDOOO")), staff, CONFIG) == []
    violations = check_roster(roster(days("NNNDOOO")), staff, CONFIG)
    assert found(violations) == [("max_nights_per_week", "ana", iso(0))]
    assert violations[0].message == ("ana works 3 night shift(s) in the week "
                                     "2026-11-23..2026-11-29 (max 2)")
    assert check_roster(roster(days("NNNNOOO")), agents("ana"), CONFIG) == []  # no limit given


def test_max_nights_counts_previous_days_of_the_same_week() -> None:
    staff = agents("ana", max_nights_per_week=2)
    wednesday = MONDAY + timedelta(days=2)
    horizon = roster(days("NDOOO", first=wednesday))
    assert check_roster(horizon, staff, CONFIG, previous=roster(days("DN"))) == []
    assert found(check_roster(horizon, staff, CONFIG, previous=roster(days("NN")))) == [
        ("max_nights_per_week", "ana", iso(0))]
    # the previous roster alone is over the limit: not this roster's doing
    no_nights = roster(days("DDOOO", first=wednesday))
    assert check_roster(no_nights, staff, CONFIG, previous=roster(days("NNN"))) == []


def test_max_nights_zero_and_empty_cells() -> None:
    staff = pd.DataFrame({"agent_id": ["ana", "bob"], "name": ["", ""],
                          "skills": [("sales",), ("sales",)],
                          "max_nights_per_week": pd.array([0, None], dtype="Int64")})
    frame = roster(days("NOO"), days("NNO", agent="bob"))
    assert found(check_roster(frame, staff, CONFIG)) == [("max_nights_per_week", "ana", iso(0))]


# ---- fixed assignments ------------------------------------------------------------------------

def pinned(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([(a, MONDAY + timedelta(days=o), s, q) for a, o, s, q in rows],
                        columns=["agent_id", "date", "shift", "queue"])


def test_fixed_assignments() -> None:
    frame = roster(days("DNO"))
    assert check_roster(frame, agents("ana"), CONFIG,
                        fixed=pinned([("ana", 0, "DAY", ""), ("ana", 1, "NIGHT", "sales"),
                                      ("ana", 2, "OFF", "")])) == []
    violations = check_roster(frame, agents("ana"), CONFIG,
                              fixed=pinned([("ana", 0, "NIGHT", ""), ("ana", 1, "NIGHT", "vip"),
                                            ("ana", 2, "DAY", "")]))
    assert found(violations) == [("fixed", "ana", iso(0)), ("fixed", "ana", iso(1)),
                                 ("fixed", "ana", iso(2))]
    assert violations[0].message == ("ana is pinned to NIGHT on 2026-11-23 but rostered DAY on "
                                     "queue 'sales'")


def test_fixed_day_missing_from_the_roster() -> None:
    frame = roster(days("D.O"))
    violations = check_roster(frame, agents("ana"), CONFIG, fixed=pinned([("ana", 1, "DAY", "")]))
    assert found(violations) == [("fixed", "ana", iso(1))]
    assert "no row" in violations[0].message
    outside = pinned([("ana", 5, "DAY", "")])  # after the horizon: not this roster's business
    assert check_roster(frame, agents("ana"), CONFIG, fixed=outside) == []


# ---- the whole ----------------------------------------------------------------------------------

def test_agent_ids_restricts_the_check() -> None:
    frame = roster(days("DDDDDDD"), days("NNNNNNN", agent="bob"), days("DO", agent="cy"))
    staff = agents("ana", "bob", "cy")
    everything = check_roster(frame, staff, CONFIG)
    only_bob = check_roster(frame, staff, CONFIG, agent_ids=["bob"])
    assert only_bob == [v for v in everything if v.agent_id == "bob"]
    assert {v.agent_id for v in everything} == {"ana", "bob"}
    assert check_roster(frame, staff, CONFIG, agent_ids=["cy"]) == []


def test_violations_are_sorted_and_coded() -> None:
    frame = roster(days("DDDDDDDD", queue="vip"), days("EO", agent="bob"), days("D", agent="zoe"))
    violations = check_roster(frame.sample(frac=1, random_state=3), agents("ana", "bob"),
                              CONFIG, leave=leave_on(2))
    keys = [(v.agent_id, v.date, v.code) for v in violations]
    assert keys == sorted(keys)
    assert {v.code for v in violations} <= set(RULE_CODES)
    assert {"skill", "leave", "max_consecutive_days", "unknown_shift",
            "unknown_agent"} <= {v.code for v in violations}
    table = violations_frame(violations)
    assert list(table.columns) == ["code", "agent_id", "date", "message"]
    assert len(table) == len(violations)


def test_dates_may_be_text_or_timestamps() -> None:
    frame = roster(days("DDDDDDDO"))
    expected = check_roster(frame, agents("ana"), CONFIG)
    as_text = frame.assign(date=[d.isoformat() for d in frame["date"]])
    as_stamp = frame.assign(date=pd.to_datetime(frame["date"]))
    assert check_roster(as_text, agents("ana"), CONFIG) == expected
    assert check_roster(as_stamp, agents("ana"), CONFIG) == expected


def test_bad_input_names_the_problem() -> None:
    with pytest.raises(InvalidInput, match="shift"):
        check_roster(roster(days("D")).drop(columns="shift"), agents("ana"), CONFIG)
    bad_date = roster(days("DD")).assign(date=["2026-11-23", "23/11/2026"])
    with pytest.raises(InvalidInput, match="line 3.*'date'.*23/11/2026"):
        check_roster(bad_date, agents("ana"), CONFIG)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.skipif(not (FIXTURES / "roster_week.csv").exists(), reason="fixtures/ not present")
def test_fixture_roster_passes_and_a_broken_copy_fails() -> None:
    tz = "Asia/Shanghai"
    week = read_table(FIXTURES / "roster_week.csv", ROSTER, timezone=tz)
    staff = read_table(FIXTURES / "agents.csv", AGENTS, timezone=tz)
    previous = read_table(FIXTURES / "previous_roster.csv", ROSTER, timezone=tz)
    leave = read_table(FIXTURES / "leave.csv", LEAVE, timezone=tz)
    site = load_config(FIXTURES / "site.toml")  # the demo's own shift variants
    assert check_roster(week, staff, site, previous=previous, leave=leave) == []
    first_leave = leave.iloc[0]
    broken = week.copy()
    hit = (broken["agent_id"] == first_leave["agent_id"]) & (broken["date"] == first_leave["date"])
    broken.loc[hit, "shift"] = "DAY"
    broken.loc[hit, "queue"] = staff.set_index("agent_id").loc[first_leave["agent_id"],
                                                               "skills"][0]
    assert found(check_roster(broken, staff, site, previous=previous, leave=leave)) == [
        ("leave", first_leave["agent_id"], first_leave["date"].isoformat())]


# ---- brute force ------------------------------------------------------------------------------

RANDOM_SHIFTS = [{"code": "DAY", "start": "08:30", "end": "16:00"},
                 {"code": "NIGHT", "start": "16:00", "end": "23:30"},
                 {"code": "LATE", "start": "22:00", "end": "06:00"}]
# None: no row; weighted so that whole weeks are often known
CHOICES = ["DAY", "NIGHT", "LATE", "OFF", "LEAVE", "DAY", "DAY", "NIGHT", "OFF", "EVE", None]
QUEUES = ["sales", "presales", ""]


def naive_check(rows, staff, config, previous, leave, fixed, several_queues):
    """Day-by-day re-statement of the rules in DESIGN.md, written without the checker's code."""
    out = set()
    templates = {t.code: t for t in config.shifts}
    skills = {a: set(s) for a, s in zip(staff["agent_id"], staff["skills"], strict=True)}
    nights_max = dict(zip(staff["agent_id"], staff["max_nights_per_week"], strict=True))
    start_date = dict(zip(staff["agent_id"], staff["start_date"], strict=True))
    end_date = dict(zip(staff["agent_id"], staff["end_date"], strict=True))
    approved = set(zip(leave["agent_id"], leave["date"], strict=True))
    first = min(r[1] for r in rows)
    last = max(r[1] for r in rows)
    plan: dict[tuple[str, date], tuple[str, str]] = {}
    for agent, day, shift, queue in rows:
        if agent not in skills:
            out.add(("unknown_agent", agent, min(r[1] for r in rows if r[0] == agent)))
        if shift not in templates and shift not in ("OFF", "LEAVE"):
            out.add(("unknown_shift", agent, day))
            continue
        plan[agent, day] = (shift, queue)
        works = shift in templates
        if works and agent in skills:
            if queue and queue not in skills[agent]:
                out.add(("skill", agent, day))
            if start_date[agent] is not None and day < start_date[agent]:
                out.add(("outside_contract", agent, day))
            if end_date[agent] is not None and day > end_date[agent]:
                out.add(("outside_contract", agent, day))
        if works and not queue and several_queues:
            out.add(("missing_queue", agent, day))
        if works and (agent, day) in approved:
            out.add(("leave", agent, day))
        if shift == "LEAVE" and (agent, day) not in approved:
            out.add(("leave", agent, day))
    for agent, day, shift, queue in fixed:
        if first <= day <= last:
            got = next(((s, q) for a, d, s, q in rows if a == agent and d == day), None)
            if got is None or got[0] != shift or (queue and got[1] != queue):
                out.add(("fixed", agent, day))
    known = dict(plan)
    for agent, day, shift, _ in previous:
        if day < first and (shift in templates or shift in ("OFF", "LEAVE")):
            known.setdefault((agent, day), (shift, ""))
    agents_in = sorted({r[0] for r in rows})
    earliest = min([d for _, d in known] + [first])
    span = [earliest + timedelta(days=i) for i in range((last - earliest).days + 1)]
    rules = config.rules
    for agent in agents_in:
        run = 0
        for day in span:
            shift = known.get((agent, day), (None,))[0]
            run = run + 1 if shift in templates else 0
            if run > rules.max_consecutive_days and first <= day and (
                    run == rules.max_consecutive_days + 1 or day == first):
                out.add(("max_consecutive_days", agent, day))
        monday = earliest - timedelta(days=earliest.weekday())
        while monday <= last:
            week = [monday + timedelta(days=i) for i in range(7)]
            if any(first <= d <= last for d in week):
                states = [known.get((agent, d), (None,))[0] for d in week]
                if None not in states and rules.min_rest_days_per_week > 0:
                    rest = sum(s in ("OFF", "LEAVE") for s in states)
                    if rest < rules.min_rest_days_per_week:
                        out.add(("min_rest_days_per_week", agent, monday))
                limit = nights_max.get(agent)
                if limit is not None and not pd.isna(limit):
                    night = [s in templates and is_night_shift(templates[s]) for s in states]
                    if sum(night) > limit and any(
                            n and first <= d <= last for n, d in zip(night, week, strict=True)):
                        out.add(("max_nights_per_week", agent, monday))
            monday += timedelta(days=7)
        shifts = [(d, known[agent, d][0]) for d in span
                  if (agent, d) in known and known[agent, d][0] in templates]
        for (d1, s1), (d2, s2) in zip(shifts, shifts[1:], strict=False):
            if not first <= d2 <= last:
                continue
            t1, t2 = templates[s1], templates[s2]
            end1 = (datetime(d1.year, d1.month, d1.day, tzinfo=config.tz)
                    + timedelta(minutes=t1.start_minute + t1.duration_minutes))
            start2 = datetime(d2.year, d2.month, d2.day, t2.start_minute // 60,
                              t2.start_minute % 60, tzinfo=config.tz)
            rest = start2.astimezone(UTC) - end1.astimezone(UTC)
            if rest < timedelta(hours=rules.min_rest_hours):
                out.add(("min_rest_hours", agent, d2))
    return sorted((code, agent, day.isoformat()) for code, agent, day in out)


@st.composite
def random_case(draw):
    num_days = draw(st.integers(1, 12))
    first = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    agent_ids = ["a", "b", "c"]
    rows = []
    for agent in agent_ids:
        for i in range(num_days):
            shift = draw(st.sampled_from(CHOICES))
            if shift is not None:
                rows.append((agent, first + timedelta(days=i), shift,
                             draw(st.sampled_from(QUEUES))))
    if not rows:
        rows.append(("a", first, "OFF", ""))
    if draw(st.booleans()):
        rows.append(("ghost", first, "DAY", "sales"))
    tail = draw(st.integers(0, 9))
    previous = [(agent, first - timedelta(days=i + 1), draw(st.sampled_from(CHOICES[:5])), "")
                for agent in agent_ids for i in range(tail)]
    leave = sorted({(draw(st.sampled_from(agent_ids)), first + timedelta(days=draw(
        st.integers(0, num_days)))) for _ in range(draw(st.integers(0, 4)))})
    fixed = sorted({(draw(st.sampled_from(agent_ids)),
                     first + timedelta(days=draw(st.integers(-1, num_days))),
                     draw(st.sampled_from(["DAY", "OFF", "LEAVE"])),
                     draw(st.sampled_from(QUEUES))) for _ in range(draw(st.integers(0, 3)))})
    fixed = list({(a, d): (a, d, s, q) for a, d, s, q in fixed}.values())
    skills = [draw(st.sampled_from([("sales",), ("presales",), ("sales", "presales")]))
              for _ in agent_ids]
    nights = [draw(st.sampled_from([None, 0, 1, 2, 3])) for _ in agent_ids]
    contract_start = [draw(st.sampled_from([None, first + timedelta(days=2)])) for _ in agent_ids]
    contract_end = [draw(st.sampled_from([None, first + timedelta(days=5)])) for _ in agent_ids]
    staff = pd.DataFrame({"agent_id": agent_ids, "name": agent_ids, "skills": skills,
                          "max_nights_per_week": pd.array(nights, dtype="Int64"),
                          "start_date": contract_start, "end_date": contract_end})
    rules = {"max_consecutive_days": draw(st.integers(1, 7)),
             "min_rest_days_per_week": draw(st.integers(0, 3)),
             "min_rest_hours": draw(st.sampled_from([0, 8.5, 9, 10, 16.5, 30]))}
    requirement_queues = draw(st.sampled_from([None, ["sales"], ["sales", "presales"]]))
    return rows, previous, leave, fixed, staff, rules, requirement_queues


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case())
def test_check_roster_matches_brute_force(case) -> None:
    rows, previous, leave, fixed, staff, rules, requirement_queues = case
    config = build_config({"shifts": RANDOM_SHIFTS, "rules": rules})
    columns = ["agent_id", "date", "shift", "queue"]
    leave_frame = pd.DataFrame(leave, columns=["agent_id", "date"])
    several = len(set(requirement_queues or []) | {q for s in staff["skills"] for q in s}) > 1
    got = check_roster(pd.DataFrame(rows, columns=columns), staff, config,
                       previous=pd.DataFrame(previous, columns=columns), leave=leave_frame,
                       fixed=pd.DataFrame(fixed, columns=columns),
                       requirement_queues=requirement_queues)
    # one row per agent and day here (one_shift_per_day is tested by hand above)
    expected = naive_check(rows, staff.astype(object).where(staff.notna(), None), config,
                           previous, leave_frame, fixed, several)
    assert sorted(found(got)) == expected


def test_agent_ids_empty_checks_nobody() -> None:
    assert check_roster(roster(days("DDDDDDDD")), agents("ana"), CONFIG, agent_ids=[]) == []


def test_unknown_agent_still_gets_the_calendar_rules() -> None:
    violations = check_roster(roster(days("DDDDDDDO", agent="zoe")), agents("ana"), CONFIG)
    assert found(violations) == [("min_rest_days_per_week", "zoe", iso(0)),
                                 ("unknown_agent", "zoe", iso(0)),
                                 ("max_consecutive_days", "zoe", iso(6))]


def test_previous_roster_problems_are_context_only() -> None:
    sunday = MONDAY - timedelta(days=1)
    previous = roster(days("E", first=sunday), days("N", first=sunday))  # unknown + duplicate
    assert check_roster(roster(days("DO")), agents("ana"), CONFIG, previous=previous) == []
    with pytest.raises(InvalidInput, match="previous"):
        check_roster(roster(days("DO")), agents("ana"), CONFIG,
                     previous=previous.drop(columns="shift"))
