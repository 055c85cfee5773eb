"""What request checks read besides the requester's rows, cached per data version.

Agents, the requirement and its queues are kept per (requirement, agents) generation; the
number of agents per (date, shift, queue) per roster version. Both keys are counters in
``roster_meta`` that every import bumps, so a change made by any process is seen on the next
check. A check reads committed data; transitions re-check inside their transaction without
these caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Agent, RequirementRow, RosterCell
from api.store.frames import agent_record, stored_queues
from api.store.rosters import (
    AGENTS_GENERATION,
    REQUIREMENT_GENERATION,
    current_version,
    generations,
)
from api.store.unit import Unit

Count = tuple[date, str, str, int]  # (date, shift, queue, working agents)


@dataclass(frozen=True)
class Reference:
    """Agent records by id, the requirement's ``scheduled_agents`` and its load (contacts,
    AHT) by (local naive interval start, queue), and the requirement's queues."""

    agents: dict[str, dict[str, Any]]
    requirement: dict[tuple[datetime, str], int]
    load: dict[tuple[datetime, str], tuple[float, float | None]]
    queues: list[str] | None


def window_counts(session: Session, days: list[date]) -> list[Count]:
    """Working agents per (date, shift, queue) on ``days`` (one grouped query)."""
    rows = session.execute(
        select(RosterCell.date, RosterCell.shift, RosterCell.queue, func.count())
        .where(RosterCell.date.in_(days), RosterCell.shift.not_in(("OFF", "LEAVE")))
        .group_by(RosterCell.date, RosterCell.shift, RosterCell.queue)).all()
    return [(d, s, q, int(n)) for d, s, q, n in rows]


class ReferenceCache:
    """The cached reference and head-counts of one process."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self._reference: tuple[tuple[int, int], Reference] | None = None
        self._counts: tuple[int, dict[date, list[Count]]] = (-1, {})

    def reference(self, session: Session, counters: dict[int, int]) -> Reference:
        """Agents, requirement and queues as of ``counters`` (loaded once per change)."""
        key = (counters.get(REQUIREMENT_GENERATION, 0), counters.get(AGENTS_GENERATION, 0))
        with self.unit.cache_lock:
            if self._reference is not None and self._reference[0] == key:
                return self._reference[1]
        local = self.unit.local_naive
        agents = {a.agent_id: agent_record(a) for a in session.scalars(select(Agent))}
        requirement, load = {}, {}
        for start, queue, need, contacts, aht in session.execute(
                select(RequirementRow.interval_start, RequirementRow.queue,
                       RequirementRow.scheduled_agents, RequirementRow.contacts,
                       RequirementRow.aht_seconds)):
            requirement[(local(start), queue)] = need
            load[(local(start), queue)] = (contacts, aht)
        reference = Reference(agents, requirement, load, stored_queues(session))
        again = generations(session)
        if (again.get(REQUIREMENT_GENERATION, 0), again.get(AGENTS_GENERATION, 0)) == key:
            with self.unit.cache_lock:
                self._reference = (key, reference)
        return reference

    def counts(self, session: Session, days: list[date], version: int) -> list[Count]:
        """``window_counts`` kept per committed roster ``version`` (every roster change bumps
        it); counted again only for dates not seen at this version."""
        with self.unit.cache_lock:
            cache_version, by_date = self._counts
            if cache_version != version:
                by_date = {}
            missing = [d for d in days if d not in by_date]
        if missing:
            found: dict[date, list[Count]] = {d: [] for d in missing}
            for row in window_counts(session, missing):
                found[row[0]].append(row)
            unchanged = current_version(session) == version  # nobody changed it meanwhile
            with self.unit.cache_lock:
                if unchanged:
                    if self._counts[0] != version:
                        self._counts = (version, {})
                    self._counts[1].update(found)
            by_date = {**by_date, **found}
        return [row for d in days for row in by_date[d]]
