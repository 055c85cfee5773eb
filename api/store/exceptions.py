"""Adherence exceptions: periods a supervisor excuses for an agent or a team (issue 24).

Each change is one transaction with its audit entry (``adherence.exception.create`` /
``.delete``), naming the actor and the reason. ``frame`` hands the exceptions to
``wfm.adherence.compute_adherence`` in the form of ``wfm.adherence.EXCEPTION_COLUMNS``, with
times in site time; the computation itself lives in ``wfm.adherence.exceptions``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from api.models import AdherenceException, Agent
from api.store.audit import Audit
from api.store.unit import Actor, Unit, to_utc
from wfm.adherence import EXCEPTION_COLUMNS
from wfm.errors import InvalidInput, NotFound
from wfm.teams import team_of


class AdherenceExceptions:
    """Create, list and delete exceptions."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    def create(self, *, agent_id: str | None, team: str | None, start: datetime,
               end: datetime, reason: str, actor: Actor) -> AdherenceException:
        """Store an exception (``start``/``end`` tz-aware). Refused (``InvalidInput``): both
        or neither of agent and team, ``end`` not after ``start``, an empty reason, an unknown
        agent, a team no agent has the skills of."""
        agent_id = (agent_id or "").strip() or None
        team = (team or "").strip() or None
        if (agent_id is None) == (team is None):
            raise InvalidInput("give agent_id or team (exactly one of them)")
        for name, value in (("start", start), ("end", end)):
            if not 1970 <= value.year <= 2200:
                raise InvalidInput(f"{name} {value.isoformat()} is out of range (years "
                                   "1970-2200)")
        if not end > start:
            raise InvalidInput(f"end {end.isoformat()} is not after start {start.isoformat()}")
        if not reason.strip():
            raise InvalidInput("reason must not be empty: say why the period is excused")
        with self.unit.write() as session:
            if agent_id is not None and session.get(Agent, agent_id) is None:
                raise InvalidInput(f"unknown agent {agent_id!r}")
            if team is not None:
                wanted = team_of(team)
                skills = session.scalars(select(Agent.skills))
                if not any(team_of(s) == wanted for s in skills):
                    raise InvalidInput(f"no agent has the skills of team {team!r} (a team is "
                                       "its skills, ';'-separated)")
                team = ";".join(wanted)
            row = AdherenceException(
                agent_id=agent_id, team=team, start=to_utc(start), end=to_utc(end),
                reason=reason.strip(), user_id=actor.user_id,
                excused_by=self.audit.name_of(session, actor) or actor.role,
                created_at=self.unit.clock())
            session.add(row)
            session.flush()
            self.audit.record(session, actor, "adherence.exception.create",
                              {"id": row.id, "agent_id": agent_id, "team": team,
                               "start": start.isoformat(), "end": end.isoformat()},
                              reason.strip())
        return row

    def delete(self, *, exception_id: int, actor: Actor, reason: str = "") -> None:
        """Remove an exception (404 when unknown); audited with the reason."""
        with self.unit.write() as session:
            row = session.get(AdherenceException, exception_id)
            if row is None:
                raise NotFound(f"adherence exception {exception_id} not found")
            details = {"id": row.id, "agent_id": row.agent_id, "team": row.team,
                       "start": row.start.isoformat(), "end": row.end.isoformat(),
                       "excused_reason": row.reason}
            session.delete(row)
            self.audit.record(session, actor, "adherence.exception.delete", details, reason)

    def list(self, *, date_from: date | None = None, date_to: date | None = None,
             agent_id: str | None = None) -> list[AdherenceException]:
        """Exceptions overlapping site-local dates ``date_from``..``date_to``, oldest start
        first; with ``agent_id`` only those naming that agent."""
        query = select(AdherenceException)
        if date_from is not None:
            query = query.where(AdherenceException.end > self.unit.local_midnight_utc(date_from))
        if date_to is not None:
            query = query.where(AdherenceException.start < self.unit.local_midnight_utc(
                date_to + timedelta(days=1)))
        if agent_id is not None:
            query = query.where(AdherenceException.agent_id == agent_id)
        with self.unit.read() as session:
            return list(session.scalars(query.order_by(AdherenceException.start,
                                                       AdherenceException.id)))

    def frame(self, *, date_from: date | None = None,
              date_to: date | None = None) -> pd.DataFrame:
        """The exceptions as ``EXCEPTION_COLUMNS`` (times tz-aware in site time)."""
        rows = self.list(date_from=date_from, date_to=date_to)
        tz = self.unit.config.timezone

        def local(value: datetime) -> pd.Timestamp:
            return pd.Timestamp(value).tz_localize("UTC").tz_convert(tz)

        return pd.DataFrame([{"agent_id": r.agent_id or "", "team": r.team or "",
                              "start": local(r.start), "end": local(r.end), "reason": r.reason,
                              "excused_by": r.excused_by} for r in rows],
                            columns=EXCEPTION_COLUMNS)
