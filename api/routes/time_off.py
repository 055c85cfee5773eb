"""Time-off requests: create (checked at once), read, balances, approve/reject, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status

from api.deps import (
    FORBIDDEN,
    MAX_ID,
    MAX_PAGE,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentAgent,
    CurrentPlanner,
    CurrentUser,
    StoreDep,
    error_responses,
    own_agent_id,
)
from api.models import TimeOffRequest
from api.schemas import (
    REFUSED,
    LeaveBalancePublic,
    LeaveBalancesPublic,
    SwapRequestUpdate,
    TimeOffRequestCreate,
    TimeOffRequestPublic,
    TimeOffRequestsPublic,
    TimeOffStatus,
)
from api.validation import AgentIdQuery
from wfm.requests.time_off_impact import Part

router = APIRouter(prefix="/api/v1/time-off", tags=["time-off"], responses=PROTECTED)
_ERRORS = error_responses(403, 404, 409)
_BODY_ERRORS = {**_ERRORS, **TOO_LARGE}


def get_time_off_or_404(request_id: Annotated[int, Path(ge=1, le=MAX_ID)], store: StoreDep,
                        user: CurrentUser) -> TimeOffRequest:
    """The request, if the user may see it: planners all, agents their own."""
    request = store.get_time_off(request_id=request_id)
    if user.role != "planner" and user.agent_id != request.requester_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your time-off request")
    return request


TimeOffDep = Annotated[TimeOffRequest, Depends(get_time_off_or_404)]


@router.post("", response_model=TimeOffRequestPublic, status_code=status.HTTP_201_CREATED,
             responses={**error_responses(403, 404, 413), **REFUSED})
def create_time_off(*, store: StoreDep, user: CurrentUser, actor: ActorDep,
                    request_in: TimeOffRequestCreate) -> TimeOffRequestPublic:
    """Ask for time off; 422 lists the violations (notice, balance, rules, team limit).

    The answer carries the coverage impact with the service level of every affected interval;
    the status is ``approved`` when the auto-approval policy applied it, ``recorded`` for a
    same-day kind (sick) inside the notice, else ``requested``. A planner records a request
    for an agent with ``agent_id`` (the checks are the same).
    """
    if user.role == "planner":
        if not request_in.agent_id:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                "a planner records time off for an agent: send agent_id")
    elif user.role != "agent" or not user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agent role required")
    elif request_in.agent_id not in (None, user.agent_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "agents may only request time off for themselves")
    part = Part(request_in.part.start, request_in.part.end) if request_in.part else None
    request = store.create_time_off(actor=actor, kind=request_in.kind, dates=request_in.dates,
                                    part=part, reason=request_in.reason,
                                    agent_id=request_in.agent_id)
    # serialised here, once, as for swaps: the check's hot path skips FastAPI's second pass
    # over the response model (the body is the same JSON)
    return Response(TimeOffRequestPublic.of(request).model_dump_json(),  # type: ignore[return-value]
                    status.HTTP_201_CREATED, media_type="application/json")


@router.get("", response_model=TimeOffRequestsPublic, responses=FORBIDDEN)
def read_time_offs(*, store: StoreDep, user: CurrentUser, status: TimeOffStatus | None = None,
                   agent_id: AgentIdQuery = None, flagged: bool | None = None,
                   page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
                   page_size: Annotated[int, Query(ge=1, le=500)] = 50,
                   ) -> TimeOffRequestsPublic:
    """Requests, oldest first; agents see their own. ``flagged=true``: recorded on the day."""
    items, total = store.list_time_off(status=status, agent_id=own_agent_id(user, agent_id),
                                       flagged=flagged, page=page, page_size=page_size)
    return TimeOffRequestsPublic(items=[TimeOffRequestPublic.of(r) for r in items], total=total)


@router.get("/balances", response_model=LeaveBalancesPublic, responses=error_responses(403, 404))
def read_balances(*, store: StoreDep, user: CurrentUser, agent_id: AgentIdQuery = None,
                  year: Annotated[int | None, Query(ge=1900, le=2999)] = None,
                  ) -> LeaveBalancesPublic:
    """Allowance, used and remaining days per kind (default: this year); agents their own."""
    owner = own_agent_id(user, agent_id)
    if owner is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "agent_id is required")
    rows = store.leave_balances(agent_id=owner, year=year or store.local_today().year)
    return LeaveBalancesPublic(items=[LeaveBalancePublic.model_validate(r) for r in rows])


@router.get("/{request_id}", response_model=TimeOffRequestPublic, responses=_ERRORS)
def read_time_off(*, request: TimeOffDep) -> TimeOffRequestPublic:
    return TimeOffRequestPublic.of(request)


def _move(store: StoreDep, actor: ActorDep, request_id: int, action: str,
          update: SwapRequestUpdate | None) -> TimeOffRequestPublic:
    reason = (update.reason if update else None) or ""
    return TimeOffRequestPublic.of(store.transition_time_off(
        request_id=request_id, action=action, actor=actor, reason=reason))


@router.post("/{request_id}/approve", response_model=TimeOffRequestPublic,
             responses=_BODY_ERRORS)
def approve_time_off(*, store: StoreDep, request: TimeOffDep, planner: CurrentPlanner,
                     actor: ActorDep, update: SwapRequestUpdate | None = None,
                     ) -> TimeOffRequestPublic:
    """Write the leave (or the moved rest day) into the roster with the balance change, in one
    transaction; 409 when the request no longer applies (it is then ``invalidated``)."""
    return _move(store, actor, request.id, "approve", update)


@router.post("/{request_id}/reject", response_model=TimeOffRequestPublic,
             responses=_BODY_ERRORS)
def reject_time_off(*, store: StoreDep, request: TimeOffDep, planner: CurrentPlanner,
                    actor: ActorDep, update: SwapRequestUpdate | None = None,
                    ) -> TimeOffRequestPublic:
    return _move(store, actor, request.id, "reject", update)


@router.post("/{request_id}/cancel", response_model=TimeOffRequestPublic,
             responses=_BODY_ERRORS)
def cancel_time_off(*, store: StoreDep, request: TimeOffDep, agent: CurrentAgent,
                    actor: ActorDep, update: SwapRequestUpdate | None = None,
                    ) -> TimeOffRequestPublic:
    if agent.agent_id != request.requester_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the requester may cancel")
    return _move(store, actor, request.id, "cancel", update)
