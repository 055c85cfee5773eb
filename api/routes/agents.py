"""The agents table (needed by the rule checker): planners upload it as CSV."""

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
from api.schemas import REFUSED, AgentsImported, ViolationPublic
from api.uploads import CsvBytes, read_upload
from api.validation import ReasonQuery
from wfm.tables import AGENTS

router = APIRouter(prefix="/api/v1/agents", tags=["agents"], responses=PROTECTED)


@router.post("", response_model=AgentsImported, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **REFUSED})
def import_agents(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                  body: CsvBytes, response: Response, force: bool = False,
                  reason: ReasonQuery = "") -> AgentsImported:
    """Insert or replace agents from the agents CSV (DESIGN.md columns).

    The stored roster of those agents is held against the rule checker with the new records;
    an import that breaks rules there is refused (422 with the violations) unless
    ``force=true``, which applies it and lists the violations in the answer and the audit.
    """
    frame = read_upload(body, AGENTS, timezone=store.config.timezone, label="agents",
                        response=response)
    rows, violations = store.import_agents(frame=frame, actor=actor, reason=reason, force=force)
    return AgentsImported(rows=rows, violations=[ViolationPublic(**v.as_dict())
                                                 for v in violations])
