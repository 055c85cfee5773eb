"""Offer pages: the agent's open offers it may take (accept) and the offers it took, and the
planner's offers (publish, fill state, withdraw) with the overtime and VTO hours per agent.

Both sides call the store exactly as ``/api/v1/offers`` does: the agent's list is the store's
``eligible_offers``, accepting is ``accept_offer`` (first come first served, in one
transaction), publishing ``publish_offer``, withdrawing ``withdraw_offer``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.models import User
from api.store import Actor, Store
from api.validation import IsoDate
from api.web.render import render
from api.web.session import CsrfChecked, PageAgent, PagePlanner
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected
from wfm.requests.offers import FILLED, OFFER_KINDS, clock_text

agent_router = APIRouter(prefix="/me/offers", include_in_schema=False, tags=["pages"])
planner_router = APIRouter(prefix="/planner/offers", include_in_schema=False, tags=["pages"])
REFUSALS = {FILLED: "offers.refused_filled", "offer withdrawn": "offers.refused_withdrawn",
            "offer expired: its interval has started": "offers.refused_expired"}


def taken_offers(store: Store, agent_id: str, *, date_from: date | None = None,
                 date_to: date | None = None) -> list[Any]:
    """The agent's applied acceptances (the notices on its pages), newest first."""
    return list(reversed(store.offer_acceptances(agent_id=agent_id, date_from=date_from,
                                                 date_to=date_to)))


def agent_page(request: Request, store: Store, agent: User, *, message: str = "",
               error: str = "", violations: list[Any] | None = None,
               status_code: int = 200) -> HTMLResponse:
    me = str(agent.agent_id)
    eligible = [{"offer": row, "queues": json.loads(row.queues), "change": verdict.change}
                for row, verdict in store.eligible_offers(agent_id=me)]
    return render(request, "my_offers.html", {
        "eligible": eligible, "taken": taken_offers(store, me), "message": message,
        "error": error, "violations": violations or [], "clock_text": clock_text},
        status_code=status_code)


@agent_router.get("", response_class=HTMLResponse)
def read_my_offers(*, request: Request, store: StoreDep, agent: PageAgent,
                   message: str = "") -> HTMLResponse:
    """The open offers I may take, each with what it changes on my day; the ones I took."""
    return agent_page(request, store, agent,
                      message=message if message.startswith("offers.done_") else "")


@agent_router.post("/{offer_id}/accept", dependencies=[CsrfChecked])
def accept_my_offer(*, request: Request, store: StoreDep, agent: PageAgent,
                    offer_id: int) -> Response:
    """Take a place on the offer (first come, first served)."""
    try:
        store.accept_offer(offer_id=offer_id, actor=Actor.of(agent))
    except SwapRejected as error:
        return agent_page(request, store, agent, error="offers.refused_rules",
                          violations=error.violations, status_code=422)
    except (Conflict, NotFound) as error:
        key = REFUSALS.get(str(error), "offers.refused_other")
        return agent_page(request, store, agent, error=key, status_code=409)
    return RedirectResponse("/me/offers?message=offers.done_accepted", status_code=303)


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def planner_page(request: Request, store: Store, *, date_from: date, date_to: date,
                 form: dict[str, Any] | None = None, message: str = "", error: str = "",
                 status_code: int = 200) -> HTMLResponse:
    rows = store.list_offers(date_from=date_from, date_to=date_to)
    taken = store.offer_acceptances(offer_ids=[r.id for r in rows]) if rows else []
    by_offer: dict[int, list[str]] = {}
    for acceptance in taken:
        by_offer.setdefault(acceptance.offer_id, []).append(acceptance.requester_id)
    offers = [{"offer": r, "queues": json.loads(r.queues), "status": store.offers.status_of(r),
               "agents": by_offer.get(r.id, [])} for r in rows]
    return render(request, "offers.html", {
        "offers": offers, "totals": store.offer_totals(date_from=date_from, date_to=date_to),
        "date_from": date_from, "date_to": date_to, "kinds": OFFER_KINDS,
        "form": form or {"date": (store.local_today() + timedelta(days=1)).isoformat(),
                         "agents_needed": 1},
        "message": message, "error": error,
        "interval_minutes": store.config.interval_minutes,
        "auto": store.config.intraday.auto_offers}, status_code=status_code)


@planner_router.get("", response_class=HTMLResponse)
def read_offers_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                     date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
                     date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
                     message: str = "") -> HTMLResponse:
    """Offers of the period (default: this week) with their fill state, and per-agent
    overtime and VTO hours over it."""
    first = date_from or _week(store.local_today())
    last = date_to or first + timedelta(days=6)
    return planner_page(request, store, date_from=first, date_to=last,
                        message=message if message.startswith("offers.done_") else "")


@planner_router.post("", response_class=HTMLResponse, dependencies=[CsrfChecked])
def publish_offer_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                       kind: Annotated[str, Form()], day: Annotated[str, Form(alias="date")],
                       start: Annotated[str, Form()], end: Annotated[str, Form()],
                       queues: Annotated[str, Form()], agents_needed: Annotated[str, Form()],
                       reason: Annotated[str, Form()] = "") -> Response:
    """Publish an offer, as ``POST /api/v1/offers`` (queues separated by ``;`` or ``,``)."""
    form = {"kind": kind, "date": day, "start": start, "end": end, "queues": queues,
            "agents_needed": agents_needed, "reason": reason}
    try:
        try:
            when = date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidInput("date must be YYYY-MM-DD", field="date") from None
        try:
            needed = int(agents_needed)
        except ValueError:
            raise InvalidInput("agents_needed must be a whole number",
                               field="agents_needed") from None
        names = [q.strip() for q in queues.replace(",", ";").split(";") if q.strip()]
        store.publish_offer(actor=Actor.of(planner), kind=kind, day=when, start=start.strip(),
                            end=end.strip(), queues=names, agents_needed=needed,
                            reason=reason.strip()[:2000])
    except (InvalidInput, ValueError) as error:
        first = _week(store.local_today())
        return planner_page(request, store, date_from=first, date_to=first + timedelta(days=6),
                            form=form, error=str(error), status_code=422)
    week = _week(when).isoformat()
    return RedirectResponse(f"/planner/offers?from={week}&message=offers.done_published",
                            status_code=303)


@planner_router.post("/{offer_id}/withdraw", dependencies=[CsrfChecked])
def withdraw_offer_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                        offer_id: int) -> Response:
    try:
        row = store.withdraw_offer(offer_id=offer_id, actor=Actor.of(planner))
    except (Conflict, NotFound) as error:
        first = _week(store.local_today())
        return planner_page(request, store, date_from=first, date_to=first + timedelta(days=6),
                            error=str(error), status_code=409)
    week = _week(row.day).isoformat()
    return RedirectResponse(f"/planner/offers?from={week}&message=offers.done_withdrawn",
                            status_code=303)
