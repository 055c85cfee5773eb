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
from api.schemas import INVALID, ActualsImported
from api.uploads import CsvBytes, read_upload
from wfm.kpi import ACTUALS, check_actuals

router = APIRouter(prefix="/api/v1/actuals", tags=["actuals"], responses=PROTECTED)


@router.post("", response_model=ActualsImported, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def import_actuals(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                   body: CsvBytes, response: Response) -> ActualsImported:
    """Insert or replace actuals by interval and queue: a re-sent interval replaces the
    stored one."""
    frame = check_actuals(read_upload(body, ACTUALS, timezone=store.config.timezone,
                                      label="actuals", response=response),
                         label="actuals")
    inserted, replaced = store.import_actuals(frame=frame, actor=actor)
    store.publish_auto_offers(day=store.local_today())  # [intraday] auto_offers (else none)
    return ActualsImported(received=len(frame), inserted=inserted, replaced=replaced)
