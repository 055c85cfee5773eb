"""Overtime and VTO offers: publishing, the agents' eligibility, and acceptance, the third
kind of the request lifecycle (``offer_acceptance``).

Acceptance is first come first served and atomic. One transaction: claim a place with a
conditional update (``UPDATE offers SET filled = filled + 1 WHERE id = ? AND status = 'open'
AND filled < agents_needed``: the database serialises it across threads and processes, on
SQLite and PostgreSQL alike, and the first write also takes SQLite's write lock), lock the
roster version, judge the agent on the roster read inside the transaction
(``wfm.requests.offers.check_offer``), write the roster row (an added shift, a day off), bump
the roster version, record the acceptance as ``applied`` with its history and audit, and
invalidate the agent's open requests the change makes illegal. A refusal raises and rolls the
whole transaction back, the claimed place included.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from api.models import OfferAcceptance, OfferEvent, OfferRow, RosterCell
from api.store.frames import stored_queues
from api.store.requests import KindStore
from api.store.rosters import generations
from api.store.unit import SYSTEM, Actor, to_utc
from wfm.config import SiteConfig
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected
from wfm.requests.offers import (
    EXTENSIONS,
    FILLED,
    OVERTIME,
    Offer,
    OfferDraft,
    OfferVerdict,
    acceptance_refusal,
    check_offer,
    check_offer_window,
    clock_text,
    offer_head_deltas,
    offer_totals,
    roster_with_offer_hours,
)
from wfm.requests.status import OFFER_MACHINE
from wfm.rules import days_rules_reach


class OfferRefused(SwapRejected):
    """An agent may not take an offer: the rules it would break (422 with the violations)."""


def domain_offer(row: OfferRow) -> Offer:
    return Offer(row.kind, row.day, row.start, row.end, tuple(json.loads(row.queues)),
                 row.agents_needed, row.filled, row.status)


def worked_head_deltas(session: Session, days: Sequence[date], config: SiteConfig,
                       queues: list[str] | None
                       ) -> dict[tuple[str, date], Counter[tuple[int, str]]]:
    """The head counts applied extensions and early ends on ``days`` add or take per
    (agent, date) against the roster rows, read inside ``session`` (a check inside a
    transaction sees its own writes): ``wfm.requests.offers.offer_head_deltas`` over
    ``roster_with_offer_hours``, the worked roster ``Offers.worked_roster`` gives the coverage
    page and adherence. The time-off impact counts with it."""
    accepted = session.execute(
        select(OfferAcceptance.requester_id, OfferAcceptance.day, OfferAcceptance.change,
               OfferAcceptance.start, OfferAcceptance.end)
        .where(OfferAcceptance.status == "applied", OfferAcceptance.day.in_(list(days)),
               OfferAcceptance.change.in_((*EXTENSIONS, "end_early")))
        .order_by(OfferAcceptance.id)).all()
    if not accepted:
        return {}
    agents = sorted({str(a) for a, *_ in accepted})
    rows = session.execute(
        select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
        .where(RosterCell.agent_id.in_(agents), RosterCell.date.in_(list(days)))).all()
    roster = pd.DataFrame(rows, columns=["agent_id", "date", "shift", "queue"])
    if roster.empty:
        return {}
    return offer_head_deltas(roster, [(str(a), d, c, s, e) for a, d, c, s, e in accepted],
                             config, queues)


class Offers(KindStore):
    """The offers and the ``offer_acceptance`` request kind (an agent's acceptance)."""

    name = "offer_acceptance"
    label = "offer acceptance"
    event_model = OfferEvent
    model = OfferAcceptance
    machine = OFFER_MACHINE
    revalidate_on: tuple[str, ...] = ()
    auto_approve_after: str | None = None
    auto_approve_reason = "offer accepted: first come, first served"

    # ---- the lifecycle's hooks -----------------------------------------------------------
    def involving(self, agent_ids: Sequence[str]) -> Any:
        return OfferAcceptance.requester_id.in_(agent_ids)

    def still_valid(self, session: Session, request: OfferAcceptance) -> str | None:
        return None  # judged and applied in one transaction; nothing stays open

    def auto_approvable(self, session: Session, request: OfferAcceptance) -> bool:
        return True

    def apply(self, session: Session, request: OfferAcceptance, actor: Actor,
              reason: str) -> int:
        """Write the acceptance's roster row (when it rewrites one) and bump the version."""
        version = self.rosters.lock_version(session)
        snapshot = json.loads(request.snapshot)
        after = snapshot["after"]
        if after != snapshot["before"]:
            self.rosters.write_cells(session, [{
                "agent_id": request.requester_id, "date": request.day,
                "shift": after["shift"], "queue": after["queue"]}])
        new_version = self.rosters.bump(session, version)
        request.applied_version = new_version
        self.lifecycle.set_status(session, self, request, "approve", actor, reason, new_version)
        self.lifecycle.audit.record(session, actor, "roster.offer", {
            "offer_id": request.offer_id, "offer_acceptance_id": request.id,
            "agent_id": request.requester_id, "kind": request.kind, "change": request.change,
            "date": request.day.isoformat(), "start": request.start, "end": request.end,
            "minutes": request.minutes, "serves": request.serves,
            **json.loads(request.snapshot)}, reason, new_version)
        self.lifecycle.invalidate_open(session, [request.requester_id], new_version,
                                       skip=request)
        return new_version

    # ---- publishing ----------------------------------------------------------------------
    def publish(self, *, actor: Actor, kind: str, day: date, start: str, end: str,
                queues: list[str], agents_needed: int, reason: str = "",
                auto: bool = False) -> OfferRow:
        """Publish an offer; ``InvalidInput`` naming the field when it cannot be (a window
        off the grid, a past interval, an unknown queue)."""
        config = self.unit.config
        check_offer_window(config, kind=kind, start=start, end=end,
                           agents_needed=agents_needed, queues=queues)
        offer = Offer(kind, day, start, end, tuple(queues), agents_needed)
        starts_at = to_utc(offer.starts_at(config))
        if starts_at <= self.unit.clock():
            raise InvalidInput(f"the offer's interval {day} {start}-{end} has started or is "
                               "past; publish offers for coming intervals", field="start")
        with self.unit.write() as session:
            known = stored_queues(session)
            unknown = [q for q in queues if known and q not in known]
            if unknown:
                raise InvalidInput(f"queue {unknown[0]!r} is not a known queue "
                                   f"({', '.join(known or [])})", field="queues")
            now = self.unit.clock()
            row = OfferRow(kind=kind, day=day, start=start, end=end, queues=json.dumps(queues),
                           agents_needed=agents_needed, filled=0, status="open", auto=auto,
                           reason=reason, starts_at=starts_at, user_id=actor.user_id,
                           created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            self.lifecycle.audit.record(session, actor, "offer.publish", {
                "offer_id": row.id, "kind": kind, "date": day.isoformat(), "start": start,
                "end": end, "queues": queues, "agents_needed": agents_needed, "auto": auto},
                reason)
        return row

    def publish_drafts(self, drafts: list[OfferDraft]) -> list[OfferRow]:
        """Publish the ``[intraday]`` rule's drafts that no open offer of the same kind, day
        and queue already overlaps."""
        made = []
        for draft in drafts:
            with self.unit.read() as session:
                existing = [domain_offer(r) for r in session.scalars(select(OfferRow).where(
                    OfferRow.day == draft.day, OfferRow.kind == draft.kind,
                    OfferRow.status == "open"))]
            lo = Offer(draft.kind, draft.day, draft.start, draft.end, (draft.queue,), 1)
            if any(draft.queue in o.queues and o.start_minute < lo.end_minute
                   and lo.start_minute < o.end_minute for o in existing):
                continue
            made.append(self.publish(actor=SYSTEM, kind=draft.kind, day=draft.day,
                                     start=draft.start, end=draft.end, queues=[draft.queue],
                                     agents_needed=draft.agents_needed, reason=draft.reason,
                                     auto=True))
        return made

    def withdraw(self, *, offer_id: int, actor: Actor, reason: str = "") -> OfferRow:
        """Stop an open offer; places already taken stay applied. 409 when not open."""
        with self.unit.write() as session:
            row = session.get(OfferRow, offer_id)
            if row is None:
                raise NotFound(f"offer {offer_id} not found")
            if self.status_of(row) != "open":
                raise Conflict(f"cannot withdraw an offer that is {self.status_of(row)}")
            row.status, row.updated_at = "withdrawn", self.unit.clock()
            self.lifecycle.audit.record(session, actor, "offer.withdraw", {
                "offer_id": row.id, "filled": row.filled}, reason)
        return row

    # ---- reads ---------------------------------------------------------------------------
    def status_of(self, row: OfferRow) -> str:
        """The stored status, with ``expired`` for an open offer whose interval started."""
        if row.status == "open" and row.starts_at <= self.unit.clock():
            return "expired"
        return row.status

    def get(self, offer_id: int) -> OfferRow:
        with self.unit.read() as session:
            row = session.get(OfferRow, offer_id)
        if row is None:
            raise NotFound(f"offer {offer_id} not found")
        return row

    def rows(self, *, date_from: date | None = None, date_to: date | None = None,
             status: str | None = None) -> list[OfferRow]:
        query = select(OfferRow).order_by(OfferRow.day, OfferRow.start, OfferRow.id)
        if date_from is not None:
            query = query.where(OfferRow.day >= date_from)
        if date_to is not None:
            query = query.where(OfferRow.day <= date_to)
        with self.unit.read() as session:
            found = list(session.scalars(query))
        return [r for r in found if status is None or self.status_of(r) == status]

    def acceptances(self, *, agent_id: str | None = None, offer_ids: list[int] | None = None,
                    date_from: date | None = None,
                    date_to: date | None = None) -> list[OfferAcceptance]:
        query = select(OfferAcceptance).where(OfferAcceptance.status == "applied")
        if agent_id is not None:
            query = query.where(OfferAcceptance.requester_id == agent_id)
        if offer_ids is not None:
            query = query.where(OfferAcceptance.offer_id.in_(offer_ids))
        if date_from is not None:
            query = query.where(OfferAcceptance.day >= date_from)
        if date_to is not None:
            query = query.where(OfferAcceptance.day <= date_to)
        with self.unit.read() as session:
            return list(session.scalars(query.order_by(OfferAcceptance.id)))

    def totals(self, *, date_from: date, date_to: date) -> list[dict[str, Any]]:
        """Overtime and VTO hours per agent over the period (applied acceptances)."""
        rows = self.acceptances(date_from=date_from, date_to=date_to)
        return offer_totals([(a.requester_id, a.day, a.kind, a.minutes) for a in rows],
                            date_from=date_from, date_to=date_to)

    def eligible(self, *, agent_id: str) -> list[tuple[OfferRow, OfferVerdict]]:
        """The open offers ``agent_id`` may take now (not taken by it already), with the
        change each would make."""
        open_rows = self.rows(status="open")
        if not open_rows:
            return []
        taken = {a.offer_id for a in self.acceptances(agent_id=agent_id,
                                                      offer_ids=[r.id for r in open_rows])}
        out = []
        with self.unit.read() as session:
            for row in open_rows:
                if row.id in taken or row.filled >= row.agents_needed:
                    continue
                verdict = self.verdict(session, agent_id=agent_id, offer=domain_offer(row))
                if verdict.ok:
                    out.append((row, verdict))
        return out

    def verdict(self, session: Session, *, agent_id: str, offer: Offer) -> OfferVerdict:
        """``check_offer`` on the agent's stored rows around the offer's day; the agents and
        queues come from the ``ReferenceCache`` at the data generations read in ``session``
        (the same data a read inside the transaction would give)."""
        reference = self.cache.reference(session, generations(session))
        agent = reference.agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id!r} not found")
        reach = days_rules_reach(self.unit.config.rules) + 1
        rows = session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id == agent_id,
                   RosterCell.date >= offer.day - timedelta(days=reach),
                   RosterCell.date <= offer.day + timedelta(days=reach))).all()
        monday = offer.day - timedelta(days=offer.day.weekday())
        week = session.scalar(select(func.coalesce(func.sum(OfferAcceptance.minutes), 0)).where(
            OfferAcceptance.requester_id == agent_id, OfferAcceptance.kind == OVERTIME,
            OfferAcceptance.status == "applied", OfferAcceptance.day >= monday,
            OfferAcceptance.day <= monday + timedelta(days=6)))
        return check_offer([(a, d, s, q) for a, d, s, q in rows], agent,
                           self.unit.config, offer, queues=reference.queues,
                           overtime_minutes_in_week=int(week or 0))

    # ---- acceptance ----------------------------------------------------------------------
    def accept(self, *, offer_id: int, actor: Actor, reason: str = "") -> OfferAcceptance:
        """Take a place on an offer and apply it, atomically (module notes).

        Raises
        ------
        NotFound
            No such offer.
        Conflict
            Refused by the offer's state: ``offer already filled``, withdrawn, started, or
            already accepted by this agent (409 with the reason).
        OfferRefused
            The agent is not eligible: the rules it would break (422).
        """
        agent_id = actor.agent_id or ""
        now = self.unit.clock()
        with self.unit.write() as session:
            claimed = session.execute(
                update(OfferRow)
                .where(OfferRow.id == offer_id, OfferRow.status == "open",
                       OfferRow.starts_at > now, OfferRow.filled < OfferRow.agents_needed)
                .values(filled=OfferRow.filled + 1, updated_at=now,
                        status=case((OfferRow.filled + 1 >= OfferRow.agents_needed, "filled"),
                                    else_="open")))
            row = session.get(OfferRow, offer_id, populate_existing=True)
            if row is None:
                raise NotFound(f"offer {offer_id} not found")
            offer = domain_offer(row)
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                refusal = acceptance_refusal(offer, now=now.replace(tzinfo=UTC),
                                             config=self.unit.config) or FILLED
                raise Conflict(refusal)
            if session.scalar(select(OfferAcceptance.id).where(
                    OfferAcceptance.offer_id == offer_id,
                    OfferAcceptance.requester_id == agent_id)) is not None:
                raise Conflict(f"{agent_id} has already accepted offer {offer_id}")
            self.rosters.lock_version(session)
            verdict = self.verdict(session, agent_id=agent_id, offer=offer)
            if not verdict.ok or verdict.change is None:
                raise OfferRefused("; ".join(v.message for v in verdict.violations)
                                   or "not eligible", verdict.violations)
            change = verdict.change
            snapshot = {"before": {"shift": change.before_shift, "queue": change.before_queue},
                        "after": {"shift": change.shift, "queue": change.queue}}
            request = OfferAcceptance(
                offer_id=offer_id, requester_id=agent_id, kind=change.kind,
                change=change.change, day=change.day,
                start=clock_text(change.start_minute), end=clock_text(change.end_minute),
                minutes=change.minutes, serves=change.serves, status="requested",
                snapshot=json.dumps(snapshot), starts_at=row.starts_at, created_at=now,
                updated_at=now)
            self.lifecycle.record(session, self, request, actor, {
                "offer_id": offer_id, **change.as_dict()}, reason)
            self.lifecycle.auto_approve(session, self, request)
        return request

    def worked_roster(self, roster: pd.DataFrame
                      ) -> tuple[pd.DataFrame, SiteConfig, dict[str, str]]:
        """``roster`` (rows of the stored roster) as worked after the applied extensions and
        early ends of its dates (``wfm.requests.offers.roster_with_offer_hours``): the
        schedule adherence judges, batch and live."""
        if roster.empty:
            return roster, self.unit.config, {}
        days = pd.to_datetime(roster["date"].astype(str)).dt.date
        applied = self.acceptances(date_from=days.min(), date_to=days.max())
        return roster_with_offer_hours(roster, [(a.requester_id, a.day, a.change, a.start,
                                                 a.end) for a in applied], self.unit.config)
