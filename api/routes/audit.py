"""The audit trail: who changed what, when and why (planners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import FORBIDDEN, MAX_PAGE, PROTECTED, CurrentPlanner, StoreDep
from api.schemas import AuditNamedPublic, AuditPublic, AuditsNamedPublic
from api.validation import DateFrom, DateTo

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=PROTECTED)


@router.get("", response_model=AuditsNamedPublic, responses=FORBIDDEN)
def read_audit(*, store: StoreDep, planner: CurrentPlanner,
               date_from: DateFrom = None,
               date_to: DateTo = None,
               page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
               page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> AuditsNamedPublic:
    """Audit entries in order, filtered by site-local dates (inclusive), with who did it."""
    items, total = store.read_audit(date_from=date_from, date_to=date_to, page=page,
                                    page_size=page_size)
    return AuditsNamedPublic(items=[AuditNamedPublic(**dict(AuditPublic.of(e)),
                                                     actor_name=e.actor_name or "")
                                    for e in items], total=total)
