"""``wfm.requests.offers`` on plain values: the change an acceptance makes, eligibility held
against the independent rule checker (the same roster written with a real template of the
changed hours), refusals, totals and the ``[intraday]`` rule's drafts, all hand-worked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from wfm.config import SiteConfig, build_config
from wfm.errors import InvalidInput
from wfm.requests.offers import (
    FILLED,
    Offer,
    OfferChange,
    acceptance_refusal,
    auto_offers,
    check_offer,
    check_offer_window,
    clock_text,
    offer_early_ends,
    offer_head_counts,
    offer_head_deltas,
    offer_totals,
    roster_with_offer_hours,
)
from wfm.rules import check_roster_rows

MONDAY = date(2030, 1, 7)
WEEK = [MONDAY + timedelta(days=k) for k in range(7)]
AGENT: dict[str, Any] = {"agent_id": "A", "skills": ("voice",)}


def site(**rules: Any) -> SiteConfig:
    return build_config({"country": "", "rules": {"min_rest_hours": 9, **rules}})


def week(shifts: dict[int, str] | None = None) -> list[tuple[str, date, str, str]]:
    """DAY in voice Monday to Friday, OFF at the weekend, with ``shifts`` overriding days."""
    out = []
    for k, d in enumerate(WEEK):
        shift = (shifts or {}).get(k, "DAY" if k < 5 else "OFF")
        out.append(("A", d, shift, "" if shift in ("OFF", "LEAVE") else "voice"))
    return out


def offer(kind: str, k: int, start: str, end: str, queues: tuple[str, ...] = ("voice",),
          **kw: Any) -> Offer:
    return Offer(kind, WEEK[k], start, end, queues, kw.pop("needed", 2), **kw)


def reference(rows: list[tuple[str, date, str, str]], config: SiteConfig,
              agent: dict[str, Any] = AGENT, **templates: tuple[str, str]
              ) -> set[tuple[str, str]]:
    """What the checker says of ``rows`` with extra real templates (code -> start, end); the
    rosters before the change here break no rule, so this is what the change adds."""
    shifts = [*config.model_dump()["shifts"],
              *({"code": c, "start": s, "end": e} for c, (s, e) in templates.items())]
    extended = build_config({**config.model_dump(), "shifts": shifts})
    return {(v.code, v.date) for v in check_roster_rows(rows, [agent], extended,
                                                        requirement_queues=["voice", "chat"])}


def codes(verdict: Any) -> set[tuple[str, str]]:
    return {(v.code, v.date) for v in verdict.violations}


def test_overtime_after_a_shift_extends_it() -> None:
    verdict = check_offer(week(), AGENT, site(), offer("overtime", 1, "16:00", "18:00"))
    assert verdict.ok
    assert verdict.change == OfferChange("overtime", "extend_after", "A", WEEK[1], "DAY",
                                         "voice", "DAY", "voice", 510, 1080, 120, "voice")
    before = check_offer(week(), AGENT, site(), offer("overtime", 1, "07:00", "08:30"))
    assert before.change is not None
    assert (before.change.change, before.change.start_minute, before.change.minutes) == (
        "extend_before", 420, 90)


def test_extension_into_the_rest_hours_is_what_the_checker_says_of_the_longer_shift() -> None:
    # NIGHT Tuesday (ends 23:30), DAY Wednesday (08:30): 9 h of rest, the minimum
    rows = week({1: "NIGHT"})
    config = site()
    assert check_roster_rows(rows, [AGENT], config) == []
    verdict = check_offer(rows, AGENT, config, offer("overtime", 1, "23:30", "24:00"))
    assert verdict.change is not None and verdict.change.change == "extend_after"
    late = week({1: "LATE"})
    expected = reference(late, config, LATE=("16:00", "24:00"))
    assert codes(verdict) == expected == {("min_rest_hours", WEEK[2].isoformat())}
    early = check_offer(rows, AGENT, config, offer("overtime", 2, "07:30", "08:30"))
    expected = reference(week({1: "NIGHT", 2: "EARLY"}), config, EARLY=("07:30", "16:00"))
    assert codes(early) == expected == {("min_rest_hours", WEEK[2].isoformat())}


def test_added_shift_on_a_rest_day_needs_the_skill_of_the_queue() -> None:
    config = site()
    verdict = check_offer(week(), AGENT, config, offer("overtime", 5, "09:00", "12:00",
                                                       queues=("chat",)))
    assert verdict.change is not None and verdict.change.change == "add_shift"
    rows = [r if r[1] != WEEK[5] else ("A", WEEK[5], "DAY", "chat") for r in week()]
    assert codes(verdict) == reference(rows, config) == {("skill", WEEK[5].isoformat())}
    # the queue the agent has among the offer's queues is the one it serves
    both = check_offer(week(), AGENT, config, offer("overtime", 5, "09:00", "12:00",
                                                    queues=("chat", "voice")))
    assert both.ok and both.change is not None and both.change.queue == "voice"


def test_added_shift_breaking_consecutive_days_and_weekly_rest() -> None:
    config = site(max_consecutive_days=5)
    verdict = check_offer(week(), AGENT, config, offer("overtime", 5, "09:00", "12:00"))
    rows = [r if r[1] != WEEK[5] else ("A", WEEK[5], "DAY", "voice") for r in week()]
    assert codes(verdict) == reference(rows, config)
    assert ("max_consecutive_days", WEEK[5].isoformat()) in codes(verdict)
    config = site(min_rest_days_per_week=2)
    verdict = check_offer(week(), AGENT, config, offer("overtime", 6, "09:00", "12:00"))
    assert {c for c, _ in codes(verdict)} == {"min_rest_days_per_week"}


def test_extension_into_the_night_counts_against_the_night_cap() -> None:
    agent = {**AGENT, "max_nights_per_week": 0}
    config = site()
    verdict = check_offer(week(), agent, config, offer("overtime", 1, "16:00", "20:30"))
    expected = reference(week({1: "LONG"}), config, agent, LONG=("08:30", "20:30"))
    assert codes(verdict) == expected
    assert {c for c, _ in expected} == {"max_nights_per_week"}
    assert check_offer(week(), agent, config, offer("overtime", 1, "16:00", "20:00")).ok


def test_contract_end_refuses_a_shift_after_it() -> None:
    agent = {**AGENT, "end_date": WEEK[4]}
    verdict = check_offer(week()[:5] + week()[5:], agent, site(),
                          offer("overtime", 5, "09:00", "12:00"))
    assert {c for c, _ in codes(verdict)} == {"outside_contract"}


@pytest.mark.parametrize(("kind", "k", "start", "end", "code"), [
    ("overtime", 1, "10:00", "12:00", "already_working"),
    ("overtime", 1, "18:00", "20:00", "not_adjacent"),
    ("overtime", 5, "07:00", "09:00", "no_template"),
    ("vto", 5, "10:00", "12:00", "not_working"),
    ("vto", 1, "10:00", "12:00", "not_at_shift_end"),
    ("overtime", 2, "16:00", "18:00", "leave"),
])
def test_shape_refusals(kind: str, k: int, start: str, end: str, code: str) -> None:
    verdict = check_offer(week({2: "LEAVE"}), AGENT, site(), offer(kind, k, start, end))
    assert [v.code for v in verdict.violations] == [code]
    assert verdict.change is None and not verdict.ok


def test_vto_ends_the_shift_early_or_takes_the_day() -> None:
    config = site()
    early = check_offer(week(), AGENT, config, offer("vto", 1, "14:00", "16:00"))
    assert early.ok and early.change is not None
    assert (early.change.change, early.change.end_minute, early.change.minutes,
            early.change.shift) == ("end_early", 840, 120, "DAY")
    whole = check_offer(week(), AGENT, config, offer("vto", 1, "08:00", "17:00"))
    assert whole.ok and whole.change is not None
    assert (whole.change.change, whole.change.shift, whole.change.minutes) == (
        "day_off", "LEAVE", 450)
    other = check_offer(week(), AGENT, config, offer("vto", 1, "14:00", "16:00",
                                                     queues=("chat",)))
    assert [v.code for v in other.violations] == ["other_queue"]


def test_weekly_overtime_cap() -> None:
    config = build_config({"country": "", "intraday": {"max_overtime_hours_per_week": 3}})
    two_hours = offer("overtime", 1, "16:00", "18:00")
    assert check_offer(week(), AGENT, config, two_hours, overtime_minutes_in_week=60).ok
    verdict = check_offer(week(), AGENT, config, two_hours, overtime_minutes_in_week=90)
    assert [v.code for v in verdict.violations] == ["overtime_cap"]
    assert "3.5 h" in verdict.violations[0].message


def test_acceptance_refusal_order_and_sentences() -> None:
    config = site()
    before = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    shown = offer("overtime", 1, "16:00", "18:00", needed=2, filled=1)
    assert acceptance_refusal(shown, now=before, config=config) is None
    assert acceptance_refusal(offer("overtime", 1, "16:00", "18:00", needed=2, filled=2),
                              now=before, config=config) == FILLED == "offer already filled"
    started = datetime(2030, 1, 8, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    assert acceptance_refusal(shown, now=started, config=config) == (
        "offer expired: its interval has started")
    withdrawn = offer("overtime", 1, "16:00", "18:00", status="withdrawn")
    assert acceptance_refusal(withdrawn, now=before, config=config) == "offer withdrawn"
    verdict = check_offer(week(), AGENT, config, offer("overtime", 5, "09:00", "12:00",
                                                       queues=("chat",)))
    assert acceptance_refusal(shown, now=before, config=config, verdict=verdict) == (
        verdict.violations[0].message)


def test_offer_totals_by_agent_over_the_period() -> None:
    rows = [("A", WEEK[0], "overtime", 120), ("A", WEEK[1], "vto", 450),
            ("B", WEEK[1], "overtime", 90), ("A", WEEK[0] - timedelta(days=1), "overtime", 60)]
    assert offer_totals(rows, date_from=WEEK[0], date_to=WEEK[6]) == [
        {"agent_id": "A", "overtime_hours": 2.0, "vto_hours": 7.5, "offers": 2},
        {"agent_id": "B", "overtime_hours": 1.5, "vto_hours": 0.0, "offers": 1}]


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "bonus"}, "kind"), ({"start": "16:10"}, "start"), ({"end": "15:00"}, "end"),
    ({"agents_needed": 0}, "agents_needed"), ({"queues": []}, "queues")])
def test_check_offer_window_names_the_field(changes: dict[str, Any], field: str) -> None:
    sent: dict[str, Any] = {"kind": "overtime", "start": "16:00", "end": "18:00",
                            "agents_needed": 1, "queues": ["voice"], **changes}
    with pytest.raises(InvalidInput) as error:
        check_offer_window(site(), **sent)
    assert error.value.field == field


def test_auto_offers_from_the_intraday_net_staffing() -> None:
    config = build_config({"country": "", "service": {"shrinkage": 0.25}})
    tz = config.tz
    starts = pd.date_range(datetime(2030, 1, 8, 9, 0), periods=8, freq="30min", tz=tz)
    nets = [0, -1, -3, -2, 0, 2, 3, 2]
    table = pd.DataFrame({"interval_start": starts, "queue": "voice", "status": "coming",
                          "net_agents": nets})
    table.loc[0, "status"] = "actual"
    now = pd.Timestamp(datetime(2030, 1, 8, 8, 0), tz=tz)
    drafts = auto_offers(table, config, now=now)
    # short 09:30-11:00, peak 3 -> ceil(3 / 0.75) = 4; long 11:30-13:00, smallest surplus 2
    # -> floor(2 / 0.75) = 2
    assert [(d.kind, d.start, d.end, d.agents_needed) for d in drafts] == [
        ("overtime", "09:30", "11:00", 4), ("vto", "11:30", "13:00", 2)]
    late = auto_offers(table, config, now=pd.Timestamp(datetime(2030, 1, 8, 10, 0), tz=tz))
    assert [d.kind for d in late] == ["vto"]  # the short run starts inside the lead time
    strict = config.with_overrides(**{"intraday.auto_short_agents": 4,
                                      "intraday.auto_long_agents": 3})
    assert auto_offers(table, strict, now=now) == []


def test_offer_head_counts_of_extensions_only() -> None:
    config = site()
    tuesday = WEEK[1]
    changes = [("extend_after", tuesday, "08:30", "17:00", 60, "voice"),
               ("end_early", tuesday, "08:30", "15:00", 60, "voice"),  # offer_early_ends
               ("extend_before", tuesday, "07:30", "16:00", 60, "chat"),
               ("extend_after", tuesday, "08:30", "16:30", 30, "voice"),
               ("add_shift", tuesday, "08:30", "16:00", 450, "voice"),  # in the roster
               ("extend_after", WEEK[2], "08:30", "17:00", 60, "voice")]  # another day
    found = offer_head_counts(changes, config, tuesday)
    at = {(t.strftime("%H:%M"), q): d for t, q, d in found.itertuples(index=False)}
    assert at == {("16:00", "voice"): 2, ("16:30", "voice"): 1, ("07:30", "chat"): 1,
                  ("08:00", "chat"): 1}
    assert str(found["interval_start"].iat[0].tz) == "Asia/Shanghai"


def test_offer_early_ends_are_absences_from_the_new_end() -> None:
    config = site()
    tuesday = WEEK[1]
    changes = [("A", "end_early", tuesday, "08:30", "15:00", 60),
               ("B", "extend_after", tuesday, "08:30", "17:00", 60),  # offer_head_counts
               ("C", "day_off", tuesday, "08:30", "08:30", 450),  # LEAVE in the roster
               ("D", "end_early", WEEK[2], "08:30", "15:00", 60)]  # another day
    found = offer_early_ends(changes, config, tuesday)
    assert found["agent_id"].tolist() == ["A"]
    assert found["start"].iat[0] == pd.Timestamp("2030-01-08 15:00", tz="Asia/Shanghai")
    assert found["end"].iat[0] == pd.Timestamp("2030-01-08 16:00", tz="Asia/Shanghai")
    assert offer_early_ends([], config, tuesday).columns.tolist() == ["agent_id", "start",
                                                                      "end"]


def test_roster_with_offer_hours_gives_each_changed_row_its_worked_template() -> None:
    config = build_config({"country": "", "shifts": [
        {"code": "DAY", "start": "08:30", "end": "16:00", "breaks": [["12:00", 30]]},
        {"code": "LATE", "start": "22:00", "end": "06:00", "breaks": [["02:00", 30]]}]})
    tuesday = WEEK[1]
    roster = pd.DataFrame({"agent_id": ["A", "B", "C", "D", "A"],
                           "date": [tuesday, tuesday, tuesday, tuesday, WEEK[2]],
                           "shift": ["DAY", "DAY", "LATE", "DAY", "DAY"], "queue": "voice"})
    changes = [("A", tuesday, "extend_after", "08:30", "18:00"),
               ("A", tuesday, "extend_before", "07:30", "16:00"),  # both: 07:30-18:00
               ("B", tuesday, "end_early", "08:30", "12:00"),  # the 12:00 break goes
               ("C", tuesday, "extend_before", "20:00", "06:00"),  # crosses midnight
               ("D", tuesday, "add_shift", "08:30", "16:00")]  # already the row
    worked, site, back = roster_with_offer_hours(roster, changes, config)
    assert worked["shift"].tolist() == ["DAY-OFFER-0730-1800", "DAY-OFFER-0830-1200",
                                        "LATE-OFFER-2000-0600", "DAY", "DAY"]
    assert back == {"DAY-OFFER-0730-1800": "DAY", "DAY-OFFER-0830-1200": "DAY",
                    "LATE-OFFER-2000-0600": "LATE"}
    # paid minutes by hand: 10.5 h - 30 min break, 3.5 h, 10 h - 30 min break
    assert [(site.shift(c).start, site.shift(c).end, site.shift(c).paid_minutes)
            for c in back] == [("07:30", "18:00", 600), ("08:30", "12:00", 210),
                               ("20:00", "06:00", 570)]
    assert roster["shift"].tolist()[0] == "DAY"  # the input is left as it was
    same, same_site, none = roster_with_offer_hours(roster, changes[-1:], config)
    assert (same is roster, same_site is config, none) == (True, True, {})


def test_overtime_before_a_shift_that_crosses_midnight() -> None:
    config = build_config({"country": "", "shifts": [
        {"code": "DAY", "start": "08:30", "end": "16:00"},
        {"code": "LATE", "start": "22:00", "end": "06:00"}]})
    rows = week(dict.fromkeys(range(5), "LATE"))
    verdict = check_offer(rows, AGENT, config, offer("overtime", 1, "20:00", "22:00"))
    assert verdict.ok and verdict.change is not None
    assert verdict.change.as_dict()["start"] == "20:00"
    assert verdict.change.as_dict()["end"] == "06:00"  # the next morning
    assert clock_text(1440) == "24:00"


def test_offer_head_deltas_by_hand() -> None:
    """+1 on each interval an extension adds, -1 on each an early end takes, per agent-day;
    the break of the original shift keeps its interval uncounted; keys are minutes since
    1970-01-01 local, as ``wfm.requests.impact.expand`` keys head counts."""
    from wfm.requests.impact import day_minutes

    config = build_config({"country": "", "shifts": [
        {"code": "DAY", "start": "08:30", "end": "16:00", "breaks": [["12:00", 30]]}]})
    tuesday = WEEK[1]
    roster = pd.DataFrame({"agent_id": ["A", "B", "C"], "date": [tuesday] * 3,
                           "shift": ["DAY"] * 3, "queue": ["voice", "voice", None]})
    changes = [("A", tuesday, "extend_after", "08:30", "17:00"),
               ("B", tuesday, "end_early", "08:30", "11:00")]
    deltas = offer_head_deltas(roster, changes, config, ["voice"])
    midnight = day_minutes(tuesday)

    def at(clock: str) -> tuple[int, str]:
        hours, minutes = map(int, clock.split(":"))
        return (midnight + 60 * hours + minutes, "voice")

    assert set(deltas) == {("A", tuesday), ("B", tuesday)}
    assert {k: v for k, v in deltas[("A", tuesday)].items() if v} == {
        at("16:00"): 1, at("16:30"): 1}
    # 11:00-16:00 without the 12:00 break: 9 half hours taken
    assert {k: v for k, v in deltas[("B", tuesday)].items() if v} == {
        at(c): -1 for c in ("11:00", "11:30", "12:30", "13:00", "13:30", "14:00", "14:30",
                            "15:00", "15:30")}
    assert offer_head_deltas(roster, [], config, ["voice"]) == {}
