"""Published forecasts (kept with model and origin) and their accuracy against the actuals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import (
    CSV_BODY,
    FORBIDDEN,
    PROTECTED,
    TOO_LARGE,
    ActorDep,
    CurrentPlanner,
    StoreDep,
)
from api.schemas import (
    INVALID,
    AccuracyPublic,
    ForecastPublic,
    ForecastsPublic,
)
from api.uploads import CsvBytes, read_upload
from api.validation import NO_NUL, DateTo, IsoDate, ReasonQuery
from wfm.errors import InvalidInput
from wfm.intraday import UpdateSpread
from wfm.tables import FORECAST

router = APIRouter(prefix="/api/v1/forecasts", tags=["forecasts"], responses=PROTECTED)
ModelQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=NO_NUL,
                                  description="the model that made it (e.g. mean_4w)")]
QueueQuery = Annotated[str, Query(max_length=64, pattern=NO_NUL,
                                  description="one queue; empty: all queues")]


SigmaQuery = Annotated[float | None, Query(
    gt=0, le=5, description="the intraday update's day-level spread its backtest measured (the "
    "spread of log(actual / forecast) daily totals, `wfm forecast` JSON `models.*`); unset: "
    "the default 0.15")]
DispersionQuery = Annotated[float | None, Query(
    ge=0, le=100, description="with day_sigma: the extra-Poisson dispersion its backtest "
    "measured (unset: 0, Poisson)")]


@router.post("", status_code=201, response_model=ForecastPublic, openapi_extra=CSV_BODY,
             responses={**FORBIDDEN, **TOO_LARGE, **INVALID})
def publish_forecast(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                     body: CsvBytes, response: Response, model: ModelQuery,
                     origin: Annotated[IsoDate | None, Query()] = None,
                     reason: ReasonQuery = "", day_sigma: SigmaQuery = None,
                     dispersion: DispersionQuery = None,
                     block_dispersion: DispersionQuery = None) -> ForecastPublic:
    """Keep a forecast CSV with its model and origin (default: its first local date); every
    publication is kept, none replaced. With ``day_sigma`` (and ``dispersion``,
    ``block_dispersion``) it keeps the spread its backtest measured, which the intraday view
    (``GET /api/v1/intraday``) re-forecasts the day with; without, the view uses the default."""
    if day_sigma is None and (dispersion is not None or block_dispersion is not None):
        raise InvalidInput("dispersion and block_dispersion need day_sigma, the spread they "
                           "were measured with", field="day_sigma")
    spread = None if day_sigma is None else UpdateSpread(
        day_sigma, dispersion or 0.0, block_dispersion or 0.0, "backtest")
    frame = read_upload(body, FORECAST, timezone=store.config.timezone, label="forecast",
                        response=response)
    published = store.publish_forecast(frame=frame, model=model, origin=origin, actor=actor,
                                       reason=reason, spread=spread)
    return ForecastPublic.model_validate(published)


@router.get("", response_model=ForecastsPublic, responses=FORBIDDEN)
def read_forecasts(*, store: StoreDep, planner: CurrentPlanner) -> ForecastsPublic:
    """Every published forecast, the latest first."""
    items = [ForecastPublic.model_validate(f) for f in store.published_forecasts()]
    return ForecastsPublic(items=items, total=len(items))


@router.get("/accuracy", response_model=AccuracyPublic, responses=FORBIDDEN)
def read_forecast_accuracy(*, store: StoreDep, planner: CurrentPlanner, queue: QueueQuery = "",
                           day_to: DateTo = None,
                           weeks: Annotated[int, Query(ge=1, le=26)] = 4) -> AccuracyPublic:
    """Forecast against actual per day and week over the ``weeks`` weeks ending ``to``
    (default: the last date with actuals): WAPE, bias, the bias's noise and the drift flag."""
    report, queues = store.forecast_accuracy(queue=queue, last_day=day_to, weeks=weeks)
    return AccuracyPublic.model_validate({
        "queue": queue, "queues": queues, "window": report.window.record(),
        "weeks": report.weeks.to_dict("records"), "days": report.days.to_dict("records")})
