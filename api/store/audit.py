"""The audit log: who changed what, when and why (written inside the change's transaction).

Each entry keeps the actor's name as it was when it acted: the user's name (a planner's
``--name``), else the agent's name in the agents table.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Agent, AuditEntry, User
from api.store.unit import Actor, Unit


class Audit:
    """Writes and pages the audit log."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    def record(self, session: Session, actor: Actor, action: str, details: dict[str, Any],
               reason: str = "", version: int | None = None) -> None:
        """Add an entry to the transaction of ``session`` (kept only if it commits)."""
        session.add(AuditEntry(at=self.unit.clock(), user_id=actor.user_id, role=actor.role,
                               actor_agent_id=actor.agent_id,
                               actor_name=self.name_of(session, actor), action=action,
                               details=json.dumps(details, default=str), reason=reason,
                               roster_version=version))

    def name_of(self, session: Session, actor: Actor) -> str:
        """The actor's display name (empty for the system or a user without one)."""
        if actor.user_id is None:
            return ""
        found = session.execute(
            select(User.name, Agent.name).outerjoin(Agent, Agent.agent_id == User.agent_id)
            .where(User.id == actor.user_id)).first()
        return (found[0] or found[1] or "") if found else ""

    def read(self, *, date_from: date | None, date_to: date | None, page: int,
             page_size: int) -> tuple[list[AuditEntry], int]:
        """Entries made on site-local dates ``date_from``..``date_to`` (inclusive), oldest first."""
        query = select(AuditEntry)
        if date_from is not None:
            query = query.where(AuditEntry.at >= self.unit.local_midnight_utc(date_from))
        if date_to is not None:
            query = query.where(AuditEntry.at < self.unit.local_midnight_utc(
                date_to + timedelta(days=1)))
        return self.unit.page(query.order_by(AuditEntry.id), page, page_size)
