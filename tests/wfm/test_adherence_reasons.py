"""Hand-worked cases of ``wfm.adherence.reasons``: every lost minute has one cause, and the
causes sum to scheduled - in adherence. BRK is 09:00-17:00 with a fixed break 12:00-13:00
(420 scheduled minutes); DAY is 09:00-17:00 without breaks (480)."""

from __future__ import annotations

import pytest

from tests.wfm.test_adherence import report, row

D = "2026-11-23"


def lost(result, agent_id: str = "a1", shift: str = "BRK") -> dict[str, float]:
    figures = row(result, agent_id, D, shift)
    causes = {name.removeprefix("lost_").removesuffix("_minutes"): value
              for name, value in figures.items() if name.startswith("lost_")}
    assert sum(causes.values()) == pytest.approx(
        figures["scheduled_minutes"] - figures["in_adherence_minutes"], abs=1e-9)
    return {cause: value for cause, value in causes.items() if value}


def events(*lines: str) -> str:
    return "".join(f"a1,{D}T{line}\n" for line in lines)


def test_late_start_and_early_leave():
    # in at 09:20, out at 16:45: 20 + 15 lost
    result = report(f"a1,{D},BRK\n", events("09:20:00,login", "16:45:00,logout"))
    assert lost(result) == {"late_start": 20, "early_leave": 15}


def test_late_start_skips_the_fixed_break_inside_it():
    # in at 13:10: late_start_minutes is 250 on the wall clock, 190 of scheduled work are lost
    result = report(f"a1,{D},BRK\n", events("13:10:00,login", "17:00:00,logout"))
    assert row(result, "a1", D, "BRK")["late_start_minutes"] == 250
    assert lost(result) == {"late_start": 190}


def test_absent_loses_every_scheduled_minute():
    # logged in but never working inside the window: absent, whatever the state
    result = report(f"a1,{D},BRK\n", events("09:00:00,not_ready", "17:00:00,logout"))
    assert lost(result) == {"absent": 420}


def test_lunch_that_runs_over_is_a_break_overrun():
    # lunch 11:50-13:25 around the fixed 12:00-13:00 break: 10 before, 25 after
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "11:50:00,lunch",
                                            "13:25:00,ready", "17:00:00,logout"))
    assert lost(result) == {"break_overrun": 35}


def test_break_then_lunch_is_one_run_that_touches_the_fixed_break():
    # break 12:50, lunch 13:00-13:20: one run of break states touching the fixed break: 20 over
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "12:50:00,break",
                                            "13:00:00,lunch", "13:20:00,ready",
                                            "17:00:00,logout"))
    assert lost(result) == {"break_overrun": 20}


def test_break_away_from_the_fixed_break_is_unscheduled():
    # a break 15:00-15:15 and not_ready 10:00-10:05, meeting 16:00-16:10: all "not ready"
    result = report(f"a1,{D},BRK\n", events(
        "09:00:00,login", "10:00:00,not_ready", "10:05:00,ready", "15:00:00,break",
        "15:15:00,talk", "16:00:00,meeting", "16:10:00,acw", "17:00:00,logout"))
    assert lost(result) == {"not_ready": 30}


def test_a_shift_without_fixed_breaks_has_no_overrun():
    result = report(f"a1,{D},DAY\n", events("09:00:00,login", "12:00:00,lunch",
                                            "12:30:00,ready", "17:00:00,logout"))
    assert lost(result, shift="DAY") == {"not_ready": 30}


def test_logged_out_mid_shift_is_other():
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "10:00:00,logout",
                                            "10:40:00,login", "17:00:00,logout"))
    assert lost(result) == {"other": 40}


def test_working_through_the_fixed_break_is_not_a_cause():
    # working 09:00-17:00 straight through the 12:00-13:00 break: nothing lost
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "17:00:00,logout"))
    figures = row(result, "a1", D, "BRK")
    assert figures["in_adherence_minutes"] == figures["scheduled_minutes"] == 420
    assert lost(result) == {}


def test_an_episode_within_the_grace_is_not_lost():
    # not_ready 10:00-10:02 (forgiven with grace 5), lunch 13:00-13:20 (over by 20, lost)
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "10:00:00,not_ready",
                                            "10:02:00,ready", "13:00:00,lunch",
                                            "13:20:00,ready", "17:00:00,logout"),
                    grace_minutes=5)
    assert lost(result) == {"break_overrun": 20}


def test_one_episode_with_several_causes_is_split():
    # lunch 12:00-13:10 then logged out 13:10-13:30: one 30-minute episode, 10 + 20
    result = report(f"a1,{D},BRK\n", events("09:00:00,login", "12:00:00,lunch",
                                            "13:10:00,logout", "13:30:00,login",
                                            "17:00:00,logout"))
    assert lost(result) == {"break_overrun": 10, "other": 20}
    assert row(result, "a1", D, "BRK")["episodes"] == 1


def test_seconds_are_exact():
    result = report(f"a1,{D},DAY\n", events("09:00:20,login", "11:00:00,not_ready",
                                            "11:00:50,ready", "17:00:00,logout"))
    assert lost(result, shift="DAY") == pytest.approx({"late_start": 1 / 3, "not_ready": 5 / 6})


def counting_breaks(config):
    """The site that counts work in fixed breaks (``[adherence] count_work_in_breaks``)."""
    return config.model_copy(update={"adherence": config.adherence.model_copy(
        update={"count_work_in_breaks": True})})


def test_working_through_the_fixed_break_is_lost_where_the_site_counts_it():
    from tests.wfm.test_adherence import CONFIG
    from wfm.adherence import compute_adherence
    from wfm.tables import read_table_text

    roster = read_table_text(f"agent_id,date,shift\na1,{D},BRK\na2,{D},BRK\n", "roster")
    login = read_table_text("agent_id,timestamp,state\n" + events(
        "09:00:00,login", "17:00:00,logout") + "".join(
        f"a2,{D}T{t}\n" for t in ("09:00:00,login", "12:00:00,lunch", "13:10:00,ready",
                                  "17:00:00,logout")), "login events")
    result = compute_adherence(roster, counting_breaks(CONFIG), events=login)
    a1, a2 = row(result, "a1", D, "BRK"), row(result, "a2", D, "BRK")
    # the 60-minute break is in the ratio: 480 scheduled; a1 worked through it, a2 took it
    # and 10 minutes more
    assert (a1["scheduled_minutes"], a1["in_adherence_minutes"]) == (480, 420)
    assert lost(result) == {"worked_break": 60}
    assert (a2["scheduled_minutes"], a2["in_adherence_minutes"]) == (480, 470)
    assert lost(result, "a2") == {"break_overrun": 10}
