"""Login events (ACD states), idempotent by (agent_id, timestamp, state)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CSV_BODY, ActorDep, CsvBody, CurrentPlanner, StoreDep
from api.schemas import EventsImported, Message
from wfm.tables import LOGIN_EVENTS, read_table_text

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post("", response_model=EventsImported, openapi_extra=CSV_BODY,
             responses={403: {"model": Message}, 422: {"model": Message}})
def import_events(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                  body: CsvBody) -> EventsImported:
    """Store login events; events already stored are counted as duplicates, not errors."""
    frame = read_table_text(body, LOGIN_EVENTS, timezone=store.config.timezone,
                            label="events")
    inserted, duplicates = store.add_events(frame=frame, actor=actor)
    return EventsImported(received=len(frame), inserted=inserted, duplicates=duplicates)
