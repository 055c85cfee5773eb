"""What the intraday view reads from the store (issue 25): the day's forecast as the planner
published it, the known queues, the login events of the day so far, the part-day time off and
the accepted offers that change a shift without rewriting its roster row.

The actuals and the roster are read through their own resources (``Actuals.frame``,
``Rosters.frame``); approved swaps, whole days off, added shifts and VTO days off are already
written into the roster.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from api.models import (
    Agent,
    ForecastRow,
    LoginEvent,
    OfferAcceptance,
    PublishedForecast,
    RequirementRow,
    TimeOffRequest,
)
from api.store.unit import Unit
from wfm.calendar import local_midnight
from wfm.forecast.accuracy import latest_forecast
from wfm.intraday import UpdateSpread
from wfm.requests.offers import offer_early_ends, offer_head_counts
from wfm.requests.time_off_impact import Part, part_minutes

DAY_FORECAST_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "forecast_id",
                        "origin", "model"]


class IntradayReads:
    """Reads of the intraday view that no other resource already offers."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    def day_forecast(self, day: date) -> pd.DataFrame:
        """Per interval and queue of local ``day``, the row of the published forecast the
        planner acted on (``wfm.forecast.accuracy.latest_forecast``: the latest origin not
        after the day, then the latest published), with its ``aht_seconds``
        (``DAY_FORECAST_COLUMNS``, interval starts in site time)."""
        query = (select(ForecastRow.interval_start, ForecastRow.queue, ForecastRow.contacts,
                        ForecastRow.aht_seconds, ForecastRow.forecast_id,
                        PublishedForecast.origin, PublishedForecast.model)
                 .join(PublishedForecast, PublishedForecast.id == ForecastRow.forecast_id)
                 .where(ForecastRow.interval_start >= self.unit.local_midnight_utc(day))
                 .where(ForecastRow.interval_start
                        < self.unit.local_midnight_utc(day + timedelta(days=1))))
        with self.unit.read() as session:
            found = session.execute(query).all()
        frame = pd.DataFrame(found, columns=DAY_FORECAST_COLUMNS)
        frame["interval_start"] = (pd.to_datetime(frame["interval_start"]).dt.tz_localize("UTC")
                                   .dt.tz_convert(self.unit.config.timezone))
        frame["aht_seconds"] = frame["aht_seconds"].astype(float)
        return latest_forecast(frame, self.unit.config.timezone)

    def day_spreads(self, forecast: pd.DataFrame) -> dict[str, UpdateSpread]:
        """Per queue of ``forecast`` (``day_forecast``'s rows), the intraday update's spread
        kept with the published forecast that gives most of the queue's intervals of the day
        (a tie: the latest published): ``source`` ``backtest`` where that forecast was
        published with its spread (``wfm forecast --store``, ``POST /api/v1/forecasts?
        day_sigma=``), else ``UpdateSpread()``'s default."""
        if forecast.empty:
            return {}
        counts = (forecast.assign(queue=forecast["queue"].astype(str))
                  .groupby(["queue", "forecast_id"]).size().rename("n").reset_index()
                  .sort_values(["queue", "n", "forecast_id"], kind="stable")
                  .drop_duplicates("queue", keep="last"))
        ids = sorted({int(i) for i in counts["forecast_id"]})
        with self.unit.read() as session:
            kept = {int(i): (s, d, b) for i, s, d, b in session.execute(
                select(PublishedForecast.id, PublishedForecast.day_sigma,
                       PublishedForecast.dispersion, PublishedForecast.block_dispersion)
                .where(PublishedForecast.id.in_(ids))).all()}
        out = {}
        for queue, forecast_id in zip(counts["queue"], counts["forecast_id"], strict=True):
            sigma, dispersion, block = kept.get(int(forecast_id), (None, None, None))
            out[str(queue)] = UpdateSpread() if sigma is None else UpdateSpread(
                float(sigma), float(dispersion or 0.0), float(block or 0.0), "backtest")
        return out

    def known_queues(self) -> set[str]:
        """Every queue the service knows: the site's ``[queues]``, the agents' skills, the
        stored requirement and the published forecasts."""
        known = {str(q) for q in self.unit.config.queues}
        with self.unit.read() as session:
            for skills in session.scalars(select(Agent.skills).distinct()):
                known.update(s for s in str(skills).split(";") if s)
            known.update(session.scalars(select(RequirementRow.queue).distinct()))
            known.update(session.scalars(select(ForecastRow.queue).distinct()))
        return known

    def events_of_day(self, day: date, now: datetime) -> pd.DataFrame:
        """The login events of local ``day`` up to ``now`` (tz-aware): ``agent_id,
        timestamp, state`` in site time, for ``wfm.intraday.working_now``."""
        stop = pd.Timestamp(now).tz_convert("UTC").tz_localize(None).to_pydatetime()
        query = (select(LoginEvent.agent_id, LoginEvent.timestamp, LoginEvent.state)
                 .where(LoginEvent.timestamp >= self.unit.local_midnight_utc(day),
                        LoginEvent.timestamp <= stop))
        with self.unit.read() as session:
            frame = pd.DataFrame(session.execute(query).all(),
                                 columns=["agent_id", "timestamp", "state"])
        frame["timestamp"] = (pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC")
                              .dt.tz_convert(self.unit.config.timezone))
        return frame

    def part_day_absences(self, day: date) -> pd.DataFrame:
        """Approved (or recorded) time off for part of a shift on local ``day``: ``agent_id,
        start, end`` (tz-aware), for ``wfm.intraday.intraday_view``'s ``away``. A whole day
        off is already a ``LEAVE`` cell of the roster; a part leaves the shift there."""
        with self.unit.read() as session:
            requests = list(session.scalars(select(TimeOffRequest).where(
                TimeOffRequest.status.in_(("approved", "recorded")),
                TimeOffRequest.part_start.is_not(None))))
        config = self.unit.config
        midnight = local_midnight(day, config.tz)
        rows = []
        for request in requests:
            if request.part_start is None or request.part_end is None:
                continue
            for cell in json.loads(request.snapshot):
                if cell["date"] != day.isoformat() or cell["shift"] in ("OFF", "LEAVE"):
                    continue
                template = config.shift(str(cell["shift"]))
                start, end = part_minutes(Part(request.part_start, request.part_end),
                                          template.start_minute)
                rows.append({"agent_id": str(cell["agent_id"]),
                             "start": midnight + pd.Timedelta(minutes=start),
                             "end": midnight + pd.Timedelta(minutes=end)})
        return pd.DataFrame(rows, columns=["agent_id", "start", "end"])

    def staffing_changes(self, day: date) -> dict[str, pd.DataFrame]:
        """What ``wfm.intraday.intraday_view`` takes from and adds to the roster's head count
        on local ``day`` (its ``away`` and ``added`` keywords): part-day time off
        (``part_day_absences``) and accepted VTO that ends a shift early
        (``offer_early_ends``) are away; accepted overtime that extends a shift is added
        (``offer_head_counts``). The one place the view, its page and the ``[intraday]`` rule
        read them."""
        with self.unit.read() as session:
            accepted = session.execute(
                select(OfferAcceptance.requester_id, OfferAcceptance.change,
                       OfferAcceptance.day, OfferAcceptance.start, OfferAcceptance.end,
                       OfferAcceptance.minutes, OfferAcceptance.serves)
                .where(OfferAcceptance.status == "applied", OfferAcceptance.day == day)
                .order_by(OfferAcceptance.id)).all()
        config = self.unit.config
        early = offer_early_ends([(a, c, d, s, e, m) for a, c, d, s, e, m, _ in accepted],
                                 config, day)
        parts = self.part_day_absences(day)
        away = early if parts.empty else parts if early.empty else pd.concat(
            [parts, early], ignore_index=True)
        return {"away": away,
                "added": offer_head_counts([(c, d, s, e, m, q) for _, c, d, s, e, m, q
                                            in accepted], config, day)}
