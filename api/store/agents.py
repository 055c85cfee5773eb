"""The agents table: imports held against the stored roster, and reads."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Agent
from api.store.audit import Audit
from api.store.frames import (
    agents_to_frame,
    date_or_none,
    int_or_none,
    stored_agents,
    stored_cells,
    stored_queues,
)
from api.store.rosters import AGENTS_GENERATION, RosterRejected, Rosters, added_violations
from api.store.unit import Actor, Unit
from wfm.errors import Violation


class Agents:
    """Agent records (skills, limits, contract dates) that the rule checker reads."""

    def __init__(self, unit: Unit, audit: Audit, rosters: Rosters) -> None:
        self.unit = unit
        self.audit = audit
        self.rosters = rosters

    def import_frame(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "",
                     force: bool = False) -> tuple[int, list[Violation]]:
        """Insert or replace the agents in ``frame`` (the agents table as read_table gives).

        The stored roster of those agents is checked against the new records; rule breaks the
        import introduces (a skill taken away from a rostered queue, an end date before a
        rostered shift, ...) refuse it unless ``force``, and are then listed in the audit.
        Returns the number of agents and the violations (empty unless forced).
        """
        with self.unit.write() as session:
            violations = self._violations(session, frame)
            if violations and not force:
                raise RosterRejected(f"the agents import breaks {len(violations)} rule(s) in "
                                     "the current roster; fix it or import with force=true",
                                     violations)
            self.merge(session, frame, actor, reason, force=force, violations=violations)
        return len(frame), violations

    def merge(self, session: Session, frame: pd.DataFrame, actor: Actor, reason: str, *,
              force: bool = False, violations: list[Violation] | None = None) -> None:
        """Write the agents of ``frame`` in ``session`` and bump the agents generation."""
        records = frame.to_dict("records")
        for row in records:
            session.merge(Agent(
                agent_id=row["agent_id"], name=row.get("name") or "",
                skills=";".join(row.get("skills") or ()),
                preferred_rest_days=";".join(row.get("preferred_rest_days") or ()),
                max_nights_per_week=int_or_none(row.get("max_nights_per_week")),
                start_date=date_or_none(row.get("start_date")),
                end_date=date_or_none(row.get("end_date"))))
        self.rosters.bump_generation(session, AGENTS_GENERATION)
        self.audit.record(session, actor, "agents.import", {
            "agents": len(records), "forced": force,
            "violations": [v.as_dict() for v in violations or []]}, reason)

    def _violations(self, session: Session, frame: pd.DataFrame) -> list[Violation]:
        """Violations of the stored roster of the agents in ``frame`` with their new records
        that it does not already have with the stored ones (by rule, agent and date)."""
        from wfm.rules import check_roster

        agent_ids = sorted({str(a) for a in frame["agent_id"]})
        roster = stored_cells(session, agent_ids)
        if roster.empty:
            return []
        queues = stored_queues(session)
        before = check_roster(roster, stored_agents(session, agent_ids), self.unit.config,
                              requirement_queues=queues)
        after = check_roster(roster, frame, self.unit.config, requirement_queues=queues)
        return added_violations(before, after)

    def frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        """The agents table with the types ``read_table`` gives (lists as tuples)."""
        query = select(Agent)
        if agent_ids is not None:
            query = query.where(Agent.agent_id.in_(agent_ids))
        with self.unit.read() as session:
            return agents_to_frame(session.scalars(query))
