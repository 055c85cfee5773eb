"""The live adherence page for supervisors, its parts that poll, and an agent's own status.

``/planner/live`` shows ``GET /api/v1/adherence/live`` (the same ``api.live`` board) as a table
that htmx reloads every ``POLL_SECONDS``: agents out of adherence longer than ``[adherence]
alert_after_minutes`` first and highlighted. ``/planner/live/badge`` is the count the
navigation bar loads beside the page's link. ``/me/live`` is an agent's own line, shown on its
schedule page (``live_status``). Without script the page still shows the board as of its load.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.live import LiveView, tracker_of
from api.models import User
from api.store import Store
from api.validation import NO_NUL
from api.web.render import render
from api.web.session import PageAgent, PagePlanner

planner_router = APIRouter(prefix="/planner/live", include_in_schema=False, tags=["pages"])
agent_router = APIRouter(prefix="/me/live", include_in_schema=False, tags=["pages"])
POLL_SECONDS = 5
Filter = Annotated[str, Query(max_length=200, pattern=NO_NUL)]


def _board(request: Request, store: Store, *, queue: str = "", team: str = "",
           agent_ids: list[str] | None = None) -> dict[str, Any]:
    view: LiveView = tracker_of(request.app.state, store).view(
        agent_ids=agent_ids, queue=queue or None, team=team or None)
    alert = store.config.adherence.alert_after_minutes
    rows = [{**item, "alert": not item["in_adherence"] and item["out_minutes"] > alert,
             "since": _moment(item["since"]), "out_since": _moment(item["out_since"])}
            for item in view.items]
    rows.sort(key=lambda r: not r["alert"])  # stable: the API's order inside each group
    return {"as_of": view.as_of, "rows": rows, "alerts": view.alerts, "alert_after": f"{alert:g}",
            "out": sum(not r["in_adherence"] for r in rows)}


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@planner_router.get("", response_class=HTMLResponse)
def read_live_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                   queue: Filter = "", team: Filter = "") -> HTMLResponse:
    """The board with its filters; the table part reloads itself."""
    query = urlencode({k: v for k, v in (("queue", queue), ("team", team)) if v})
    return render(request, "live.html", {
        **_board(request, store, queue=queue, team=team), "queue": queue, "team": team,
        "queues": sorted({str(q) for q in store.config.queues} | _skills(store)),
        "table_url": "/planner/live/table" + (f"?{query}" if query else ""),
        "poll": POLL_SECONDS})


@planner_router.get("/table", response_class=HTMLResponse)
def read_live_table(*, request: Request, store: StoreDep, planner: PagePlanner,
                    queue: Filter = "", team: Filter = "") -> HTMLResponse:
    return render(request, "_live_table.html", _board(request, store, queue=queue, team=team))


@planner_router.get("/badge", response_class=HTMLResponse)
def read_live_badge(*, request: Request, store: StoreDep, planner: PagePlanner) -> HTMLResponse:
    view = tracker_of(request.app.state, store).view()
    return render(request, "_live_badge.html", {"alerts": view.alerts})


@agent_router.get("", response_class=HTMLResponse)
def read_my_live(*, request: Request, store: StoreDep, agent: PageAgent) -> HTMLResponse:
    return render(request, "_live_me.html", {"live": live_status(request, store, agent)})


def live_status(request: Request, store: Store, agent: User) -> dict[str, Any] | None:
    """The agent's own live line (None when no shift of its is near now)."""
    rows = _board(request, store, agent_ids=[str(agent.agent_id)])["rows"]
    return rows[0] if rows else None


def _skills(store: Store) -> set[str]:
    frame = store.agents_frame()
    return {str(s) for skills in frame.get("skills", []) for s in skills}
