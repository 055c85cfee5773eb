"""Overtime and VTO offers: publish (planner), list (planner: all; agent: those it may take),
accept (agent; first come first served), withdraw (planner), per-agent totals (planner)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.exceptions import RequestValidationError

from api.deps import (
    FORBIDDEN,
    MAX_ID,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentAgent,
    CurrentPlanner,
    CurrentUser,
    StoreDep,
    error_responses,
)
from api.intraday import publish_auto_offers as auto_publish
from api.models import OfferAcceptance, OfferRow
from api.schemas import (
    REFUSED,
    OfferAcceptancePublic,
    OfferChangePublic,
    OfferCreate,
    OfferPublic,
    OffersPublic,
    OfferStatus,
    OfferTotal,
    OfferTotalsPublic,
    SwapRequestUpdate,
)
from api.schemas import _utc as utc
from api.store import Store
from api.validation import DateFrom, DateTo, IsoDate
from wfm.errors import InvalidInput
from wfm.requests.offers import OfferVerdict, clock_text

router = APIRouter(prefix="/api/v1/offers", tags=["offers"], responses=PROTECTED)
OfferId = Annotated[int, Path(ge=1, le=MAX_ID)]


def offer_public(store: Store, row: OfferRow, verdict: OfferVerdict | None = None
                 ) -> OfferPublic:
    import json

    change = None
    if verdict is not None and verdict.change is not None:
        c = verdict.change
        change = OfferChangePublic(change=c.change,  # type: ignore[arg-type]
                                   shift=c.shift, queue=c.serves,
                                   start=clock_text(c.start_minute),
                                   end=clock_text(c.end_minute),
                                   hours=round(c.minutes / 60, 2))
    return OfferPublic(id=row.id, kind=row.kind, date=row.day,  # type: ignore[arg-type]
                       start=row.start, end=row.end, queues=json.loads(row.queues),
                       agents_needed=row.agents_needed, filled=row.filled,
                       status=store.offers.status_of(row),  # type: ignore[arg-type]
                       auto=row.auto, reason=row.reason, starts_at=utc(row.starts_at),
                       created_at=utc(row.created_at), change=change)


def acceptance_public(request: OfferAcceptance) -> OfferAcceptancePublic:
    return OfferAcceptancePublic(
        id=request.id, offer_id=request.offer_id, agent_id=request.requester_id,
        kind=request.kind, change=request.change, date=request.day,  # type: ignore[arg-type]
        start=request.start, end=request.end, hours=round(request.minutes / 60, 2),
        serves=request.serves, status=request.status, created_at=utc(request.created_at),
        applied_version=request.applied_version)


@router.post("", response_model=OfferPublic, status_code=status.HTTP_201_CREATED,
             responses={**error_responses(403), **TOO_LARGE})
def create_offer(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                 offer_in: OfferCreate) -> OfferPublic:
    """Publish an offer. A window that has started or is past, off the interval grid, or an
    unknown queue is a 422 naming the field (``["body", "start"]`` ...)."""
    try:
        row = store.publish_offer(actor=actor, kind=offer_in.kind, day=offer_in.date,
                                  start=offer_in.start, end=offer_in.end,
                                  queues=offer_in.queues, agents_needed=offer_in.agents_needed,
                                  reason=offer_in.reason)
    except InvalidInput as error:
        if error.field is None:
            raise
        raise RequestValidationError([{"loc": ("body", error.field), "msg": error.reason,
                                       "type": "value_error"}]) from None
    return offer_public(store, row)


@router.get("", response_model=OffersPublic, responses=FORBIDDEN)
def read_offers(*, store: StoreDep, user: CurrentUser, date_from: DateFrom = None,
                date_to: DateTo = None, status: OfferStatus | None = None) -> OffersPublic:
    """Planners: every offer (filters by date and status). Agents: the open offers they may
    take now, each with the change it makes on their day (``change``)."""
    if user.role == "planner":
        rows = store.list_offers(date_from=date_from, date_to=date_to, status=status)
        return OffersPublic(items=[offer_public(store, r) for r in rows], total=len(rows))
    found = store.eligible_offers(agent_id=user.agent_id or "")
    items = [offer_public(store, r, v) for r, v in found
             if (date_from is None or r.day >= date_from)
             and (date_to is None or r.day <= date_to)
             and (status is None or status == "open")]
    return OffersPublic(items=items, total=len(items))


@router.post("/auto", response_model=OffersPublic, responses=FORBIDDEN)
def publish_auto_offers(*, store: StoreDep, planner: CurrentPlanner,
                        day: Annotated[IsoDate | None, Query(alias="date")] = None
                        ) -> OffersPublic:
    """Run the ``[intraday]`` rule now for ``date`` (default today): an offer for each coming
    short (overtime) or long (VTO) period of the intraday view's net staffing that no open
    offer of the same kind and queue overlaps. Answers the offers it published (none without
    a published forecast for the day). With ``auto_offers = true`` the rule also runs after
    every actuals upload."""
    rows = auto_publish(store, day=day or store.local_today(), force=True)
    return OffersPublic(items=[offer_public(store, r) for r in rows], total=len(rows))


@router.get("/totals", response_model=OfferTotalsPublic, responses=FORBIDDEN)
def read_offer_totals(*, store: StoreDep, planner: CurrentPlanner, date_from: DateFrom = None,
                      date_to: DateTo = None) -> OfferTotalsPublic:
    """Overtime and VTO hours per agent over ``from``..``to`` (default: this Monday-Sunday
    week)."""
    today = store.local_today()
    first = date_from or today - timedelta(days=today.weekday())
    last = date_to or first + timedelta(days=6)
    rows = store.offer_totals(date_from=first, date_to=last)
    return OfferTotalsPublic(date_from=first, date_to=last,
                             items=[OfferTotal.model_validate(r) for r in rows])


@router.post("/{offer_id:int}/accept", response_model=OfferAcceptancePublic,
             responses={**error_responses(403, 404, 409, 413), **REFUSED})
def accept_offer(*, store: StoreDep, offer_id: OfferId, agent: CurrentAgent, actor: ActorDep,
                 update: SwapRequestUpdate | None = None) -> OfferAcceptancePublic:
    """Take a place on the offer; the roster changes at once (first come, first served).

    409 ``offer already filled`` when the places are taken, ``offer withdrawn``, ``offer
    expired: its interval has started``, or when the agent already took it; 422 with the
    violations when the agent may not take it (the rule's sentence in ``detail``).
    """
    request = store.accept_offer(offer_id=offer_id, actor=actor,
                                 reason=(update.reason if update else None) or "")
    return acceptance_public(request)


@router.delete("/{offer_id:int}", response_model=OfferPublic,
               responses=error_responses(403, 404, 409))
def withdraw_offer(*, store: StoreDep, offer_id: OfferId, planner: CurrentPlanner,
                   actor: ActorDep) -> OfferPublic:
    """Stop an open offer; places already taken stay applied. 409 when it is not open."""
    return offer_public(store, store.withdraw_offer(offer_id=offer_id, actor=actor))
