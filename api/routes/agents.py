"""The agents table (needed by the rule checker): planners upload it as CSV."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CSV_BODY, ActorDep, CsvBody, CurrentPlanner, StoreDep
from api.schemas import ImportCount, Message, RulesBroken
from wfm.tables import AGENTS, read_table_text

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])


@router.post("", response_model=ImportCount, openapi_extra=CSV_BODY,
             responses={403: {"model": Message}, 422: {"model": RulesBroken}})
def import_agents(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                  body: CsvBody, reason: str = "") -> ImportCount:
    """Insert or replace agents from the agents CSV (DESIGN.md columns)."""
    frame = read_table_text(body, AGENTS, timezone=store.config.timezone, label="agents")
    return ImportCount(rows=store.import_agents(frame=frame, actor=actor, reason=reason))
