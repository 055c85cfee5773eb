"""Real-time adherence: each agent's state now, updated one event at a time (issue 24).

The batch definition (``wfm.adherence``, DESIGN.md "Adherence") judges a finished day; this
module answers "is the agent adherent *now*?" from the events received so far, with the same
rules, read at an instant ``t`` on the events up to ``t``:

* **Scheduled work** at ``t``: ``t`` lies in a shift window ``[S, E)`` of the published roster
  and outside its fixed breaks. During a fixed break, before and after the shift, nothing is
  judged (the batch leaves a break outside the ratio).
* **Working** at ``t``: the agent's last event at or before ``t`` is a working state
  (``WORKING_STATES``) and its session is still open. The event rules are the batch's
  (``sessions``): a repeated (time, state) is skipped, a logout while logged out is ignored,
  any other state while logged out logs in, equal times keep their arrival order. An event's
  session stays open until the next event, except that the agent's last event (or one followed
  by a ``login``) is closed as the batch closes an open session: at the end of its nearest
  shift within 3 h (at once when that shift has ended), else at the next local midnight (the
  batch's "end of the data" is now).
* **Out of adherence**: scheduled work at ``t`` without work, for longer than the grace. The
  current *run* is the stretch of scheduled work time without work that ends at ``t``, measured
  on the shift's work clock (breaks removed, so being away from before a break until after it
  is one run, as the batch's episodes). With ``grace_minutes`` G the agent is out of adherence
  once the run has lasted G minutes (at once when G is 0): the batch forgives an episode of at
  most G minutes and counts a longer one whole, so ``out_since`` is the start of the run and
  ``out_minutes`` its length so far, both only while out of adherence. Summed over the minutes
  of a day this gives the batch's lost minutes less G per counted episode, which a test holds
  exactly.

Each agent keeps an O(1) summary (``AgentLive``): the last event, when its state began, when the
session closes and the last moment of scheduled work the agent worked. ``AgentLive.apply`` folds
in one event in arrival order; an event earlier than the last one applied cannot be folded in
(it changes what came after it), and ``apply`` says so: the caller then rebuilds that agent
from its stored events (``replay``).

Times are integer nanoseconds since the Unix epoch (UTC), as in the rest of ``wfm.adherence``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from wfm.adherence.schedule import (
    NS_PER_MINUTE,
    build_schedule,
    format_ns,
    next_midnight_ns,
)
from wfm.adherence.sessions import ATTRIBUTION_NS, LOGOUT, WORKING_STATES
from wfm.config import SiteConfig

OFF = "OFF"
BREAK = "BREAK"  # ``scheduled`` during a fixed break of the shift
_WORKING = frozenset(WORKING_STATES)
_NEVER = -(2**62)


@dataclass(frozen=True)
class LiveShift:
    """One dated shift of an agent: its window, fixed breaks and queue (epoch ns)."""

    code: str
    start_ns: int
    end_ns: int
    breaks: tuple[tuple[int, int], ...] = ()
    queue: str = ""

    def in_break(self, t: int) -> bool:
        return any(b <= t < e for b, e in self.breaks)

    def is_work(self, t: int) -> bool:
        """Scheduled work at ``t``: inside the window and outside every fixed break."""
        return self.start_ns <= t < self.end_ns and not self.in_break(t)

    def next_work(self, t: int) -> int:
        """``t``, or the end of the fixed break(s) holding it."""
        for b, e in sorted(self.breaks):
            if b <= t < e:
                t = e
        return t

    def clock(self, t: int) -> int:
        """Scheduled work time from the shift start up to ``t`` (clipped to the window)."""
        clipped = min(max(t, self.start_ns), self.end_ns)
        taken = sum(min(max(clipped - b, 0), e - b) for b, e in self.breaks)
        return clipped - self.start_ns - taken

    def last_work(self, a: int, b: int) -> int | None:
        """The supremum of ``[a, b) ∩`` scheduled work time (None when empty)."""
        hi = min(b, self.end_ns)
        if hi <= max(a, self.start_ns):
            return None
        for bs, be in sorted(self.breaks, reverse=True):  # walk back over breaks ending at hi
            if bs < hi <= be:
                hi = bs
        return hi if hi > max(a, self.start_ns) else None


class LiveSchedule:
    """Each agent's shifts (sorted by start) with the batch's cells (``wfm.adherence.cells``).

    Build it with ``from_roster`` on the roster rows of a few days around now.
    """

    def __init__(self, shifts: dict[str, list[LiveShift]], tz: str) -> None:
        self.tz = tz
        self.shifts = {a: sorted(s, key=lambda x: x.start_ns) for a, s in shifts.items()}
        self._cell_starts: dict[str, list[int]] = {}
        for agent, own in self.shifts.items():
            starts = [_NEVER]
            for prev, nxt in zip(own, own[1:], strict=False):
                e, s = prev.end_ns, nxt.start_ns
                starts.append(e // 2 + s // 2 + (e % 2 + s % 2) // 2)  # as cells.build_cells
            self._cell_starts[agent] = starts
        self._midnights: dict[int, int] = {}

    @classmethod
    def from_roster(cls, roster: pd.DataFrame, config: SiteConfig) -> LiveSchedule:
        """Shifts of ``agent_id, date, shift`` [, ``queue``] rows (OFF/LEAVE have none)."""
        frame = roster.reset_index(drop=True)
        agents = pd.Index(sorted(set(frame["agent_id"].astype(str))))
        schedule = build_schedule(frame.assign(agent_id=frame["agent_id"].astype(str)),
                                  config, agents)
        table = schedule.shifts
        queues = (frame["queue"].fillna("").astype(str).to_numpy(object)
                  if "queue" in frame.columns else np.full(len(frame), "", dtype=object))
        out: dict[str, list[LiveShift]] = {}
        bs, be = schedule.break_start_ns, schedule.break_end_ns
        columns = zip(table["agent_id"].astype(str), table["shift"].astype(str),
                      table["start_ns"].to_numpy(np.int64).tolist(),
                      table["end_ns"].to_numpy(np.int64).tolist(),
                      table["line"].to_numpy(np.int64).tolist(), strict=True)
        for k, (agent_id, code, start, end, line) in enumerate(columns):
            breaks = tuple((int(b), int(e)) for b, e in zip(bs[k], be[k], strict=True) if e > b)
            out.setdefault(agent_id, []).append(
                LiveShift(code, start, end, breaks, str(queues[line - 2])))
        return cls(out, config.timezone)

    def of(self, agent_id: str) -> list[LiveShift]:
        return self.shifts.get(agent_id, [])

    def at(self, agent_id: str, t: int) -> LiveShift | None:
        """The shift whose window holds ``t``."""
        return next((s for s in self.of(agent_id) if s.start_ns <= t < s.end_ns), None)

    def near(self, agent_id: str, t: int, grace_ns: int) -> LiveShift | None:
        """The shift holding ``t``, else one starting or ending within ``grace_ns`` of it."""
        return self.at(agent_id, t) or next(
            (s for s in self.of(agent_id)
             if s.start_ns - grace_ns <= t < s.start_ns or s.end_ns <= t <= s.end_ns + grace_ns),
            None)

    def close_ns(self, agent_id: str, t: int) -> int:
        """When a session opened at ``t`` and left open is closed (module docstring)."""
        own = self.of(agent_id)
        if own:
            shift = own[bisect_right(self._cell_starts[agent_id], t) - 1]
            if max(0, shift.start_ns - t, t - shift.end_ns) <= ATTRIBUTION_NS:
                return max(t, shift.end_ns)
        return self.midnight_after(t)

    def midnight_after(self, t: int) -> int:
        """The first local midnight after ``t`` (memoised per hour of ``t``)."""
        hour = t // (3600 * 10**9)
        cached = self._midnights.get(hour)
        if cached is None or cached <= t:
            cached = int(next_midnight_ns(np.array([t], dtype=np.int64), self.tz)[0])
            if len(self._midnights) > 10_000:
                self._midnights.clear()
            self._midnights[hour] = cached
        return cached

    def last_work(self, agent_id: str, a: int, b: int) -> int | None:
        """The supremum of ``[a, b) ∩`` the agent's scheduled work time (any shift)."""
        found = [w for s in self.of(agent_id) if s.start_ns < b and s.end_ns > a
                 if (w := s.last_work(a, b)) is not None]
        return max(found) if found else None


@dataclass
class AgentLive:
    """One agent's live summary, folded from its events in order (module docstring)."""

    agent_id: str
    state: str | None = None         # last state (wfm's), None before any event
    since_ns: int | None = None      # when that state began
    last_ns: int = _NEVER            # time and arrival order of the last event applied
    last_seq: int = -1
    states_at_last: frozenset[str] = frozenset()
    close_ns: int = _NEVER           # when the open session closes (logged in only)
    worked_until_ns: int = _NEVER    # sup of scheduled work time worked before the last event
    events: int = 0                  # events applied (duplicates and stray logouts excluded)
    set_aside: int = 0               # duplicates and logouts while logged out, skipped

    @property
    def logged_in(self) -> bool:
        return self.state is not None and self.state != LOGOUT

    def in_order(self, time_ns: int, seq: int) -> bool:
        """Whether an event at ``(time_ns, seq)`` comes after everything applied."""
        return (time_ns, seq) > (self.last_ns, self.last_seq)

    def apply(self, time_ns: int, state: str, schedule: LiveSchedule, seq: int = 0) -> bool:
        """Fold in one event (O(1)); False when it is earlier than the last one applied (the
        caller must ``replay`` the agent), True otherwise (also for a skipped one)."""
        if not self.in_order(time_ns, seq):
            return False
        if time_ns == self.last_ns and state in self.states_at_last:
            self.last_seq = seq
            self.set_aside += 1                  # a repeat of (time, state): skipped
            return True
        self.states_at_last = (self.states_at_last | {state} if time_ns == self.last_ns
                               else frozenset({state}))
        self.last_seq = seq
        if state == LOGOUT and not self.logged_in:
            self.last_ns = time_ns
            self.set_aside += 1                  # a logout while logged out: ignored
            return True
        if self.logged_in and self.state in _WORKING:
            # the previous event's stretch ends here, or at its close if this is a new login
            end = min(self.close_ns, time_ns) if state == "login" else time_ns
            worked = schedule.last_work(self.agent_id, self.last_ns, end)
            if worked is not None:
                self.worked_until_ns = max(self.worked_until_ns, worked)
        if state != self.state:
            self.since_ns = time_ns
        self.state = state
        self.last_ns = time_ns
        self.close_ns = schedule.close_ns(self.agent_id, time_ns) if state != LOGOUT else _NEVER
        self.events += 1
        return True

    def working_at(self, t: int) -> bool:
        return self.state in _WORKING and self.last_ns <= t < self.close_ns

    def worked_until(self, t: int, schedule: LiveSchedule) -> int:
        """The sup of scheduled work time worked up to ``t`` (``t`` ≥ the last event)."""
        until = self.worked_until_ns
        if self.state in _WORKING:
            now = schedule.last_work(self.agent_id, self.last_ns, min(self.close_ns, t))
            if now is not None:
                until = max(until, now)
        return until


@dataclass(frozen=True)
class LiveItem:
    """One agent's line of ``GET /api/v1/adherence/live`` (times in epoch ns, minutes float)."""

    agent_id: str
    scheduled: str
    state: str | None
    since_ns: int | None
    in_adherence: bool
    out_since_ns: int | None
    out_minutes: float
    queue: str = ""

    def as_json(self, tz: str, name: str = "") -> dict[str, object]:
        """The wire form: ISO 8601 local times with offset."""
        return {"agent_id": self.agent_id, "name": name, "scheduled": self.scheduled,
                "state": self.state,
                "since": None if self.since_ns is None else format_ns(self.since_ns, tz),
                "in_adherence": self.in_adherence,
                "out_since": (None if self.out_since_ns is None
                              else format_ns(self.out_since_ns, tz)),
                "out_minutes": round(self.out_minutes, 2)}


def evaluate(agent: AgentLive | None, agent_id: str, schedule: LiveSchedule, t: int,
             grace_minutes: float) -> LiveItem | None:
    """The agent's item at ``t`` (``t`` not before its last event), or None when no shift of
    the agent holds ``t`` or starts or ends within the grace of it."""
    grace_ns = int(round(grace_minutes * NS_PER_MINUTE))
    agent = agent or AgentLive(agent_id)
    t = max(t, agent.last_ns)  # an event stamped a little ahead of the clock counts as now
    shift = schedule.near(agent_id, t, grace_ns)
    if shift is None:
        return None
    inside = shift.start_ns <= t < shift.end_ns
    scheduled = (BREAK if shift.in_break(t) else shift.code) if inside else OFF
    out_since: int | None = None
    out_ns = 0
    if shift.is_work(t) and not agent.working_at(t):
        run_start = shift.next_work(max(shift.start_ns, agent.worked_until(t, schedule)))
        run_ns = shift.clock(t) - shift.clock(run_start)
        if run_ns >= grace_ns:
            out_since, out_ns = run_start, run_ns
    return LiveItem(agent_id, scheduled, agent.state, agent.since_ns, out_since is None,
                    out_since, out_ns / NS_PER_MINUTE, shift.queue)


def replay(agent_id: str, events: Iterable[tuple[int, int, str]],
           schedule: LiveSchedule) -> AgentLive:
    """An agent's summary from its events ``(time_ns, seq, state)``, in any order."""
    agent = AgentLive(agent_id)
    for time_ns, seq, state in sorted(events):
        agent.apply(time_ns, state, schedule, seq)
    return agent


@dataclass
class LiveBoard:
    """Every agent's live summary on one schedule; not thread-safe (the caller locks).

    ``add`` folds in one event and answers False when the agent must be rebuilt from its
    stored events (``rebuild``), because the event is older than one already applied.
    """

    schedule: LiveSchedule
    agents: dict[str, AgentLive] = field(default_factory=dict)

    def add(self, agent_id: str, time_ns: int, state: str, seq: int) -> bool:
        agent = self.agents.get(agent_id)
        if agent is None:
            agent = self.agents[agent_id] = AgentLive(agent_id)
        return agent.apply(time_ns, state, self.schedule, seq)

    def rebuild(self, agent_id: str, events: Iterable[tuple[int, int, str]]) -> None:
        self.agents[agent_id] = replay(agent_id, events, self.schedule)

    def items(self, t: int, grace_minutes: float,
              agent_ids: Iterable[str] | None = None) -> list[LiveItem]:
        """Items at ``t`` of the agents scheduled now (or within the grace), the longest out
        of adherence first (then by agent id)."""
        ids = self.schedule.shifts.keys() if agent_ids is None else agent_ids
        items = [item for a in ids
                 if (item := evaluate(self.agents.get(a), a, self.schedule, t,
                                      grace_minutes)) is not None]
        items.sort(key=lambda i: (-i.out_minutes, i.in_adherence, i.agent_id))
        return items


def roster_days(today: date) -> tuple[date, date]:
    """The roster dates a live schedule for ``today`` reads: a day either side, so that an
    overnight shift from yesterday and the cells around midnight are there."""
    return date.fromordinal(today.toordinal() - 2), date.fromordinal(today.toordinal() + 1)
