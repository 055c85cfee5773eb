"""Real-time adherence: who is out of adherence now (issue 24, DESIGN.md contract).

The board is ``app.state.live`` (``api.live.LiveTracker``): each agent's state folded in event
by event as the events route stores them, judged now against the published roster with the
rules of ``wfm.adherence.live``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from api.deps import PROTECTED, CurrentUser, StoreDep
from api.live import tracker_of
from api.validation import NO_NUL

router = APIRouter(prefix="/api/v1/adherence/live", tags=["adherence"], responses=PROTECTED)

TextQuery = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


def _in_range(moment: datetime | None) -> datetime | None:
    """The API's dates run from 1900 to 2999 (api/README.md, "Errors"); so do its instants."""
    if moment is not None and not 1900 <= moment.year <= 2999:
        raise ValueError("must be between 1900-01-01 and 2999-12-31")
    return moment


AtQuery = Annotated[AwareDatetime | None, AfterValidator(_in_range), Query(
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
