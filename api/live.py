"""The live adherence board of one server process (issue 24), kept on ``app.state.live``.

``LiveTracker`` holds a ``wfm.adherence.live.LiveBoard``: each agent's O(1) summary and the
published roster's shifts around today. It is built lazily, on first use, from the database
(the roster rows of ``roster_days(today)`` and the login events since local midnight of
yesterday), so it survives restarts, and it is brought up to date by ``refresh``:

* the events route calls it after its transaction committed, and every read calls it too: it
  reads the events whose id is above the highest one applied (one indexed query) and folds each
  in; an event older than the agent's last one applied rebuilds that agent from its stored
  events since the cut-off (``wfm.adherence.live.replay``).
* Several server processes on one database each keep their own board and each stays correct:
  a process sees the events another process stored on its next refresh. PostgreSQL may commit
  ids out of order (a transaction holding a lower id commits after a higher one is visible), so
  ids skipped below the highest one applied are looked up again on every refresh for
  ``GAP_SECONDS`` (an id consumed by a duplicate or a rolled-back insert never appears).
* The schedule is the roster as worked: an accepted overtime extension or VTO early end moves
  its shift's start or end (``Offers.worked_roster``; the shift keeps its code on the board).
* A change of the roster version (any process's import, swap, time off or accepted offer) or
  of the local day rebuilds the whole board (a few seconds for a month's worth of a large
  site's events is not read: only events since the cut-off are).

One lock serialises refreshes and reads, so concurrent requests never see a half-applied
batch. The agents' names and teams are kept per agents generation.
"""

from __future__ import annotations

import threading
import time as clock
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from api.models import Agent, LoginEvent
from api.store import Store
from api.store.frames import split
from api.store.rosters import AGENTS_GENERATION, ROSTER_VERSION, generations
from wfm.adherence.live import LiveBoard, LiveItem, LiveSchedule, roster_days
from wfm.teams import Team, team_of

GAP_SECONDS = 60.0
_EPOCH = datetime(1970, 1, 1)


def to_ns(stored: datetime) -> int:
    """A stored naive UTC time as epoch nanoseconds (exact to the microsecond)."""
    delta = stored - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000


@dataclass(frozen=True)
class LiveView:
    """What the route answers: the instant, the items with their names, and the alerts."""

    as_of: datetime  # site-local, tz-aware
    items: list[dict[str, Any]]
    alerts: int      # items out of adherence longer than ``alert_after_minutes``


class LiveTracker:
    """The board of this process; see the module docstring."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._board: LiveBoard | None = None
        self._key: tuple[int, date] | None = None
        self._applied_max = 0
        self._gaps: dict[int, float] = {}
        self._agents_key = -1
        self._agents: dict[str, tuple[str, Team]] = {}

    # ---- reading the database --------------------------------------------------------------
    def _cutoff(self, today: date) -> datetime:
        return self.store.unit.local_midnight_utc(today - timedelta(days=1))

    def _schedule(self, today: date) -> LiveSchedule:
        first, last = roster_days(today)
        _, roster = self.store.roster_frame(date_from=first, date_to=last)
        worked, config, original = self.store.offers.worked_roster(roster)  # accepted offers
        schedule = LiveSchedule.from_roster(worked, config)
        if not original:
            return schedule
        return LiveSchedule({agent: [replace(s, code=original.get(s.code, s.code)) for s in own]
                             for agent, own in schedule.shifts.items()}, schedule.tz)

    def _agent_events(self, agent_id: str, cutoff: datetime, until: datetime | None = None
                      ) -> list[tuple[int, int, str]]:
        query = select(LoginEvent.timestamp, LoginEvent.id, LoginEvent.state).where(
            LoginEvent.agent_id == agent_id, LoginEvent.timestamp >= cutoff)
        if until is not None:
            query = query.where(LoginEvent.timestamp <= until)
        with self.store.unit.read() as session:
            return [(to_ns(t), i, s) for t, i, s in session.execute(query)]

    def _board_at(self, today: date, until: datetime | None = None
                  ) -> tuple[LiveBoard, int, set[int]]:
        """A board built from the database: the roster around ``today`` and the events since
        the cut-off (up to ``until``); also the highest event id and the ids missing below it."""
        board = LiveBoard(self._schedule(today))
        cutoff = self._cutoff(today)
        with self.store.unit.read() as session:
            top = int(session.scalar(select(func.max(LoginEvent.id))) or 0)
            query = select(LoginEvent.agent_id, LoginEvent.timestamp, LoginEvent.id,
                           LoginEvent.state).where(LoginEvent.timestamp >= cutoff,
                                                   LoginEvent.id <= top)
            if until is not None:
                query = query.where(LoginEvent.timestamp <= until)
            by_agent: dict[str, list[tuple[int, int, str]]] = {}
            for agent_id, stamp, event_id, state in session.execute(query):
                by_agent.setdefault(agent_id, []).append((to_ns(stamp), event_id, state))
            recent = set(session.scalars(select(LoginEvent.id).where(
                LoginEvent.id > top - 1000)))
        for agent_id, events in by_agent.items():
            board.rebuild(agent_id, events)
        missing = set(range(max(1, top - 999), top + 1)) - recent
        return board, top, missing

    def _names(self, agents_generation: int) -> dict[str, tuple[str, Team]]:
        if agents_generation != self._agents_key:
            with self.store.unit.read() as session:
                rows = session.execute(select(Agent.agent_id, Agent.name, Agent.skills)).all()
            self._agents = {a: (n or "", team_of(split(s))) for a, n, s in rows}
            self._agents_key = agents_generation
        return self._agents

    # ---- keeping up ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Fold in every event stored since the last refresh (by any process)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> int:
        with self.store.unit.read() as session:
            counters = generations(session)
        today = self.store.local_today()
        key = (counters.get(ROSTER_VERSION, 0), today)
        if self._board is None or key != self._key:
            self._board, self._applied_max, missing = self._board_at(today)
            deadline = clock.monotonic() + GAP_SECONDS
            self._gaps = dict.fromkeys(missing, deadline)
            self._key = key
            return counters.get(AGENTS_GENERATION, 0)
        board = self._board
        now = clock.monotonic()
        self._gaps = {i: d for i, d in self._gaps.items() if d > now}
        query = select(LoginEvent.id, LoginEvent.agent_id, LoginEvent.timestamp,
                       LoginEvent.state)
        condition = LoginEvent.id > self._applied_max
        if self._gaps:
            condition = or_(condition, LoginEvent.id.in_(sorted(self._gaps)))
        with self.store.unit.read() as session:
            rows = session.execute(query.where(condition).order_by(LoginEvent.id)).all()
        cutoff = self._cutoff(today)
        stale: set[str] = set()
        expected = self._applied_max + 1
        for event_id, agent_id, stamp, state in rows:
            self._gaps.pop(event_id, None)
            if event_id > self._applied_max:
                for skipped in range(max(expected, event_id - 10_000), event_id):
                    self._gaps[skipped] = now + GAP_SECONDS
                expected = event_id + 1
                self._applied_max = event_id
            if stamp < cutoff or agent_id in stale:
                continue
            if not board.add(agent_id, to_ns(stamp), state, event_id):
                stale.add(agent_id)
        for agent_id in stale:
            board.rebuild(agent_id, self._agent_events(agent_id, cutoff))
        return counters.get(AGENTS_GENERATION, 0)

    # ---- answering -------------------------------------------------------------------------
    def view(self, *, agent_ids: list[str] | None = None, queue: str | None = None,
             team: str | None = None, at: datetime | None = None) -> LiveView:
        """The items now (or at ``at``, tz-aware: rebuilt from the events up to it), the
        longest out of adherence first, filtered by agents, queue (the queue the shift serves,
        else the agent's skills) and team (``team_of`` of a ``;``-separated skill list)."""
        config = self.store.config
        grace = config.adherence.grace_minutes
        with self._lock:
            agents_generation = self._refresh()
            names = self._names(agents_generation)
            if at is None:
                moment = self.store.clock().replace(tzinfo=UTC)
                assert self._board is not None
                found = self._board.items(to_ns(moment.replace(tzinfo=None)), grace,
                                          agent_ids)
        if at is not None:  # a replay: its own board, built outside the lock
            moment = at.astimezone(UTC)
            board, _, _ = self._board_at(at.astimezone(config.tz).date(),
                                         moment.replace(tzinfo=None))
            found = board.items(to_ns(moment.replace(tzinfo=None)), grace, agent_ids)
        wanted_team = None if team is None else team_of(team)
        items = [item for item in found
                 if _in_queue(item, queue, names) and _in_team(item, wanted_team, names)]
        alert = config.adherence.alert_after_minutes
        return LiveView(as_of=moment.astimezone(config.tz),
                        items=[item.as_json(config.timezone, names.get(item.agent_id,
                                                                       ("", ()))[0])
                               for item in items],
                        alerts=sum(not i.in_adherence and i.out_minutes > alert for i in items))


def _in_queue(item: LiveItem, queue: str | None, names: dict[str, tuple[str, Team]]) -> bool:
    if queue is None:
        return True
    if item.queue:
        return item.queue == queue
    return queue in names.get(item.agent_id, ("", ()))[1]


def _in_team(item: LiveItem, team: Team | None, names: dict[str, tuple[str, Team]]) -> bool:
    return team is None or names.get(item.agent_id, ("", ()))[1] == team


_CREATE = threading.Lock()


def tracker_of(state: Any, store: Store) -> LiveTracker:
    """The app's tracker (``app.state.live``), created on first use."""
    tracker = getattr(state, "live", None)
    if tracker is None:
        with _CREATE:
            tracker = getattr(state, "live", None)
            if tracker is None:
                tracker = state.live = LiveTracker(store)
    return tracker
