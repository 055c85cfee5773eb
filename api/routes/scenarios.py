"""What-if staffing scenarios over a forecast (``wfm.scenarios``): staffing only, no roster.

The grid is computed in the web server's process (vectorised, a few seconds for a year of
intervals); ``wfm scenarios`` runs larger grids, and roster re-solves, as Ray tasks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import FORBIDDEN, PROTECTED, TOO_LARGE, CurrentPlanner, StoreDep
from api.schemas import INVALID
from api.store import Store
from api.validation import NO_NUL
from wfm.errors import InvalidInput
from wfm.scenarios import compare
from wfm.tables import FORECAST, read_table_text

router = APIRouter(prefix="/api/v1/scenarios", tags=["scenarios"], responses=PROTECTED)
MAX_API_SCENARIOS = 200  # each a vectorised staffing pass in the request


class ScenariosRequest(BaseModel):
    """A grid (key -> values) over a forecast: ``forecast_csv``, or else the load (contacts,
    AHT) of the stored requirement between ``from`` and ``to``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    grid: dict[str, list[float] | float] = Field(default_factory=dict)
    forecast_csv: str | None = Field(None, max_length=50_000_000, pattern=NO_NUL)
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")


class Figures(BaseModel):
    """A scenario's figures, for the whole site or one queue."""

    contacts: float
    agent_hours: float
    scheduled_agent_hours: float
    fte: float
    cost: float | None
    service_level_pct: float | None
    asa_seconds: float | None
    occupancy_pct: float | None
    abandon_pct: float | None


class QueueFigures(Figures):
    model: str


class ScenarioPublic(Figures):
    """One scenario's values (``values``) and figures, overall and per queue."""

    scenario: str
    index: int
    values: dict[str, float]
    queues: dict[str, QueueFigures]


class ScenariosPublic(BaseModel):
    data: list[ScenarioPublic]
    count: int
    source: str


def scenario_load(store: Store, *, forecast_csv: str | None, date_from: date | None,
                  date_to: date | None) -> tuple[pd.DataFrame, str]:
    """The forecast to staff and where it came from (``forecast_csv`` or the stored
    requirement)."""
    if forecast_csv is not None:
        return read_table_text(forecast_csv, FORECAST, timezone=store.config.timezone,
                               label="forecast_csv"), "forecast_csv"
    stored = store.requirement_frame(date_from=date_from, date_to=date_to)
    if stored.empty:
        raise InvalidInput("no forecast: send forecast_csv, or POST /api/v1/requirements "
                           "(its contacts and AHT are the load) for these dates")
    return stored[["interval_start", "queue", "contacts", "aht_seconds"]], "requirement"


def public_rows(rows: list[dict[str, Any]], keys: set[str]) -> list[ScenarioPublic]:
    out = []
    for row in rows:
        values = {key: row[key] for key in keys if key in row}
        figures = {k: v for k, v in row.items() if k not in keys}
        out.append(ScenarioPublic(values=values, **figures))
    return out


@router.post("", response_model=ScenariosPublic,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def compare_scenarios(*, store: StoreDep, planner: CurrentPlanner,
                      request: ScenariosRequest) -> ScenariosPublic:
    """Staff the forecast under every scenario of the grid: hours, FTE, cost, service level,
    ASA, occupancy and abandon rate per scenario (unknown grid key: 422 naming it)."""
    frame, source = scenario_load(store, forecast_csv=request.forecast_csv,
                                  date_from=request.date_from, date_to=request.date_to)
    rows = compare(frame, store.config, dict(request.grid), label=source,
                   limit=MAX_API_SCENARIOS)
    data = public_rows(rows, set(request.grid))
    return ScenariosPublic(data=data, count=len(data), source=source)
