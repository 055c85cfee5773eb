"""Background roster solve jobs (their status lives in the database)."""

from __future__ import annotations

import uuid

from api.models import SolveJob
from api.store.audit import Audit
from api.store.unit import Actor, Unit
from wfm.errors import NotFound


class Jobs:
    """Create, finish and read solve jobs."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    def create(self, *, actor: Actor) -> SolveJob:
        job = SolveJob(id=uuid.uuid4().hex, status="queued", created_at=self.unit.clock(),
                       user_id=actor.user_id)
        with self.unit.write() as session:
            session.add(job)
            self.audit.record(session, actor, "solve.start", {"job_id": job.id})
        return job

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

    def get(self, *, job_id: str) -> SolveJob:
        with self.unit.read() as session:
            job = session.get(SolveJob, job_id)
        if job is None:
            raise NotFound(f"job {job_id!r} not found")
        return job
