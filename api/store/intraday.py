"""What the intraday view reads from the store (issue 25): the day's forecast as the planner
published it, the known queues, and the agents in a working state now.

The actuals and the roster are read through their own resources (``Actuals.frame``,
``Rosters.frame``); approved swaps and time off are already written into the roster.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from api.models import Agent, ForecastRow, LoginEvent, PublishedForecast, RequirementRow
from api.store.unit import Unit
from wfm.adherence import WORKING_STATES
from wfm.forecast.accuracy import latest_forecast

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

    def working_now(self, roster: pd.DataFrame, day: date, now: datetime,
                    queues: list[str]) -> dict[str, int] | None:
        """Per queue of ``queues``, the agents rostered on it on ``day`` whose last login event
        of the day up to ``now`` (tz-aware) is a working state
        (``wfm.adherence.WORKING_STATES``); a shift without a queue counts for the only queue
        of a single-queue site.

        The one place the view learns who is working: live adherence (issue 24) can replace
        it. None when no event of the day is stored (no live data); else an agent with no
        event today is not counted and a queue with nobody working is 0.
        """
        start = self.unit.local_midnight_utc(day)
        stop = pd.Timestamp(now).tz_convert("UTC").tz_localize(None).to_pydatetime()
        query = (select(LoginEvent.agent_id, LoginEvent.timestamp, LoginEvent.state)
                 .where(LoginEvent.timestamp >= start, LoginEvent.timestamp <= stop))
        with self.unit.read() as session:
            events = pd.DataFrame(session.execute(query).all(),
                                  columns=["agent_id", "timestamp", "state"])
        shifts = roster[(roster["date"] == day) & ~roster["shift"].isin(("OFF", "LEAVE"))]
        queue = shifts["queue"].fillna("").astype(str)
        if len(queues) == 1:
            queue = queue.where(queue != "", queues[0])
        shifts = shifts.assign(queue=queue)[queue.isin(queues)]
        if events.empty:
            return None
        counts = dict.fromkeys(queues, 0)
        if shifts.empty:
            return counts
        last = events.sort_values(["agent_id", "timestamp"], kind="stable").drop_duplicates(
            "agent_id", keep="last")
        working = set(last.loc[last["state"].isin(WORKING_STATES), "agent_id"].astype(str))
        busy = shifts[shifts["agent_id"].astype(str).isin(working)]
        counts.update({str(q): int(n) for q, n in busy.groupby("queue").size().items()})
        return counts
