"""Swap requests: create (checked against the rules), read, and move through the workflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from api.deps import (
    FORBIDDEN,
    MAX_PAGE,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentAgent,
    CurrentPlanner,
    CurrentUser,
    StoreDep,
    SwapDep,
    error_responses,
    own_agent_id,
)
from api.schemas import (
    REFUSED,
    SwapRequestCreate,
    SwapRequestPublic,
    SwapRequestsPublic,
    SwapRequestUpdate,
    SwapStatus,
)
from api.validation import AgentIdQuery

router = APIRouter(prefix="/api/v1/swaps", tags=["swaps"], responses=PROTECTED)
_ERRORS = error_responses(403, 404, 409)
_BODY_ERRORS = {**_ERRORS, **TOO_LARGE}


@router.post("", response_model=SwapRequestPublic, status_code=status.HTTP_201_CREATED,
             responses={**error_responses(403, 404, 413), **REFUSED})
def create_swap(*, store: StoreDep, agent: CurrentAgent, actor: ActorDep,
                swap_in: SwapRequestCreate) -> SwapRequestPublic:
    """Ask for a swap; 422 lists the violations when it would break a rule."""
    swap = store.create_swap(actor=actor, kind=swap_in.kind, counterpart_id=swap_in.counterpart_id,
                             dates=swap_in.dates, reason=swap_in.reason)
    # serialised here, once: the hot path of swap validation skips FastAPI's second pass over
    # the response model (the body is the same JSON)
    return Response(SwapRequestPublic.of(swap).model_dump_json(), status.HTTP_201_CREATED,
                    media_type="application/json")  # type: ignore[return-value]


@router.get("", response_model=SwapRequestsPublic, responses=FORBIDDEN)
def read_swaps(*, store: StoreDep, user: CurrentUser, status: SwapStatus | None = None,
               agent_id: AgentIdQuery = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
               page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> SwapRequestsPublic:
    """Swaps, newest last; agents see the ones they are part of."""
    items, total = store.list_swaps(status=status, agent_id=own_agent_id(user, agent_id),
                                    page=page, page_size=page_size)
    return SwapRequestsPublic(items=[SwapRequestPublic.of(s) for s in items], total=total)


@router.get("/{swap_id}", response_model=SwapRequestPublic, responses=_ERRORS)
def read_swap(*, swap: SwapDep) -> SwapRequestPublic:
    return SwapRequestPublic.of(swap)


def _move(store: StoreDep, actor: ActorDep, swap_id: int, action: str,
          update: SwapRequestUpdate | None) -> SwapRequestPublic:
    reason = (update.reason if update else None) or ""
    return SwapRequestPublic.of(store.transition_swap(swap_id=swap_id, action=action,
                                                      actor=actor, reason=reason))


def _require(allowed: bool, detail: str) -> None:
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail)


@router.post("/{swap_id}/accept", response_model=SwapRequestPublic, responses=_BODY_ERRORS)
def accept_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestPublic:
    """The counterpart accepts (re-checked; applied at once when auto-approval allows)."""
    _require(agent.agent_id == swap.counterpart_id, "only the counterpart may accept")
    return _move(store, actor, swap.id, "accept", update)


@router.post("/{swap_id}/reject", response_model=SwapRequestPublic, responses=_BODY_ERRORS)
def reject_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestPublic:
    _require(agent.agent_id == swap.counterpart_id, "only the counterpart may reject")
    return _move(store, actor, swap.id, "reject", update)


@router.post("/{swap_id}/cancel", response_model=SwapRequestPublic, responses=_BODY_ERRORS)
def cancel_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestPublic:
    _require(agent.agent_id == swap.requester_id, "only the requester may cancel")
    return _move(store, actor, swap.id, "cancel", update)


@router.post("/{swap_id}/approve", response_model=SwapRequestPublic, responses=_BODY_ERRORS)
def approve_swap(*, store: StoreDep, swap: SwapDep, planner: CurrentPlanner, actor: ActorDep,
                 update: SwapRequestUpdate | None = None) -> SwapRequestPublic:
    """Apply an accepted swap atomically against the current roster (409 when stale)."""
    return _move(store, actor, swap.id, "approve", update)


@router.post("/{swap_id}/deny", response_model=SwapRequestPublic, responses=_BODY_ERRORS)
def deny_swap(*, store: StoreDep, swap: SwapDep, planner: CurrentPlanner, actor: ActorDep,
              update: SwapRequestUpdate | None = None) -> SwapRequestPublic:
    return _move(store, actor, swap.id, "deny", update)
