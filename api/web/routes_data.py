"""The planner's data page: CSV uploads, roster solves with their progress, the audit log.

An upload goes through exactly what the JSON routes run (``api.uploads.read_upload`` with the
same table spec, then the store's import), so validation, the rule check on import and the
all-or-nothing transaction are the API's; the page only shows the outcome. The uploaded file's
name is the label of the check, so an error names the file, its line and its field.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.schemas import SolveRequest
from api.solve_queue import start_solve
from api.store import Actor, Store
from api.uploads import encoding_note, read_upload
from api.validation import DateFrom, DateTo
from api.web.cache import cached
from api.web.charts import coverage_frame
from api.web.render import render
from api.web.session import CsrfChecked, PagePlanner
from wfm.coverage import StaffingGap, staffing_gap
from wfm.errors import InvalidInput, SwapRejected
from wfm.states import map_states
from wfm.tables import AGENTS, LOGIN_EVENTS, REQUIREMENT, ROSTER, TableSpec, decode_csv
from wfm.validation import check_known_agents

router = APIRouter(prefix="/planner", include_in_schema=False, tags=["pages"])
UPLOADS: dict[str, TableSpec] = {"agents": AGENTS, "roster": ROSTER,
                                 "requirement": REQUIREMENT, "events": LOGIN_EVENTS}
VIOLATIONS_SHOWN = 50
AUDIT_PAGE = 50


def _import(store: Store, kind: str, frame: Any, actor: Actor, reason: str,
            force: bool, label: str) -> dict[str, Any]:
    """The store import of ``kind`` (as the JSON route calls it) and what to report."""
    if kind == "agents":
        rows, violations = store.import_agents(frame=frame, actor=actor, reason=reason,
                                               force=force)
        return {"rows": rows, "forced": violations}
    if kind == "roster":
        version = store.import_roster(frame=frame, actor=actor, reason=reason, force=force)
        return {"rows": len(frame), "version": version}
    if kind == "requirement":
        return {"rows": store.import_requirement(frame=frame, actor=actor, reason=reason)}
    # the site's state names -> wfm's, as the events route does; unknown: an error naming it
    frame = map_states(frame, store.config.adherence.states, label=label)
    check_known_agents(frame, store.agents_frame(), table="login events table", label=label)
    inserted, duplicates = store.add_events(frame=frame, actor=actor)
    return {"rows": len(frame), "inserted": inserted, "duplicates": duplicates}


def data_page(request: Request, store: Store, *, result: dict[str, Any] | None = None,
              status_code: int = 200) -> HTMLResponse:
    job_id = request.query_params.get("job", "")
    return render(request, "data.html", {
        "result": result or {}, "kinds": list(UPLOADS), "job_id": job_id,
        "time_limit": store.config.roster.time_limit_seconds,
        "agents_count": len(store.agents_frame())}, status_code=status_code)


@router.get("/data", response_class=HTMLResponse)
def read_data(*, request: Request, store: StoreDep, planner: PagePlanner) -> HTMLResponse:
    return data_page(request, store)


@router.post("/data/upload/{kind}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def upload_table(*, request: Request, store: StoreDep, planner: PagePlanner, kind: str,
                       file: Annotated[UploadFile, File()],
                       reason: Annotated[str, Form()] = "",
                       force: Annotated[bool, Form()] = False) -> HTMLResponse:
    """Validate and import one CSV; the page lists what was imported or every error."""
    if kind not in UPLOADS:
        raise HTTPException(404, "not_found")
    label = (file.filename or kind).rsplit("/", 1)[-1] or kind
    result: dict[str, Any] = {"kind": kind, "file": label}
    body = await file.read()  # bytes: read_upload detects the encoding as the API does
    from starlette.concurrency import run_in_threadpool

    def work() -> dict[str, Any]:
        frame = read_upload(body, UPLOADS[kind], timezone=store.config.timezone, label=label)
        outcome = _import(store, kind, frame, Actor.of(planner), reason.strip()[:2000],
                          force and kind in ("agents", "roster"), label)
        return {**outcome, "encoding": encoding_note(frame)}

    try:
        result.update(await run_in_threadpool(work))
    except SwapRejected as error:  # the import breaks roster rules: nothing was stored
        result.update(refused=str(error), violations=error.violations[:VIOLATIONS_SHOWN],
                      more=max(0, len(error.violations) - VIOLATIONS_SHOWN))
        return data_page(request, store, result=result, status_code=422)
    except InvalidInput as error:
        result["error"] = error
        return data_page(request, store, result=result, status_code=422)
    return data_page(request, store, result=result)


@router.post("/data/solve", dependencies=[CsrfChecked])
async def start_roster_solve(*, request: Request, store: StoreDep, planner: PagePlanner,
                             time_limit_seconds: Annotated[float | None, Form()] = None,
                             leave: Annotated[UploadFile | None, File()] = None,
                             reason: Annotated[str, Form()] = "") -> Response:
    """Start a solve on the stored requirement and agents (optionally with a leave file)."""
    leave_bytes = await leave.read() if leave is not None and leave.filename else None
    try:
        leave_csv = None if leave_bytes is None else decode_csv(
            leave_bytes, (leave.filename if leave else None) or "leave")[0]
        body = SolveRequest.model_validate({"leave_csv": leave_csv,
                                            "reason": reason.strip()[:2000],
                                            "time_limit_seconds": time_limit_seconds or None})
        job_id = start_solve(store, Actor.of(planner), body)
    except (InvalidInput, ValueError) as error:
        result = {"kind": "solve", "error": error if isinstance(error, InvalidInput)
                  else InvalidInput(str(error))}
        return data_page(request, store, result=result, status_code=422)
    return RedirectResponse(f"/planner/data?job={job_id}#solve", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def read_job_progress(*, request: Request, store: StoreDep, planner: PagePlanner,
                      job_id: str) -> HTMLResponse:
    """The solve's status as a fragment (the data page polls it every second while it runs)."""
    from wfm.errors import NotFound

    try:
        job = store.get_job(job_id=job_id)
    except NotFound:
        raise HTTPException(404, "not_found") from None
    end = job.finished_at or store.clock()
    began = job.started_at or job.created_at  # a queued job's time waiting counts as none
    elapsed = 0.0 if job.status == "queued" else max(0.0, (end - began).total_seconds())
    limit = float(store.config.roster.time_limit_seconds)
    fragment = request.headers.get("hx-request") == "true"
    gap = (cached(store, ("staffing-gap", job.version), lambda: stored_gap(store))
           if job.status == "done" else None)
    position = store.jobs.position(job)
    running = store.jobs.counts().get("running", 0) if position else 0
    return render(request, "_job.html" if fragment else "job.html", {
        "job": job, "elapsed": elapsed, "limit": limit, "gap": gap, "position": position,
        "running": running,
        "fraction": 1.0 if job.status in ("done", "failed", "cancelled")
        else min(elapsed / limit, 0.99)})


@router.post("/jobs/{job_id}/cancel", dependencies=[CsrfChecked])
def cancel_solve(*, request: Request, store: StoreDep, planner: PagePlanner,
                 job_id: str) -> Response:
    """Cancel a queued or running solve, as ``POST /api/v1/jobs/{id}/cancel``."""
    from wfm.errors import Conflict, NotFound

    try:
        store.jobs.cancel(job_id=job_id, actor=Actor.of(planner))
    except NotFound:
        raise HTTPException(404, "not_found") from None
    except Conflict:
        pass  # it finished meanwhile: its page says how
    return RedirectResponse(f"/planner/jobs/{job_id}", status_code=303)


def stored_gap(store: Store) -> StaffingGap | None:
    """How short the stored roster is of the stored requirement, over the requirement's
    dates (what a solve plans), in agents, days and hours; None without a requirement."""
    requirement = store.requirement_frame()
    if requirement.empty:
        return None
    days = pd.DatetimeIndex(requirement["interval_start"]).tz_convert(store.config.tz).date
    table = coverage_frame(store, min(days), max(days))
    return staffing_gap(table, timezone=store.config.timezone,
                        interval_minutes=store.config.interval_minutes)


@router.get("/audit", response_class=HTMLResponse)
def read_audit_log(*, request: Request, store: StoreDep, planner: PagePlanner,
                   day_from: DateFrom = None,
                   day_to: DateTo = None,
                   page: Annotated[int, Query(ge=0, le=100_000)] = 0) -> HTMLResponse:
    """Who changed what, when and why; the newest page first (``page=0``), newest first."""
    _, total = store.read_audit(date_from=day_from, date_to=day_to, page=1, page_size=1)
    pages = max(1, -(-total // AUDIT_PAGE))
    page = page or pages
    items, _ = store.read_audit(date_from=day_from, date_to=day_to, page=page,
                                page_size=AUDIT_PAGE)
    return render(request, "audit.html", {
        "items": list(reversed(items)), "total": total, "page": page, "pages": pages,
        "day_from": day_from, "day_to": day_to})
