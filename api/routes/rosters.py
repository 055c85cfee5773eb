"""The current roster: import, read, solve (as a background job)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import (
    CSV_BODY,
    FORBIDDEN,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentPlanner,
    CurrentUser,
    StoreDep,
)
from api.schemas import INVALID, REFUSED, JobCreated, RosterPublic, RosterRow, RosterVersion
from api.schemas import SolveRequest as SolveRequestBody
from api.solve_queue import start_solve
from api.uploads import CsvBytes, read_upload
from api.validation import AgentIdQuery, DateFrom, DateTo, ReasonQuery
from wfm.tables import ROSTER

router = APIRouter(prefix="/api/v1/rosters", tags=["rosters"], responses=PROTECTED)


@router.post("", response_model=RosterVersion, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **REFUSED})
def import_roster(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep, body: CsvBytes,
                  response: Response, force: bool = False, reason: ReasonQuery = ""
                  ) -> RosterVersion:
    """Replace the agent-dates the CSV contains.

    The merged roster of the agents in the file is held against the rule checker; a roster that
    breaks rules is refused (422 with the violations) unless ``force=true``. A body without
    data rows is refused (422), so a mangled upload never publishes a new version.
    """
    frame = read_upload(body, ROSTER, timezone=store.config.timezone, label="roster",
                        response=response)
    version = store.import_roster(frame=frame, actor=actor, reason=reason, force=force)
    return RosterVersion(version=version, rows=len(frame))


@router.get("/current", response_model=RosterPublic)
def read_current_roster(
        *, store: StoreDep, user: CurrentUser, agent_id: AgentIdQuery = None,
        date_from: DateFrom = None,
        date_to: DateTo = None) -> RosterPublic:
    """The roster rows (any authenticated user), by agent and inclusive date range."""
    version, frame = store.roster_frame(agent_ids=[agent_id] if agent_id else None,
                                        date_from=date_from, date_to=date_to)
    rows = [RosterRow.model_validate(r) for r in frame.to_dict("records")]
    return RosterPublic(version=version, rows=rows)


@router.post("/solve", response_model=JobCreated, status_code=status.HTTP_202_ACCEPTED,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def solve_roster(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                 request: SolveRequestBody) -> JobCreated:
    """Queue a roster solve; poll ``GET /api/v1/jobs/{job_id}``."""
    return JobCreated(job_id=start_solve(store, actor, request))
