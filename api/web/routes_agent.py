"""Agent pages: my schedule, and my swap requests (check, send, answer, cancel).

An agent only ever sees its own roster rows and the swaps it is part of; the colleague list
shows ids and names only (needed to choose a counterpart). Sending calls the store's
``create_swap`` exactly as ``POST /api/v1/swaps`` does, so the same rules, coverage impact and
minimum notice decide.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EARLIEST, LATEST, StoreDep
from api.models import User
from api.store import Actor, Store
from api.web.precheck import below_requirement, precheck_swap
from api.web.render import render
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
                     week: Annotated[date | None, Query(ge=EARLIEST, le=LATEST)] = None
                     ) -> HTMLResponse:
    """This week and next (or the two weeks from ``week``'s Monday)."""
    start = monday(week or store.local_today())
    days = schedule_days(store, str(agent.agent_id), start, 14)
    return render(request, "my_schedule.html", {
        "weeks": [days[:7], days[7:]], "start": start, "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7)})


def my_swaps(store: Store, agent: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(requests made to me, my own requests), newest first, each with its history."""
    items, _ = store.list_swaps(status=None, agent_id=agent.agent_id, page=1,
                                page_size=SWAPS_SHOWN)
    to_me: list[dict[str, Any]] = []
    mine: list[dict[str, Any]] = []
    for swap in reversed(items):
        view = {"swap": swap, "dates": [date.fromisoformat(d) for d in json.loads(swap.dates)],
                "history": store.swap_history(swap_id=swap.id),
                "below": below_requirement(json.loads(swap.impact))}
        (to_me if swap.counterpart_id == agent.agent_id else mine).append(view)
    return to_me, mine


def swaps_page(request: Request, store: Store, agent: User, *, form: dict[str, Any] | None = None,
               check: dict[str, Any] | None = None, error: str = "", message: str = "",
               status_code: int = 200) -> HTMLResponse:
    to_me, mine = my_swaps(store, agent)
    colleagues = store.agents_frame()
    colleagues = colleagues[colleagues["agent_id"] != agent.agent_id]
    return render(request, "my_swaps.html", {
        "to_me": to_me, "mine": mine, "kinds": SWAP_KINDS, "form": form or {},
        "colleagues": list(zip(colleagues["agent_id"], colleagues["name"], strict=True)),
        "check": check, "error": error, "message": message,
        "notice_hours": store.config.swaps.min_notice_hours}, status_code=status_code)


@router.get("/swaps", response_class=HTMLResponse)
def read_my_swaps(*, request: Request, store: StoreDep, agent: PageAgent,
                  message: str = "") -> HTMLResponse:
    return swaps_page(request, store, agent,
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
