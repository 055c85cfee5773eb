"""From a forecast table to the requirement table (agents per interval and queue).

Each queue is staffed with its own service targets (``config.service_for(queue)``) by the model
``wfm.staffing.dispatch`` picks: Erlang C by default, Erlang A when ``patience_seconds > 0``, the
chat model of ``wfm.staffing.chat`` (agents holding ``max_concurrency`` chats, first-response
target) when ``channel = "chat"``. ``scheduled_agents`` adds shrinkage exactly.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.staffing.dispatch import required

REQUIREMENT_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "traffic_erlangs",
                       "agents", "service_level", "asa_seconds", "occupancy", "scheduled_agents"]
QUANTILE_COLUMNS = {0.1: "contacts_p10", 0.5: "contacts", 0.9: "contacts_p90"}


def contacts_at_quantile(forecast: pd.DataFrame, quantile: float | None,
                         *, label: str = "forecast") -> pd.Series:
    """Contacts to staff for: the point forecast, or a quantile of the prediction interval.

    The forecast carries P10, the point forecast (taken as P50) and P90; quantiles between them
    are interpolated linearly. Quantiles outside [0.1, 0.9] would need extrapolation and are
    refused.
    """
    if quantile is None:
        return forecast["contacts"].astype(float)
    if not 0.1 <= quantile <= 0.9:
        raise InvalidInput(f"quantile must be in [0.1, 0.9] (the forecast holds P10, P50 and P90),"
                           f" got {quantile!r}")
    levels = sorted(QUANTILE_COLUMNS)
    upper = next(q for q in levels if q >= quantile)
    lower = max(q for q in levels if q <= quantile)
    for level in {lower, upper}:
        column = QUANTILE_COLUMNS[level]
        if column not in forecast.columns or forecast[column].isna().any():
            raise InvalidInput(f"--quantile {quantile} needs the column {column} with a value on "
                               "every row", file=label, field=column)
    low = forecast[QUANTILE_COLUMNS[lower]].astype(float)
    if upper == lower:
        return low
    high = forecast[QUANTILE_COLUMNS[upper]].astype(float)
    weight = (quantile - lower) / (upper - lower)
    return low + weight * (high - low)


def check_interval_grid(forecast: pd.DataFrame, interval_minutes: int,
                        *, label: str = "forecast") -> None:
    """Forecast intervals must start on the configured grid (e.g. :00 and :30 for 30 minutes)."""
    starts = forecast["interval_start"]
    minutes = starts.dt.hour * 60 + starts.dt.minute
    off_grid = ((minutes % interval_minutes) != 0) | (starts.dt.second != 0)
    if off_grid.any():
        row = int(np.flatnonzero(off_grid.to_numpy())[0])
        raise InvalidInput(f"interval {starts.iloc[row]} is not on the {interval_minutes}-minute "
                           "grid (set interval_minutes in the site configuration)", file=label,
                           line=row + 2, field="interval_start")
    for queue, group in forecast.groupby("queue"):
        gaps = group["interval_start"].sort_values().diff().dropna()
        if len(gaps) and gaps.min() < pd.Timedelta(minutes=interval_minutes):
            raise InvalidInput(f"queue {queue}: intervals {gaps.min()} apart, shorter than "
                               f"interval_minutes = {interval_minutes}", file=label,
                               field="interval_start")


def check_configured_queues(queues: list[str], config: SiteConfig, *,
                            label: str = "forecast") -> list[str]:
    """``[queues.NAME]`` sections against the queues a table names.

    A section whose name differs from a table queue only in case or spaces is a typo that would
    staff that queue to the site defaults: an error. A section for a queue the table does not
    have (e.g. one forecast file per queue) is a warning, returned as text.
    """
    present = {str(q) for q in queues}
    folded = {q.strip().casefold(): q for q in present}
    warnings = []
    for name in sorted(set(config.queues) - present):
        near = folded.get(name.strip().casefold())
        if near is not None:
            raise InvalidInput(f"[queues.{name}] matches no queue in the table; did you mean "
                               f"{near!r}? (queue names are case-sensitive, so {near!r} would "
                               "be staffed to the site defaults)", file=label, field="queue")
        warnings.append(f"[queues.{name}] is configured but {label} has no queue {name!r} "
                        f"(it has: {', '.join(sorted(present))})")
    return warnings


def compute_requirements(forecast: pd.DataFrame, config: SiteConfig, *,
                         quantile: float | None = None,
                         label: str = "forecast") -> pd.DataFrame:
    """The requirement table (DESIGN.md columns) for every interval and queue of ``forecast``.

    ``contacts`` in the output is what was staffed for (the chosen quantile, if any);
    ``abandon_rate`` is added when any queue uses Erlang A. Intervals with zero contacts need
    zero agents and report service level 1 and ASA 0.
    """
    frame = forecast.reset_index(drop=True)
    if frame.empty:
        raise InvalidInput("the forecast has no rows", file=label)
    check_interval_grid(frame, config.interval_minutes, label=label)
    contacts = contacts_at_quantile(frame, quantile, label=label).to_numpy(dtype=float)
    aht = frame["aht_seconds"].to_numpy(dtype=float)
    needs_aht = (contacts > 0) & ~(np.isfinite(aht) & (aht > 0))
    if needs_aht.any():
        row = int(np.flatnonzero(needs_aht)[0])
        shown = "empty" if np.isnan(aht[row]) else f"{aht[row]:g}"
        raise InvalidInput(f"aht_seconds must be > 0 where contacts > 0, got {shown}",
                           file=label, line=row + 2, field="aht_seconds")
    traffic = np.where(contacts > 0, contacts * np.nan_to_num(aht) / config.interval_seconds, 0.0)

    columns: dict[str, Any] = {
        "interval_start": frame["interval_start"], "queue": frame["queue"].astype(str),
        "contacts": contacts, "aht_seconds": np.where(contacts > 0, aht, np.nan),
        "traffic_erlangs": traffic}
    out = pd.DataFrame(columns)
    abandon = np.full(len(frame), np.nan)
    any_erlang_a = False
    for name in ("agents", "scheduled_agents"):
        out[name] = 0
    for metric in ("service_level", "asa_seconds", "occupancy"):
        out[metric] = np.nan
    for queue, rows in out.groupby("queue").indices.items():
        staffing = required(config.service_for(str(queue)), traffic[rows], aht[rows])
        out.loc[rows, "agents"] = staffing.agents
        out.loc[rows, "scheduled_agents"] = staffing.scheduled
        out.loc[rows, "service_level"] = staffing.service_level
        out.loc[rows, "asa_seconds"] = staffing.asa_seconds
        out.loc[rows, "occupancy"] = staffing.occupancy
        if staffing.abandon_rate is not None:
            any_erlang_a = True
            abandon[rows] = staffing.abandon_rate
    out = out.astype({"agents": "int64", "scheduled_agents": "int64"})
    columns_out = list(REQUIREMENT_COLUMNS)
    if any_erlang_a:
        out["abandon_rate"] = abandon
        columns_out.append("abandon_rate")
    return out.sort_values(["interval_start", "queue"]).reset_index(drop=True)[columns_out]


def summarize_requirements(requirement: pd.DataFrame, interval_minutes: int,
                           chat_queues: Collection[str] = ()) -> dict[str, Any]:
    """Headline figures: peak scheduled agents, agent-hours, achieved SL and occupancy.

    Service level is weighted by contacts and occupancy is a ratio of sums (Σ traffic / Σ
    agents; for a chat queue in ``chat_queues``, Σ occupancy × agents / Σ agents, occupancy
    being the share of chat slots in use), so quiet intervals do not distort either.
    """
    hours = interval_minutes / 60
    chat = requirement["queue"].astype(str).isin(set(chat_queues)).to_numpy()
    busy_agents = np.where(chat, requirement["occupancy"].fillna(0).to_numpy(dtype=float)
                           * requirement["agents"].to_numpy(dtype=float),
                           requirement["traffic_erlangs"].to_numpy(dtype=float))
    requirement = requirement.assign(_busy=busy_agents)

    def figures(frame: pd.DataFrame) -> dict[str, Any]:
        contacts = frame["contacts"].sum()
        busy = frame["_busy"].sum()
        agents = frame["agents"].sum()
        per_interval = frame.groupby("interval_start")["scheduled_agents"].sum()
        # The index is interval_start, which holds timestamps (the requirement contract).
        peak_at = cast(pd.Timestamp, per_interval.idxmax()) if len(per_interval) else None
        return {
            "intervals": int(frame["interval_start"].nunique()),
            "contacts": float(contacts),
            "peak_scheduled_agents": int(per_interval.max()) if len(per_interval) else 0,
            "peak_at": peak_at.isoformat() if peak_at is not None else None,
            "peak_agents": int(frame.groupby("interval_start")["agents"].sum().max()),
            "scheduled_agent_hours": float(frame["scheduled_agents"].sum() * hours),
            "agent_hours": float(agents * hours),
            "service_level": float((frame["service_level"] * frame["contacts"]).sum() / contacts)
            if contacts > 0 else None,
            "occupancy": float(busy / agents) if agents > 0 else None,
        }
    summary = figures(requirement)
    summary["queues"] = {str(q): figures(g) for q, g in requirement.groupby("queue")}
    return summary
