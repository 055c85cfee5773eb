"""Swap partners: the colleagues an agent can swap with on a date, found on committed data.

The rows of every agent are kept per roster version (every roster change bumps it, so a change
made by any process is seen on the next search), the agents and queues come from the
``ReferenceCache``; a search then costs one small query (the counters) and the names of the
colleagues found. ``wfm.requests.partners.find_partners`` judges each colleague as
``check_swap`` does; the minimum notice is applied here, as ``create_swap`` applies it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Agent, RosterCell
from api.store.reference import ReferenceCache
from api.store.requests import Lifecycle
from api.store.rosters import ROSTER_VERSION, current_version, generations
from api.store.unit import Unit
from wfm.requests.partners import PartnerSearch, find_partners
from wfm.requests.swaps import Row


class Partners:
    """Searches for swap partners with the process's cached roster rows."""

    def __init__(self, unit: Unit, cache: ReferenceCache, lifecycle: Lifecycle) -> None:
        self.unit = unit
        self.cache = cache
        self.lifecycle = lifecycle
        self._rows: tuple[int, dict[str, list[Row]]] = (-1, {})

    def rows(self, session: Session, version: int) -> dict[str, list[Row]]:
        """Every agent's roster rows at roster ``version`` (loaded once per version)."""
        with self.unit.cache_lock:
            if self._rows[0] == version:
                return self._rows[1]
        by_agent: dict[str, list[Row]] = {}
        for agent, day, shift, queue in session.execute(
                select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
                .order_by(RosterCell.agent_id, RosterCell.date)):
            by_agent.setdefault(agent, []).append((agent, day, shift, queue or ""))
        if current_version(session) == version:  # nobody changed it meanwhile
            with self.unit.cache_lock:
                self._rows = (version, by_agent)
        return by_agent

    def find(self, *, requester_id: str, kind: str,
             dates: list[date]) -> tuple[PartnerSearch, dict[str, str]]:
        """The colleagues a swap of ``kind`` on ``dates`` is legal with (rules and minimum
        notice), and their names."""
        with self.unit.read() as session:
            counters = generations(session)
            reference = self.cache.reference(session, counters)
            rows = self.rows(session, counters.get(ROSTER_VERSION, 0))
            search = find_partners(rows, reference.agents, self.unit.config, kind=kind,
                                   requester_id=requester_id, dates=dates,
                                   requirement_queues=reference.queues)
            hours = self.unit.config.swaps.min_notice_hours
            kept = [p for p in search.partners
                    if not self.lifecycle.notice(p.starts_at, hours, requester_id)]
            blocked = search.blocked
            if search.partners and not kept:
                first = min(search.partners, key=lambda p: p.starts_at)
                blocked = self.lifecycle.notice(first.starts_at, hours, requester_id)
            ids = [p.agent_id for p in kept]
            names = dict(session.execute(select(Agent.agent_id, Agent.name)
                                         .where(Agent.agent_id.in_(ids))).all()) if ids else {}
        return PartnerSearch(kept, search.checked, blocked), names
