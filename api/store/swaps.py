"""Swap requests: the swap kind of the request lifecycle (its verdict and its apply step).

A swap is checked by ``wfm.requests.swaps.check_swap`` against the stored roster. Creating one reads
committed data outside the writers' lock with the cached reference (two small queries: the
counters and the two agents' rows); accept and approve re-check inside their transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import Agent, RequirementRow, RosterCell, SwapEvent, SwapRequest
from api.store.frames import agent_record, impact_json, stored_queues
from api.store.reference import ReferenceCache, window_counts
from api.store.requests import KindStore, Lifecycle
from api.store.rosters import ROSTER_VERSION, Rosters, changed_cell, generations
from api.store.unit import SYSTEM, Actor, Unit, to_utc
from wfm.errors import NotFound, SwapRejected
from wfm.requests.status import SWAP_MACHINE
from wfm.requests.swaps import SwapVerdict, check_swap


class Swaps(KindStore):
    """The swap kind: a requester, a counterpart who accepts, a planner who approves."""

    name = "swap"
    label = "swap"
    event_model = SwapEvent
    event_key = "swap_id"
    model = SwapRequest
    machine = SWAP_MACHINE
    revalidate_on: tuple[str, ...] = ("accept", "approve")
    auto_approve_after: str | None = "accept"
    auto_approve_reason = "auto-approved: no rule broken, coverage kept"

    def __init__(self, unit: Unit, rosters: Rosters, lifecycle: Lifecycle,
                 cache: ReferenceCache) -> None:
        super().__init__(unit, rosters, lifecycle, cache)
        if not unit.config.swaps.auto_approve:
            self.auto_approve_after = None

    # ---- the lifecycle's hooks -----------------------------------------------------------
    def involving(self, agent_ids: Sequence[str]) -> Any:
        return or_(SwapRequest.requester_id.in_(agent_ids),
                   SwapRequest.counterpart_id.in_(agent_ids))

    def still_valid(self, session: Session, swap: SwapRequest,
                    verdict: SwapVerdict | None = None) -> str | None:
        """None when the swap still applies cleanly, else why not."""
        key = changed_cell(session, swap.snapshot)
        if key is not None:
            return f"the roster of {key[0]} on {key[1]} changed since the swap was checked"
        verdict = verdict or self.verdict_of(session, swap)
        if verdict.violations:
            return "; ".join(f"{v.code}: {v.message}" for v in verdict.violations)
        return None

    def auto_approvable(self, session: Session, swap: SwapRequest) -> bool:
        verdict = self.verdict_of(session, swap)
        return verdict.ok and verdict.keeps_coverage

    def apply(self, session: Session, swap: SwapRequest, actor: Actor, reason: str) -> int:
        version = self.rosters.lock_version(session)
        verdict = self.verdict_of(session, swap)
        self.rosters.write_cells(session, [
            {"agent_id": str(c["agent_id"]), "date": c["date"], "shift": str(c["shift"]),
             "queue": str(c["queue"] or "")} for c in verdict.after])
        new_version = self.rosters.bump(session, version)
        swap.applied_version = new_version
        swap.impact = impact_json(verdict.impact)
        self.lifecycle.set_status(session, self, swap, "approve", actor, reason, new_version)
        self.lifecycle.audit.record(session, actor, "roster.swap", {
            "swap_id": swap.id, "before": verdict.before, "after": verdict.after}, reason,
            new_version)
        self.lifecycle.invalidate_open(session, [swap.requester_id, swap.counterpart_id],
                                       new_version, skip=swap)
        return new_version

    # ---- checks --------------------------------------------------------------------------
    def verdict(self, session: Session, *, kind: str, requester_id: str, counterpart_id: str,
                dates: list[date], cached: bool = False,
                counters: dict[int, int] | None = None) -> SwapVerdict:
        """Check a swap against the stored roster: the two agents' rows, the number of agents
        per shift and queue around the dates (counted by the database) and the requirement.

        With ``cached`` (a session that has written nothing) the per-date counts, the agents
        and the requirement come from the process's ``ReferenceCache``, so a request costs two
        small queries (the counters and the two agents' rows).
        """
        pair = [requester_id, counterpart_id]
        window = sorted({d + timedelta(days=k) for d in dates for k in (-1, 0, 1)})
        if cached:
            counters = counters or generations(session)
            reference = self.cache.reference(session, counters)
            agents = [reference.agents[a] for a in pair if a in reference.agents]
            requirement: Any = reference.requirement
            queues = reference.queues
        else:
            agents = [agent_record(a) for a in
                      session.scalars(select(Agent).where(Agent.agent_id.in_(pair)))]
            required = session.execute(
                select(RequirementRow.interval_start, RequirementRow.queue,
                       RequirementRow.scheduled_agents)
                .where(RequirementRow.interval_start >= self.unit.local_midnight_utc(window[0]),
                       RequirementRow.interval_start
                       < self.unit.local_midnight_utc(window[-1] + timedelta(days=1)))).all()
            requirement = {(self.unit.local_naive(start), queue): need
                           for start, queue, need in required}
            queues = stored_queues(session)
        cells = session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id.in_(pair))).all()
        if cached:
            assert counters is not None  # filled in by the cached branch above
            counts = self.cache.counts(session, window, counters[ROSTER_VERSION])
        else:
            counts = window_counts(session, window)
        rows = [(agent, day, shift, queue) for agent, day, shift, queue in cells]
        return check_swap(rows, agents, self.unit.config, kind=kind,
                          requester_id=requester_id, counterpart_id=counterpart_id, dates=dates,
                          requirement=requirement, requirement_queues=queues,
                          window_counts=counts)

    def verdict_of(self, session: Session, swap: SwapRequest) -> SwapVerdict:
        return self.verdict(session, kind=swap.kind, requester_id=swap.requester_id,
                            counterpart_id=swap.counterpart_id,
                            dates=[date.fromisoformat(d) for d in json.loads(swap.dates)])

    # ---- routes --------------------------------------------------------------------------
    def create(self, *, actor: Actor, kind: str, counterpart_id: str, dates: list[date],
               reason: str = "") -> SwapRequest:
        """Check and record a swap request; raise ``SwapRejected`` when it breaks rules.

        The check reads committed data outside the writers' lock (it changes nothing; accept
        and approve re-validate against the roster of their time), so checks run alongside
        other requests' writes; only the insert takes the lock.
        """
        requester_id = actor.agent_id or ""
        with self.unit.read() as session:
            counters = generations(session)
            if counterpart_id not in self.cache.reference(session, counters).agents:
                raise NotFound(f"agent {counterpart_id!r} not found")
            verdict = self.verdict(session, kind=kind, requester_id=requester_id,
                                   counterpart_id=counterpart_id, dates=dates, cached=True,
                                   counters=counters)
        assert verdict.starts_at is not None
        problems = list(verdict.violations) + self.lifecycle.notice(
            verdict.starts_at, self.unit.config.swaps.min_notice_hours, requester_id)
        if problems:
            raise SwapRejected(f"the swap breaks {len(problems)} rule(s)", problems)
        with self.unit.write() as session:
            now = self.unit.clock()
            swap = SwapRequest(kind=kind, requester_id=requester_id,
                               counterpart_id=counterpart_id,
                               dates=json.dumps([d.isoformat() for d in dates]), reason=reason,
                               status="requested",
                               snapshot=json.dumps(verdict.before, default=str),
                               impact=impact_json(verdict.impact),
                               starts_at=to_utc(verdict.starts_at), created_at=now,
                               updated_at=now)
            self.lifecycle.record(session, self, swap, actor, {
                "kind": kind, "counterpart_id": counterpart_id,
                "dates": [d.isoformat() for d in dates]}, reason)
        return swap

    def query(self, *, status: str | None, agent_id: str | None) -> Any:
        """The swaps with ``status`` that ``agent_id`` is part of (either filter optional)."""
        query = select(SwapRequest)
        if status:
            query = query.where(SwapRequest.status == status)
        if agent_id:
            query = query.where(self.involving([agent_id]))
        return query


__all__ = ["SWAP_MACHINE", "SYSTEM", "Swaps"]
