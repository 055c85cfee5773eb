"""``wfm.requests.swaps``: check_swap on hand-worked rosters and the coverage rule of
auto-approval (the swap status machine: ``test_requests_status.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.requests.swaps import SwapVerdict, check_swap
from wfm.tables import AGENTS, ROSTER, read_table_text

MONDAY = date(2030, 1, 7)
CONFIG = build_config({"country": "", "shifts": [
    {"code": "EARLY", "start": "08:00", "end": "12:00", "breaks": [["10:00", 30]]},
    {"code": "LATE", "start": "14:00", "end": "18:00"}]})
AGENTS_FRAME = read_table_text("agent_id,name,skills\nA,a,sales\nB,b,sales\nC,c,sales\n",
                               AGENTS)


def roster(rows: dict[str, list[str]]) -> pd.DataFrame:
    lines = ["agent_id,date,shift,queue"]
    for agent, shifts in rows.items():
        for k, shift in enumerate(shifts):
            queue = "" if shift in ("OFF", "LEAVE") else "sales"
            lines.append(f"{agent},{MONDAY + timedelta(days=k)},{shift},{queue}")
    return read_table_text("\n".join(lines) + "\n", ROSTER)


ROSTER_FRAME = roster({"A": ["EARLY", "EARLY", "OFF"],
                       "B": ["OFF", "LATE", "LATE"],
                       "C": ["EARLY", "OFF", "EARLY"]})


def test_give_moves_the_shift_and_counts_coverage_by_hand() -> None:
    verdict = check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind="give", requester_id="A",
                         counterpart_id="B", dates=[MONDAY])
    assert verdict.ok
    assert verdict.after == [
        {"agent_id": "A", "date": MONDAY, "shift": "OFF", "queue": ""},
        {"agent_id": "B", "date": MONDAY, "shift": "EARLY", "queue": "sales"}]
    # EARLY 08:00-12:00 covers 8 half-hours minus the 10:00-10:30 break: 7 intervals. On Monday
    # A and C work EARLY: 2 before, 2 after (B replaces A). No requirement: required 0.
    starts = [t.strftime("%H:%M") for t in verdict.impact["interval_start"]]
    assert starts == ["08:00", "08:30", "09:00", "09:30", "10:30", "11:00", "11:30"]
    assert verdict.impact[["required", "scheduled_before", "scheduled_after"]].drop_duplicates(
    ).to_numpy().tolist() == [[0, 2, 2]]
    assert str(verdict.impact["interval_start"].iloc[0]) == "2030-01-07 08:00:00+08:00"
    assert verdict.starts_at is not None and verdict.starts_at.isoformat() == (
        "2030-01-07T08:00:00+08:00")


def test_two_date_swap_exchanges_both_days() -> None:
    # A gives its Monday EARLY to B (off), B gives its Wednesday LATE to A (off).
    verdict = check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind="swap", requester_id="A",
                         counterpart_id="B", dates=[MONDAY, MONDAY + timedelta(days=2)])
    assert verdict.ok
    got = {(c["agent_id"], c["date"].isoformat(), c["shift"]) for c in verdict.after}
    assert got == {("A", "2030-01-07", "OFF"), ("B", "2030-01-07", "EARLY"),
                   ("A", "2030-01-09", "LATE"), ("B", "2030-01-09", "OFF")}
    late = verdict.impact[verdict.impact["interval_start"].dt.hour >= 14]
    assert len(late) == 8 and set(late["scheduled_before"]) == {1} == set(
        late["scheduled_after"])


def test_window_counts_give_the_same_impact() -> None:
    pair_rows = ROSTER_FRAME[ROSTER_FRAME["agent_id"].isin(["A", "B"])]
    counts = pd.DataFrame({"date": [MONDAY, MONDAY + timedelta(days=1),
                                    MONDAY + timedelta(days=1)],
                           "shift": ["EARLY", "EARLY", "LATE"], "queue": ["sales"] * 3,
                           "agents": [2, 1, 1]})
    full = check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind="give", requester_id="A",
                      counterpart_id="B", dates=[MONDAY])
    counted = check_swap(pair_rows, AGENTS_FRAME, CONFIG, kind="give", requester_id="A",
                         counterpart_id="B", dates=[MONDAY], window_counts=counts)
    pd.testing.assert_frame_equal(full.impact, counted.impact)


def test_only_new_violations_are_reported() -> None:
    # With at most 2 working days in a row, A already breaks the rule on Saturday; giving A's
    # Tuesday to C makes C work Monday-Wednesday. Only C's new break is the swap's fault.
    from wfm.rules import check_roster

    config = CONFIG.with_overrides(**{"rules.max_consecutive_days": 2})
    frame = roster({"A": ["EARLY", "EARLY", "OFF", "EARLY", "EARLY", "EARLY"],
                    "B": ["OFF", "LATE", "LATE", "OFF", "OFF", "OFF"],
                    "C": ["EARLY", "OFF", "EARLY", "OFF", "OFF", "OFF"]})
    existing = check_roster(frame, AGENTS_FRAME, config)
    assert [(v.code, v.agent_id, v.date) for v in existing] == [
        ("max_consecutive_days", "A", "2030-01-12")]
    verdict = check_swap(frame, AGENTS_FRAME, config, kind="give", requester_id="A",
                         counterpart_id="C", dates=[MONDAY + timedelta(days=1)])
    assert [(v.code, v.agent_id, v.date) for v in verdict.violations] == [
        ("max_consecutive_days", "C", "2030-01-09")]


def test_bad_requests_raise() -> None:
    with pytest.raises(InvalidInput, match="kind must be one of swap, give, rest-day"):
        check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind="trade", requester_id="A",
                   counterpart_id="B", dates=[MONDAY])
    with pytest.raises(InvalidInput, match="a give moves one shift"):
        check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind="give", requester_id="A",
                   counterpart_id="B", dates=[MONDAY, MONDAY + timedelta(days=1)])


def test_keeps_coverage_rule() -> None:
    def verdict(before: int, after: int, required: int) -> SwapVerdict:
        impact = pd.DataFrame({"interval_start": [pd.Timestamp("2030-01-07 08:00")],
                               "queue": ["sales"], "required": [required],
                               "scheduled_before": [before], "scheduled_after": [after]})
        return SwapVerdict([], impact)

    assert verdict(3, 2, 2).keeps_coverage  # still meets the requirement
    assert not verdict(3, 1, 2).keeps_coverage  # drops below it
    assert verdict(1, 1, 2).keeps_coverage  # was short already, not made worse
    assert not verdict(1, 0, 2).keeps_coverage


@pytest.mark.parametrize(("kind", "pair", "days"), [
    ("give", ("A", "B"), [0]), ("swap", ("A", "B"), [1]), ("swap", ("A", "B"), [0, 2]),
    ("rest-day", ("B", "C"), [0, 1]), ("give", ("C", "A"), [2])])
def test_plain_inputs_give_the_same_verdict_as_frames(kind: str, pair: tuple[str, str],
                                                      days: list[int]) -> None:
    """The store passes tuples, agent records, a requirement mapping and window counts; the
    verdict equals the one from frames."""
    dates = [MONDAY + timedelta(days=k) for k in days]
    starts = pd.date_range(f"{MONDAY} 00:00", periods=4 * 48, freq="30min", tz="Asia/Shanghai")
    requirement = pd.DataFrame({"interval_start": starts, "queue": "sales",
                                "scheduled_agents": [k % 3 for k in range(len(starts))]})
    framed = check_swap(ROSTER_FRAME, AGENTS_FRAME, CONFIG, kind=kind, requester_id=pair[0],
                        counterpart_id=pair[1], dates=dates, requirement=requirement,
                        requirement_queues=["sales"])
    rows = list(ROSTER_FRAME[["agent_id", "date", "shift", "queue"]].itertuples(
        index=False, name=None))
    counts = (ROSTER_FRAME[~ROSTER_FRAME["shift"].isin(["OFF", "LEAVE"])]
              .groupby(["date", "shift", "queue"]).size().reset_index(name="agents"))
    mapping = {(t.tz_localize(None).to_pydatetime(), q): n for t, q, n in zip(
        requirement["interval_start"], requirement["queue"], requirement["scheduled_agents"],
        strict=True)}
    plain = check_swap(rows, AGENTS_FRAME.to_dict("records"), CONFIG, kind=kind,
                       requester_id=pair[0], counterpart_id=pair[1], dates=dates,
                       requirement=mapping, requirement_queues=["sales"],
                       window_counts=list(counts.itertuples(index=False, name=None)))
    assert (plain.violations, plain.before, plain.after, plain.starts_at) == (
        framed.violations, framed.before, framed.after, framed.starts_at)
    assert plain.impact.equals(framed.impact)


def test_the_impact_of_a_night_shift_over_the_autumn_change_has_every_real_interval() -> None:
    """Berlin falls back at 03:00 on 2027-10-31: a 22:00-06:00 night shift lasts 9 real hours,
    18 half-hours, the repeated 02:00 and 02:30 twice; each copy keeps its own requirement."""
    berlin = build_config({"country": "", "timezone": "Europe/Berlin",
                           "shifts": [{"code": "N", "start": "22:00", "end": "06:00"}]})
    saturday = date(2027, 10, 30)
    text = (f"agent_id,date,shift,queue\nA1,{saturday},N,sales\nA2,{saturday},OFF,\n")
    staff = read_table_text("agent_id,name,skills\nA1,a,sales\nA2,b,sales\n", AGENTS)
    copies = ["2027-10-31T02:00:00+02:00", "2027-10-31T02:00:00+01:00"]
    requirement = pd.DataFrame({"interval_start": pd.to_datetime(copies, utc=True)
                                .tz_convert("Europe/Berlin"), "queue": "sales",
                                "scheduled_agents": [3, 5]})
    verdict = check_swap(read_table_text(text, ROSTER, timezone="Europe/Berlin"), staff, berlin,
                         kind="give", requester_id="A1", counterpart_id="A2", dates=[saturday],
                         requirement=requirement)
    impact = verdict.impact
    assert len(impact) == 18
    assert (impact["interval_start"].diff().dropna() == pd.Timedelta(minutes=30)).all()
    need = {t.isoformat(): n for t, n in zip(impact["interval_start"], impact["required"],
                                              strict=True) if n}
    assert need == {"2027-10-31T02:00:00+02:00": 3, "2027-10-31T02:00:00+01:00": 5}
