"""Login events (ACD states), idempotent by (agent_id, timestamp, state)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import (
    CSV_BODY,
    FORBIDDEN,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CsvBody,
    CurrentPlanner,
    StoreDep,
)
from api.schemas import INVALID, EventsImported
from api.uploads import read_upload
from wfm.tables import LOGIN_EVENTS

router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=PROTECTED)


@router.post("", response_model=EventsImported, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_events(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                  body: CsvBody) -> EventsImported:
    """Store login events; events already stored are counted as duplicates, not errors."""
    frame = read_upload(body, LOGIN_EVENTS, timezone=store.config.timezone, label="events")
    inserted, duplicates = store.add_events(frame=frame, actor=actor)
    return EventsImported(received=len(frame), inserted=inserted, duplicates=duplicates)
