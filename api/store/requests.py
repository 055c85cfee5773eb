"""One lifecycle for every kind of request an agent makes (swaps, time off, offer acceptances).

A request is ``requested``, may be ``accepted`` by a counterpart (kinds that have one), and
ends approved and written into the roster (``applied`` for swaps, ``approved`` for time off),
``denied``/``rejected``, ``cancelled``,
``invalidated`` (another change made it illegal) or ``expired`` (its first shift started
undecided). The lifecycle keeps the history and the audit of every transition, the notice
rule, the re-validation of accept and approve inside their transaction, the auto-approval hook
and the invalidation of open requests after a roster change. A kind supplies only its table,
its status machine (``wfm.requests.status``: one ``Machine`` class, one transition table per
kind), its verdict (``wfm.requests``) and its apply step (``RequestKind``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.store.audit import Audit
from api.store.reference import ReferenceCache
from api.store.rosters import Rosters
from api.store.unit import SYSTEM, Actor, Unit
from wfm.errors import Conflict, NotFound, Violation
from wfm.requests.status import Machine


class RequestKind(Protocol):
    """What a kind of request supplies to the lifecycle."""

    name: str  # audit actions are ``<name>.<action>``; ids in details are ``<name>_id``
    label: str  # in messages: "swap", "time-off request"
    model: Any  # the ORM class: id, status, requester_id, starts_at, updated_at
    machine: Machine
    revalidate_on: tuple[str, ...]  # actions re-checked against the roster of their time
    auto_approve_after: str | None  # the action after which auto-approval is tried

    @property
    def auto_approve_reason(self) -> str:
        """The note of an auto-approval in the history and the audit."""

    def event(self, request: Any, status: str, actor: Actor, at: datetime, note: str) -> Any:
        """A history row of ``request``."""

    def history(self, session: Session, request_id: int) -> list[Any]:
        """The history rows of a request, oldest first."""

    def involving(self, agent_ids: Sequence[str]) -> Any:
        """A WHERE clause: the requests that touch any of ``agent_ids``."""

    def still_valid(self, session: Session, request: Any) -> str | None:
        """None when the request still applies cleanly to the stored roster, else why not."""

    def auto_approvable(self, session: Session, request: Any) -> bool:
        """Whether the auto-approval policy applies ``request`` now."""

    def apply(self, session: Session, request: Any, actor: Actor, reason: str) -> int:
        """Write the request into the roster (the version is locked); return the new version."""


class KindStore:
    """What every kind's store shares: its collaborators, and its history rows, one
    ``event_model`` row per transition whose ``event_key`` column holds the request's id."""

    event_model: Any
    event_key = "request_id"

    def __init__(self, unit: Unit, rosters: Rosters, lifecycle: Lifecycle,
                 cache: ReferenceCache) -> None:
        self.unit = unit
        self.rosters = rosters
        self.lifecycle = lifecycle
        self.cache = cache

    def event(self, request: Any, status: str, actor: Actor, at: datetime, note: str) -> Any:
        return self.event_model(**{self.event_key: request.id}, status=status,
                                user_id=actor.user_id, at=at, note=note)

    def history(self, session: Session, request_id: int) -> list[Any]:
        model = self.event_model
        return list(session.scalars(select(model).where(getattr(model, self.event_key)
                                                        == request_id).order_by(model.id)))


class Lifecycle:
    """Records requests and moves them through their kind's status machine."""

    def __init__(self, unit: Unit, audit: Audit, rosters: Rosters) -> None:
        self.unit = unit
        self.audit = audit
        self.rosters = rosters
        self.kinds: list[RequestKind] = []

    def register(self, kind: RequestKind) -> None:
        self.kinds.append(kind)

    # ---- creation and reads --------------------------------------------------------------
    def notice(self, starts_at: datetime, hours: float, agent_id: str) -> list[Violation]:
        """``min_notice`` when ``starts_at`` (tz-aware) is less than ``hours`` from now."""
        now = self.unit.clock().replace(tzinfo=UTC)
        if starts_at - now >= timedelta(hours=hours):
            return []
        return [Violation("min_notice", agent_id, starts_at.date().isoformat(),
                          f"the shift starts at {starts_at.isoformat()}, less than "
                          f"{hours:g} h from now (minimum notice)")]

    def record(self, session: Session, kind: RequestKind, request: Any, actor: Actor,
               details: dict[str, Any], reason: str) -> None:
        """Insert a new request with its first history row and audit entry."""
        session.add(request)
        session.flush()
        session.add(kind.event(request, request.status, actor, request.created_at, reason))
        self.audit.record(session, actor, f"{kind.name}.create",
                          {f"{kind.name}_id": request.id, **details}, reason)

    def get(self, kind: RequestKind, request_id: int) -> Any:
        self.expire_due(kind)
        with self.unit.read() as session:
            request = session.get(kind.model, request_id)
        if request is None:
            raise NotFound(f"{kind.label} {request_id} not found")
        return request

    def page(self, kind: RequestKind, query: Any, page: int,
             page_size: int) -> tuple[list[Any], int]:
        self.expire_due(kind)
        return self.unit.page(query.order_by(kind.model.id), page, page_size)

    def history(self, kind: RequestKind, request_id: int) -> list[Any]:
        with self.unit.read() as session:
            return kind.history(session, request_id)

    # ---- transitions ---------------------------------------------------------------------
    def expire_due(self, kind: RequestKind) -> int:
        """Mark open requests whose first shift has started as ``expired``."""
        model = kind.model
        due = (model.status.in_(kind.machine.open_statuses), model.starts_at <= self.unit.clock())
        with self.unit.read() as session:
            if not session.scalar(select(func.count()).where(*due)):
                return 0
        with self.unit.write() as session:
            requests = list(session.scalars(select(model).where(*due)))
            for request in requests:
                self.set_status(session, kind, request, "expire", SYSTEM,
                                "the shift started undecided")
        return len(requests)

    def set_status(self, session: Session, kind: RequestKind, request: Any, action: str,
                   actor: Actor, note: str = "", version: int | None = None) -> None:
        """Move ``request`` under ``action``, with its history row and audit entry."""
        request.status = kind.machine.next_status(request.status, action)
        request.updated_at = self.unit.clock()
        session.add(kind.event(request, request.status, actor, request.updated_at, note))
        self.audit.record(session, actor, f"{kind.name}.{action}", {
            f"{kind.name}_id": request.id, "status": request.status}, note, version)

    def transition(self, kind: RequestKind, request_id: int, action: str, actor: Actor,
                   reason: str = "") -> Any:
        """Move a request through its status machine; ``approve`` applies it to the roster.

        Raises
        ------
        Conflict
            The transition is not allowed now, or the request is no longer valid against the
            current roster (it is then marked ``invalidated``).
        """
        self.expire_due(kind)
        stale: Conflict | None = None
        with self.unit.write() as session:
            request = session.get(kind.model, request_id)
            if request is None:
                raise NotFound(f"{kind.label} {request_id} not found")
            kind.machine.next_status(request.status, action)  # raises Conflict before any work
            if action == "approve":
                self.rosters.lock_version(session)  # PostgreSQL: hold the roster row from here
            if action in kind.revalidate_on:
                stale = self.revalidate(session, kind, request, actor)
            if stale is None:
                if action == "approve":
                    kind.apply(session, request, actor, reason)
                else:
                    self.set_status(session, kind, request, action, actor, reason)
                    if action == kind.auto_approve_after:
                        self.auto_approve(session, kind, request)
        if stale is not None:
            raise stale
        return request

    def revalidate(self, session: Session, kind: RequestKind, request: Any,
                   actor: Actor) -> Conflict | None:
        """Invalidate ``request`` when it no longer applies; the 409 to raise, if so."""
        problem = kind.still_valid(session, request)
        if problem is None:
            return None
        self.set_status(session, kind, request, "invalidate", actor, problem)
        return Conflict(f"{kind.label} {request.id} is no longer valid: {problem}")

    def auto_approve(self, session: Session, kind: RequestKind, request: Any) -> bool:
        """Apply ``request`` when its kind's auto-approval policy allows it."""
        if not kind.auto_approvable(session, request):
            return False
        kind.apply(session, request, SYSTEM, kind.auto_approve_reason)
        return True

    def invalidate_open(self, session: Session, agent_ids: list[str], version: int,
                        skip: Any = None) -> None:
        """After a roster change: invalidate the open requests (of every kind) of
        ``agent_ids`` that no longer apply; ``skip`` is the request that made the change."""
        for kind in self.kinds:
            model = kind.model
            query = select(model).where(model.status.in_(kind.machine.open_statuses),
                                        kind.involving(agent_ids))
            for other in list(session.scalars(query)):
                if other is skip:
                    continue
                problem = kind.still_valid(session, other)
                if problem is not None:
                    self.set_status(session, kind, other, "invalidate", SYSTEM, problem, version)
