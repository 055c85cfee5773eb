"""The intraday view (issue 25): the day per interval and queue, from the stored forecast,
actuals and roster."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import FORBIDDEN, PROTECTED, CurrentPlanner, StoreDep, error_responses
from api.intraday import intraday_record, read_intraday
from api.schemas import IntradayPublic
from api.validation import NO_NUL, IsoDate

router = APIRouter(prefix="/api/v1/intraday", tags=["intraday"], responses=PROTECTED)
QueueQuery = Annotated[str, Query(max_length=64, pattern=NO_NUL,
                                  description="one queue; empty: every queue of the forecast")]


@router.get("", response_model=IntradayPublic,
            responses={**FORBIDDEN, **error_responses(404)})
def read_intraday_view(*, store: StoreDep, planner: CurrentPlanner,
                       day: Annotated[IsoDate, Query(alias="date")],
                       queue: QueueQuery = "") -> IntradayPublic:
    """Per interval and queue of ``date``: forecast, re-forecast (the intraday update of
    ``wfm forecast``, recomputed when actuals arrive) and actual contacts; AHT actual against
    planned; agents required on the re-forecast (``wfm staff``'s model), scheduled net of
    leave and breaks, effective after shrinkage, working now, net; projected service level.
    Also the day's totals and the coming short and long periods.

    404 names what the date lacks: a published forecast, a roster, or the queue."""
    return IntradayPublic.model_validate(intraday_record(read_intraday(store, day=day,
                                                                       queue=queue)))
