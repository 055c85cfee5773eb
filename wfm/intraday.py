"""The intraday view: one day's forecast, actuals so far, re-forecast and staffing per interval.

For each interval and queue of the day (columns of ``INTRADAY_COLUMNS``):

``status``                   ``actual`` for an interval that ended by ``now`` and has an actuals
                             row, else ``coming``
``forecast_contacts``        the forecast table's ``contacts``
``actual_offered``           the actuals table's ``offered`` (empty where not known)
``reforecast_contacts``      ``actual_offered`` where known; after the last known interval the
                             forecast re-scaled by the intraday update of ``wfm forecast``
                             (``wfm.forecast.intraday.update_day``, its gamma-Poisson shrinkage);
                             a coming interval before it keeps the forecast
``aht_planned_seconds``      the forecast's ``aht_seconds``
``aht_actual_seconds``       Σ (handle_seconds + acw_seconds) / Σ answered (``wfm kpi``)
``required_agents``          agents on the contacts the re-forecast needs, the model of ``wfm
                             staff`` (``dispatch.required``: Erlang C, A or chat) with traffic
                             ``reforecast × AHT / interval``, AHT actual where known, else planned
``scheduled_agents``         head count the roster puts on the interval: working shifts, minus
                             agents on leave that day, outside fixed breaks (``wfm.coverage``),
                             minus part-day absences (``away``: time off, VTO early ends), plus
                             time added to shifts (``added``: accepted overtime extensions)
``effective_agents``         ``scheduled_agents`` after the queue's shrinkage
                             (``dispatch.effective_agents``: ``floor(N (1 − s))``)
``net_agents``               ``effective_agents − required_agents`` (agents on the contacts; +
                             long, − short)
``projected_service_level``  ``dispatch.performance`` of ``effective_agents`` on the re-forecast
                             load, as the time-off impact and the report compute it

Both ``required_agents`` and ``effective_agents`` count agents answering contacts, so
``net_agents`` compares like with like; the head count to add for a short interval is
``ceil(-net / (1 − s))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import interval_grid, local_midnight
from wfm.config import SiteConfig
from wfm.coverage import scheduled_per_interval
from wfm.errors import InvalidInput
from wfm.forecast.intraday import IntradayUpdate, update_day
from wfm.staffing.dispatch import effective_agents, performance, required

INTRADAY_COLUMNS = ["interval_start", "queue", "status", "forecast_contacts",
                    "reforecast_contacts", "actual_offered", "aht_planned_seconds",
                    "aht_actual_seconds", "required_agents", "scheduled_agents",
                    "effective_agents", "net_agents", "projected_service_level"]
PERIODS_SHOWN = 4


@dataclass(frozen=True)
class UpdateSpread:
    """The intraday update's stated uncertainty of one queue (``selection.Choice``'s fields).

    The defaults are ``Choice``'s own: a day level spread of 0.15 and Poisson intervals.
    ``source`` says where the figures come from: ``backtest`` (measured on the forecast's
    backtest folds and kept with it) or ``default``.
    """

    day_sigma: float = 0.15
    dispersion: float = 0.0
    block_dispersion: float = 0.0
    source: str = "default"

    def record(self) -> dict[str, float | str]:
        return {"day_sigma": round(self.day_sigma, 6), "dispersion": round(self.dispersion, 6),
                "block_dispersion": round(self.block_dispersion, 6), "source": self.source}


@dataclass(frozen=True)
class StaffingPeriod:
    """Consecutive coming intervals of one queue that are short (net < 0) or long (net > 0)."""

    queue: str
    kind: str  # "short" or "long"
    start: pd.Timestamp
    end: pd.Timestamp
    peak_agents: int
    agent_hours: float

    def text(self) -> str:
        return (f"{self.queue} {self.kind} {self.start:%H:%M}-{self.end:%H:%M}: up to "
                f"{self.peak_agents} agent(s), {self.agent_hours:g} agent-hour(s)")

    def as_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "kind": self.kind, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "peak_agents": self.peak_agents,
                "agent_hours": self.agent_hours, "text": self.text()}


@dataclass
class IntradayView:
    """The intraday table, the day's totals per queue, each queue's update and the periods."""

    table: pd.DataFrame
    totals: pd.DataFrame
    updates: dict[str, IntradayUpdate | None] = field(default_factory=dict)
    periods: list[StaffingPeriod] = field(default_factory=list)


def intraday_view(forecast: pd.DataFrame, actuals: pd.DataFrame, roster: pd.DataFrame,
                  config: SiteConfig, *, day: date, now: pd.Timestamp | None = None,
                  leave: pd.DataFrame | None = None, queue: str | None = None,
                  spreads: dict[str, UpdateSpread] | None = None,
                  actuals_label: str = "actuals",
                  away: pd.DataFrame | None = None,
                  added: pd.DataFrame | None = None) -> IntradayView:
    """The intraday view of ``day`` (module notes for each column).

    Parameters
    ----------
    forecast
        The forecast table (``wfm forecast``); its rows on ``day`` are used.
    actuals
        The actuals table (``wfm kpi --actuals``); rows of ``day`` ending by ``now`` count.
    roster, leave
        Roster rows (``agent_id, date, shift[, queue]``) and leave rows (``agent_id, date``):
        an agent on leave that day is not scheduled, whatever the roster says.
    now
        The time of the view (tz-aware); default: the end of the last interval with actuals.
    queue
        Only this queue (default: every queue of the day's forecast).
    spreads
        Per queue, the intraday update's spread (default ``UpdateSpread()``).
    actuals_label
        The actuals' file name in errors (a queue the forecast lacks: its line and field).
    away
        Part-day absences (``agent_id, start, end``, tz-aware; approved time off for part of
        a shift): the agent is not scheduled on the intervals of its shift starting in
        ``[start, end)``, as the time-off impact counts it. An agent away twice on one
        interval is taken off once. Accepted VTO that ends a shift early comes in here
        (``wfm.requests.offers.offer_early_ends``).
    added
        Head count working beyond the roster's shifts (``interval_start, queue, delta``;
        accepted overtime that extends a shift, ``wfm.requests.offers.offer_head_counts``).
    """
    step = timedelta(minutes=config.interval_minutes)
    grid = interval_grid(day, day + timedelta(days=1), config.interval_minutes, config.tz)
    begin, stop = local_midnight(day, config.tz), local_midnight(day + timedelta(days=1),
                                                                 config.tz)
    today = forecast[(forecast["interval_start"] >= begin) & (forecast["interval_start"] < stop)]
    if queue is not None:
        today = today[today["queue"].astype(str) == queue]
    if today.empty:
        what = f"queue {queue} on {day}" if queue is not None else str(day)
        raise InvalidInput(f"the forecast has no rows for {what}", field="interval_start")
    queues = sorted(today["queue"].astype(str).unique())
    seen = actuals[(actuals["interval_start"] >= begin) & (actuals["interval_start"] < stop)
                   & actuals["queue"].astype(str).isin(queues)]
    unknown = ~actuals["queue"].astype(str).isin(set(forecast["queue"].astype(str)))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InvalidInput(f"queue {actuals['queue'].iat[row]} is not in the forecast",
                           file=actuals_label, line=row + 2, field="queue")
    if now is None:
        now = (seen["interval_start"].max() + step) if len(seen) else begin
    seen = seen[seen["interval_start"] + step <= now]

    frame = pd.MultiIndex.from_product([grid, queues], names=["interval_start", "queue"])
    table = pd.DataFrame(index=frame).reset_index()
    keyed = today.assign(queue=today["queue"].astype(str))
    table = table.merge(keyed[["interval_start", "queue", "contacts", "aht_seconds"]],
                        on=["interval_start", "queue"], how="left")
    busy = seen["handle_seconds"] + seen["acw_seconds"]
    known = seen.assign(queue=seen["queue"].astype(str), busy=busy)[
        ["interval_start", "queue", "offered", "answered", "busy"]]
    table = table.merge(known, on=["interval_start", "queue"], how="left")
    table = table.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)

    forecast_contacts = table["contacts"].fillna(0.0).to_numpy(dtype=float)
    aht_planned = table["aht_seconds"].to_numpy(dtype=float)
    offered = table["offered"].to_numpy(dtype=float)
    answered = table["answered"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        aht_actual = np.where(answered > 0, table["busy"].to_numpy(dtype=float) / answered,
                              np.nan)

    num_slots = len(grid)
    reforecast = np.empty(len(table))
    updates: dict[str, IntradayUpdate | None] = {}
    spreads = spreads or {}
    for q, name in enumerate(queues):
        rows = slice(q * num_slots, (q + 1) * num_slots)
        spread = spreads.get(name, UpdateSpread())
        rest, updates[name] = update_day(forecast_contacts[rows], offered[rows],
                                         spread.day_sigma, spread.dispersion,
                                         spread.block_dispersion)
        reforecast[rows] = np.where(np.isfinite(offered[rows]), offered[rows], rest)

    aht = np.where(np.isfinite(aht_actual), aht_actual, aht_planned)
    aht = np.where(np.isfinite(aht) & (aht > 0), aht, 0.0)
    if ((reforecast > 0) & (aht <= 0)).any():
        row = int(np.flatnonzero((reforecast > 0) & (aht <= 0))[0])
        raise InvalidInput(f"no AHT for {table['queue'].iat[row]} at "
                           f"{table['interval_start'].iat[row]}: the forecast's aht_seconds is "
                           "empty or 0 where contacts are expected", field="aht_seconds")
    traffic = np.where(reforecast > 0, reforecast * aht / config.interval_seconds, 0.0)

    on_roster = _roster_of_day(roster, leave, day)
    scheduled = scheduled_per_interval(on_roster, config, queues)
    scheduled = scheduled.assign(queue=scheduled["queue"].astype(str))
    table = table.merge(scheduled, on=["interval_start", "queue"], how="left")
    table = table.merge(_away_counts(on_roster, away, config, queues),
                        on=["interval_start", "queue"], how="left")
    if added is not None and not added.empty:
        extra = added.assign(queue=added["queue"].astype(str)).groupby(
            ["interval_start", "queue"], as_index=False)["delta"].sum()
        table = table.merge(extra, on=["interval_start", "queue"], how="left")
    else:
        table = table.assign(delta=0)
    head_count = np.maximum(table["scheduled"].fillna(0).to_numpy(dtype=np.int64)
                            - table["away"].fillna(0).to_numpy(dtype=np.int64)
                            + table["delta"].fillna(0).to_numpy(dtype=np.int64), 0)

    need = np.zeros(len(table), dtype=np.int64)
    effective = np.zeros(len(table), dtype=np.int64)
    level = np.ones(len(table))
    for q, name in enumerate(queues):
        rows = slice(q * num_slots, (q + 1) * num_slots)
        service = config.service_for(name)
        need[rows] = required(service, traffic[rows], aht[rows]).agents
        effective[rows] = effective_agents(head_count[rows], service.shrinkage)
        level[rows] = performance(service, traffic[rows], effective[rows],
                                  aht[rows]).service_level

    out = pd.DataFrame({
        "interval_start": table["interval_start"], "queue": table["queue"],
        "status": np.where(np.isfinite(offered), "actual", "coming"),
        "forecast_contacts": np.round(forecast_contacts, 3),
        "reforecast_contacts": np.round(reforecast, 3),
        "actual_offered": offered,
        "aht_planned_seconds": np.round(aht_planned, 1),
        "aht_actual_seconds": np.round(aht_actual, 1),
        "required_agents": need, "scheduled_agents": head_count,
        "effective_agents": effective, "net_agents": effective - need,
        "projected_service_level": np.round(level, 4)})
    out = out.sort_values(["interval_start", "queue"], kind="stable").reset_index(drop=True)
    totals = day_totals(out, config.interval_minutes, busy=table["busy"].to_numpy(dtype=float),
                        answered=answered, queues=table["queue"].to_numpy())
    periods = staffing_periods(out, config.interval_minutes, after=now)
    return IntradayView(out[INTRADAY_COLUMNS], totals, updates, periods)


def _away_counts(on_roster: pd.DataFrame, away: pd.DataFrame | None, config: SiteConfig,
                 queues: list[str]) -> pd.DataFrame:
    """Per (interval_start, queue), the rostered agents a part-day absence takes off: those
    whose shift covers an interval starting inside their absence (each agent once, where two
    absences overlap)."""
    pieces = [pd.DataFrame({"agent_id": pd.Series([], dtype=object),
                            "interval_start": pd.Series([], dtype=f"datetime64[ns, "
                                                          f"{config.timezone}]"),
                            "queue": pd.Series([], dtype=object)})]
    for agent, start, end in ([] if away is None else zip(
            away["agent_id"].astype(str), away["start"], away["end"], strict=True)):
        mine = scheduled_per_interval(on_roster[on_roster["agent_id"] == agent], config, queues)
        hit = mine[(mine["interval_start"] >= start) & (mine["interval_start"] < end)]
        pieces.append(hit[["interval_start", "queue"]].assign(queue=hit["queue"].astype(str),
                                                              agent_id=agent))
    stacked = pd.concat(pieces, ignore_index=True).drop_duplicates()
    return stacked.groupby(["interval_start", "queue"]).size().rename("away").reset_index()


def _roster_of_day(roster: pd.DataFrame, leave: pd.DataFrame | None, day: date) -> pd.DataFrame:
    """Roster rows of ``day`` and of the day before (a night shift crossing midnight), without
    the agents on leave on the row's date."""
    when = pd.to_datetime(roster["date"].astype(str))
    rows = roster[when.isin([pd.Timestamp(day), pd.Timestamp(day - timedelta(days=1))])]
    rows = rows.assign(date=when[rows.index].dt.date, agent_id=rows["agent_id"].astype(str))
    if leave is None or leave.empty or rows.empty:
        return rows
    away = pd.DataFrame({"agent_id": leave["agent_id"].astype(str),
                         "date": pd.to_datetime(leave["date"].astype(str)).dt.date,
                         "away": True}).drop_duplicates(["agent_id", "date"])
    marked = rows.merge(away, on=["agent_id", "date"], how="left")
    return marked[marked["away"].isna()].drop(columns="away")


def day_totals(table: pd.DataFrame, interval_minutes: int, *, busy: np.ndarray,
               answered: np.ndarray, queues: np.ndarray) -> pd.DataFrame:
    """The day per queue and for ``all`` queues: contacts, AHT, agent-hours and service level.

    ``projected_service_level`` is weighted by the re-forecast contacts; ``short_agent_hours``
    and ``long_agent_hours`` sum the negative and positive ``net_agents`` × interval hours.
    """
    hours = interval_minutes / 60
    frame = table.assign(
        weighted_level=table["projected_service_level"] * table["reforecast_contacts"],
        planned_busy=table["aht_planned_seconds"].fillna(0) * table["forecast_contacts"],
        short=(-table["net_agents"]).clip(lower=0) * hours,
        long=table["net_agents"].clip(lower=0) * hours,
        required_hours=table["required_agents"] * hours,
        scheduled_hours=table["scheduled_agents"] * hours)
    actual = pd.DataFrame({"queue": queues, "busy": np.nan_to_num(busy),
                           "answered": np.nan_to_num(answered)})
    sums = ["forecast_contacts", "reforecast_contacts", "actual_offered", "weighted_level",
            "planned_busy", "short", "long", "required_hours", "scheduled_hours"]
    per_queue = frame.groupby("queue")[sums].sum()
    per_queue = per_queue.join(actual.groupby("queue")[["busy", "answered"]].sum())
    per_queue.loc["all"] = per_queue.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "queue": per_queue.index.astype(str),
            "forecast_contacts": per_queue["forecast_contacts"].round(1).to_numpy(),
            "reforecast_contacts": per_queue["reforecast_contacts"].round(1).to_numpy(),
            "actual_offered": per_queue["actual_offered"].to_numpy(),
            "aht_planned_seconds": (per_queue["planned_busy"]
                                    / per_queue["forecast_contacts"]).round(1).to_numpy(),
            "aht_actual_seconds": (per_queue["busy"] / per_queue["answered"].where(
                per_queue["answered"] > 0)).round(1).to_numpy(),
            "required_agent_hours": per_queue["required_hours"].round(2).to_numpy(),
            "scheduled_agent_hours": per_queue["scheduled_hours"].round(2).to_numpy(),
            "short_agent_hours": per_queue["short"].round(2).to_numpy(),
            "long_agent_hours": per_queue["long"].round(2).to_numpy(),
            "projected_service_level": (per_queue["weighted_level"] / per_queue[
                "reforecast_contacts"].where(per_queue["reforecast_contacts"] > 0))
            .round(4).to_numpy()})
    return out


def staffing_periods(table: pd.DataFrame, interval_minutes: int, *,
                     after: pd.Timestamp | None = None) -> list[StaffingPeriod]:
    """Runs of coming intervals per queue with the same sign of ``net_agents`` (≠ 0); with
    ``after``, only intervals still running or to come then (a queue without actuals has
    no past intervals flagged ``actual``, and a period already over can no longer be met)."""
    step = pd.Timedelta(minutes=interval_minutes)
    coming = table[table["status"] == "coming"]
    if after is not None:
        coming = coming[coming["interval_start"] + step > after]
    coming = coming.sort_values(["queue", "interval_start"])
    if coming.empty:
        return []
    sign = np.sign(coming["net_agents"].to_numpy())
    starts = pd.DatetimeIndex(coming["interval_start"]).asi8
    queue = coming["queue"].to_numpy()
    new_run = np.ones(len(coming), dtype=bool)
    new_run[1:] = ((sign[1:] != sign[:-1]) | (queue[1:] != queue[:-1])
                   | (starts[1:] - starts[:-1] != step.value))
    runs = coming.assign(run=np.cumsum(new_run), sign=sign)
    runs = runs[runs["sign"] != 0]
    grouped = runs.groupby("run").agg(queue=("queue", "first"), sign=("sign", "first"),
                                      start=("interval_start", "min"),
                                      end=("interval_start", "max"),
                                      peak=("net_agents", lambda s: int(s.abs().max())),
                                      total=("net_agents", lambda s: int(s.abs().sum())))
    hours = grouped["total"].to_numpy(dtype=float) * interval_minutes / 60
    out = [StaffingPeriod(str(q), "short" if s < 0 else "long", pd.Timestamp(first),
                          pd.Timestamp(last) + step, int(peak), round(float(h), 2))
           for q, s, first, last, peak, h in zip(
               grouped["queue"], grouped["sign"], grouped["start"], grouped["end"],
               grouped["peak"], hours, strict=True)]
    return sorted(out, key=lambda p: (p.start, p.queue))


def working_now(events: pd.DataFrame, roster: pd.DataFrame, day: date, now: pd.Timestamp,
                queues: list[str]) -> dict[str, int] | None:
    """Per queue, the agents rostered on it on ``day`` whose last login event of the day up to
    ``now`` is a working state (``wfm.adherence.WORKING_STATES``).

    ``events`` are login events (``agent_id, timestamp, state``, tz-aware, wfm's states);
    ``roster`` rows of ``day`` count (a shift without a queue counts for the only queue of a
    single-queue site). None when no event of the day up to ``now`` exists (no live data);
    else a queue with nobody working is 0. The one place the view learns who works now: live
    adherence can replace it.
    """
    from wfm.adherence import WORKING_STATES

    midnight = local_midnight(day, str(now.tz))
    events = events[(events["timestamp"] >= midnight) & (events["timestamp"] <= now)]
    if events.empty:
        return None
    when = pd.to_datetime(roster["date"].astype(str)).dt.date
    shifts = roster[(when == day).to_numpy() & ~roster["shift"].isin(("OFF", "LEAVE"))]
    queue = (shifts["queue"].fillna("").astype(str) if "queue" in shifts.columns
             else pd.Series("", index=shifts.index))
    if len(queues) == 1:
        queue = queue.where(queue != "", queues[0])
    shifts = shifts.assign(queue=queue, agent_id=shifts["agent_id"].astype(str))
    shifts = shifts[shifts["queue"].isin(queues)]
    last = events.sort_values(["agent_id", "timestamp"], kind="stable").drop_duplicates(
        "agent_id", keep="last")
    working = set(last.loc[last["state"].isin(WORKING_STATES), "agent_id"].astype(str))
    busy = shifts[shifts["agent_id"].isin(working)]
    counts = dict.fromkeys(queues, 0)
    counts.update({str(q): int(n) for q, n in busy.groupby("queue").size().items()})
    return counts


def working_column(table: pd.DataFrame, working: dict[str, int] | None,
                   now: pd.Timestamp | None, interval_minutes: int) -> np.ndarray:
    """``working_agents`` per row of an intraday table: ``working`` on the rows of the interval
    containing ``now``, NaN elsewhere (everywhere without live data)."""
    out = np.full(len(table), np.nan)
    if working is None or now is None:
        return out
    step = pd.Timedelta(minutes=interval_minutes)
    starts = table["interval_start"]
    here = ((starts <= now) & (starts + step > now)).to_numpy()
    counts = table["queue"].astype(str).map(working).to_numpy(dtype=float)
    out[here] = counts[here]
    return out


def describe_periods(periods: list[StaffingPeriod], *, shown: int = PERIODS_SHOWN) -> str:
    """The next short and long periods in plain words."""
    if not periods:
        return "the rest of the day is staffed as required"
    short = [p for p in periods if p.kind == "short"][:shown]
    long = [p for p in periods if p.kind == "long"][:shown]
    parts = []
    if short:
        parts.append("short: " + "; ".join(p.text() for p in short))
    if long:
        parts.append("long: " + "; ".join(p.text() for p in long))
    return " | ".join(parts)
