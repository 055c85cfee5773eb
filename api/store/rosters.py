"""The current roster: its version and data generations, its cells, imports and locking.

Every change of the roster runs in one transaction that compares and sets the roster version
(``UPDATE roster_meta SET version = v + 1 WHERE version = v``; on PostgreSQL the row is also
locked with ``SELECT ... FOR UPDATE``) and writes an audit entry. ``roster_meta`` also holds the
data generations (row 2 the requirement, row 3 the agents) that caches of them are keyed by.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.orm import Session

from api.models import RosterCell, RosterMeta
from api.store.audit import Audit
from api.store.frames import cells_frame, stored_agents, stored_cells, stored_queues
from api.store.unit import Actor, Unit
from wfm.errors import Conflict, SwapRejected, Violation

ROSTER_VERSION, REQUIREMENT_GENERATION, AGENTS_GENERATION = 1, 2, 3  # rows of roster_meta
RosterChanged = Callable[[Session, list[str], int], None]


class RosterRejected(SwapRejected):
    """An imported roster breaks roster rules (422 with the violations)."""


def added_violations(before: list[Violation], after: list[Violation]) -> list[Violation]:
    """The rule breaks a change adds: for each rule and agent, more breaks than before.

    Compared per (rule, agent) rather than per date, because shortening a run that was already
    too long (an earlier forced import) moves the date it is reported on without adding a break.
    Where a rule and agent gain breaks, those not already reported on the same date are listed
    (all of them when every date moved).
    """
    counts = Counter((v.code, v.agent_id) for v in before)
    seen = {(v.code, v.agent_id, v.date) for v in before}
    grew = {key for key, n in Counter((v.code, v.agent_id) for v in after).items()
            if n > counts[key]}
    out = []
    for key in sorted(grew):
        group = [v for v in after if (v.code, v.agent_id) == key]
        fresh = [v for v in group if (v.code, v.agent_id, v.date) not in seen]
        out.extend(fresh or group)
    return out


def changed_cell(session: Session, snapshot: str) -> tuple[str, date] | None:
    """The first (agent_id, date) of a request's JSON snapshot whose stored shift or queue has
    changed since the request was checked, or None when every cell is still as it was."""
    cells = json.loads(snapshot)
    keys = [(c["agent_id"], date.fromisoformat(c["date"])) for c in cells]
    rows = session.execute(select(RosterCell.agent_id, RosterCell.date, RosterCell.shift,
                                  RosterCell.queue)
                           .where(tuple_(RosterCell.agent_id, RosterCell.date).in_(keys)))
    now = {(r.agent_id, r.date): (r.shift, r.queue) for r in rows}
    for cell, key in zip(cells, keys, strict=True):
        if now.get(key, (None, "")) != (cell["shift"], cell["queue"]):
            return key
    return None


def generations(session: Session) -> dict[int, int]:
    """Every counter of ``roster_meta``: 1 the roster version, 2 requirement, 3 agents."""
    return {int(i): int(v or 0) for i, v in session.execute(
        select(RosterMeta.id, RosterMeta.version))}


def current_version(session: Session) -> int:
    return int(session.scalar(select(RosterMeta.version).where(RosterMeta.id == 1)) or 0)


class Rosters:
    """Roster versions, cells and imports.

    ``on_change(session, agent_ids, version)`` is called inside every roster change's
    transaction after the new version is written (the request lifecycle invalidates the open
    requests the change makes illegal).
    """

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit
        self.on_change: RosterChanged = lambda _session, _agents, _version: None

    # ---- counters and locking ------------------------------------------------------------
    def bump_generation(self, session: Session, counter: int) -> None:
        """Bump a data generation kept beside the roster version, so caches of that data
        notice changes made by any process."""
        table = cast(Table, RosterMeta.__table__)  # the stubs only promise a FromClause
        statement = self.unit.insert(table).values(id=counter, version=1)
        session.execute(statement.on_conflict_do_update(
            index_elements=["id"], set_={"version": table.c.version + 1}))

    def lock_version(self, session: Session) -> int:
        """The roster version, holding its row on PostgreSQL until the transaction ends."""
        query = select(RosterMeta.version).where(RosterMeta.id == 1)
        if self.unit.postgres:
            query = query.with_for_update()
        return int(session.scalar(query) or 0)

    def bump(self, session: Session, version: int) -> int:
        """Compare and set the roster version; ``Conflict`` when another writer won."""
        result = session.execute(update(RosterMeta).where(RosterMeta.id == 1,
                                                          RosterMeta.version == version)
                                 .values(version=version + 1))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the roster changed meanwhile (stale version); try again")
        return version + 1

    def write_cells(self, session: Session, cells: list[dict[Any, Any]]) -> None:
        """Insert or replace agent-days (``agent_id, date, shift, queue`` records)."""
        self.unit.upsert(session, RosterCell, cells, ("agent_id", "date"))

    # ---- reads ---------------------------------------------------------------------------
    def version(self) -> int:
        with self.unit.read() as session:
            return current_version(session)

    def frame(self, *, agent_ids: list[str] | None = None, date_from: date | None = None,
              date_to: date | None = None) -> tuple[int, pd.DataFrame]:
        """(version, roster rows) filtered by agents and an inclusive date range."""
        query = select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
        if agent_ids is not None:
            query = query.where(RosterCell.agent_id.in_(agent_ids))
        if date_from is not None:
            query = query.where(RosterCell.date >= date_from)
        if date_to is not None:
            query = query.where(RosterCell.date <= date_to)
        with self.unit.read() as session:
            version = current_version(session)
            rows = session.execute(query.order_by(RosterCell.agent_id, RosterCell.date)).all()
        return version, cells_frame(rows)

    # ---- imports -------------------------------------------------------------------------
    def cells(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The roster rows with known shift codes and a text ``queue`` column."""
        frame = frame.copy()
        for code in sorted(set(frame["shift"]) - {"OFF", "LEAVE"}):
            self.unit.config.shift(str(code))
        if "queue" not in frame.columns:
            frame["queue"] = ""
        frame["queue"] = frame["queue"].fillna("").astype(str)
        return frame

    def replace(self, session: Session, frame: pd.DataFrame, actor: Actor, reason: str, *,
                force: bool, action: str,
                refusal: str = "the roster breaks {n} rule(s); fix it or import with "
                               "force=true") -> int:
        """Replace the agent-dates of ``frame`` (from ``cells``); refuse the rule breaks it
        adds unless ``force``. Returns the new roster version."""
        agent_ids = sorted(set(frame["agent_id"]))
        version = self.lock_version(session)
        if not force:
            violations = self._import_violations(session, frame, agent_ids)
            if violations:
                raise RosterRejected(refusal.format(n=len(violations)), violations)
        self.write_cells(session, frame[["agent_id", "date", "shift", "queue"]]
                         .to_dict("records"))
        new_version = self.bump(session, version)
        self.audit.record(session, actor, action, {
            "rows": len(frame), "agents": len(agent_ids), "forced": force}, reason,
            new_version)
        self.on_change(session, agent_ids, new_version)
        return new_version

    def _import_violations(self, session: Session, frame: pd.DataFrame,
                           agent_ids: list[str]) -> list[Violation]:
        from wfm.rules import check_roster

        current = stored_cells(session, agent_ids)
        keys = set(zip(frame["agent_id"], frame["date"], strict=True))
        keep = [k not in keys for k in zip(current["agent_id"], current["date"], strict=True)]
        merged = pd.concat([current[keep], frame[["agent_id", "date", "shift", "queue"]]],
                           ignore_index=True).sort_values(["agent_id", "date"])
        agents = stored_agents(session, agent_ids)
        queues = stored_queues(session)
        config = self.unit.config
        # only what this change adds: a rule break already stored (e.g. a week imported with
        # force=true) must not block every later import or solve for the same agents
        before = check_roster(current.reset_index(drop=True), agents, config,
                              requirement_queues=queues) if len(current) else []
        after = check_roster(merged.reset_index(drop=True), agents, config,
                             requirement_queues=queues)
        return added_violations(before, after)
