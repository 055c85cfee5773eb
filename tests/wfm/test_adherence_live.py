"""Live adherence (``wfm.adherence.live``) against an independent brute force and the batch.

The brute force shares no code with ``wfm.adherence``: at an instant ``t`` it takes the events
up to ``t``, applies the event rules by hand (repeats skipped, logouts while logged out
ignored, the last event's session closed at its nearest shift's end within 3 h or the next
local midnight, computed with ``zoneinfo``), marks each whole minute working or not, and walks
back minute by minute over scheduled work time to find the current run without work. Events,
shift edges and instants fall on whole minutes, so minutes are exact.

Against the batch (``compute_adherence``), on one shift a day: summed over the minutes of the
shift, the live view's out-of-adherence minutes equal the batch's lost minutes less
``grace`` per counted episode (module docstring of ``wfm.adherence.live``).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from wfm.adherence import compute_adherence
from wfm.adherence.live import (
    BREAK,
    OFF,
    AgentLive,
    LiveBoard,
    LiveSchedule,
    evaluate,
    replay,
)
from wfm.config import build_config

M = 60 * 10**9  # one minute in ns
SHIFTS = [
    {"code": "DAY", "start": "08:30", "end": "16:00", "breaks": [["12:00", 30]]},
    {"code": "NIGHT", "start": "22:00", "end": "06:00", "breaks": [["04:00", 15]]},
    {"code": "EARLY", "start": "06:30", "end": "10:30"},
]
TEMPLATES = {"DAY": ((8, 30), 450, [((12, 0), 30)]), "NIGHT": ((22, 0), 480, [((4, 0), 15)]),
             "EARLY": ((6, 30), 240, [])}
WORKING = {"login", "ready", "talk", "hold", "acw"}
STATES = ["login", "logout", "ready", "talk", "acw", "hold", "break", "lunch", "not_ready",
          "meeting", "ready", "talk"]
CASES = [("Asia/Shanghai", date(2026, 12, 1)),
         ("Europe/Berlin", date(2026, 3, 28)),    # the night of 29 March loses an hour
         ("Europe/Berlin", date(2026, 10, 24))]   # the night of 25 October repeats one


def config(tz: str, grace: float = 0):
    return build_config({"timezone": tz, "shifts": SHIFTS,
                         "adherence": {"grace_minutes": grace}})


def ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 10**9


# ---- the independent brute force ------------------------------------------------------------
def windows(roster: dict[date, str], tz: str) -> list[tuple[str, int, int, list[tuple[int, int]]]]:
    """(code, start, end, breaks) of each working day, from the wall clock with zoneinfo."""
    zone = ZoneInfo(tz)
    out = []
    for day, code in sorted(roster.items()):
        if code not in TEMPLATES:
            continue
        (h, m), minutes, breaks = TEMPLATES[code]
        start_wall = datetime.combine(day, time(h, m))
        end_wall = start_wall + timedelta(minutes=minutes)
        start = ns(start_wall.replace(tzinfo=zone))
        end = ns(end_wall.replace(tzinfo=zone))
        spans = []
        for (bh, bm), length in breaks:
            b_wall = datetime.combine(day if bh >= h else day + timedelta(days=1), time(bh, bm))
            b = ns(b_wall.replace(tzinfo=zone))
            spans.append((b, b + length * M))
        out.append((code, start, end, spans))
    return out


def brute_close(t0: int, shifts, tz: str) -> int:
    best = None
    for _code, s, e, _b in shifts:  # nearest shift; on a tie the later one (as the cells)
        gap = max(0, s - t0, t0 - e)
        if best is None or gap <= best[0]:
            best = (gap, e)
    if best is not None and best[0] <= 3 * 60 * M:
        return max(t0, best[1])
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(t0 / 1e9, zone)
    return ns(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone))


def brute_item(events, roster, tz: str, t: int, grace: float):
    """(scheduled, state, since, in_adherence, out_since, out_minutes) or None."""
    shifts = windows(roster, tz)
    seen, clean, logged = set(), [], False
    for time_ns, _seq, state in sorted(e for e in events if e[0] <= t):
        if (time_ns, state) in seen:
            continue
        seen.add((time_ns, state))
        if state == "logout" and not logged:
            continue
        clean.append((time_ns, state))
        logged = state != "logout"
    segments = []
    for i, (t0, state) in enumerate(clean):
        if state == "logout":
            continue
        nxt = clean[i + 1] if i + 1 < len(clean) else None
        end = nxt[0] if nxt else 2**62
        if nxt is None or nxt[1] == "login":
            end = min(end, brute_close(t0, shifts, tz))
        if state in WORKING:
            segments.append((t0, end))

    def working(u: int) -> bool:
        return any(a <= u < b for a, b in segments)

    state = clean[-1][1] if clean else None
    since = None
    for t0, s in reversed(clean):
        if s != state:
            break
        since = t0
    g = grace * M
    here = next((x for x in shifts if x[1] <= t < x[2]), None)
    near = here or next((x for x in shifts if x[1] - g <= t < x[1] or x[2] <= t <= x[2] + g),
                        None)
    if near is None:
        return None
    code, s, e, breaks = near

    def is_work(u: int) -> bool:
        return s <= u < e and not any(b <= u < be for b, be in breaks)

    scheduled = OFF if here is None else BREAK if any(b <= t < be for b, be in breaks) else code
    out_since, out_minutes = None, 0
    if is_work(t) and not working(t):
        run, count, u = t, 0, t - M
        while u >= s:
            if is_work(u):
                if working(u):
                    break
                run, count = u, count + 1
            u -= M
        if count >= grace:
            out_since, out_minutes = run, count
    return scheduled, state, since, out_since is None, out_since, out_minutes


def live_tuple(item):
    if item is None:
        return None
    return (item.scheduled, item.state, item.since_ns, item.in_adherence, item.out_since_ns,
            round(item.out_minutes, 6))


# ---- random days ----------------------------------------------------------------------------
def random_case(rng: random.Random, d0: date, num_events: int):
    roster = {d0 + timedelta(days=k): rng.choice(["DAY", "NIGHT", "EARLY", "OFF"])
              for k in range(3)}
    base = datetime.combine(d0, time(0))
    events = []
    for seq in range(num_events):
        minute = rng.randrange(0, 3 * 1440)
        events.append((minute, seq, rng.choice(STATES)))
    # a few repeats of an event (same time and state, later arrival)
    for _ in range(3):
        minute, _seq, state = rng.choice(events)
        events.append((minute, len(events), state))
    return roster, base, events


def to_frame(roster: dict[date, str], agent: str = "a1") -> pd.DataFrame:
    return pd.DataFrame({"agent_id": [agent] * len(roster), "date": list(roster),
                         "shift": list(roster.values())})


@pytest.mark.parametrize("tz, d0", CASES)
@pytest.mark.parametrize("seed", range(6))
def test_live_matches_brute_force_at_many_instants(tz, d0, seed):
    rng = random.Random(seed)
    grace = rng.choice([0, 0, 3, 10])
    roster, base, raw = random_case(rng, d0, 60)
    zone = ZoneInfo(tz)
    # times as real instants of local wall minutes (a skipped wall minute moves on an hour)
    events = [(ns((base + timedelta(minutes=m)).replace(tzinfo=zone)), seq, state)
              for m, seq, state in raw]
    schedule = LiveSchedule.from_roster(to_frame(roster), config(tz, grace))
    first = ns(base.replace(tzinfo=zone)) + 12 * 60 * M
    for k in range(0, 2 * 1440, 7):
        t = first + k * M
        agent = replay("a1", [e for e in events if e[0] <= t], schedule)
        live = live_tuple(evaluate(agent, "a1", schedule, t, grace))
        assert live == brute_item(events, roster, tz, t, grace), (tz, seed, k)


@pytest.mark.parametrize("tz, d0", CASES)
def test_out_of_order_and_repeated_arrivals_do_not_corrupt_the_board(tz, d0):
    """Events arrive shuffled between checkpoints, some twice; an event older than the
    agent's last is answered by a rebuild from the stored events (as the service does)."""
    rng = random.Random(7)
    zone = ZoneInfo(tz)
    rosters, stored, arrivals = {}, {}, []
    for agent in ("a1", "a2", "a3"):
        roster, base, raw = random_case(rng, d0, 50)
        rosters[agent] = roster
        arrivals += [(ns((base + timedelta(minutes=m)).replace(tzinfo=zone)), agent, state)
                     for m, _seq, state in raw]
    frame = pd.concat([to_frame(r, a) for a, r in rosters.items()], ignore_index=True)
    board = LiveBoard(LiveSchedule.from_roster(frame, config(tz)))
    first = min(t for t, _a, _s in arrivals)
    checkpoints = [first + k * 97 * M for k in range(1, 45)]
    rebuilt, previous = 0, -(2**62)
    for t in checkpoints:
        block = [e for e in arrivals if previous < e[0] <= t]
        block += rng.sample(block, min(3, len(block)))   # re-sent events
        rng.shuffle(block)
        for time_ns, agent, state in block:
            key = (time_ns, state)
            if key in stored.setdefault(agent, {}):        # the table's unique key
                continue
            seq = stored[agent][key] = sum(len(v) for v in stored.values())
            if not board.add(agent, time_ns, state, seq):
                rebuilt += 1
                board.rebuild(agent, [(tt, q, s) for (tt, s), q in stored[agent].items()])
        previous = t
        for agent, roster in rosters.items():
            events = [(tt, q, s) for (tt, s), q in stored.get(agent, {}).items()]
            live = live_tuple(evaluate(board.agents.get(agent), agent, board.schedule, t, 0))
            assert live == brute_item(events, roster, tz, t, 0), (agent, t)
    assert rebuilt > 0  # the shuffles did arrive out of order


@pytest.mark.parametrize("tz, d0", CASES)
@pytest.mark.parametrize("grace", [0, 2, 5])
@pytest.mark.parametrize("seed", range(4))
def test_live_minutes_sum_to_the_batch_lost_minutes(tz, d0, grace, seed):
    """One shift, events within 2 h of it: Σ live out minutes = lost − grace × episodes."""
    rng = random.Random(100 + seed)
    zone = ZoneInfo(tz)
    code = rng.choice(["DAY", "NIGHT", "EARLY"])
    roster = {d0 + timedelta(days=1): code}
    _c, s, e, _b = windows(roster, tz)[0]
    times = sorted(rng.sample(range((s - 120 * M) // M, (e + 120 * M) // M), 40))
    events = [(m * M, seq, rng.choice(STATES)) for seq, m in enumerate(times)]
    cfg = config(tz, grace)
    schedule = LiveSchedule.from_roster(to_frame(roster), cfg)
    agent = AgentLive("a1")
    out_minutes, pending = 0, list(events)
    for t in range(s, e, M):
        while pending and pending[0][0] <= t:
            time_ns, seq, state = pending.pop(0)
            assert agent.apply(time_ns, state, schedule, seq)
        item = evaluate(agent, "a1", schedule, t, grace)
        out_minutes += item is not None and not item.in_adherence
    frame = pd.DataFrame({"agent_id": "a1",
                          "timestamp": pd.to_datetime([t for t, _q, _s in events], utc=True)
                          .tz_convert(tz),
                          "state": [st for _t, _q, st in events]})
    report = compute_adherence(to_frame(roster), cfg, events=frame)
    row = report.rows.iloc[0]
    lost = row["scheduled_minutes"] - row["in_adherence_minutes"]
    assert out_minutes == pytest.approx(lost - grace * row["episodes"], abs=1e-9)
    assert zone  # the shift was built in this zone


def test_a_hand_worked_day_with_a_break_and_grace():
    """DAY 08:30-16:00, break 12:00-12:30, grace 5: late by 3 min is forgiven; away from 11:50
    to 12:40 is one run of 20 work minutes (the break is not counted)."""
    tz = "Asia/Shanghai"
    zone = ZoneInfo(tz)
    day = date(2026, 12, 1)
    schedule = LiveSchedule.from_roster(to_frame({day: "DAY"}), config(tz, 5))

    def at(h, m):
        return ns(datetime.combine(day, time(h, m), tzinfo=zone))

    agent = AgentLive("a1")
    assert evaluate(agent, "a1", schedule, at(8, 0), 5) is None          # not yet near
    item = evaluate(agent, "a1", schedule, at(8, 27), 5)
    assert (item.scheduled, item.in_adherence) == (OFF, True)           # within the grace
    assert evaluate(agent, "a1", schedule, at(8, 33), 5).in_adherence   # 3 min late: forgiven
    item = evaluate(agent, "a1", schedule, at(8, 35), 5)
    assert (item.in_adherence, item.out_since_ns, item.out_minutes) == (False, at(8, 30), 5)
    agent.apply(at(8, 36), "Login".lower(), schedule, 1)
    assert evaluate(agent, "a1", schedule, at(9, 0), 5).in_adherence
    agent.apply(at(11, 50), "break", schedule, 2)
    item = evaluate(agent, "a1", schedule, at(11, 56), 5)
    assert (item.in_adherence, item.out_since_ns, item.out_minutes) == (False, at(11, 50), 6)
    item = evaluate(agent, "a1", schedule, at(12, 10), 5)
    assert (item.scheduled, item.in_adherence, item.out_minutes) == (BREAK, True, 0)
    item = evaluate(agent, "a1", schedule, at(12, 40), 5)
    assert (item.in_adherence, item.out_since_ns, item.out_minutes) == (False, at(11, 50), 20)
    assert (item.state, item.since_ns) == ("break", at(11, 50))
    agent.apply(at(12, 41), "ready", schedule, 3)
    assert evaluate(agent, "a1", schedule, at(12, 45), 5).in_adherence
    assert not agent.apply(at(12, 0), "talk", schedule, 4)              # older: rebuild needed


def test_the_board_lists_the_longest_out_first():
    tz = "Asia/Shanghai"
    zone = ZoneInfo(tz)
    day = date(2026, 12, 1)
    frame = pd.concat([to_frame({day: "DAY"}, a) for a in ("a1", "a2", "a3")]
                      + [to_frame({day: "OFF"}, "a4")], ignore_index=True)
    board = LiveBoard(LiveSchedule.from_roster(frame, config(tz)))

    def at(h, m):
        return ns(datetime.combine(day, time(h, m), tzinfo=zone))

    board.add("a1", at(8, 30), "ready", 1)
    board.add("a2", at(8, 30), "ready", 2)
    board.add("a2", at(9, 0), "not_ready", 3)
    items = board.items(at(9, 30), 0)
    assert [(i.agent_id, i.out_minutes) for i in items] == [("a3", 60), ("a2", 30), ("a1", 0)]
    assert [i.agent_id for i in board.items(at(9, 30), 0, ["a1", "a4"])] == ["a1"]


def test_alert_after_minutes_defaults_to_5_and_refuses_a_negative_value():
    from wfm.errors import InvalidInput

    assert build_config({}).adherence.alert_after_minutes == 5
    zero = build_config({"adherence": {"alert_after_minutes": 0}})
    assert zero.adherence.alert_after_minutes == 0
    with pytest.raises(InvalidInput, match="adherence.alert_after_minutes"):
        build_config({"adherence": {"alert_after_minutes": -1}})
