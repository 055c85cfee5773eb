"""Published forecasts, each kept whole with its model and origin (issue 23, accuracy)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select

from api.models import ForecastRow, PublishedForecast
from api.store.audit import Audit
from api.store.unit import Actor, Unit, utc_column
from wfm.errors import InvalidInput
from wfm.intraday import UpdateSpread

FORECAST_ROW_COLUMNS = ["interval_start", "queue", "contacts", "forecast_id", "origin", "model"]


class Forecasts:
    """Every forecast published through the service; none is ever replaced, so accuracy can
    be read against the one the planner acted on."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    def publish(self, *, frame: pd.DataFrame, model: str, origin: date | None, actor: Actor,
                reason: str = "", spread: UpdateSpread | None = None) -> PublishedForecast:
        """Keep a forecast table (``wfm.tables.FORECAST``) as a new published forecast.

        ``origin`` is the first local date it forecasts (default: its first row's date); rows
        dated before it are refused, naming the line (row i is line i + 2). ``spread`` is the
        intraday update's spread its backtest measured (``selection.Choice``'s
        ``day_sigma``, ``dispersion``, ``block_dispersion``); without it the intraday view
        uses the update's default.
        """
        local = pd.to_datetime(frame["interval_start"]).dt.tz_convert(self.unit.config.tz)
        days = local.dt.date
        origin = origin or min(days)
        early = (days < origin).to_numpy().nonzero()[0]
        if len(early):
            raise InvalidInput(f"the interval is before the forecast's origin {origin}",
                               file="forecast", line=int(early[0]) + 2, field="interval_start")
        with self.unit.write() as session:
            published = PublishedForecast(model=model, origin=origin,
                                          published_at=self.unit.clock(),
                                          user_id=actor.user_id, reason=reason, rows=len(frame),
                                          **({} if spread is None else {
                                              "day_sigma": spread.day_sigma,
                                              "dispersion": spread.dispersion,
                                              "block_dispersion": spread.block_dispersion}))
            session.add(published)
            session.flush()
            aht = frame["aht_seconds"].astype(object)
            rows = pd.DataFrame({"forecast_id": published.id,
                                 "interval_start": utc_column(frame["interval_start"]),
                                 "queue": frame["queue"].astype(str),
                                 "contacts": frame["contacts"].astype(float),
                                 "aht_seconds": aht.where(aht.notna(), None)})
            records = rows.to_dict("records")
            for start in range(0, len(records), 1000):
                session.execute(self.unit.insert(ForecastRow).values(records[start:start + 1000]))
            self.audit.record(session, actor, "forecast.publish",
                              {"forecast_id": published.id, "model": model,
                               "origin": origin.isoformat(), "rows": len(frame),
                               "day_sigma": published.day_sigma}, reason)
        return published

    def published(self) -> list[PublishedForecast]:
        """Every published forecast, the latest first."""
        with self.unit.read() as session:
            return list(session.scalars(select(PublishedForecast)
                                        .order_by(PublishedForecast.id.desc())))

    def rows(self, *, date_from: date, date_to: date) -> pd.DataFrame:
        """Every published row with an interval in local dates ``date_from``..``date_to``
        (``FORECAST_ROW_COLUMNS``, interval starts in site time)."""
        query = (select(ForecastRow.interval_start, ForecastRow.queue, ForecastRow.contacts,
                        ForecastRow.forecast_id, PublishedForecast.origin,
                        PublishedForecast.model)
                 .join(PublishedForecast, PublishedForecast.id == ForecastRow.forecast_id)
                 .where(ForecastRow.interval_start >= self.unit.local_midnight_utc(date_from))
                 .where(ForecastRow.interval_start
                        < self.unit.local_midnight_utc(date_to + timedelta(days=1))))
        with self.unit.read() as session:
            found = session.execute(query).all()
        frame = pd.DataFrame(found, columns=FORECAST_ROW_COLUMNS)
        frame["interval_start"] = (pd.to_datetime(frame["interval_start"]).dt.tz_localize("UTC")
                                   .dt.tz_convert(self.unit.config.timezone))
        return frame
