"""The planner's intraday page (issue 25): the day per interval and queue, as
``GET /api/v1/intraday`` gives it (``api.intraday``), with two charts, the day's totals and the
coming short and long periods (where overtime / VTO offers attach)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.intraday import IntradayMissing, IntradayResult, read_intraday, working_of
from api.validation import IsoDate
from api.web.intraday_charts import agents_chart, contacts_chart, day_series
from api.web.render import render, translator
from api.web.session import PagePlanner

router = APIRouter(prefix="/planner", include_in_schema=False, tags=["pages"])


def _rows(result: IntradayResult) -> list[dict[str, Any]]:
    table = result.view.table.assign(working_agents=working_of(result),
                                     clock=[s.strftime("%H:%M") for s in
                                            result.view.table["interval_start"]])
    table = table[(table["forecast_contacts"] > 0) | (table["reforecast_contacts"] > 0)
                  | (table["scheduled_agents"] > 0) | table["actual_offered"].notna()]
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


@router.get("/intraday", response_class=HTMLResponse)
def read_intraday_page(*, request: Request, store: StoreDep, planner: PagePlanner,
                       day: Annotated[IsoDate | None, Query(alias="date")] = None,
                       queue: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    """Today (or ``date``) per interval: forecast, re-forecast and actual contacts, agents
    required, scheduled, effective, working and net, projected service level."""
    t = translator(request, store)
    day = day or store.local_today()
    context: dict[str, Any] = {"day": day, "queue": queue, "queues": [], "missing": []}
    try:
        result = read_intraday(store, day=day, queue=queue)
    except IntradayMissing as error:
        context["missing"] = error.missing
        return render(request, "intraday.html", context)
    label = queue or t.t("accuracy.all_queues")
    series = day_series(result.view.table)
    now = result.now
    updates = [{"queue": q, "spread": s, "done": result.view.updates.get(q)}
               for q, s in result.spreads.items()]
    context.update({
        "result": result, "queues": result.queues, "rows": _rows(result),
        "totals": result.view.totals.to_dict("records"), "periods": result.view.periods,
        "updates": updates, "interval_minutes": store.config.interval_minutes,
        "contacts_chart": contacts_chart(series, t, now=now, title=t.t(
            "intraday.contacts_title", queue=label, day=t.date(day))),
        "agents_chart": agents_chart(series, t, now=now, title=t.t(
            "intraday.agents_title", queue=label, day=t.date(day)))})
    return render(request, "intraday.html", context)
