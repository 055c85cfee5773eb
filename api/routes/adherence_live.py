"""Real-time adherence: who is out of adherence now (issue 24, DESIGN.md contract).

The board is ``app.state.live`` (``api.live.LiveTracker``): each agent's state folded in event
by event as the events route stores them, judged now against the published roster with the
rules of ``wfm.adherence.live``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from api.deps import PROTECTED, CurrentUser, StoreDep
from api.live import tracker_of
from api.validation import NO_NUL

router = APIRouter(prefix="/api/v1/adherence/live", tags=["adherence"], responses=PROTECTED)

TextQuery = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


# an RFC 3339 date-time from 1900 to 2999, as the API's dates (api/README.md, "Errors")
AT_PATTERN = (r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
              r"(Z|[+-][0-9]{2}:[0-9]{2})$")


def _instant(value: object) -> datetime | None:
    """``at`` as an aware datetime: text of ``AT_PATTERN`` only (a number is no instant)."""
    if value is None:
        return None
    if not isinstance(value, str) or re.fullmatch(AT_PATTERN, value) is None:
        raise ValueError("must be an ISO 8601 date and time with its UTC offset, 1900-2999")
    try:
        moment: datetime = pd.Timestamp(value).to_pydatetime(warn=False)
    except ValueError:
        raise ValueError("must be a valid date and time with its UTC offset") from None
    return moment


AtQuery = Annotated[AwareDatetime | None, BeforeValidator(_instant), Query(
    json_schema_extra={"pattern": AT_PATTERN},
    description="judge at this instant instead of now (ISO 8601 with offset, 1900-2999; "
                "rebuilt from the stored events up to it, for replays and tests)")]


class LiveItemPublic(BaseModel):
    """One agent now: ``scheduled`` is the shift code, ``BREAK`` in a fixed break, or ``OFF``
    (a shift starts or ended within the grace); ``state`` the last wfm state (null: no event
    since yesterday's midnight); ``out_since``/``out_minutes`` the current run of scheduled work
    without work (work-clock minutes, breaks excluded), only while out of adherence."""

    agent_id: str
    name: str
    scheduled: str
    state: str | None
    since: datetime | None
    in_adherence: bool
    out_since: datetime | None
    out_minutes: float = Field(ge=0)


class LivePublic(BaseModel):
    as_of: datetime
    items: list[LiveItemPublic]


LIVE_EXAMPLE = {"as_of": "2026-12-07T10:15:00+08:00", "items": [
    {"agent_id": "A017", "name": "王芳", "scheduled": "DAY", "state": "not_ready",
     "since": "2026-12-07T10:02:00+08:00", "in_adherence": False,
     "out_since": "2026-12-07T10:02:00+08:00", "out_minutes": 13.0},
    {"agent_id": "A003", "name": "Li Wei", "scheduled": "DAY", "state": "talk",
     "since": "2026-12-07T10:14:31+08:00", "in_adherence": True, "out_since": None,
     "out_minutes": 0.0}]}


@router.get("", response_model=LivePublic,
            responses={200: {"content": {"application/json": {"example": LIVE_EXAMPLE}}}})
def read_live_adherence(*, request: Request, store: StoreDep, user: CurrentUser,
                        queue: TextQuery = None, team: TextQuery = None,
                        at: AtQuery = None) -> LivePublic:
    """Each agent scheduled now, or with a shift starting or ending within the grace: the
    longest out of adherence first. An agent gets only its own item (none when it is not
    scheduled now). ``queue``: the queue the shift serves (else the agent's skills); ``team``:
    the agents with exactly these skills (``;``-separated, any order)."""
    tracker = tracker_of(request.app.state, store)
    agent_ids = None if user.role == "planner" else [str(user.agent_id)]
    view = tracker.view(agent_ids=agent_ids, queue=queue, team=team, at=at)
    return LivePublic(as_of=view.as_of,
                      items=[LiveItemPublic.model_validate(item) for item in view.items])
