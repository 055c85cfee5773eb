"""The durable queue of roster solve jobs (the ``solve_jobs`` table).

A job is ``queued`` (in ``position`` order), ``running`` while the worker that claimed it
heartbeats, then ``done`` or ``failed`` (or ``cancelled`` by a planner). Every change of state
is a conditional UPDATE whose row count says whether it happened, so it is safe across threads,
processes and hosts on one database:

- **claim**: ``UPDATE ... SET status='running', claimed_by=:token WHERE id=:id AND
  status='queued'`` on the first queued job; on PostgreSQL the candidate is read with ``FOR
  UPDATE SKIP LOCKED`` so concurrent claimers take different jobs instead of waiting, and on
  SQLite the write lock serialises the UPDATEs. Row count 0: someone else got it, try the next.
- **heartbeat**, **finish**, **give back**: only while ``claimed_by`` is still the caller's
  token and the job is ``running``. A worker whose job was recovered meanwhile (it stopped
  heartbeating, say across a network partition) finds its token gone and stores nothing; the
  roster and the job's ``done`` are written in one transaction (``complete``).
- **recover**: a ``running`` job whose worker is gone (its heartbeat older than ``stale``, or its
  process dead on this host) is queued again if it has attempts left, else ``failed`` with the
  reason. The server and ``wfm worker`` run it at start-up and then every few seconds.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from api.models import SolveJob
from api.store.audit import Audit
from api.store.unit import Actor, Unit
from wfm.errors import Conflict, NotFound

UNFINISHED = ("queued", "running")


class ClaimLost(Conflict):
    """The job this worker held was recovered by another (its heartbeat went stale)."""


def claim_token() -> str:
    """A claim's identity: ``host:pid:random``. The host and pid let recovery on the same host
    see at once that the claimer's process is gone; the random part fences a later claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claimer_is_dead(token: str | None) -> bool:
    """True when ``token`` was made on this host by a process that no longer exists (a
    process on another host, or one that still runs, is judged by its heartbeat instead)."""
    if not token:
        return True
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process of that pid: alive
        return False
    return False


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds: its id, the claim token, its payload and attempt number."""

    job_id: str
    token: str
    payload: str | None
    attempts: int


class Jobs:
    """Enqueue, claim, heartbeat, finish and recover solve jobs."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    # ---- submitting and reading ----------------------------------------------------------
    def create(self, *, actor: Actor, payload: str | None = None) -> SolveJob:
        """Queue a job at the end of the queue (audited as ``solve.start``)."""
        with self.unit.write() as session:
            last = session.scalar(select(func.max(SolveJob.position))) or 0
            job = SolveJob(id=uuid.uuid4().hex, status="queued", created_at=self.unit.clock(),
                           user_id=actor.user_id, payload=payload, position=last + 1,
                           attempts=0)
            session.add(job)
            self.audit.record(session, actor, "solve.start", {"job_id": job.id})
        return job

    def get(self, *, job_id: str) -> SolveJob:
        with self.unit.read() as session:
            job = session.get(SolveJob, job_id)
        if job is None:
            raise NotFound(f"job {job_id!r} not found")
        return job

    def position(self, job: SolveJob) -> int | None:
        """1 for the next queued job to run, 2 for the one after ...; None unless queued."""
        if job.status != "queued":
            return None
        with self.unit.read() as session:
            ahead = session.scalar(select(func.count()).select_from(SolveJob).where(
                SolveJob.status == "queued",
                or_(SolveJob.position < job.position,
                    and_(SolveJob.position == job.position, SolveJob.id < job.id))))
        return int(ahead or 0) + 1

    def counts(self) -> dict[str, int]:
        """Jobs per status."""
        with self.unit.read() as session:
            rows = session.execute(select(SolveJob.status, func.count()).group_by(
                SolveJob.status)).all()
        return {status: int(n) for status, n in rows}

    # ---- a worker's side -----------------------------------------------------------------
    def claim(self, *, token: str) -> Claimed | None:
        """Take the first queued job for ``token`` (None when none is queued)."""
        while True:
            with self.unit.write() as session:
                query = (select(SolveJob.id).where(SolveJob.status == "queued")
                         .order_by(SolveJob.position, SolveJob.id).limit(1))
                if self.unit.postgres:
                    query = query.with_for_update(skip_locked=True)
                job_id = session.scalar(query)
                if job_id is None:
                    return None
                now = self.unit.clock()
                taken = session.execute(
                    update(SolveJob)
                    .where(SolveJob.id == job_id, SolveJob.status == "queued")
                    .values(status="running", claimed_by=token, heartbeat_at=now,
                            started_at=now, attempts=SolveJob.attempts + 1)
                    .execution_options(synchronize_session=False))
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    job = session.get(SolveJob, job_id)
                    assert job is not None
                    return Claimed(job_id, token, job.payload, job.attempts)
            # another claimer took it between our read and our update: try the next one

    def _held(self, job_id: str, token: str | None) -> ColumnElement[bool]:
        """The job, while it is running under ``token`` (None: claimed by nobody)."""
        claimer = SolveJob.claimed_by.is_(None) if token is None else SolveJob.claimed_by == token
        return and_(SolveJob.id == job_id, SolveJob.status == "running", claimer)

    def _update_held(self, session: Session, job_id: str, token: str | None,
                     **values: object) -> bool:
        """Set ``values`` on the job while ``token`` holds it; False when it no longer does."""
        done = session.execute(update(SolveJob).where(self._held(job_id, token))
                               .values(**values).execution_options(synchronize_session=False))
        return done.rowcount == 1  # type: ignore[attr-defined, no-any-return]

    def heartbeat(self, *, job_id: str, token: str) -> bool:
        """Say the claimer is alive; False when the claim was lost (recovered elsewhere)."""
        with self.unit.write() as session:
            return self._update_held(session, job_id, token, heartbeat_at=self.unit.clock())

    def complete(self, session: Session, *, job_id: str, token: str, version: int) -> bool:
        """Mark a held job ``done`` inside the caller's transaction (the one storing its
        roster); False when the claim was lost, and the caller must roll back."""
        return self._update_held(session, job_id, token, status="done", version=version,
                                 error=None, finished_at=self.unit.clock(), claimed_by=None)

    def fail(self, *, job_id: str, token: str, error: str) -> bool:
        """Mark a held job ``failed`` with ``error``; False when the claim was lost."""
        with self.unit.write() as session:
            return self._update_held(session, job_id, token, status="failed", error=error,
                                     claimed_by=None, finished_at=self.unit.clock())

    def give_back(self, *, job_id: str, token: str) -> bool:
        """Queue a held job again at its old position, the attempt not counted (a clean
        shutdown of its worker is not the job's fault)."""
        with self.unit.write() as session:
            return self._update_held(session, job_id, token, status="queued", claimed_by=None,
                                     heartbeat_at=None, started_at=None,
                                     attempts=SolveJob.attempts - 1)

    def recover(self, *, stale: timedelta, max_attempts: int) -> list[tuple[str, str]]:
        """Queue again, or fail, every running job whose worker is gone; returns
        ``[(job_id, "queued" | "failed")]``.

        Gone: no heartbeat for ``stale``, or claimed by a process of this host that no longer
        exists. A job that has started ``max_attempts`` times is failed with the reason.
        """
        now = self.unit.clock()
        with self.unit.read() as session:
            running = session.execute(select(
                SolveJob.id, SolveJob.claimed_by, SolveJob.heartbeat_at, SolveJob.attempts)
                .where(SolveJob.status == "running")).all()
        recovered = []
        for job_id, token, beat, attempts in running:
            if not (beat is None or now - beat > stale or claimer_is_dead(token)):
                continue
            when = (beat or now).replace(microsecond=0).isoformat(sep=" ")
            if attempts < max_attempts:
                values: dict[str, object] = {"status": "queued", "claimed_by": None,
                                             "heartbeat_at": None, "started_at": None}
                outcome = "queued"
            else:
                values = {"status": "failed", "claimed_by": None, "finished_at": now,
                          "error": f"cut off by a restart at {when} UTC (its worker stopped "
                                   f"heartbeating) after {attempts} attempt(s); submit it "
                                   "again"}
                outcome = "failed"
            with self.unit.write() as session:  # unless it changed hands meanwhile
                if self._update_held(session, job_id, token, **values):
                    recovered.append((job_id, outcome))
        return recovered

    def cancel(self, *, job_id: str, actor: Actor) -> SolveJob:
        """Cancel a queued or running job (audited as ``solve.cancel``). A running job's
        worker finds its claim gone at its next heartbeat and ends the solve; its roster is
        never stored. ``Conflict`` when the job has finished; ``NotFound`` when unknown."""
        with self.unit.write() as session:
            cancelled = session.execute(
                update(SolveJob).where(SolveJob.id == job_id, SolveJob.status.in_(UNFINISHED))
                .values(status="cancelled", claimed_by=None, finished_at=self.unit.clock())
                .execution_options(synchronize_session=False))
            if cancelled.rowcount == 1:  # type: ignore[attr-defined]
                self.audit.record(session, actor, "solve.cancel", {"job_id": job_id})
        job = self.get(job_id=job_id)
        if cancelled.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"job {job_id!r} is {job.status}: only a queued or running job can "
                           "be cancelled")
        return job

    # ---- kept for callers that set a status directly (tests, pages) ----------------------
    def finish(self, *, job_id: str, status: str, version: int | None = None,
               error: str | None = None) -> None:
        with self.unit.write() as session:
            job = session.get(SolveJob, job_id)
            if job is None:
                raise NotFound(f"job {job_id!r} not found")
            job.status = status
            job.version = version
            job.error = error
            if status in ("done", "failed"):
                job.finished_at = self.unit.clock()
                job.claimed_by = None
