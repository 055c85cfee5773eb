"""Agent pages: my schedule, and my swap requests (check, send, answer, cancel).

An agent only ever sees its own roster rows and the swaps it is part of. For a kind and a date
the page lists only the colleagues the swap is legal with (``Store.find_swap_partners``, as
``GET /api/v1/swaps/partners``), with what each works on the date; a request shows the
shifts the agent gives up and gets. Sending calls the store's
``create_swap`` exactly as ``POST /api/v1/swaps`` does, so the same rules, coverage impact and
minimum notice decide.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.models import User
from api.store import Actor, Store
from api.validation import IsoDate
from api.web.precheck import below_requirement, precheck_swap
from api.web.render import render
from api.web.routes_live import live_status
from api.web.routes_offers import taken_offers
from api.web.routes_planner import monday
from api.web.session import CsrfChecked, PageAgent
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected
from wfm.requests.swaps import SWAP_KINDS

router = APIRouter(prefix="/me", include_in_schema=False, tags=["pages"])
SWAPS_SHOWN = 100
AGENT_ACTIONS = {"accept": "counterpart", "reject": "counterpart", "cancel": "requester"}


def schedule_days(store: Store, agent_id: str, start: date, num_days: int) -> list[dict[str, Any]]:
    """The agent's days from ``start``: shift, its hours and queue (empty: not rostered)."""
    _, rows = store.roster_frame(agent_ids=[agent_id], date_from=start,
                                 date_to=start + timedelta(days=num_days - 1))
    cells = {r["date"]: r for r in rows.to_dict("records")}
    hours = {s.code: (s.start, s.end, s.breaks) for s in store.config.shifts}
    out = []
    for k in range(num_days):
        day = start + timedelta(days=k)
        cell = cells.get(day)
        shift = str(cell["shift"]) if cell else ""
        out.append({"day": day, "shift": shift, "queue": cell["queue"] if cell else "",
                    "hours": hours.get(shift), "today": day == store.local_today()})
    return out


@router.get("", response_class=HTMLResponse)
def read_my_schedule(*, request: Request, store: StoreDep, agent: PageAgent,
                     week: Annotated[IsoDate | None, Query()] = None
                     ) -> HTMLResponse:
    """This week and next (or the two weeks from ``week``'s Monday)."""
    start = monday(week or store.local_today())
    days = schedule_days(store, str(agent.agent_id), start, 14)
    taken = taken_offers(store, str(agent.agent_id), date_from=start,
                         date_to=start + timedelta(days=13))
    return render(request, "my_schedule.html", {
        "weeks": [days[:7], days[7:]], "start": start, "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7), "live": live_status(request, store, agent),
        "taken": taken})


def exchange_cells(snapshot: str, agent_id: str) -> list[dict[str, Any]]:
    """The agent-days of ``agent_id`` a swap exchanges (as it was checked), dates as dates."""
    return [{**c, "date": date.fromisoformat(str(c["date"]))}
            for c in json.loads(snapshot) if c.get("agent_id") == agent_id]


def my_swaps(store: Store, agent: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(requests made to me, my own requests), newest first, each with its history and the
    shifts I give up and get (what the other side gives)."""
    items, _ = store.list_swaps(status=None, agent_id=agent.agent_id, page=1,
                                page_size=SWAPS_SHOWN)
    to_me: list[dict[str, Any]] = []
    mine: list[dict[str, Any]] = []
    for swap in reversed(items):
        other = swap.requester_id if swap.counterpart_id == agent.agent_id else swap.counterpart_id
        view = {"swap": swap, "dates": [date.fromisoformat(d) for d in json.loads(swap.dates)],
                "history": store.swap_history(swap_id=swap.id),
                "below": below_requirement(json.loads(swap.impact)),
                "gives": exchange_cells(swap.snapshot, str(agent.agent_id)),
                "gets": exchange_cells(swap.snapshot, other)}
        (to_me if swap.counterpart_id == agent.agent_id else mine).append(view)
    return to_me, mine


def partner_search(store: Store, agent: User, form: dict[str, Any]) -> dict[str, Any] | None:
    """The colleagues the swap of the form's kind and dates is legal with (None before a date
    is chosen); a malformed date or kind is said on the page."""
    if not str(form.get("first_date") or "").strip():
        return None
    try:
        dates = _dates(str(form["first_date"]), str(form.get("second_date") or ""))
        search, names = store.find_swap_partners(requester_id=str(agent.agent_id),
                                                 kind=str(form.get("kind") or "swap"),
                                                 dates=dates)
    except InvalidInput as error:
        return {"error": str(error), "partners": [], "blocked": [], "checked": 0}
    return {"error": "", "checked": search.checked, "blocked": search.blocked, "partners": [
        {"agent_id": p.agent_id, "name": names.get(p.agent_id, ""), "you_give": p.you_give,
         "you_get": p.you_get} for p in search.partners]}


def swaps_page(request: Request, store: Store, agent: User, *, form: dict[str, Any] | None = None,
               check: dict[str, Any] | None = None, error: str = "", message: str = "",
               status_code: int = 200) -> HTMLResponse:
    to_me, mine = my_swaps(store, agent)
    form = form or {}
    return render(request, "my_swaps.html", {
        "to_me": to_me, "mine": mine, "kinds": SWAP_KINDS, "form": form,
        "search": partner_search(store, agent, form),
        "hours": {s.code: (s.start, s.end) for s in store.config.shifts},
        "check": check, "error": error, "message": message,
        "notice_hours": store.config.swaps.min_notice_hours}, status_code=status_code)


@router.get("/swaps", response_class=HTMLResponse)
def read_my_swaps(*, request: Request, store: StoreDep, agent: PageAgent,
                  message: str = "", kind: str = "swap", first_date: str = "",
                  second_date: str = "") -> HTMLResponse:
    """My requests; with ``first_date`` (and ``kind``, ``second_date``) the colleagues I can
    swap with, each checked against every rule before it is shown."""
    form = {"kind": kind if kind in SWAP_KINDS else "swap", "first_date": first_date[:20],
            "second_date": second_date[:20]}
    return swaps_page(request, store, agent, form=form,
                      message=message if message.startswith("myswaps.done_") else "")


def _dates(first: str, second: str) -> list[date]:
    try:
        dates = [date.fromisoformat(first.strip())]
        if second.strip():
            dates.append(date.fromisoformat(second.strip()))
    except ValueError:
        raise InvalidInput("dates must be YYYY-MM-DD", field="date") from None
    return dates


@router.post("/swaps", response_class=HTMLResponse, dependencies=[CsrfChecked])
def request_swap(*, request: Request, store: StoreDep, agent: PageAgent,
                 kind: Annotated[str, Form()], counterpart_id: Annotated[str, Form()],
                 first_date: Annotated[str, Form()], second_date: Annotated[str, Form()] = "",
                 reason: Annotated[str, Form()] = "",
                 action: Annotated[str, Form()] = "check") -> Response:
    """``action=check``: the verdict without sending; ``action=send``: record the request."""
    form = {"kind": kind, "counterpart_id": counterpart_id, "first_date": first_date,
            "second_date": second_date, "reason": reason}
    me = str(agent.agent_id)
    try:
        dates = _dates(first_date, second_date)
        if action != "send":
            verdict = precheck_swap(store, kind=kind, requester_id=me,
                                    counterpart_id=counterpart_id.strip(), dates=dates)
            return swaps_page(request, store, agent, form=form, check={
                "violations": verdict.violations, "before": verdict.before,
                "after": verdict.after, "below": below_requirement(verdict.impact),
                "starts_at": verdict.starts_at})
        store.create_swap(actor=Actor.of(agent), kind=kind,
                          counterpart_id=counterpart_id.strip(), dates=dates,
                          reason=reason.strip()[:2000])
    except SwapRejected as error:
        return swaps_page(request, store, agent, form=form, status_code=422, check={
            "violations": error.violations, "before": [], "after": [], "below": [],
            "starts_at": None, "refused": True})
    except (InvalidInput, NotFound) as error:
        return swaps_page(request, store, agent, form=form, error=str(error), status_code=422)
    return RedirectResponse("/me/swaps?message=myswaps.done_sent", status_code=303)


@router.post("/swaps/{swap_id}/{action}", dependencies=[CsrfChecked])
def answer_swap(*, request: Request, store: StoreDep, agent: PageAgent, swap_id: int,
                action: str, reason: Annotated[str, Form()] = "") -> Response:
    """Accept or decline a request made to me, or cancel one of mine."""
    role = AGENT_ACTIONS.get(action)
    if role is None:
        raise HTTPException(404, "not_found")
    try:
        swap = store.get_swap(swap_id=swap_id)
        owner = swap.counterpart_id if role == "counterpart" else swap.requester_id
        if owner != agent.agent_id:
            raise HTTPException(403, "forbidden.not_yours")
        store.transition_swap(swap_id=swap_id, action=action, actor=Actor.of(agent),
                              reason=reason.strip()[:2000])
    except (Conflict, NotFound) as error:
        return swaps_page(request, store, agent, error=str(error), status_code=409)
    return RedirectResponse(f"/me/swaps?message=myswaps.done_{action}", status_code=303)
