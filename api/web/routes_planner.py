"""Planner pages that read: the roster grid, coverage, adherence and forecast accuracy."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import MAX_ID, StoreDep
from api.routes.adherence import default_period_end, stored_report
from api.store import Actor, Store
from api.store.facade import UNSEEN_AHEAD_DAYS
from api.validation import DateFrom, DateTo, IsoDate
from api.web.cache import cached
from api.web.charts import (
    accuracy_chart,
    adherence_chart,
    coverage_frame,
    day_chart,
    timeline_chart,
    week_chart,
    week_summary,
)
from api.web.grid import build_grid
from api.web.i18n import Translator
from api.web.render import render, translator
from api.web.session import CsrfChecked, PagePlanner
from wfm.adherence import AdherenceReport, reason_items
from wfm.adherence.reasons import CAUSES
from wfm.errors import InvalidInput
from wfm.forecast.accuracy import MIN_DRIFT_DAYS

router = APIRouter(prefix="/planner", include_in_schema=False, tags=["pages"])
PageDate = Annotated[IsoDate | None, Query()]
MAX_GRID_DAYS = 42
GRID_PAGE_AGENTS = 250  # rows per grid page; ?per_page= up to 2,000


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_start(store: Store) -> date:
    """The Monday of this week when the roster reaches it, else the Monday of the roster's
    last week (a roster imported for the past or far ahead is still found)."""
    start = monday(store.local_today())
    _, rows = store.roster_frame(date_from=start, date_to=start + timedelta(days=6))
    if not rows.empty:
        return start
    _, rows = store.roster_frame(date_from=start - timedelta(days=366),
                                 date_to=start + timedelta(days=366))
    if rows.empty:
        return start
    ahead = rows[rows["date"] >= start]
    return monday(ahead["date"].min() if not ahead.empty else rows["date"].max())


@router.get("/roster", response_class=HTMLResponse)
def read_roster_grid(*, request: Request, store: StoreDep, planner: PagePlanner,
                     day_from: DateFrom = None,
                     days: Annotated[int, Query(ge=1, le=MAX_GRID_DAYS)] = 14,
                     queue: str = "", q: str = "",
                     page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                     per_page: Annotated[int, Query(ge=10, le=2000)] = GRID_PAGE_AGENTS,
                     ) -> HTMLResponse:
    """Agents x days, cells coloured by shift type, the checker's problems on their cells."""
    start = day_from or default_start(store)
    # the whole grid (rows, counts, problems) is kept until the stored data changes, so
    # re-opening or paging back costs only the rendering; the first view builds it
    t = translator(request, store)
    grid = cached(store, ("grid-page", t.locale, start, days, queue, q, page, per_page),
                  lambda: build_grid(store, t=t, day_from=start, num_days=days, queue=queue,
                                     search=q, offset=(page - 1) * per_page, limit=per_page))
    pages = max(1, -(-grid.total_agents // per_page))
    return render(request, "roster.html", {
        "grid": grid, "start": start, "days": days, "queue": queue, "q": q,
        "queues": grid.queues,
        "page": page, "pages": pages, "per_page": per_page,
        "prev_start": start - timedelta(days=7), "next_start": start + timedelta(days=7)})


@router.get("/coverage", response_class=HTMLResponse)
def read_coverage(*, request: Request, store: StoreDep, planner: PagePlanner,
                  day: PageDate = None, queue: str = "") -> HTMLResponse:
    """Required vs scheduled per interval for a day and queue; the week's shortfall per day."""
    t = translator(request, store)
    day = day or default_start(store)
    week = [monday(day) + timedelta(days=k) for k in range(7)]
    table = coverage_frame(store, week[0], week[-1])
    queues = sorted(set(table["queue"].astype(str))) if not table.empty else []
    queue = queue if queue in queues else (queues[0] if queues else "")
    today = table[(table["day"] == day) & (table["queue"] == queue)]
    chart = ""
    if not today.empty:
        chart = day_chart(today, t, title=t.t("coverage.chart_title", queue=queue,
                                              day=t.date(day)))
    summary = week_summary(table, week, queue, store.config.interval_minutes)
    short = today[today["shortfall"] > 0]
    return render(request, "coverage.html", {
        "day": day, "queue": queue, "queues": queues, "chart": chart, "rows": today,
        "short": short, "summary": summary,
        "short_hours": float(short["shortfall"].sum()) * store.config.interval_minutes / 60,
        "week_chart": week_chart(summary, t, title=t.t("coverage.week_title", queue=queue))
        if queue else "", "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1)})


def period_report(store: Store, day_from: date, day_to: date
                  ) -> tuple[AdherenceReport | None, dict[str, str]]:
    """The adherence report of a period and the agents' names, from the stored roster, events
    and exceptions as ``GET /api/v1/adherence`` reads them (None: no roster in the period)."""
    return stored_report(store, agent_ids=None, date_from=day_from, date_to=day_to)


@router.get("/adherence", response_class=HTMLResponse)
def read_adherence(*, request: Request, store: StoreDep, planner: PagePlanner,
                   day_from: DateFrom = None, day_to: DateTo = None,
                   agent: Annotated[str, Query(max_length=64)] = "",
                   day: PageDate = None, message: str = "", error: str = "",
                   status_code: int = 200) -> HTMLResponse:
    """Per-agent adherence over a period, largest gap to the target first, with names, the
    minutes lost by cause, what the stored events cover, the exceptions (and a form to add
    one), and, with ``agent`` and ``day``, that agent-day as a time line.

    The period ends by default where ``GET /api/v1/adherence`` ends it (today or the last
    stored login event), and begins a week before that end."""
    t = translator(request, store)
    day_to = day_to or default_period_end(store)
    day_from = day_from or day_to - timedelta(days=6)
    target = float(store.config.adherence.target_pct)
    agents = pd.DataFrame()
    team: dict[str, object] = {}
    items: list[dict[str, object]] = []
    coverage: dict[str, object] = {}
    rows = pd.DataFrame()
    if day_from <= day_to:
        report, names = cached(store, ("adherence", day_from, day_to),
                               lambda: period_report(store, day_from, day_to))
        if report is not None:
            agents, team, coverage, rows = (report.agents, report.team, report.coverage,
                                            report.rows)
            items = reason_items(agents, target, names)
    if not agents.empty:
        agents = agents[agents["scheduled_minutes"] > 0]
        agents = agents.assign(_low=~agents["below_target"].astype(bool)).sort_values(
            ["_low", "adherence_pct", "agent_id"], na_position="first")
    chart = adherence_chart(agents, target, t) if not agents.empty else ""
    days: list[dict[Hashable, Any]] = []
    timeline = ""
    if agent and not rows.empty:
        mine = rows[(rows["agent_id"] == agent) & (rows["scheduled_minutes"] > 0)]
        days = mine[["date", "shift", "adherence_pct"]].to_dict("records")
        if day is None and days:
            day = days[0]["date"]  # type: ignore[assignment]
        if day is not None:
            timeline = agent_timeline(store, t, agent, day)
    return render(request, "adherence.html", {
        "day_from": day_from, "day_to": day_to, "agents": agents.to_dict("records"),
        "items": items, "team": team, "target": target, "chart": chart,
        "coverage": coverage, "exceptions": store.list_exceptions(
            date_from=day_from, date_to=day_to), "agent": agent, "day": day,
        "agent_days": days, "timeline": timeline, "error": error,
        "message": message if message in ("adherence.excused", "adherence.withdrawn") else "",
        "causes": CAUSES}, status_code=status_code)


def agent_timeline(store: Store, t: Translator, agent_id: str, day: date) -> str:
    """The SVG time line of one agent-day (scheduled against actual)."""
    from wfm.adherence.timeline import agent_day_timeline
    from wfm.teams import team_of

    _, roster = store.roster_frame(agent_ids=[agent_id], date_from=day - timedelta(days=1),
                                   date_to=day + timedelta(days=1))
    if roster.empty:
        return ""
    people = store.agents_frame()
    teams = {a: team_of(k) for a, k in zip(people["agent_id"], people["skills"], strict=True)}
    worked, config, original = store.offers.worked_roster(roster)  # as GET /api/v1/adherence
    line = agent_day_timeline(worked, config, store.events_frame(agent_ids=[agent_id]),
                              agent_id, day, exceptions=store.exceptions_frame(
                                  date_from=day - timedelta(days=1),
                                  date_to=day + timedelta(days=1)), teams=teams)
    if original:  # the roster's shift codes on the chart
        line = replace(line, shifts=[(s, e, original.get(c, c)) for s, e, c in line.shifts])
    return timeline_chart(line, store.config.timezone, t,
                          title=t.t("adherence.tl_title", agent=agent_id, day=day.isoformat()))


@router.post("/adherence/exceptions", dependencies=[CsrfChecked])
def create_exception_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                          start: Annotated[str, Form()], end: Annotated[str, Form()],
                          reason: Annotated[str, Form(max_length=2000)],
                          agent_id: Annotated[str, Form(max_length=64)] = "",
                          team: Annotated[str, Form(max_length=400)] = "",
                          day_from: Annotated[str, Form(alias="from")] = "",
                          day_to: Annotated[str, Form(alias="to")] = "") -> Response:
    """Excuse a period (the form of the adherence page), as ``POST
    /api/v1/adherence/exceptions`` does; times are site time."""
    back = f"from={day_from}&to={day_to}" if day_from and day_to else ""
    try:
        times = []
        for name, text in (("start", start), ("end", end)):
            try:
                times.append(datetime.fromisoformat(text.strip()).replace(
                    tzinfo=store.config.tz))
            except ValueError:
                raise InvalidInput(f"{name} must be a date and time, got {text!r}") from None
        store.create_exception(agent_id=agent_id, team=team, start=times[0], end=times[1],
                               reason=reason, actor=Actor.of(planner))
    except InvalidInput as failure:
        return read_adherence(request=request, store=store, planner=planner,
                              day_from=_day(day_from), day_to=_day(day_to),
                              error=str(failure), status_code=422)
    return RedirectResponse(f"/planner/adherence?{back}&message=adherence.excused",
                            status_code=303)


@router.post("/adherence/exceptions/{exception_id}/delete", dependencies=[CsrfChecked])
def delete_exception_page(*, store: StoreDep, planner: PagePlanner,
                          exception_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
                          day_from: Annotated[str, Form(alias="from")] = "",
                          day_to: Annotated[str, Form(alias="to")] = "") -> Response:
    """Withdraw an exception (audited)."""
    store.delete_exception(exception_id=exception_id, actor=Actor.of(planner),
                           reason="withdrawn on the adherence page")
    back = f"from={day_from}&to={day_to}" if day_from and day_to else ""
    return RedirectResponse(f"/planner/adherence?{back}&message=adherence.withdrawn",
                            status_code=303)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/accuracy", response_class=HTMLResponse)
def read_accuracy(*, request: Request, store: StoreDep, planner: PagePlanner,
                  queue: Annotated[str, Query(max_length=64)] = "",
                  day_to: DateTo = None) -> HTMLResponse:
    """Published forecasts against the actuals per day and week over the last 4 weeks (up to
    ``to``, default the last date with actuals): WAPE, bias and the drift flag."""
    t = translator(request, store)
    report, queues = store.forecast_accuracy(queue=queue, last_day=day_to)
    window = report.window
    chart = ""
    if not report.days.empty:
        chart = accuracy_chart(report.days, t, title=t.t(
            "accuracy.chart_title", queue=queue or t.t("accuracy.all_queues")))
    last = day_to or window.last_day
    unseen = store.unseen_holidays(after=last, queue=queue) if last is not None else []
    return render(request, "accuracy.html", {
        "queue": queue, "queues": queues, "day_to": last,
        "window": window, "weeks": report.weeks.to_dict("records"),
        "days": report.days.to_dict("records"), "chart": chart, "min_days": MIN_DRIFT_DAYS,
        "unseen": unseen, "unseen_days": UNSEEN_AHEAD_DAYS})
