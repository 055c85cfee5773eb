"""Login (ACD state) events, stored idempotently by (agent_id, timestamp, state)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select

from api.models import LoginEvent
from api.store.audit import Audit
from api.store.unit import Actor, Unit, utc_column


class Events:
    """Uploads and reads of login events."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    def add(self, *, frame: pd.DataFrame, actor: Actor) -> tuple[int, int]:
        """Store login events, ignoring ones already stored; returns (inserted, duplicates)."""
        rows = pd.DataFrame({"agent_id": frame["agent_id"],
                             "timestamp": utc_column(frame["timestamp"]),
                             "state": frame["state"]}).to_dict("records")
        inserted = 0
        with self.unit.write() as session:
            for start in range(0, len(rows), 500):
                statement = self.unit.insert(LoginEvent).values(rows[start:start + 500])
                result = session.execute(statement.on_conflict_do_nothing())
                inserted += max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]
            self.audit.record(session, actor, "events.upload", {"rows": len(rows),
                                                                "inserted": inserted})
        return inserted, len(rows) - inserted

    def last_date(self) -> date | None:
        """The site-local date of the latest stored login event (None: no events)."""
        with self.unit.read() as session:
            last = session.scalar(select(func.max(LoginEvent.timestamp)))
        return None if last is None else self.unit.local_naive(last).date()

    def frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        """``agent_id, timestamp, state`` with timestamps in site time."""
        query = select(LoginEvent.agent_id, LoginEvent.timestamp, LoginEvent.state)
        if agent_ids is not None:
            query = query.where(LoginEvent.agent_id.in_(agent_ids))
        with self.unit.read() as session:
            rows = session.execute(query.order_by(LoginEvent.agent_id,
                                                  LoginEvent.timestamp)).all()
        frame = pd.DataFrame(rows, columns=["agent_id", "timestamp", "state"])
        frame["timestamp"] = (pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC")
                              .dt.tz_convert(self.unit.config.timezone))
        return frame
