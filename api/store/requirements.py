"""The stored requirement: what swap and time-off impact is measured against."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import RequirementRow
from api.store.audit import Audit
from api.store.rosters import REQUIREMENT_GENERATION, Rosters
from api.store.unit import Actor, Unit, utc_column

REQUIREMENT_FIELDS = ("contacts", "aht_seconds", "traffic_erlangs", "agents", "service_level",
                      "asa_seconds", "occupancy", "scheduled_agents")


class Requirements:
    """Requirement rows by (interval start, queue)."""

    def __init__(self, unit: Unit, audit: Audit, rosters: Rosters) -> None:
        self.unit = unit
        self.audit = audit
        self.rosters = rosters

    def import_frame(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "") -> int:
        """Insert or replace the requirement rows in ``frame`` (by interval and queue)."""
        with self.unit.write() as session:
            self.upsert(session, frame, actor, reason)
        return len(frame)

    def upsert(self, session: Session, frame: pd.DataFrame, actor: Actor, reason: str) -> None:
        """Write ``frame``'s rows in ``session`` and bump the requirement generation."""
        table = pd.DataFrame({"interval_start": utc_column(frame["interval_start"]),
                              "queue": frame["queue"].astype(str)})
        for name in REQUIREMENT_FIELDS:
            values = frame[name] if name in frame.columns else pd.Series(None, index=frame.index)
            table[name] = values.astype(object).where(values.notna(), None)
        table["agents"] = frame["agents"].astype(int)
        table["scheduled_agents"] = frame["scheduled_agents"].astype(int)
        self.unit.upsert(session, RequirementRow, table.to_dict("records"),
                         ("interval_start", "queue"))
        self.rosters.bump_generation(session, REQUIREMENT_GENERATION)
        self.audit.record(session, actor, "requirement.import", {"rows": len(frame)}, reason)

    def frame(self, *, date_from: date | None = None,
              date_to: date | None = None) -> pd.DataFrame:
        """The stored requirement (interval starts in site time), optionally by local dates."""
        query = select(RequirementRow)
        if date_from is not None:
            query = query.where(RequirementRow.interval_start
                                >= self.unit.local_midnight_utc(date_from))
        if date_to is not None:
            query = query.where(RequirementRow.interval_start
                                < self.unit.local_midnight_utc(date_to + timedelta(days=1)))
        with self.unit.read() as session:
            rows = [{"interval_start": r.interval_start, "queue": r.queue,
                     **{name: getattr(r, name) for name in REQUIREMENT_FIELDS}}
                    for r in session.scalars(query)]
        frame = pd.DataFrame(rows, columns=["interval_start", "queue", *REQUIREMENT_FIELDS])
        frame["interval_start"] = (pd.to_datetime(frame["interval_start"]).dt.tz_localize("UTC")
                                   .dt.tz_convert(self.unit.config.timezone))
        return frame
