"""The planner's what-if page: staffing scenarios side by side over the stored requirement's
load (``wfm.scenarios.compare``, as ``POST /api/v1/scenarios``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.routes.scenarios import MAX_API_SCENARIOS, scenario_load
from api.validation import DateFrom, DateTo
from api.web.render import render
from api.web.session import PagePlanner
from wfm.errors import InvalidInput
from wfm.scenarios import GRID_KEYS, compare

router = APIRouter(prefix="/planner", include_in_schema=False, tags=["pages"])
GridText = Annotated[str, Query(max_length=500)]
FIGURES = ("agent_hours", "scheduled_agent_hours", "fte", "cost", "service_level_pct",
           "asa_seconds", "occupancy_pct", "abandon_pct")


def _grid(fields: dict[str, str]) -> dict[str, Any]:
    """The grid from the form's comma-separated fields (empty fields left out)."""
    grid: dict[str, Any] = {}
    for key, text in fields.items():
        if not text.strip():
            continue
        try:
            grid[key] = [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise InvalidInput(f"{key}: comma-separated numbers expected, got {text!r}") from None
    return grid


@router.get("/scenarios", response_class=HTMLResponse)
def read_scenarios(*, request: Request, store: StoreDep, planner: PagePlanner,
                   day_from: DateFrom = None, day_to: DateTo = None,
                   service_level: GridText = "", answer_within_seconds: GridText = "",
                   max_occupancy: GridText = "", shrinkage: GridText = "",
                   volume_factor: GridText = "", aht_factor: GridText = "",
                   patience_seconds: GridText = "", max_concurrency: GridText = "",
                   ) -> HTMLResponse:
    """Scenarios as columns, figures as rows; the varied values head each column."""
    fields = {"service_level": service_level, "answer_within_seconds": answer_within_seconds,
              "max_occupancy": max_occupancy, "shrinkage": shrinkage,
              "volume_factor": volume_factor, "aht_factor": aht_factor,
              "patience_seconds": patience_seconds, "max_concurrency": max_concurrency}
    rows: list[dict[str, Any]] = []
    error = ""
    grid: dict[str, Any] = {}
    try:
        grid = _grid(fields)
        if grid:
            frame, _ = scenario_load(store, forecast_csv=None, date_from=day_from,
                                     date_to=day_to)
            rows = compare(frame, store.config, grid, label="requirement",
                           limit=MAX_API_SCENARIOS)
    except InvalidInput as failure:
        error = str(failure)
    return render(request, "scenarios.html", {
        "fields": fields, "keys": list(GRID_KEYS), "varied": list(grid), "rows": rows,
        "figures": FIGURES, "error": error, "day_from": day_from, "day_to": day_to,
        "currency": store.config.cost.currency})
