"""The fairness rules (``wfm.rules.fairness``, ``wfm.rules.night_pattern``) on hand-worked
rosters: fair shares, the band, history, weekly blocks, and their registry entries."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from wfm.config import build_config
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness, fairness_lines, water_fill_exact

MONDAY = date(2026, 3, 2)


def _site(**roster):
    return build_config({"country": "", "roster": roster})


def _roster(plan: dict[str, str], start: date = MONDAY) -> pd.DataFrame:
    """One row per agent and day from strings such as ``"NNNNOOD"`` (N night, D day, O off,
    L leave)."""
    codes = {"N": "NIGHT", "D": "DAY", "O": "OFF", "L": "LEAVE"}
    rows = [(agent, start + timedelta(days=d), codes[c], "sales" if c in "ND" else "")
            for agent, line in plan.items() for d, c in enumerate(line)]
    return pd.DataFrame(rows, columns=["agent_id", "date", "shift", "queue"])


def _agents(ids: list[str], caps: list[float | None] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"agent_id": ids, "name": ids, "skills": [("sales",)] * len(ids)})
    if caps is not None:
        frame["max_nights_per_week"] = pd.array(caps, dtype="Int64")
    return frame


def test_water_fill_exact_hand_worked():
    # history 6, 0, 0; capacity 14 each over two weeks, 7 left in the horizon; 9 horizon
    # nights: the even total is 5 each, the first agent already has 6, so the other two share 9
    shares = water_fill_exact(9, np.array([6.0, 0, 0]), np.array([14.0, 14, 14]),
                              np.array([7.0, 7, 7]))
    assert shares == pytest.approx([0, 4.5, 4.5])
    # even history: plain pro rata by capacity
    shares = water_fill_exact(5, np.zeros(3), np.array([7.0, 7, 1]), np.array([7.0, 7, 1]))
    assert shares == pytest.approx([7 / 3, 7 / 3, 1 / 3])


def test_fair_share_pro_rata_with_night_cap_and_band():
    # A works 4 nights, B none, C (max 1 night a week) one: 5 nights over capacities 7, 7, 1
    roster = _roster({"A": "NNNNDDO", "B": "DDDDDDO", "C": "NDDDDDO"})
    check = check_fairness(roster, _agents(["A", "B", "C"], [None, None, 1]),
                           _site(fairness_weeks=0))
    assert check.band == 1
    shares = {r.agent_id: r.night_share for r in check.agents}
    assert shares == pytest.approx({"A": 2.33, "B": 2.33, "C": 0.33}, abs=0.01)
    assert sorted(v.agent_id for v in check.outside) == ["A", "B"]  # 1.67 and 2.33 from share
    assert check.violations == []  # a note by default
    nights = next(t for t in check.teams if t.kind == "nights")
    assert (nights.fewest, nights.median, nights.most, nights.outside_band) == (0, 1, 4, 2)


def test_hard_band_makes_outside_agents_violations():
    roster = _roster({"A": "NNNNDDO", "B": "DDDDDDO"})
    check = check_fairness(roster, _agents(["A", "B"]),
                           _site(fairness_weeks=0, fairness_band="hard"))
    assert {(v.code, v.agent_id) for v in check.violations} == {
        ("fair_share_nights", "A"), ("fair_share_nights", "B")}


def test_leave_reduces_the_share_pro_rata():
    # B is on leave 4 of 7 days: capacities 7 and 3, 5 nights -> shares 3.5 and 1.5
    roster = _roster({"A": "NNNNDDO", "B": "LLLLNOD"})
    check = check_fairness(roster, _agents(["A", "B"]), _site(fairness_weeks=0))
    shares = {r.agent_id: r.night_share for r in check.agents}
    assert shares == pytest.approx({"A": 3.5, "B": 1.5})
    assert check.outside == []


def test_previous_weeks_count_towards_the_share():
    # last week A worked 5 nights, B none; this week B works all 3 nights: fair over both weeks
    previous = _roster({"A": "NNNNNOO", "B": "DDDDDOO"}, start=MONDAY - timedelta(days=7))
    roster = _roster({"A": "DDDDOOD", "B": "NNNDOOD"})
    with_history = check_fairness(roster, _agents(["A", "B"]), _site(fairness_weeks=1),
                                  previous=previous)
    shares = {r.agent_id: r.night_share for r in with_history.agents}
    assert shares == pytest.approx({"A": 0, "B": 3})
    assert with_history.outside == []
    assert {r.agent_id: r.nights_before for r in with_history.agents} == {"A": 5, "B": 0}
    alone = check_fairness(roster, _agents(["A", "B"]), _site(fairness_weeks=0),
                           previous=previous)
    assert sorted(v.agent_id for v in alone.outside) == ["A", "B"]  # 1.5 each from 1.5


def test_weekend_rest_shares():
    # A rests both weekend days, B neither: 2 rest days over 2 x 2 available -> 1 each
    roster = _roster({"A": "DDDDDOO", "B": "DDDDODD"})
    check = check_fairness(roster, _agents(["A", "B"]), _site(fairness_weeks=0))
    assert {r.agent_id: r.weekend_rest_share for r in check.agents} == {"A": 1, "B": 1}
    assert check.outside == []  # one from the share is inside the band of 1


def test_weekly_blocks_rule_only_when_configured():
    roster = _roster({"A": "NNNDDOO", "B": "NNNNNOO", "C": "OODDDDD"})
    previous = _roster({"C": "DDDDDON"}, start=MONDAY - timedelta(days=7))
    assert check_fairness(roster, _agents(["A", "B", "C"]), _site(),
                          previous=previous).pattern == []
    blocks = check_fairness(roster, _agents(["A", "B", "C"]),
                            _site(night_pattern="weekly_blocks"), previous=previous)
    found = {(v.agent_id, v.date) for v in blocks.pattern}
    # A mixes the week and returns from a night to a day; C's previous Sunday night is
    # followed by a rest day, so its day week is fine
    assert found == {("A", MONDAY.isoformat()), ("A", (MONDAY + timedelta(days=3)).isoformat())}
    assert all(v.code == "weekly_blocks" for v in blocks.violations)


def test_weekly_blocks_sees_the_previous_sunday_night():
    previous = _roster({"A": "NNNNNON"}, start=MONDAY - timedelta(days=7))
    blocks = check_fairness(_roster({"A": "DDDDDOO"}), _agents(["A"]),
                            _site(night_pattern="weekly_blocks", fairness_weeks=0),
                            previous=previous)
    assert [(v.agent_id, v.date) for v in blocks.pattern] == [("A", MONDAY.isoformat())]


def test_config_rejects_an_unknown_pattern():
    with pytest.raises(Exception, match="night_pattern"):
        _site(night_pattern="rotating")


def test_check_roster_reports_the_fairness_rules_when_configured():
    # A: 3 nights (share 1), no weekend rest (share 4/3); the week mixes nights and days
    roster = _roster({"A": "NNNODDD", "B": "DDDDDOO", "C": "DDDDDOO"})
    agents = _agents(["A", "B", "C"])
    assert check_roster(roster, agents, _site(fairness_weeks=0)) == []  # notes only
    found = check_roster(roster, agents, _site(fairness_weeks=0, fairness_band="hard",
                                               night_pattern="weekly_blocks"))
    assert {v.code for v in found} == {"fair_share_nights", "fair_share_weekend_rest",
                                       "weekly_blocks"}
    # a check of some agents (a swap) judges the pattern but not the team-wide band
    some = check_roster(roster, agents, _site(fairness_weeks=0, fairness_band="hard",
                                              night_pattern="weekly_blocks"), agent_ids=["A"])
    assert {v.code for v in some} == {"weekly_blocks"}


def test_weekend_rest_above_share_is_called_locked_when_no_team_mate_can_take_it():
    # hand-worked, four weeks (band ±3), no history: A rests every Sunday (4 weekend days);
    # five team-mates rest on Wednesdays. 4 weekend days over 6 agents: a share of 0.67 each,
    # so A (3.33 above) is outside. Handing a Sunday over means A works it, and A's rest that
    # fortnight can then only be a team-mate's Wednesday, three or four days from its own
    # Sunday: a run of nine days or more on one side. No exchange of any stretch of days keeps
    # A within six days in a row: locked, and the brute force agrees
    mates = {f"M{i}": "DDODDDD" * 4 for i in range(5)}
    rows = {"A": "DDDDDDO" * 4, **mates}
    site = _site(fairness_weeks=0)
    check = check_fairness(_roster(rows), _agents([*rows]), site)
    (note,) = [v for v in check.outside if v.code == "fair_share_weekend_rest"]
    assert note.agent_id == "A" and note.params["variant"] == "locked"
    assert "can only move earlier" in note.message
    assert any(line.startswith("note: 1 agent(s) above their weekend-rest share are locked")
               for line in fairness_lines(check))
    assert not _some_exchange_fits(rows, "A", site, check, nights=False, over=True)
    # A resting the whole first weekend as well (5 weekend days): its first Saturday can go.
    # A works it (Monday to Saturday, six days, then its Sunday rest) and a team-mate rests
    # it: no day both are off, yet the exchange keeps every rule, so A is not locked
    rows["A"] = "DDDDDOO" + "DDDDDDO" * 3
    check = check_fairness(_roster(rows), _agents([*rows]), site)
    (note,) = [v for v in check.outside if v.code == "fair_share_weekend_rest"]
    assert note.agent_id == "A" and "variant" not in note.params
    assert _some_exchange_fits(rows, "A", site, check, nights=False, over=True)
    # over four weeks: B, off on the first and third Sundays (and Wednesdays), has 2 weekend
    # rest days against a share of 10 / 7, so room for 2.43 more; A rests every weekend in
    # full (8). After the third Sunday the exchange hands B A's last weekend (2): A is outside
    # but not locked
    mates = {f"M{i}": "DDODDDD" * 4 for i in range(5)}
    b_roster = "DDODDDO" + "DDODDDD" + "DDODDDO" + "DDODDDD"
    rows = {"A": "DDDDDOO" * 4, "B": b_roster, **mates}
    check = check_fairness(_roster(rows), _agents([*rows]), site)
    (note,) = [v for v in check.outside if v.code == "fair_share_weekend_rest"]
    assert note.agent_id == "A" and "variant" not in note.params


def _bound_site(**roster):
    """A 10 h rest between shifts: DAY (08:30) can no longer follow NIGHT (ends 23:30, 9 h
    before), so a night is followed by a night or a rest day, as on a 24x7 site."""
    return build_config({"country": "", "roster": roster, "rules": {"min_rest_hours": 10}})


def _night_note(check):
    (note,) = [v for v in check.outside if v.code == "fair_share_nights"]
    return note


def _some_exchange_fits(rows: dict[str, str], agent: str, site, check, *, nights: bool,
                        over: bool, previous: dict[str, str] | None = None) -> bool:
    """Brute force, the independent reference for *locked*: whether exchanging any span of
    days of ``agent``'s row with a team-mate's leaves both rows clean for the rule checker
    and hands the team-mate (``over``) or the agent between 1 and what the team-mate's band
    allows (its share + band - its count, or its count - share + band)."""
    def marked(line: str, days: range) -> int:
        return sum(line[d] == "N" if nights else (line[d] == "O" and d % 7 >= 5)
                   for d in days)

    shares = {r.agent_id: r.night_share if nights else r.weekend_rest_share
              for r in check.agents}
    mine = rows[agent]
    for mate, theirs in rows.items():
        now = marked(theirs, range(len(theirs)))
        limit = (shares[mate] + check.band - now if over
                 else now - shares[mate] + check.band)
        if mate == agent or limit < 1:
            continue
        for start in range(len(mine)):
            for end in range(start + 1, len(mine) + 1):
                span = range(start, end)
                handed = marked(mine, span) - marked(theirs, span)
                if not 0 < (handed if over else -handed) <= limit + 1e-9:
                    continue
                pair = {agent: mine[:start] + theirs[start:end] + mine[end:],
                        mate: theirs[:start] + mine[start:end] + theirs[end:]}
                before = None if previous is None else _roster(
                    {a: previous[a] for a in pair}, start=MONDAY - timedelta(days=7))
                if not check_roster(_roster(pair), _agents([*pair]), site, previous=before):
                    return True
    return False


def _locked_at_10_hours_only(rows: dict[str, str], agent: str, *, over: bool):
    """``agent``'s night note with 10 h of rest between shifts, where it must be the only
    agent outside the nights band and locked (the count line says so, the brute force finds
    no exchange), after checking that with 9 h it is not locked (the brute force finds one)."""
    agents = _agents([*rows])
    site = _site(fairness_weeks=0)
    check = check_fairness(_roster(rows), agents, site)
    assert "variant" not in _night_note(check).params
    assert _some_exchange_fits(rows, agent, site, check, nights=True, over=over)
    site = _bound_site(fairness_weeks=0)
    check = check_fairness(_roster(rows), agents, site)
    note = _night_note(check)
    assert note.params["variant"] == ("locked" if over else "locked_below")
    side = "above" if over else "below"
    assert any(line.startswith(f"note: 1 agent(s) {side} their night share are locked")
               for line in fairness_lines(check))
    assert not _some_exchange_fits(rows, agent, site, check, nights=True, over=over)
    return note


def test_nights_above_share_are_called_locked_when_no_team_mate_can_take_them():
    # hand-worked, two weeks (band ±2), no history: A works six nights a week and rests on
    # Sundays (12 nights); five team-mates work days and rest on Saturdays. Shares 12 / 6 = 2
    # each: A is 10 above, each team-mate has room for 2 + 2 - 0 = 4. They never rest on the
    # same day, and over days both work an exchange must start where A's day before is not a
    # night (a Monday) and end where the team-mate's next day is not a DAY (its Saturday rest,
    # or the horizon's end), a NIGHT to DAY rest being 9 h, short of 10: Monday-Friday at
    # least, 5 nights or more against room for 4. So A is locked, and the brute force over
    # every span with the rule checker finds no exchange either
    # (with the default 9 h a DAY may follow a NIGHT: a team-mate can take one of A's nights
    # over for its DAY that day, 1 night against room for 4: not locked)
    mates = {f"M{i}": "DDDDDOD" * 2 for i in range(5)}
    rows = {"A": "NNNNNNO" * 2, **mates}
    agents = _agents([*rows])
    note = _locked_at_10_hours_only(rows, "A", over=True)
    assert note.agent_id == "A" and "rest-between-shifts" in note.message
    assert note.params["count"] == 12 and note.params["share"] == "2.0"
    # the hard band: the agents are the violations, the locked count stays a note
    hard = check_fairness(_roster(rows), agents,
                          _bound_site(fairness_weeks=0, fairness_band="hard"))
    assert any(line.startswith("note: 1 agent(s) above their night share are locked")
               for line in fairness_lines(hard))


def test_nights_above_share_are_not_locked_when_a_common_rest_day_hands_a_fitting_number():
    # A works nights Wednesday-Friday and rests the other days (6 nights); five team-mates
    # work days and rest on Wednesdays; B rests Monday, Wednesday and the weekend in the first
    # week (one NIGHT on Tuesday), days in the second. 7 nights over 7 equal capacities:
    # shares 1, B's room 1 + 2 - 1 = 2, the team-mates' 1 + 2 - 0 = 3. A and B
    # are both off on Monday and Saturday; exchanging Tuesday-Friday hands A's 3 nights for
    # B's 1: 2 nights, exactly B's room, and both rows keep every rule (B: O O N N N O O,
    # A: O N O D D O O). Over days both work, every exchange with B starts after A's night or
    # ends before B's DAY (10 h of rest), so it is the common rest days that unlock A
    mates = {f"M{i}": "DDODDDD" * 2 for i in range(5)}
    rows = {"A": "OONNNOO" * 2, "B": "ONODDOO" + "DDDDDDO", **mates}
    site = _bound_site(fairness_weeks=0)
    check = check_fairness(_roster(rows), _agents([*rows]), site)
    note = _night_note(check)
    assert note.agent_id == "A" and "variant" not in note.params
    assert {r.agent_id: r.night_share for r in check.agents}["B"] == pytest.approx(1)
    assert _some_exchange_fits(rows, "A", site, check, nights=True, over=True)
    # B without its Tuesday night (resting Tuesday too): shares 6 / 7 = 0.86 and room 2.86
    # for B and every team-mate; the same span would hand B 3 nights, the second week's
    # (Monday-Saturday) 3 as well, and the team-mates' exchanges hand 3 or more: locked,
    # though B shares rest days with A; the brute force finds nothing either
    rows["B"] = "OOODDOO" + "DDDDDDO"
    check = check_fairness(_roster(rows), _agents([*rows]), site)
    assert _night_note(check).params["variant"] == "locked"
    assert not _some_exchange_fits(rows, "A", site, check, nights=True, over=True)


def test_nights_below_share_are_called_locked_when_no_team_mate_can_hand_one_over():
    # U works DAY six days a week and rests on Sundays (0 nights); five team-mates work
    # nights and rest on Saturdays (12 nights each). Shares 60 / 6 = 10: U is 10 below, the
    # team-mates 2 above (inside ±2), each could spare 12 - (10 - 2) = 4. No common rest day,
    # and an exchange over days both work (Monday-Friday) would end with U's new night right
    # before its own DAY (Saturday's at the latest): 9 h of rest, short of 10. Locked, and the
    # brute force agrees
    # (with 9 h, U can take a team-mate's night for its DAY that day: not locked)
    mates = {f"M{i}": "NNNNNON" * 2 for i in range(5)}
    rows = {"U": "DDDDDDO" * 2, **mates}
    note = _locked_at_10_hours_only(rows, "U", over=False)
    assert note.agent_id == "U" and "can spare" in note.message


def test_weekend_rest_below_share_is_called_locked_when_no_team_mate_can_spare_it():
    # one previous week counts: U rested on Wednesday then and rests on Wednesdays now (no
    # weekend rest); five team-mates rest on Sundays (1 before, 2 now). Capacities 6 weekend
    # days each; shares clip(6 r - before): 5 (6 r - 1) + 6 r = 10 gives r = 5 / 12, U's share
    # 2.5, the team-mates' 1.5: U is 2.5 below (outside ±2). Every row has one rest day a week
    # and U's runs are six days long: no common rest day, locked, and the brute force agrees
    mates = {f"M{i}": "DDDDDDO" * 2 for i in range(5)}
    before = {"U": "DDODDDD", **dict.fromkeys(mates, "DDDDDDO")}
    rows = {"U": "DDODDDD" * 2, **mates}
    site = _site(fairness_weeks=1)

    def checked():
        previous = _roster(before, start=MONDAY - timedelta(days=7))
        return check_fairness(_roster(rows), _agents([*rows]), site, previous=previous)

    check = checked()
    (note,) = [v for v in check.outside if v.code == "fair_share_weekend_rest"]
    assert note.agent_id == "U" and note.params["variant"] == "locked_below"
    assert note.params["share"] == "2.5"
    assert any(line.startswith("note: 1 agent(s) below their weekend-rest share are locked")
               for line in fairness_lines(check))
    assert not _some_exchange_fits(rows, "U", site, check, nights=False, over=False,
                                   previous=before)
    # S rested on Sunday before, and now on Wednesday and Sunday, then Sunday: shares 3 / 7
    # a weekend day, 2.57 for U, 1.57 for S, who can spare 2 - 1.57 + 2 = 2.43. Exchanging
    # Thursday to the horizon's end, after the Wednesday both rest, hands U S's two Sundays
    # (U gets S's rows, S gets U's: both keep every rule): not locked
    rows["S"], before["S"] = "DDODDDO" + "DDDDDDO", "DDDDDDO"
    check = checked()
    (note,) = [v for v in check.outside if v.code == "fair_share_weekend_rest"]
    assert note.agent_id == "U" and "variant" not in note.params
    assert _some_exchange_fits(rows, "U", site, check, nights=False, over=False,
                               previous=before)


def _random_team(rng: np.random.Generator, site, weeks: int):
    """A small team over two weeks, every row legal on its own (rows the rule checker rejects
    are drawn again): most with one rest day a week drifting earlier and a shift kept, some
    mixed; with ``weeks`` a previous week per agent."""
    rows: dict[str, str] = {}
    before: dict[str, str] = {}
    size = int(rng.integers(3, 6))
    while len(rows) < size:
        if rng.random() < 0.85:
            first = int(rng.choice([2, 4, 5, 6, 6]))
            line = [str(rng.choice(["D", "N"]))] * 14
            line[first] = line[7 + max(0, first - int(rng.choice([0, 0, 1, 3])))] = "O"
            for d in np.flatnonzero(rng.random(14) < 0.05):
                if line[d] != "O":
                    line[d] = "N" if line[d] == "D" else "D"
        else:
            line = [str(c) for c in rng.choice(["D", "D", "N"], 14)]
            line[int(rng.integers(7))] = line[7 + int(rng.integers(7))] = "O"
        previous = [str(c) for c in rng.choice(["D", "N"], 7)]
        previous[int(rng.integers(7))] = "O"
        name = f"A{len(rows)}"
        frame = _roster({name: "".join(previous)}, start=MONDAY - timedelta(days=7))
        if check_roster(_roster({name: "".join(line)}), _agents([name]), site,
                        previous=frame if weeks else None):
            continue
        rows[name], before[name] = "".join(line), "".join(previous)
    return rows, before


def test_locked_verdicts_agree_with_the_brute_force_on_random_teams():
    # the independent reference is the brute force over every span with every team-mate and
    # the rule checker (_some_exchange_fits); the seeds are fixed, and both verdicts occur
    rng = np.random.default_rng(26)
    verdicts = {True: 0, False: 0}
    for _ in range(40):
        weeks = int(rng.integers(2))
        site = (_bound_site if rng.random() < 0.5 else _site)(fairness_weeks=weeks)
        rows, before = _random_team(rng, site, weeks)
        previous = _roster(before, start=MONDAY - timedelta(days=7)) if weeks else None
        check = check_fairness(_roster(rows), _agents([*rows]), site, previous=previous)
        for note in check.outside:
            nights = note.code == "fair_share_nights"
            over = note.params["count"] > float(note.params["share"])
            locked = str(note.params.get("variant", "")).startswith("locked")
            fits = _some_exchange_fits(rows, note.agent_id, site, check, nights=nights,
                                       over=over, previous=before if weeks else None)
            assert locked == (not fits), (note.message, rows)
            verdicts[locked] += 1
    assert verdicts[True] and verdicts[False]
