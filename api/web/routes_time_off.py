"""Time-off pages: the agent's requests (pre-check, send, cancel) and balances, and the
planner's queue (fresh verdict and coverage impact with service level, approve or reject with
a reason), the sick leave recorded on the day, and the history.

Both sides call the store exactly as ``/api/v1/time-off`` does: the pre-check is the store's
``check_time_off`` (the verdict ``create_time_off`` reaches, minimum notice included, without
recording), sending is ``create_time_off``, deciding is ``transition_time_off``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.models import TimeOffRequest, User
from api.schemas import TimeOffStatus
from api.store import Actor, Store
from api.web.cache import cached
from api.web.i18n import catalog
from api.web.precheck import below_requirement
from api.web.render import render, translator
from api.web.session import CsrfChecked, PageAgent, PagePlanner
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected
from wfm.requests.time_off import MAX_DATES, REST_DAY
from wfm.requests.time_off_impact import Part

agent_router = APIRouter(prefix="/me/time-off", include_in_schema=False, tags=["pages"])
planner_router = APIRouter(prefix="/planner/time-off", include_in_schema=False, tags=["pages"])
MINE_SHOWN = 100
QUEUE_LIMIT = 200  # open requests shown with a fresh verdict
FLAGGED_SHOWN = 50
HISTORY_PAGE = 50
IMPACT_SHOWN = 12  # intervals below requirement listed per request
STATUSES = get_args(TimeOffStatus)  # the filter offers every status a request can have


def kind_names(request: Request, store: Store) -> dict[str, str]:
    """Every kind an agent may ask for with its label: the catalog's text for the built-in
    kinds, the configured name itself for a site's own kinds."""
    t = translator(request, store)
    known = catalog(t.locale)
    kinds = [*sorted(store.config.time_off.kinds), REST_DAY]
    return {k: t.t(f"leavekind.{k}") if f"leavekind.{k}" in known else k for k in kinds}


def impact_view(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Intervals the request leaves below requirement, and the lowest service level after
    (with that interval's before and target) among all affected intervals."""
    view: dict[str, Any] = {"below": below_requirement(rows), "affected": len(rows)}
    if rows:
        worst = min(rows, key=lambda r: float(r["service_level_after"]))
        view["worst"] = worst
    return view


def current_check(store: Store, request: TimeOffRequest) -> dict[str, Any]:
    """The request's verdict on the current roster, balance and team, with its impact."""
    part = (Part(request.part_start, request.part_end)
            if request.part_start and request.part_end else None)
    dates = [date.fromisoformat(d) for d in json.loads(request.dates)]
    try:
        verdict, _, _ = store.check_time_off(agent_id=request.requester_id, kind=request.kind,
                                             dates=dates, part=part)
    except (InvalidInput, NotFound) as error:
        return {"violations": [], "check_error": str(error),
                **impact_view(json.loads(request.impact))}
    return {"violations": verdict.violations, "check_error": "",
            **impact_view(verdict.impact)}


def current_checks(store: Store, requests: list[TimeOffRequest]) -> list[dict[str, Any]]:
    """``current_check`` of each request, kept until the stored data changes
    (``api.web.cache``), so re-opening the queue does not judge every request again."""
    key = ("time-off-checks", tuple((r.id, r.kind, r.requester_id, r.dates, r.part_start,
                                     r.part_end) for r in requests))
    return cached(store, key, lambda: [current_check(store, r) for r in requests])


def request_view(store: Store, request: TimeOffRequest, *,
                 check: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request for a template, with its ``check`` on the current data if given (else the
    impact stored with it)."""
    view: dict[str, Any] = {"r": request,
                            "dates": [date.fromisoformat(d) for d in json.loads(request.dates)],
                            "history": store.time_off_history(request_id=request.id),
                            "days": request.cost_millidays / 1000}
    view.update(check if check is not None else impact_view(json.loads(request.impact)))
    return view


# ---- agent ---------------------------------------------------------------------------------
def dates_of(kind: str, first: str, last: str) -> list[date]:
    """A leave's dates ``first``..``last`` (one day without ``last``); a rest-day change's
    ``[off_date, new_off_date]``."""
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last.strip() else None
    except ValueError:
        raise InvalidInput("dates must be YYYY-MM-DD", field="first_date") from None
    if kind == REST_DAY:
        if end is None:
            raise InvalidInput("a rest-day change needs the new rest day", field="last_date")
        return [start, end]
    end = end or start
    if end < start:
        raise InvalidInput("the last date is before the first", field="last_date")
    if (end - start).days >= MAX_DATES:
        raise InvalidInput(f"at most {MAX_DATES} dates in one request", field="last_date")
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


def my_page(request: Request, store: Store, agent: User, *, form: dict[str, Any] | None = None,
            check: dict[str, Any] | None = None, error: str = "", message: str = "",
            status_code: int = 200) -> HTMLResponse:
    me = str(agent.agent_id)
    items, _ = store.list_time_off(status=None, agent_id=me, page=1, page_size=MINE_SHOWN)
    year = store.local_today().year
    return render(request, "my_time_off.html", {
        "mine": [request_view(store, r) for r in reversed(items)],
        "balances": store.leave_balances(agent_id=me, year=year), "year": year,
        "kinds": kind_names(request, store), "rest_day": REST_DAY, "form": form or {},
        "check": check, "error": error, "message": message,
        "notice_hours": store.config.time_off.min_notice_hours,
        "interval_minutes": store.config.interval_minutes,
        "impact_shown": IMPACT_SHOWN}, status_code=status_code)


@agent_router.get("", response_class=HTMLResponse)
def read_my_time_off(*, request: Request, store: StoreDep, agent: PageAgent,
                     message: str = "") -> HTMLResponse:
    """My requests with their status and history, my balances, the request form."""
    return my_page(request, store, agent,
                   message=message if message.startswith("mytimeoff.done_") else "")


@agent_router.post("", response_class=HTMLResponse, dependencies=[CsrfChecked])
def request_time_off(*, request: Request, store: StoreDep, agent: PageAgent,
                     kind: Annotated[str, Form()], first_date: Annotated[str, Form()],
                     last_date: Annotated[str, Form()] = "",
                     part_start: Annotated[str, Form()] = "",
                     part_end: Annotated[str, Form()] = "",
                     reason: Annotated[str, Form()] = "",
                     action: Annotated[str, Form()] = "check") -> Response:
    """``action=check``: the store's verdict without recording; ``action=send``: record."""
    form = {"kind": kind, "first_date": first_date, "last_date": last_date,
            "part_start": part_start, "part_end": part_end, "reason": reason}
    me = str(agent.agent_id)
    try:
        dates = dates_of(kind, first_date, last_date)
        if bool(part_start.strip()) != bool(part_end.strip()):
            raise InvalidInput("part of a shift needs both a start and an end", field="part")
        part = Part(part_start.strip(), part_end.strip()) if part_start.strip() else None
        if action != "send":
            verdict, problems, same_day = store.check_time_off(agent_id=me, kind=kind,
                                                               dates=dates, part=part)
            return my_page(request, store, agent, form=form, check={
                "violations": problems, "before": verdict.before, "after": verdict.after,
                "days": sum(verdict.cost_millidays.values()) / 1000, "same_day": same_day,
                "starts_at": verdict.starts_at, **impact_view(verdict.impact)})
        created = store.create_time_off(actor=Actor.of(agent), kind=kind, dates=dates,
                                        part=part, reason=reason.strip()[:2000])
    except SwapRejected as error:
        return my_page(request, store, agent, form=form, status_code=422, check={
            "violations": error.violations, "before": [], "after": [], "refused": True})
    except (InvalidInput, NotFound) as error:
        return my_page(request, store, agent, form=form, error=str(error), status_code=422)
    return RedirectResponse(f"/me/time-off?message=mytimeoff.done_{created.status}",
                            status_code=303)


@agent_router.post("/{request_id}/cancel", dependencies=[CsrfChecked])
def cancel_time_off(*, request: Request, store: StoreDep, agent: PageAgent, request_id: int,
                    reason: Annotated[str, Form()] = "") -> Response:
    """Withdraw one of my requests while it waits for a planner."""
    try:
        if store.get_time_off(request_id=request_id).requester_id != agent.agent_id:
            raise HTTPException(403, "forbidden.not_yours")
        store.transition_time_off(request_id=request_id, action="cancel",
                                  actor=Actor.of(agent), reason=reason.strip()[:2000])
    except (Conflict, NotFound) as error:
        return my_page(request, store, agent, error=str(error),
                       status_code=409 if isinstance(error, Conflict) else 404)
    return RedirectResponse("/me/time-off?message=mytimeoff.done_cancelled", status_code=303)


# ---- planner -------------------------------------------------------------------------------
@planner_router.get("", response_class=HTMLResponse)
def read_time_off_queue(*, request: Request, store: StoreDep, planner: PagePlanner,
                        status: TimeOffStatus | None = None, agent: str = "",
                        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                        message: str = "", error: str = "") -> HTMLResponse:
    """Open requests with a fresh verdict and impact; sick leave recorded on the day; history."""
    pending, _ = store.list_time_off(status="requested", agent_id=None, page=1,
                                     page_size=QUEUE_LIMIT)
    _, flagged_total = store.list_time_off(status="recorded", agent_id=None, flagged=True,
                                           page=1, page_size=1)
    last_page = max(1, -(-flagged_total // FLAGGED_SHOWN))
    flagged, _ = store.list_time_off(status="recorded", agent_id=None, flagged=True,
                                     page=last_page, page_size=FLAGGED_SHOWN)
    history, total = store.list_time_off(status=status, agent_id=agent.strip() or None,
                                         page=page, page_size=HISTORY_PAGE)
    return render(request, "time_off.html", {
        "pending": [request_view(store, r, check=c)
                    for r, c in zip(pending, current_checks(store, pending), strict=True)],
        "flagged": [request_view(store, r) for r in reversed(flagged)],
        "history": [request_view(store, r) for r in reversed(history)],
        "total": total, "page": page, "pages": max(1, -(-total // HISTORY_PAGE)),
        "status": status or "", "agent": agent, "statuses": STATUSES, "error": error,
        "kinds": kind_names(request, store), "impact_shown": IMPACT_SHOWN,
        "message": message if message.startswith("timeoff.done_") else ""})


@planner_router.post("/{request_id}/decide", dependencies=[CsrfChecked])
def decide_time_off(*, request: Request, store: StoreDep, planner: PagePlanner,
                    request_id: int, decision: Annotated[str, Form()],
                    reason: Annotated[str, Form()] = "") -> Response:
    """Approve (write the leave into the roster) or reject; the store re-validates."""
    action = "approve" if decision == "approve" else "reject"
    try:
        done = store.transition_time_off(request_id=request_id, action=action,
                                         actor=Actor.of(planner), reason=reason.strip()[:2000])
    except (Conflict, NotFound) as error:
        page = read_time_off_queue(request=request, store=store, planner=planner,
                                   error=str(error))
        page.status_code = 409 if isinstance(error, Conflict) else 404
        return page
    return RedirectResponse(f"/planner/time-off?message=timeoff.done_{done.status}",
                            status_code=303)
