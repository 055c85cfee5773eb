"""Login events (ACD states), idempotent by (agent_id, timestamp, state).

Two bodies: the login-events CSV (``text/csv``, as ever) and JSON (``application/json``), one
event object or a list of at most ``MAX_JSON_EVENTS``, for an ACD that streams state changes
as they happen. Both are mapped through ``[adherence.states]`` and checked against the agents
table before anything is stored; after the transaction committed the live board
(``api.live``) folds the new events in.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api.deps import (
    FORBIDDEN,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentPlanner,
    StoreDep,
)
from api.live import tracker_of
from api.schemas import INVALID, EventsImported
from api.store import Store
from api.uploads import CsvBytes, read_upload
from api.validation import NO_NUL
from wfm.errors import InvalidInput
from wfm.states import ACD_STATES, map_states, state_key, state_mapping, suggested_state
from wfm.tables import LOGIN_EVENTS
from wfm.validation import check_known_agents

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=PROTECTED)

MAX_JSON_EVENTS = 1000
# a date, a clock time and an offset: a time without a date or an offset is refused
TIMESTAMP = (r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
             r"(Z|z|[+-]\d{2}:?\d{2})$")


class EventIn(BaseModel):
    """One state change, as a row of the login-events table."""

    model_config = ConfigDict(extra="forbid")
    agent_id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    timestamp: str = Field(max_length=40, pattern=TIMESTAMP,
                           description="ISO 8601 date and time with its UTC offset")
    state: str = Field(min_length=1, max_length=64, pattern=NO_NUL,
                       description="a wfm state or a name in [adherence.states] / the "
                                   "default English and Chinese names")


_ONE_OR_LIST: TypeAdapter[EventIn | list[EventIn]] = TypeAdapter(EventIn | list[EventIn])
_EVENT_SCHEMA = EventIn.model_json_schema()
EVENTS_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example":
                 "agent_id,timestamp,state\nA001,2026-12-07 08:29:12,login\n"
                 "A001,2026-12-07 08:30:00,Available\n"},
    "application/json": {
        "schema": {"anyOf": [_EVENT_SCHEMA, {"type": "array", "items": _EVENT_SCHEMA,
                                             "minItems": 1, "maxItems": MAX_JSON_EVENTS}]},
        "examples": {
            "one": {"summary": "one state change", "value": {
                "agent_id": "A001", "timestamp": "2026-12-07T10:02:00+08:00",
                "state": "AUX 3"}},
            "batch": {"summary": "a small batch", "value": [
                {"agent_id": "A001", "timestamp": "2026-12-07T10:02:00+08:00",
                 "state": "not_ready"},
                {"agent_id": "A002", "timestamp": "2026-12-07T10:02:05+08:00",
                 "state": "小休"}]}}}}}}


@router.post("", response_model=EventsImported, openapi_extra=EVENTS_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_events(*, request: Request, store: StoreDep, planner: CurrentPlanner,
                  actor: ActorDep, body: CsvBytes, response: Response) -> EventsImported:
    """Store login events; events already stored are counted as duplicates, not errors.

    An unknown state, an agent not in the agents table or a time without a date or offset is
    a 422 naming the line (CSV) or the item (JSON, from 0) and the field; nothing is stored.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        frame = json_events(body, store)
    else:
        frame = read_upload(body, LOGIN_EVENTS, timezone=store.config.timezone,
                            label="events", response=response)
        # the site's state names -> wfm's before storing; an unknown one is a 422 naming its line
        frame = map_states(frame, store.config.adherence.states, label="events")
        check_known_agents(frame, store.agents_frame(), table="login events table",
                           label="events")
    inserted, duplicates = store.add_events(frame=frame, actor=actor)
    try:  # the live board sees them now; the events are stored whatever happens here
        tracker_of(request.app.state, store).refresh()
    except Exception:  # e.g. a stored roster the site file no longer has shifts for
        log.exception("live board not refreshed after storing events (the next read retries)")
    return EventsImported(received=len(frame), inserted=inserted, duplicates=duplicates)


def json_events(body: bytes, store: Store) -> pd.DataFrame:
    """The login-events frame of a JSON body (one event or a list), states mapped to wfm's."""
    try:  # pydantic's own JSON reader: refuses bad UTF-8 and lone surrogates, as FastAPI does
        parsed = _ONE_OR_LIST.validate_json(body)
    except ValidationError as error:
        is_list = body.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"["
        raise RequestValidationError(_errors(error, is_list)) from None
    events = parsed if isinstance(parsed, list) else [parsed]
    where = (lambda i: f"events item {i}") if isinstance(parsed, list) else (lambda i: "event")
    if not events:
        raise InvalidInput("the events list is empty: send one event or a list of events")
    if len(events) > MAX_JSON_EVENTS:
        raise InvalidInput(f"the events list has {len(events)} items; send at most "
                           f"{MAX_JSON_EVENTS} per request (or the CSV)")
    mapping = state_mapping(store.config.adherence.states)
    known = set(store.agents_frame(agent_ids=sorted({e.agent_id for e in events}))["agent_id"])
    stamps = []
    for i, event in enumerate(events):
        if event.agent_id not in known:
            raise InvalidInput(f"{where(i)}, field 'agent_id': agent {event.agent_id!r} is not "
                               "in the agents table")
        if mapping.get(state_key(event.state)) is None:
            raise InvalidInput(
                f"{where(i)}, field 'state': unknown state {event.state!r}; add "
                f"\"{event.state}\" = \"{suggested_state(event.state)}\" (or the wfm state it "
                f"means: {', '.join(ACD_STATES)}) under [adherence.states] in the site file")
        try:
            stamp = pd.Timestamp(event.timestamp.replace(" ", "T"))
        except (ValueError, OverflowError):
            stamp = None
        if stamp is None or stamp is pd.NaT or stamp.tzinfo is None:
            raise InvalidInput(f"{where(i)}, field 'timestamp': {event.timestamp!r} is not a "
                               "valid date and time with an offset")
        stamps.append(stamp.tz_convert(store.config.timezone))
    return pd.DataFrame({"agent_id": [e.agent_id for e in events],
                         "timestamp": pd.DatetimeIndex(stamps),
                         "state": [mapping[state_key(e.state)] for e in events]})


def _errors(error: ValidationError, is_list: bool) -> list[dict[str, Any]]:
    """Pydantic's errors located in the body: ``["body", i, field]`` for a list, else
    ``["body", field]`` (the union's two branches are reported as the body's shape says)."""
    out = []
    for item in error.errors(include_input=False, include_url=False):
        loc = list(item["loc"])
        branch = loc[0] if loc else ""
        if isinstance(branch, str) and (branch == "EventIn" or branch.startswith("list[")):
            if branch.startswith("list[") != is_list:
                continue  # the other shape's complaint
            loc = loc[1:]
        if item["type"] == "string_pattern_mismatch" and loc and loc[-1] == "timestamp":
            item["msg"] = ("must be an ISO 8601 date and time with its UTC offset, e.g. "
                           "2026-12-07T10:02:00+08:00")
        out.append({**item, "loc": ("body", *loc)})
    return out or [{"type": "model_type", "loc": ("body",),
                    "msg": "must be an event object or a list of them"}]
