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
    ShiftCell,
    SwapKind,
    SwapPartner,
    SwapPartners,
    SwapRequestCreate,
    SwapRequestsWithShifts,
    SwapRequestUpdate,
    SwapRequestWithShifts,
    SwapStatus,
    ViolationPublic,
)
from api.validation import AgentIdQuery, IsoDate

router = APIRouter(prefix="/api/v1/swaps", tags=["swaps"], responses=PROTECTED)
_ERRORS = error_responses(403, 404, 409)
_BODY_ERRORS = {**_ERRORS, **TOO_LARGE}


@router.post("", response_model=SwapRequestWithShifts, status_code=status.HTTP_201_CREATED,
             responses={**error_responses(403, 404, 413), **REFUSED})
def create_swap(*, store: StoreDep, agent: CurrentAgent, actor: ActorDep,
                swap_in: SwapRequestCreate) -> SwapRequestWithShifts:
    """Ask for a swap; 422 lists the violations when it would break a rule."""
    swap = store.create_swap(actor=actor, kind=swap_in.kind, counterpart_id=swap_in.counterpart_id,
                             dates=swap_in.dates, reason=swap_in.reason)
    # serialised here, once: the hot path of swap validation skips FastAPI's second pass over
    # the response model (the body is the same JSON)
    return Response(SwapRequestWithShifts.of(swap).model_dump_json(), status.HTTP_201_CREATED,
                    media_type="application/json")  # type: ignore[return-value]


@router.get("", response_model=SwapRequestsWithShifts, responses=FORBIDDEN)
def read_swaps(*, store: StoreDep, user: CurrentUser, status: SwapStatus | None = None,
               agent_id: AgentIdQuery = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
               page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> SwapRequestsWithShifts:
    """Swaps, newest last; agents see the ones they are part of."""
    items, total = store.list_swaps(status=status, agent_id=own_agent_id(user, agent_id),
                                    page=page, page_size=page_size)
    return SwapRequestsWithShifts(items=[SwapRequestWithShifts.of(s) for s in items], total=total)


@router.get("/partners", response_model=SwapPartners, responses=FORBIDDEN)
def read_swap_partners(*, store: StoreDep, agent: CurrentAgent,
                       date: Annotated[IsoDate, Query()],
                       kind: SwapKind = "swap",
                       second_date: Annotated[IsoDate | None, Query()] = None,
                       ) -> SwapPartners:
    """The colleagues with whom a swap of ``kind`` on ``date`` (and ``second_date``) passes
    every rule and the minimum notice, each checked before it is listed, with what each side
    works on the dates; ``blocked`` says why there can be none (the agent's own day)."""
    dates = [date] if second_date in (None, date) else [date, second_date]
    search, names = store.find_swap_partners(requester_id=str(agent.agent_id), kind=kind,
                                             dates=dates)

    def cells(records: list[dict[str, object]]) -> list[ShiftCell]:
        return [ShiftCell.model_validate(c) for c in records]

    return SwapPartners(kind=kind, dates=dates, checked=search.checked, items=[
        SwapPartner(agent_id=p.agent_id, name=names.get(p.agent_id, ""),
                    you_give=cells(p.you_give), you_get=cells(p.you_get))
        for p in search.partners], blocked=[
        ViolationPublic(code=v.code, agent_id=v.agent_id, date=v.date, message=v.message)
        for v in search.blocked])


@router.get("/{swap_id}", response_model=SwapRequestWithShifts, responses=_ERRORS)
def read_swap(*, swap: SwapDep) -> SwapRequestWithShifts:
    return SwapRequestWithShifts.of(swap)


def _move(store: StoreDep, actor: ActorDep, swap_id: int, action: str,
          update: SwapRequestUpdate | None) -> SwapRequestWithShifts:
    reason = (update.reason if update else None) or ""
    return SwapRequestWithShifts.of(store.transition_swap(swap_id=swap_id, action=action,
                                                      actor=actor, reason=reason))


def _require(allowed: bool, detail: str) -> None:
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail)


@router.post("/{swap_id}/accept", response_model=SwapRequestWithShifts, responses=_BODY_ERRORS)
def accept_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestWithShifts:
    """The counterpart accepts (re-checked; applied at once when auto-approval allows)."""
    _require(agent.agent_id == swap.counterpart_id, "only the counterpart may accept")
    return _move(store, actor, swap.id, "accept", update)


@router.post("/{swap_id}/reject", response_model=SwapRequestWithShifts, responses=_BODY_ERRORS)
def reject_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestWithShifts:
    _require(agent.agent_id == swap.counterpart_id, "only the counterpart may reject")
    return _move(store, actor, swap.id, "reject", update)


@router.post("/{swap_id}/cancel", response_model=SwapRequestWithShifts, responses=_BODY_ERRORS)
def cancel_swap(*, store: StoreDep, swap: SwapDep, agent: CurrentAgent, actor: ActorDep,
                update: SwapRequestUpdate | None = None) -> SwapRequestWithShifts:
    _require(agent.agent_id == swap.requester_id, "only the requester may cancel")
    return _move(store, actor, swap.id, "cancel", update)


@router.post("/{swap_id}/approve", response_model=SwapRequestWithShifts, responses=_BODY_ERRORS)
def approve_swap(*, store: StoreDep, swap: SwapDep, planner: CurrentPlanner, actor: ActorDep,
                 update: SwapRequestUpdate | None = None) -> SwapRequestWithShifts:
    """Apply an accepted swap atomically against the current roster (409 when stale)."""
    return _move(store, actor, swap.id, "approve", update)


@router.post("/{swap_id}/deny", response_model=SwapRequestWithShifts, responses=_BODY_ERRORS)
def deny_swap(*, store: StoreDep, swap: SwapDep, planner: CurrentPlanner, actor: ActorDep,
              update: SwapRequestUpdate | None = None) -> SwapRequestWithShifts:
    return _move(store, actor, swap.id, "deny", update)
