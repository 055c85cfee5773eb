"""Status of background solve jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import PROTECTED, ActorDep, CurrentPlanner, CurrentUser, StoreDep, error_responses
from api.schemas import JobStatus, Message
from api.validation import NO_NUL

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"], responses=PROTECTED)


@router.get("/{job_id}", response_model=JobStatus, responses={404: {"model": Message}})
def read_job(*, store: StoreDep, user: CurrentUser,
             job_id: Annotated[str, Path(pattern=NO_NUL)]) -> JobStatus:
    job = store.get_job(job_id=job_id)
    return JobStatus.of(job, store.jobs.position(job))


@router.post("/{job_id}/cancel", response_model=JobStatus,
             responses=error_responses(403, 404, 409))
def cancel_job(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
               job_id: Annotated[str, Path(pattern=NO_NUL)]) -> JobStatus:
    """Cancel a queued or running solve; 409 once it has finished."""
    return JobStatus.of(store.jobs.cancel(job_id=job_id, actor=actor))
