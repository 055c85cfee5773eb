"""Login events (ACD states), idempotent by (agent_id, timestamp, state)."""

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
from api.schemas import INVALID, EventsImported
from api.uploads import CsvBytes, read_upload
from wfm.states import map_states
from wfm.tables import LOGIN_EVENTS
from wfm.validation import check_known_agents

router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=PROTECTED)


@router.post("", response_model=EventsImported, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_events(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                  body: CsvBytes, response: Response) -> EventsImported:
    """Store login events; events already stored are counted as duplicates, not errors."""
    frame = read_upload(body, LOGIN_EVENTS, timezone=store.config.timezone, label="events",
                        response=response)
    # the site's state names -> wfm's before storing; an unknown one is a 422 naming its line
    frame = map_states(frame, store.config.adherence.states, label="events")
    check_known_agents(frame, store.agents_frame(), table="login events table", label="events")
    inserted, duplicates = store.add_events(frame=frame, actor=actor)
    return EventsImported(received=len(frame), inserted=inserted, duplicates=duplicates)
