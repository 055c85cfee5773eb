"""The actuals (the ``wfm kpi --actuals`` table), idempotent by (interval_start, queue)."""

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
from api.intraday import publish_auto_offers
from api.schemas import INVALID, ActualsImported
from api.uploads import CsvBytes, read_upload
from wfm.kpi import ACTUALS, check_actuals
from wfm.kpi.actuals import check_actual_queues
from wfm.staffing.requirements import check_interval_grid

router = APIRouter(prefix="/api/v1/actuals", tags=["actuals"], responses=PROTECTED)


@router.post("", response_model=ActualsImported, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_actuals(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                   body: CsvBytes, response: Response) -> ActualsImported:
    """Insert or replace actuals by interval and queue: a re-sent interval replaces the
    stored one. Every row is checked before anything is stored (422 naming the line and
    field): a queue the site does not know, an interval off the site's grid, answered +
    abandoned above offered, answered within target above answered."""
    frame = check_actuals(read_upload(body, ACTUALS, timezone=store.config.timezone,
                                      label="actuals", response=response),
                         label="actuals")
    check_interval_grid(frame, store.config.interval_minutes, label="actuals")
    check_actual_queues(frame, store.intraday.known_queues(), label="actuals")
    inserted, replaced = store.import_actuals(frame=frame, actor=actor)
    publish_auto_offers(store, day=store.local_today())  # [intraday] auto_offers (else none)
    return ActualsImported(received=len(frame), inserted=inserted, replaced=replaced)
