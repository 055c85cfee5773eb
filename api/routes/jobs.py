"""Status of background solve jobs."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PROTECTED, CurrentUser, StoreDep
from api.schemas import JobStatus, Message

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"], responses=PROTECTED)


@router.get("/{job_id}", response_model=JobStatus, responses={404: {"model": Message}})
def read_job(*, store: StoreDep, user: CurrentUser, job_id: str) -> JobStatus:
    return JobStatus.of(store.get_job(job_id=job_id))
