"""The requirement that swap impact is measured against."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import (
    CSV_BODY,
    FORBIDDEN,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentPlanner,
    StoreDep,
)
from api.schemas import INVALID, ImportCount
from api.uploads import CsvBytes, read_upload
from api.validation import ReasonQuery
from wfm.tables import REQUIREMENT

router = APIRouter(prefix="/api/v1/requirements", tags=["requirements"], responses=PROTECTED)


@router.post("", response_model=ImportCount, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_requirement(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                       body: CsvBytes, response: Response, reason: ReasonQuery = ""
                       ) -> ImportCount:
    """Insert or replace requirement rows (by interval and queue) from the requirement CSV."""
    frame = read_upload(body, REQUIREMENT, timezone=store.config.timezone,
                        label="requirement",
                        response=response)
    return ImportCount(rows=store.import_requirement(frame=frame, actor=actor, reason=reason))
