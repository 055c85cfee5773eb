"""Persistence of the service: keyword-only functions on one ``Store`` (users, agents, roster,
requirement, swaps, login events, audit, solve jobs).

Every change of the roster runs in one transaction that compares and sets the roster version
(``UPDATE roster_meta SET version = v + 1 WHERE version = v``; on PostgreSQL the row is also
locked with ``SELECT ... FOR UPDATE``) and writes an audit entry. Inside one process the writers
are also serialised by a lock, so concurrent approvals queue instead of failing on SQLite's
database lock; across processes the compare-and-set keeps a stale writer from winning.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Table, and_, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from api.models import (
    Agent,
    AuditEntry,
    LoginEvent,
    RequirementRow,
    RosterCell,
    RosterMeta,
    SolveJob,
    SwapEvent,
    SwapRequest,
    User,
)
from wfm.config import SiteConfig
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected, Violation
from wfm.swaps import OPEN_STATUSES, SwapVerdict, check_swap, next_status

ROLES = ("planner", "agent")
REQUIREMENT_FIELDS = ("contacts", "aht_seconds", "traffic_erlangs", "agents", "service_level",
                      "asa_seconds", "occupancy", "scheduled_agents")


ROSTER_VERSION, REQUIREMENT_GENERATION, AGENTS_GENERATION = 1, 2, 3  # rows of roster_meta


class RosterRejected(SwapRejected):
    """An imported roster breaks roster rules (422 with the violations)."""


def utc_now() -> datetime:
    """Now, as the naive UTC datetime the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    """The stored form of a bearer token (SHA-256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _to_utc(value: Any) -> datetime:
    return pd.Timestamp(value).tz_convert("UTC").tz_localize(None).to_pydatetime()


@dataclass(frozen=True)
class _Reference:
    """What swap checks read besides the roster: agent records by id, the requirement by
    (local naive interval start, queue), and the requirement's queues."""

    agents: dict[str, dict[str, Any]]
    requirement: dict[tuple[datetime, str], int]
    queues: list[str] | None


@dataclass(frozen=True)
class Actor:
    """Who makes a request: the authenticated user."""

    user_id: int | None
    role: str
    agent_id: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.role, user.agent_id)


SYSTEM = Actor(None, "system")


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


class Store:
    """The service's data, on one SQLAlchemy engine.

    Parameters
    ----------
    engine
        A migrated database (``api.db.migrate``).
    config
        The site configuration (shifts, rules, swap policy).
    clock
        Returns the current naive UTC time (tests move it).
    """

    def __init__(self, engine: Engine, config: SiteConfig,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self._locking = engine.dialect.name == "postgresql"
        self._cache_lock = threading.Lock()
        self._counts_cache: tuple[int, dict[date, list[tuple[date, str, str, int]]]] = (-1, {})
        self._local_times: dict[datetime, datetime] = {}
        self._reference_cache: tuple[tuple[int, int], _Reference] | None = None
        self._users: dict[str, User] = {}

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._write_lock, self._sessions() as session, session.begin():
            yield session

    # ---- users ---------------------------------------------------------------------------
    def create_user(self, *, role: str, agent_id: str | None = None) -> tuple[User, str]:
        """Create a user and return it with its token (shown once; only the hash is kept)."""
        if role not in ROLES:
            raise InvalidInput(f"role must be planner or agent, got {role!r}")
        if role == "agent" and not agent_id:
            raise InvalidInput("an agent user needs --agent-id")
        token = secrets.token_urlsafe(32)
        user = User(token_hash=hash_token(token), role=role, agent_id=agent_id or None,
                    created_at=self.clock())
        with self._write() as session:
            session.add(user)
        return user, token

    def user_for_token(self, *, token: str) -> User | None:
        """The user of a token (users are never changed or deleted, so found ones are kept)."""
        token_hash = hash_token(token)
        with self._read() as session:
            user = session.scalar(select(User).where(User.token_hash == token_hash))
        if user is not None:
            with self._cache_lock:
                if len(self._users) > 10_000:
                    self._users.clear()
                self._users[token_hash] = user
        return user

    def cached_user(self, *, token: str) -> User | None:
        """The user of a token seen before, without a query (None: ask ``user_for_token``)."""
        return self._users.get(hash_token(token))

    # ---- audit ---------------------------------------------------------------------------
    def _audit(self, session: Session, actor: Actor, action: str, details: dict[str, Any],
               reason: str = "", version: int | None = None) -> None:
        session.add(AuditEntry(at=self.clock(), user_id=actor.user_id, role=actor.role,
                               actor_agent_id=actor.agent_id, action=action,
                               details=json.dumps(details, default=str), reason=reason,
                               roster_version=version))

    def read_audit(self, *, date_from: date | None, date_to: date | None, page: int,
                   page_size: int) -> tuple[list[AuditEntry], int]:
        query = select(AuditEntry)
        if date_from is not None:
            query = query.where(AuditEntry.at >= self._local_midnight_utc(date_from))
        if date_to is not None:
            query = query.where(AuditEntry.at < self._local_midnight_utc(date_to
                                                                         + timedelta(days=1)))
        return self._page(query.order_by(AuditEntry.id), page, page_size)

    def _local_midnight_utc(self, day: date) -> datetime:
        local = datetime.combine(day, datetime.min.time(), tzinfo=self.config.tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    def _page(self, query: Any, page: int, page_size: int) -> tuple[list[Any], int]:
        with self._read() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            items = session.scalars(query.offset((page - 1) * page_size).limit(page_size))
            return list(items), int(total)

    # ---- agents --------------------------------------------------------------------------
    def import_agents(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "",
                      force: bool = False) -> tuple[int, list[Violation]]:
        """Insert or replace the agents in ``frame`` (the agents table as read_table gives).

        The stored roster of those agents is checked against the new records; rule breaks the
        import introduces (a skill taken away from a rostered queue, an end date before a
        rostered shift, ...) refuse it unless ``force``, and are then listed in the audit.
        Returns the number of agents and the violations (empty unless forced).
        """
        with self._write() as session:
            violations = self._agents_violations(session, frame)
            if violations and not force:
                raise RosterRejected(f"the agents import breaks {len(violations)} rule(s) in "
                                     "the current roster; fix it or import with force=true",
                                     violations)
            self._merge_agents(session, frame, actor, reason, force=force,
                               violations=violations)
        return len(frame), violations

    def _merge_agents(self, session: Session, frame: pd.DataFrame, actor: Actor, reason: str,
                      *, force: bool = False, violations: list[Violation] | None = None) -> None:
        records = frame.to_dict("records")
        for row in records:
            session.merge(Agent(
                agent_id=row["agent_id"], name=row.get("name") or "",
                skills=";".join(row.get("skills") or ()),
                preferred_rest_days=";".join(row.get("preferred_rest_days") or ()),
                max_nights_per_week=_int_or_none(row.get("max_nights_per_week")),
                start_date=_date_or_none(row.get("start_date")),
                end_date=_date_or_none(row.get("end_date"))))
        self._bump_generation(session, AGENTS_GENERATION)
        self._audit(session, actor, "agents.import", {
            "agents": len(records), "forced": force,
            "violations": [v.as_dict() for v in violations or []]}, reason)

    def _agents_violations(self, session: Session, frame: pd.DataFrame) -> list[Violation]:
        """Violations of the stored roster of the agents in ``frame`` with their new records
        that it does not already have with the stored ones (by rule, agent and date)."""
        from wfm.rules import check_roster

        agent_ids = sorted({str(a) for a in frame["agent_id"]})
        roster = _cells_frame(session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id.in_(agent_ids))
            .order_by(RosterCell.agent_id, RosterCell.date)).all())
        if roster.empty:
            return []
        queues = self._queues(session)
        stored = _agents_to_frame(session.scalars(select(Agent)
                                                  .where(Agent.agent_id.in_(agent_ids))))
        before = check_roster(roster, stored, self.config, requirement_queues=queues)
        after = check_roster(roster, frame, self.config, requirement_queues=queues)
        return added_violations(before, after)

    def agents_frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        """The agents table with the types ``read_table`` gives (lists as tuples)."""
        query = select(Agent)
        if agent_ids is not None:
            query = query.where(Agent.agent_id.in_(agent_ids))
        with self._read() as session:
            return _agents_to_frame(session.scalars(query))

    # ---- roster --------------------------------------------------------------------------
    def roster_version(self) -> int:
        with self._read() as session:
            return int(session.scalar(select(RosterMeta.version).where(RosterMeta.id == 1)) or 0)

    def roster_frame(self, *, agent_ids: list[str] | None = None, date_from: date | None = None,
                     date_to: date | None = None) -> tuple[int, pd.DataFrame]:
        """(version, roster rows) filtered by agents and an inclusive date range."""
        query = select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
        if agent_ids is not None:
            query = query.where(RosterCell.agent_id.in_(agent_ids))
        if date_from is not None:
            query = query.where(RosterCell.date >= date_from)
        if date_to is not None:
            query = query.where(RosterCell.date <= date_to)
        with self._read() as session:
            version = session.scalar(select(RosterMeta.version).where(RosterMeta.id == 1))
            rows = session.execute(query.order_by(RosterCell.agent_id, RosterCell.date)).all()
        return int(version or 0), _cells_frame(rows)

    def import_roster(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "",
                      force: bool = False, action: str = "roster.import") -> int:
        """Replace the agent-dates in ``frame``; refuse rule breaks unless ``force``.

        Returns the new roster version.
        """
        frame = self._roster_cells(frame)
        with self._write() as session:
            return self._replace_roster(session, frame, actor, reason, force=force,
                                        action=action)

    def store_solution(self, *, assignments: pd.DataFrame, actor: Actor, reason: str,
                       agents: pd.DataFrame | None = None,
                       requirement: pd.DataFrame | None = None) -> int:
        """Store a solve's result in one transaction: the agents and the requirement it was
        solved with (when the request sent them) and the roster, checked like an import.

        A roster that breaks rules raises ``RosterRejected`` and nothing is stored, so a failed
        solve leaves the service as it was. Returns the new roster version.
        """
        frame = self._roster_cells(assignments)
        with self._write() as session:
            if agents is not None:
                self._merge_agents(session, agents, actor, reason)
            if requirement is not None:
                self._upsert_requirement(session, requirement, actor, reason)
            session.flush()
            return self._replace_roster(
                session, frame, actor, reason, force=False, action="roster.solve",
                refusal="the solved roster breaks {n} rule(s) together with the stored roster; "
                        "nothing was stored")

    def _roster_cells(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The roster rows with known shift codes and a text ``queue`` column."""
        frame = frame.copy()
        for code in sorted(set(frame["shift"]) - {"OFF", "LEAVE"}):
            self.config.shift(str(code))
        if "queue" not in frame.columns:
            frame["queue"] = ""
        frame["queue"] = frame["queue"].fillna("").astype(str)
        return frame

    def _replace_roster(self, session: Session, frame: pd.DataFrame, actor: Actor,
                        reason: str, *, force: bool, action: str,
                        refusal: str = "the roster breaks {n} rule(s); fix it or import with "
                                       "force=true") -> int:
        agent_ids = sorted(set(frame["agent_id"]))
        version = self._lock_version(session)
        if not force:
            violations = self._import_violations(session, frame, agent_ids)
            if violations:
                raise RosterRejected(refusal.format(n=len(violations)), violations)
        cells = frame[["agent_id", "date", "shift", "queue"]].to_dict("records")
        self._upsert(session, RosterCell, cells, ("agent_id", "date"))
        new_version = self._bump(session, version)
        self._audit(session, actor, action, {
            "rows": len(frame), "agents": len(agent_ids), "forced": force}, reason,
            new_version)
        self._invalidate_open_swaps(session, agent_ids, new_version)
        return new_version

    def _import_violations(self, session: Session, frame: pd.DataFrame,
                           agent_ids: list[str]) -> list[Violation]:
        from wfm.rules import check_roster

        current = _cells_frame(session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id.in_(agent_ids))).all())
        keys = set(zip(frame["agent_id"], frame["date"], strict=True))
        keep = [k not in keys for k in zip(current["agent_id"], current["date"], strict=True)]
        merged = pd.concat([current[keep], frame[["agent_id", "date", "shift", "queue"]]],
                           ignore_index=True).sort_values(["agent_id", "date"])
        agents = _agents_to_frame(session.scalars(select(Agent)
                                                  .where(Agent.agent_id.in_(agent_ids))))
        queues = self._queues(session)
        # only what this change adds: a rule break already stored (e.g. a week imported with
        # force=true) must not block every later import or solve for the same agents
        before = check_roster(current.reset_index(drop=True), agents, self.config,
                              requirement_queues=queues) if len(current) else []
        after = check_roster(merged.reset_index(drop=True), agents, self.config,
                             requirement_queues=queues)
        return added_violations(before, after)

    def _upsert(self, session: Session, model: type[Any], rows: list[dict[Any, Any]],
                keys: tuple[str, ...]) -> None:
        """Insert ``rows``, replacing those whose ``keys`` already exist (one executemany)."""
        if not rows:
            return
        insert = pg_insert if self._locking else sqlite_insert
        statement = insert(model.__table__)
        changed = {c: statement.excluded[c] for c in rows[0] if c not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed),
                        rows)

    def _bump_generation(self, session: Session, counter: int) -> None:
        """Bump a data generation kept beside the roster version in ``roster_meta`` (row 2:
        the requirement, row 3: the agents), so caches of them notice changes made by any
        process."""
        insert = pg_insert if self._locking else sqlite_insert
        # A declarative class maps onto a Table; the stubs only promise a FromClause.
        table = cast(Table, RosterMeta.__table__)
        statement = insert(table).values(id=counter, version=1)
        session.execute(statement.on_conflict_do_update(
            index_elements=["id"], set_={"version": table.c.version + 1}))

    def _generations(self, session: Session) -> dict[int, int]:
        """Every counter of ``roster_meta``: 1 the roster version, 2 requirement, 3 agents."""
        return {int(i): int(v or 0) for i, v in session.execute(
            select(RosterMeta.id, RosterMeta.version))}

    def _lock_version(self, session: Session) -> int:
        query = select(RosterMeta.version).where(RosterMeta.id == 1)
        if self._locking:
            query = query.with_for_update()
        return int(session.scalar(query) or 0)

    def _bump(self, session: Session, version: int) -> int:
        result = session.execute(update(RosterMeta).where(RosterMeta.id == 1,
                                                          RosterMeta.version == version)
                                 .values(version=version + 1))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the roster changed meanwhile (stale version); try again")
        return version + 1

    # ---- requirement ---------------------------------------------------------------------
    def import_requirement(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "") -> int:
        """Insert or replace the requirement rows in ``frame`` (by interval and queue)."""
        with self._write() as session:
            self._upsert_requirement(session, frame, actor, reason)
        return len(frame)

    def _upsert_requirement(self, session: Session, frame: pd.DataFrame, actor: Actor,
                            reason: str) -> None:
        table = pd.DataFrame({"interval_start": _utc_column(frame["interval_start"]),
                              "queue": frame["queue"].astype(str)})
        for name in REQUIREMENT_FIELDS:
            values = frame[name] if name in frame.columns else pd.Series(None, index=frame.index)
            table[name] = values.astype(object).where(values.notna(), None)
        table["agents"] = frame["agents"].astype(int)
        table["scheduled_agents"] = frame["scheduled_agents"].astype(int)
        self._upsert(session, RequirementRow, table.to_dict("records"),
                     ("interval_start", "queue"))
        self._bump_generation(session, REQUIREMENT_GENERATION)
        self._audit(session, actor, "requirement.import", {"rows": len(frame)}, reason)

    def requirement_frame(self, *, date_from: date | None = None,
                          date_to: date | None = None) -> pd.DataFrame:
        """The stored requirement (interval starts in site time), optionally by local dates."""
        with self._read() as session:
            return self._requirement(session, date_from, date_to)

    def _requirement(self, session: Session, date_from: date | None,
                     date_to: date | None) -> pd.DataFrame:
        query = select(RequirementRow)
        if date_from is not None:
            query = query.where(RequirementRow.interval_start
                                >= self._local_midnight_utc(date_from))
        if date_to is not None:
            query = query.where(RequirementRow.interval_start
                                < self._local_midnight_utc(date_to + timedelta(days=1)))
        rows = [{"interval_start": r.interval_start, "queue": r.queue,
                 **{name: getattr(r, name) for name in REQUIREMENT_FIELDS}}
                for r in session.scalars(query)]
        frame = pd.DataFrame(rows, columns=["interval_start", "queue", *REQUIREMENT_FIELDS])
        frame["interval_start"] = (pd.to_datetime(frame["interval_start"]).dt.tz_localize("UTC")
                                   .dt.tz_convert(self.config.timezone))
        return frame

    def _queues(self, session: Session) -> list[str] | None:
        queues = sorted(session.scalars(select(RequirementRow.queue).distinct()))
        return queues or None

    # ---- swaps ---------------------------------------------------------------------------
    def _verdict(self, session: Session, *, kind: str, requester_id: str, counterpart_id: str,
                 dates: list[date], cached: bool = False,
                 generations: dict[int, int] | None = None) -> SwapVerdict:
        """Check a swap against the stored roster: the two agents' rows, the number of agents
        per shift and queue around the dates (counted by the database) and the requirement.

        With ``cached`` (a session that has written nothing) the per-date counts, the agents
        and the requirement are kept per roster version and data generation, so a request
        costs two small queries (the counters and the two agents' rows).
        """
        pair = [requester_id, counterpart_id]
        window = sorted({d + timedelta(days=k) for d in dates for k in (-1, 0, 1)})
        if cached:
            generations = generations or self._generations(session)
            reference = self._reference(session, generations)
            agents = [reference.agents[a] for a in pair if a in reference.agents]
            requirement: Any = reference.requirement
            queues = reference.queues
        else:
            agents = [_agent_record(a) for a in
                      session.scalars(select(Agent).where(Agent.agent_id.in_(pair)))]
            required = session.execute(
                select(RequirementRow.interval_start, RequirementRow.queue,
                       RequirementRow.scheduled_agents)
                .where(RequirementRow.interval_start >= self._local_midnight_utc(window[0]),
                       RequirementRow.interval_start
                       < self._local_midnight_utc(window[-1] + timedelta(days=1)))).all()
            requirement = {(self._local_naive(start), queue): need
                           for start, queue, need in required}
            queues = self._queues(session)
        cells = session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id.in_(pair))).all()
        if cached:
            assert generations is not None  # filled in by the cached branch above
            counts = self._cached_counts(session, window, generations[ROSTER_VERSION])
        else:
            counts = self._window_counts(session, window)
        rows = [(agent, day, shift, queue) for agent, day, shift, queue in cells]
        return check_swap(rows, agents, self.config, kind=kind,
                          requester_id=requester_id, counterpart_id=counterpart_id, dates=dates,
                          requirement=requirement, requirement_queues=queues,
                          window_counts=counts)

    def _reference(self, session: Session, generations: dict[int, int]) -> _Reference:
        """Agents, requirement and queues as of ``generations`` (loaded once per change)."""
        key = (generations.get(REQUIREMENT_GENERATION, 0), generations.get(AGENTS_GENERATION, 0))
        with self._cache_lock:
            if self._reference_cache is not None and self._reference_cache[0] == key:
                return self._reference_cache[1]
        agents = {a.agent_id: _agent_record(a) for a in session.scalars(select(Agent))}
        requirement = {(self._local_naive(start), queue): need for start, queue, need in
                       session.execute(select(RequirementRow.interval_start,
                                              RequirementRow.queue,
                                              RequirementRow.scheduled_agents))}
        reference = _Reference(agents, requirement, self._queues(session))
        again = self._generations(session)
        if (again.get(REQUIREMENT_GENERATION, 0), again.get(AGENTS_GENERATION, 0)) == key:
            with self._cache_lock:
                self._reference_cache = (key, reference)
        return reference

    def _window_counts(self, session: Session,
                       days: list[date]) -> list[tuple[date, str, str, int]]:
        """Working agents per (date, shift, queue) on ``days`` (one grouped query)."""
        rows = session.execute(
            select(RosterCell.date, RosterCell.shift, RosterCell.queue, func.count())
            .where(RosterCell.date.in_(days), RosterCell.shift.not_in(("OFF", "LEAVE")))
            .group_by(RosterCell.date, RosterCell.shift, RosterCell.queue)).all()
        return [(d, s, q, int(n)) for d, s, q, n in rows]

    def _cached_counts(self, session: Session, days: list[date],
                       version: int) -> list[tuple[date, str, str, int]]:
        """``_window_counts`` kept per committed roster ``version`` (every roster change bumps
        it); counted again only for dates not seen at this version."""
        with self._cache_lock:
            cache_version, by_date = self._counts_cache
            if cache_version != version:
                by_date = {}
            missing = [d for d in days if d not in by_date]
        if missing:
            found: dict[date, list[tuple[date, str, str, int]]] = {d: [] for d in missing}
            for row in self._window_counts(session, missing):
                found[row[0]].append(row)
            again = session.scalar(select(RosterMeta.version).where(RosterMeta.id == 1))
            with self._cache_lock:
                if int(again or 0) == version:  # nobody changed the roster meanwhile
                    if self._counts_cache[0] != version:
                        self._counts_cache = (version, {})
                    self._counts_cache[1].update(found)
            by_date = {**by_date, **found}
        return [row for d in days for row in by_date[d]]

    def _local_naive(self, utc: datetime) -> datetime:
        """A stored naive UTC time as naive site time (memoised: intervals recur)."""
        local = self._local_times.get(utc)
        if local is None:
            local = utc.replace(tzinfo=UTC).astimezone(self.config.tz).replace(tzinfo=None)
            if len(self._local_times) > 100_000:
                self._local_times.clear()
            self._local_times[utc] = local
        return local

    def create_swap(self, *, actor: Actor, kind: str, counterpart_id: str, dates: list[date],
                    reason: str = "") -> SwapRequest:
        """Check and record a swap request; raise ``SwapRejected`` when it breaks rules.

        The check reads committed data outside the writers' lock (it changes nothing; accept
        and approve re-validate against the roster of their time), so checks run alongside
        other requests' writes; only the insert takes the lock.
        """
        requester_id = actor.agent_id or ""
        with self._read() as session:
            generations = self._generations(session)
            if counterpart_id not in self._reference(session, generations).agents:
                raise NotFound(f"agent {counterpart_id!r} not found")
            verdict = self._verdict(session, kind=kind, requester_id=requester_id,
                                    counterpart_id=counterpart_id, dates=dates, cached=True,
                                    generations=generations)
        problems = list(verdict.violations) + self._notice_violations(verdict, requester_id)
        if problems:
            raise SwapRejected(f"the swap breaks {len(problems)} rule(s)", problems)
        with self._write() as session:
            now = self.clock()
            assert verdict.starts_at is not None
            swap = SwapRequest(kind=kind, requester_id=requester_id,
                               counterpart_id=counterpart_id,
                               dates=json.dumps([d.isoformat() for d in dates]), reason=reason,
                               status="requested", snapshot=json.dumps(verdict.before,
                                                                       default=str),
                               impact=_impact_json(verdict.impact),
                               starts_at=_to_utc(verdict.starts_at), created_at=now,
                               updated_at=now)
            session.add(swap)
            session.flush()
            session.add(SwapEvent(swap_id=swap.id, status="requested", user_id=actor.user_id,
                                  at=now, note=reason))
            self._audit(session, actor, "swap.create", {"swap_id": swap.id, "kind": kind,
                                                        "counterpart_id": counterpart_id,
                                                        "dates": json.loads(swap.dates)}, reason)
        return swap

    def _notice_violations(self, verdict: SwapVerdict, agent_id: str) -> list[Violation]:
        assert verdict.starts_at is not None
        hours = self.config.swaps.min_notice_hours
        now = self.clock().replace(tzinfo=UTC)
        if verdict.starts_at - now >= timedelta(hours=hours):
            return []
        day = verdict.starts_at.date().isoformat()
        return [Violation("min_notice", agent_id, day,
                          f"the shift starts at {verdict.starts_at.isoformat()}, less than "
                          f"{hours:g} h from now (minimum notice)")]

    def get_swap(self, *, swap_id: int) -> SwapRequest:
        self.expire_due()
        with self._read() as session:
            swap = session.get(SwapRequest, swap_id)
        if swap is None:
            raise NotFound(f"swap {swap_id} not found")
        return swap

    def list_swaps(self, *, status: str | None, agent_id: str | None, page: int,
                   page_size: int) -> tuple[list[SwapRequest], int]:
        self.expire_due()
        query = select(SwapRequest)
        if status:
            query = query.where(SwapRequest.status == status)
        if agent_id:
            query = query.where(or_(SwapRequest.requester_id == agent_id,
                                    SwapRequest.counterpart_id == agent_id))
        return self._page(query.order_by(SwapRequest.id), page, page_size)

    def swap_history(self, *, swap_id: int) -> list[SwapEvent]:
        with self._read() as session:
            return list(session.scalars(select(SwapEvent).where(SwapEvent.swap_id == swap_id)
                                        .order_by(SwapEvent.id)))

    def expire_due(self) -> int:
        """Mark open swaps whose first shift has started as ``expired``."""
        now = self.clock()
        due = (SwapRequest.status.in_(OPEN_STATUSES), SwapRequest.starts_at <= now)
        with self._read() as session:
            if not session.scalar(select(func.count()).where(*due)):
                return 0
        with self._write() as session:
            swaps = list(session.scalars(select(SwapRequest).where(*due)))
            for swap in swaps:
                self._set_status(session, swap, "expire", SYSTEM, "the shift started undecided")
        return len(swaps)

    def _set_status(self, session: Session, swap: SwapRequest, action: str, actor: Actor,
                    note: str = "", version: int | None = None) -> None:
        swap.status = next_status(swap.status, action)
        swap.updated_at = self.clock()
        session.add(SwapEvent(swap_id=swap.id, status=swap.status, user_id=actor.user_id,
                              at=swap.updated_at, note=note))
        self._audit(session, actor, f"swap.{action}", {"swap_id": swap.id,
                                                       "status": swap.status}, note, version)

    def transition_swap(self, *, swap_id: int, action: str, actor: Actor,
                        reason: str = "") -> SwapRequest:
        """Move a swap through the status machine; ``approve`` applies it to the roster.

        Raises
        ------
        Conflict
            The transition is not allowed now, or the swap is no longer valid against the
            current roster (it is then marked ``invalidated``).
        """
        self.expire_due()
        stale: Conflict | None = None
        with self._write() as session:
            swap = session.get(SwapRequest, swap_id)
            if swap is None:
                raise NotFound(f"swap {swap_id} not found")
            next_status(swap.status, action)  # raises Conflict before any work
            if action == "approve":
                self._lock_version(session)  # PostgreSQL: hold the roster row from here on
            if action in ("accept", "approve"):
                stale = self._revalidate(session, swap, actor)
            if stale is None:
                if action == "approve":
                    self._apply(session, swap, actor, reason)
                else:
                    self._set_status(session, swap, action, actor, reason)
                    if action == "accept" and self.config.swaps.auto_approve:
                        self._auto_approve(session, swap)
        if stale is not None:
            raise stale
        return swap

    def _revalidate(self, session: Session, swap: SwapRequest, actor: Actor) -> Conflict | None:
        problem = self._still_valid(session, swap)
        if problem is None:
            return None
        self._set_status(session, swap, "invalidate", actor, problem)
        return Conflict(f"swap {swap.id} is no longer valid: {problem}")

    def _still_valid(self, session: Session, swap: SwapRequest,
                     verdict: SwapVerdict | None = None) -> str | None:
        """None when the swap still applies cleanly, else why not."""
        snapshot = json.loads(swap.snapshot)
        keys = [(c["agent_id"], date.fromisoformat(c["date"])) for c in snapshot]
        rows = session.execute(select(RosterCell.agent_id, RosterCell.date, RosterCell.shift,
                                      RosterCell.queue)
                               .where(tuple_(RosterCell.agent_id, RosterCell.date).in_(keys)))
        now = {(r.agent_id, r.date): (r.shift, r.queue) for r in rows}
        for cell, key in zip(snapshot, keys, strict=True):
            if now.get(key, (None, "")) != (cell["shift"], cell["queue"]):
                return (f"the roster of {key[0]} on {key[1]} changed since the swap was "
                        "checked")
        verdict = verdict or self._verdict_of(session, swap)
        if verdict.violations:
            return "; ".join(f"{v.code}: {v.message}" for v in verdict.violations)
        return None

    def _verdict_of(self, session: Session, swap: SwapRequest) -> SwapVerdict:
        return self._verdict(session, kind=swap.kind, requester_id=swap.requester_id,
                             counterpart_id=swap.counterpart_id,
                             dates=[date.fromisoformat(d) for d in json.loads(swap.dates)])

    def _auto_approve(self, session: Session, swap: SwapRequest) -> None:
        verdict = self._verdict_of(session, swap)
        if verdict.ok and verdict.keeps_coverage:
            self._apply(session, swap, SYSTEM, "auto-approved: no rule broken, coverage kept",
                        verdict)

    def _apply(self, session: Session, swap: SwapRequest, actor: Actor, reason: str,
               verdict: SwapVerdict | None = None) -> None:
        version = self._lock_version(session)
        verdict = verdict or self._verdict_of(session, swap)
        for cell in verdict.after:
            session.merge(RosterCell(agent_id=str(cell["agent_id"]), date=cell["date"],
                                     shift=str(cell["shift"]), queue=str(cell["queue"] or "")))
        session.flush()
        new_version = self._bump(session, version)
        swap.applied_version = new_version
        swap.impact = _impact_json(verdict.impact)
        self._set_status(session, swap, "approve", actor, reason, new_version)
        self._audit(session, actor, "roster.swap", {
            "swap_id": swap.id, "before": verdict.before, "after": verdict.after}, reason,
            new_version)
        self._invalidate_open_swaps(session, [swap.requester_id, swap.counterpart_id],
                                    new_version, skip=swap.id)

    def _invalidate_open_swaps(self, session: Session, agent_ids: list[str], version: int,
                               skip: int | None = None) -> None:
        involved = or_(SwapRequest.requester_id.in_(agent_ids),
                       SwapRequest.counterpart_id.in_(agent_ids))
        swaps = session.scalars(select(SwapRequest).where(
            and_(SwapRequest.status.in_(OPEN_STATUSES), involved, SwapRequest.id != (skip or -1))))
        for other in list(swaps):
            problem = self._still_valid(session, other)
            if problem is not None:
                self._set_status(session, other, "invalidate", SYSTEM, problem, version)

    # ---- login events --------------------------------------------------------------------
    def add_events(self, *, frame: pd.DataFrame, actor: Actor) -> tuple[int, int]:
        """Store login events, ignoring ones already stored; returns (inserted, duplicates)."""
        rows = pd.DataFrame({"agent_id": frame["agent_id"],
                             "timestamp": _utc_column(frame["timestamp"]),
                             "state": frame["state"]}).to_dict("records")
        insert = pg_insert if self._locking else sqlite_insert
        inserted = 0
        with self._write() as session:
            for start in range(0, len(rows), 500):
                statement = insert(LoginEvent).values(rows[start:start + 500])
                result = session.execute(statement.on_conflict_do_nothing())
                inserted += max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]
            self._audit(session, actor, "events.upload", {"rows": len(rows),
                                                          "inserted": inserted})
        return inserted, len(rows) - inserted

    def last_event_date(self) -> date | None:
        """The site-local date of the latest stored login event (None: no events)."""
        with self._read() as session:
            last = session.scalar(select(func.max(LoginEvent.timestamp)))
        return None if last is None else self._local_naive(last).date()

    def local_today(self) -> date:
        """Today on the store's clock, in the site's timezone."""
        return self.clock().replace(tzinfo=UTC).astimezone(self.config.tz).date()

    def events_frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        query = select(LoginEvent.agent_id, LoginEvent.timestamp, LoginEvent.state)
        if agent_ids is not None:
            query = query.where(LoginEvent.agent_id.in_(agent_ids))
        with self._read() as session:
            rows = session.execute(query.order_by(LoginEvent.agent_id,
                                                  LoginEvent.timestamp)).all()
        frame = pd.DataFrame(rows, columns=["agent_id", "timestamp", "state"])
        frame["timestamp"] = (pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC")
                              .dt.tz_convert(self.config.timezone))
        return frame

    # ---- solve jobs ----------------------------------------------------------------------
    def create_job(self, *, actor: Actor) -> SolveJob:
        job = SolveJob(id=uuid.uuid4().hex, status="queued", created_at=self.clock(),
                       user_id=actor.user_id)
        with self._write() as session:
            session.add(job)
            self._audit(session, actor, "solve.start", {"job_id": job.id})
        return job

    def finish_job(self, *, job_id: str, status: str, version: int | None = None,
                   error: str | None = None) -> None:
        with self._write() as session:
            job = session.get(SolveJob, job_id)
            if job is None:
                raise NotFound(f"job {job_id!r} not found")
            job.status = status
            job.version = version
            job.error = error
            if status in ("done", "failed"):
                job.finished_at = self.clock()

    def get_job(self, *, job_id: str) -> SolveJob:
        with self._read() as session:
            job = session.get(SolveJob, job_id)
        if job is None:
            raise NotFound(f"job {job_id!r} not found")
        return job


def _utc_column(values: pd.Series) -> list[datetime]:
    utc = pd.to_datetime(values).dt.tz_convert("UTC").dt.tz_localize(None)
    return [t.to_pydatetime() for t in utc]


def _cells_frame(rows: Any) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["agent_id", "date", "shift", "queue"])
    frame["queue"] = frame["queue"].fillna("").astype(object)
    return frame


def _agent_record(agent: Agent) -> dict[str, Any]:
    """An agent as the record ``wfm.swaps.check_swap`` reads (skills as a tuple)."""
    return {"agent_id": agent.agent_id, "skills": tuple(s for s in agent.skills.split(";") if s),
            "max_nights_per_week": agent.max_nights_per_week, "start_date": agent.start_date,
            "end_date": agent.end_date}


def _agents_to_frame(agents: Any) -> pd.DataFrame:
    rows = [{"agent_id": a.agent_id, "name": a.name,
             "skills": tuple(s for s in a.skills.split(";") if s),
             "preferred_rest_days": tuple(s for s in a.preferred_rest_days.split(";") if s),
             "max_nights_per_week": a.max_nights_per_week, "start_date": a.start_date,
             "end_date": a.end_date} for a in agents]
    frame = pd.DataFrame(rows, columns=["agent_id", "name", "skills", "preferred_rest_days",
                                        "max_nights_per_week", "start_date", "end_date"])
    frame["max_nights_per_week"] = frame["max_nights_per_week"].astype("Int64")
    frame["start_date"] = frame["start_date"].astype(object)
    frame["end_date"] = frame["end_date"].astype(object)
    return frame


def _impact_json(impact: pd.DataFrame) -> str:
    columns = [impact[c].tolist() for c in impact.columns]
    columns[0] = [t.isoformat() for t in pd.DatetimeIndex(impact["interval_start"])
                  .to_pydatetime()]  # datetime.isoformat: the same text, faster than pandas
    rows = [dict(zip(impact.columns, values, strict=True)) for values in zip(*columns,
                                                                             strict=True)]
    return json.dumps(rows, default=int)


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _date_or_none(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else value
