"""The intraday view on the stored data (issue 25), shared by ``GET /api/v1/intraday`` and
the planner page ``/planner/intraday``.

It reads the day's published forecast (``IntradayReads.day_forecast``), each queue's intraday
update spread kept with it (``IntradayReads.day_spreads``: its backtest's, or the default for a
forecast published without one), the stored actuals, the roster (approved swaps and time off
are already in it; a ``LEAVE`` day takes the agent off) and what changes a shift without
rewriting its row (``IntradayReads.staffing_changes``: part-day time off, accepted overtime
extensions and VTO early ends), and runs
``wfm.intraday.intraday_view``: the same function ``wfm intraday`` runs on files, so the
columns and figures are the command's. The ``[intraday]`` rule (``publish_auto_offers``)
reads this same view, so it offers on exactly the net staffing the page shows. For today,
``now`` is the store's clock (actuals of intervals not yet ended wait); for another day every
stored actual counts.

The view is kept (``api.web.cache.cached``) under the store's data generation (every upload of
actuals, forecast or roster change, and every accepted offer, writes an audit entry) and the
current interval, so it is
recomputed whenever actuals arrive or the roster changes, and re-reading it costs nothing. The
agents working now (``working_agents``) are read fresh on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from api.models import OfferRow
from api.store import Store
from wfm.calendar import local_midnight
from wfm.errors import NotFound
from wfm.intraday import IntradayView, UpdateSpread, intraday_view, working_column, working_now
from wfm.requests.offers import auto_offers

WHAT_MISSING = ("forecast", "roster")


class IntradayMissing(NotFound):
    """The day lacks a published forecast, a roster, or the queue asked for (404).

    ``missing`` names what: ``forecast``, ``roster`` and/or ``queue``.
    """

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass
class IntradayResult:
    """The view of one day (and queue), with what it was computed from."""

    day: date
    queue: str
    now: pd.Timestamp | None  # the time of the view (today), None for another day
    view: IntradayView
    spreads: dict[str, UpdateSpread]
    forecast_ids: list[int]
    models: list[str]
    actuals_without_forecast: list[str]
    working: dict[str, int] | None = None  # agents working now per queue (today, with events)
    queues: list[str] = field(default_factory=list)  # every queue of the day's forecast

    @property
    def actuals_through(self) -> pd.Timestamp | None:
        """The end of the last interval with actuals in the view."""
        known = self.view.table[self.view.table["status"] == "actual"]
        if known.empty:
            return None
        return pd.Timestamp(known["interval_start"].max()) + self.step

    @property
    def step(self) -> pd.Timedelta:
        starts = self.view.table["interval_start"].drop_duplicates()
        return pd.Timedelta(starts.iloc[1] - starts.iloc[0]) if len(starts) > 1 else \
            pd.Timedelta(minutes=30)


def _now_of(store: Store, day: date) -> pd.Timestamp | None:
    now = pd.Timestamp(store.clock().replace(tzinfo=UTC)).tz_convert(store.config.tz)
    return now if now.date() == day else None


def _compute(store: Store, day: date, queue: str, now: pd.Timestamp | None
             ) -> tuple[IntradayView, dict[str, Any]]:
    forecast = store.intraday.day_forecast(day)
    _, roster = store.roster_frame(date_from=day - timedelta(days=1), date_to=day)
    missing = [name for name, empty in zip(
        WHAT_MISSING, (forecast.empty, not (roster["date"] == day).any()), strict=True) if empty]
    if missing:
        what = {"forecast": "no published forecast covers it (POST /api/v1/forecasts)",
                "roster": "no roster covers it (POST /api/v1/rosters)"}
        raise IntradayMissing(f"no intraday view for {day}: "
                              + "; ".join(what[m] for m in missing), missing)
    queues = sorted(forecast["queue"].astype(str).unique())
    if queue and queue not in queues:
        raise IntradayMissing(f"no intraday view for queue {queue} on {day}: the published "
                              f"forecast of the day has the queues {', '.join(queues)}",
                              ["queue"])
    actuals = store.actuals.frame(date_from=day, date_to=day)
    stray = sorted(set(actuals["queue"].astype(str)) - set(queues))
    actuals = actuals[actuals["queue"].astype(str).isin(queues)]
    kept = store.intraday.day_spreads(forecast)
    spreads = {q: kept.get(q, UpdateSpread()) for q in queues}
    view = intraday_view(forecast, actuals, roster, store.config, day=day, now=now,
                         queue=queue or None, spreads=spreads, actuals_label="stored actuals",
                         **store.intraday.staffing_changes(day))
    used = forecast if not queue else forecast[forecast["queue"].astype(str) == queue]
    return view, {"spreads": {q: spreads[q] for q in view.updates},
                  "forecast_ids": sorted(int(i) for i in used["forecast_id"].unique()),
                  "models": sorted(str(m) for m in used["model"].unique()),
                  "actuals_without_forecast": stray, "queues": queues, "roster": roster}


def read_intraday(store: Store, *, day: date, queue: str = "") -> IntradayResult:
    """The intraday view of ``day`` (one queue, or all with ``""``); ``IntradayMissing``
    when the day has no published forecast or roster, or the forecast lacks ``queue``."""
    from api.web.cache import cached  # here: importing api.web at load time would import the
    # page that imports this module

    now = _now_of(store, day)
    step = timedelta(minutes=store.config.interval_minutes)
    slot = None
    if now is not None:  # actuals count once their interval has ended: the view changes then
        midnight = local_midnight(day, store.config.tz)
        slot = midnight + step * int((now - midnight) // step)
    view, facts = cached(store, ("intraday", day, queue, slot),
                         lambda: _compute(store, day, queue, now if slot is None else slot))
    result = IntradayResult(day, queue, now, view, facts["spreads"], facts["forecast_ids"],
                            facts["models"], facts["actuals_without_forecast"],
                            queues=facts["queues"])
    if now is not None:
        shown = sorted(view.table["queue"].astype(str).unique())
        events = store.intraday.events_of_day(day, now.to_pydatetime())
        result.working = working_now(events, facts["roster"], day, now, shown)
    return result


def publish_auto_offers(store: Store, *, day: date, force: bool = False) -> list[OfferRow]:
    """The ``[intraday]`` rule: offers for the coming short and long periods of ``day``
    (``wfm.requests.offers.auto_offers``) on the net staffing of this view (``read_intraday``,
    accepted offers and part-day time off included), none when ``auto_offers`` is off (unless
    ``force``: a planner asked) or the day has no published forecast or roster."""
    if not (force or store.config.intraday.auto_offers):
        return []
    try:
        result = read_intraday(store, day=day)
    except IntradayMissing:
        return []
    now = pd.Timestamp(store.clock().replace(tzinfo=UTC)).tz_convert(store.config.tz)
    return store.offers.publish_drafts(auto_offers(result.view.table, store.config, now=now))


def working_of(result: IntradayResult) -> np.ndarray:
    """``working_agents`` per row of the view's table (``wfm.intraday.working_column``)."""
    return working_column(result.view.table, result.working, result.now,
                          int(result.step.total_seconds() // 60))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as records, NaN as None (JSON null)."""
    return [{str(k): (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


def intraday_record(result: IntradayResult) -> dict[str, Any]:
    """The view as ``api.schemas.IntradayPublic`` reads it."""
    view = result.view
    table = view.table.assign(working_agents=working_of(result))
    intervals = _records(table)
    for row in intervals:
        for name in ("actual_offered", "working_agents"):
            if row[name] is not None:
                row[name] = int(row[name])
    updates = []
    for queue, spread in result.spreads.items():
        update = view.updates.get(queue)
        record = update.record(int(result.step.total_seconds() // 60)) if update else {}
        updates.append({"queue": queue, "day_sigma": spread.day_sigma,
                        "dispersion": spread.dispersion,
                        "block_dispersion": spread.block_dispersion,
                        "spread_source": spread.source,
                        "arrived": record.get("arrived"), "expected": record.get("expected"),
                        "factor": record.get("factor", 1.0), "through": record.get("through")})
    return {"date": result.day, "queue": result.queue, "queues": result.queues,
            "as_of": result.now, "actuals_through": result.actuals_through,
            "forecast_ids": result.forecast_ids, "models": result.models,
            "actuals_without_forecast": result.actuals_without_forecast,
            "live": result.working is not None, "updates": updates,
            "intervals": intervals, "totals": _records(view.totals),
            "periods": [{**p.as_dict(), "start": p.start, "end": p.end} for p in view.periods]}
