"""``compute_kpis``: actuals (+ roster and login data, + forecast) → the KPI table and summary.

The KPI table is long: one row per figure, group and level (``KPI_COLUMNS``):

``level``           ``interval`` (per interval and queue), ``day`` (per local date and queue,
                    or the team), ``period`` (per queue, agent or the team over all dates).
``interval_start``  the interval (interval rows only); ``date`` the local date (day rows).
``queue``           the queue ('' for team and agent rows); ``agent_id`` ('' but for agents).
``kpi, value, unit`` the figure (``wfm.kpi.definitions``); ``target`` and ``met`` (empty when
                    the site sets no target); ``numerator, denominator`` the sums it is the
                    ratio of, so every figure can be re-added over any grouping.

A figure whose denominator is 0 (no contacts offered, no staffed time) is not a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.adherence.activity import Activity
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.kpi.definitions import BY_NAME, KPIS, Kpi
from wfm.kpi.people import people_rows
from wfm.kpi.rows import kpi_rows, met_flags
from wfm.kpi.staffed import local_wall_ns, staffed_per_interval
from wfm.staffing.requirements import check_interval_grid

KPI_COLUMNS = ["level", "interval_start", "date", "queue", "agent_id", "kpi", "value", "unit",
               "target", "met", "numerator", "denominator"]
LEVELS = ("interval", "day", "period")
# numerator and denominator columns of the per-queue sums for each queue figure
QUEUE_RATIOS = {
    "service_level_pct": ("answered_within_target", "offered"),
    "asa_seconds": ("wait_seconds", "answered"),
    "abandon_rate_pct": ("abandoned", "offered"),
    "occupancy_pct": ("busy_seconds", "slot_seconds"),
    "aht_seconds": ("busy_seconds", "answered"),
    "acw_seconds": ("acw_seconds", "answered"),
    "contacts_per_agent_hour": ("answered", "staffed_seconds"),
}
SUMS = ["offered", "answered", "abandoned", "answered_within_target", "handle_seconds",
        "acw_seconds", "wait_seconds", "busy_seconds", "staffed_seconds", "slot_seconds"]


@dataclass(frozen=True)
class KpiReport:
    """``table`` (``KPI_COLUMNS``), ``summary`` (period figures, misses, what was missing)
    and ``problems`` (the login-data problems of ``wfm adherence``, when events were given)."""

    table: pd.DataFrame
    summary: dict[str, Any]
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)


def compute_kpis(actuals: pd.DataFrame, config: SiteConfig, *,
                 roster: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                 sessions: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None,
                 levels: tuple[str, ...] = LEVELS, label: str = "actuals",
                 roster_label: str = "roster", events_label: str = "events") -> KpiReport:
    """The KPI table from actuals and, where given, the roster with login data and a forecast.

    Parameters
    ----------
    actuals
        As ``wfm.kpi.actuals.read_actuals`` returns it.
    roster, events, sessions
        The roster worked and its login data (events or sessions): staffed time for occupancy
        and contacts per agent-hour when ``actuals`` has no ``staffed_seconds``, and the
        attendance and adherence figures.
    forecast
        The forecast table: the daily forecast error per queue.
    levels
        Which levels of the table to build (``interval``, ``day``, ``period``).
    """
    unknown = sorted(set(levels) - set(LEVELS))
    if not levels:
        raise InvalidInput(f"choose at least one KPI level ({', '.join(LEVELS)})")
    if unknown:
        raise InvalidInput(f"unknown KPI level(s) {', '.join(unknown)}; choose from "
                           f"{', '.join(LEVELS)}")
    if actuals.empty:
        raise InvalidInput("the actuals table has no rows", file=label)
    if (events is not None or sessions is not None) and roster is None:
        raise InvalidInput("login events or sessions need the roster they were worked under "
                           "(--roster)")
    if events is not None and sessions is not None:
        raise InvalidInput("give login events or login sessions, not both")
    check_interval_grid(actuals, config.interval_minutes, label=label)
    frame = actuals.reset_index(drop=True)
    queues = sorted(frame["queue"].astype(str).unique())
    needs: list[str] = []
    activity = None
    if roster is not None and (events is not None or sessions is not None):
        from wfm.adherence import attributed_activity

        # built once: the staffed time and the adherence figures both start from it
        activity = attributed_activity(roster, config, events=events, sessions=sessions,
                                       roster_label=roster_label)
    frame, staffed_source, unattributed = _with_staffed(frame, config, queues, roster, events,
                                                        sessions, roster_label, needs, activity)
    sums = _sums(frame, config)
    dates = sums["date"]
    first_day, last_day = min(dates), max(dates)
    parts = []
    if "interval" in levels:
        parts.append(_queue_rows(sums, config, "interval"))
    day_sums = sums.groupby(["date", "queue"], as_index=False, sort=True)[SUMS].sum(min_count=1)
    period_sums = sums.groupby("queue", as_index=False, sort=True)[SUMS].sum(min_count=1)
    if "day" in levels:
        parts.append(_queue_rows(day_sums, config, "day"))
    if "period" in levels:
        parts.append(_queue_rows(period_sums, config, "period"))
    if forecast is not None:
        parts += _forecast_rows(forecast, day_sums, config, levels)
    else:
        needs.append("forecast_error_pct needs --forecast")
    problems = pd.DataFrame()
    team: dict[str, Any] = {}
    if roster is not None and (events is not None or sessions is not None):
        people = people_rows(roster, config, events=events, sessions=sessions,
                             date_from=first_day, date_to=last_day, levels=levels,
                             events_label=events_label, roster_label=roster_label,
                             activity=activity)
        parts.append(people.table)
        problems, team = people.problems, people.team
    else:
        needs.append("attendance_pct and adherence_pct need --roster with --events or "
                     "--sessions")
    table = _concat(parts).loc[:, KPI_COLUMNS]
    summary = _summary(table, queues, config, first_day, last_day, needs, staffed_source,
                       unattributed)
    summary["team"] = team
    return KpiReport(table=table, summary=summary, problems=problems)


def _with_staffed(frame: pd.DataFrame, config: SiteConfig, queues: list[str],
                  roster: pd.DataFrame | None, events: pd.DataFrame | None,
                  sessions: pd.DataFrame | None, roster_label: str, needs: list[str],
                  activity: Activity | None = None) -> tuple[pd.DataFrame, str, float | None]:
    """Staffed seconds per row: the actuals' own column, else login data + roster, else NaN."""
    if "staffed_seconds" in frame.columns and frame["staffed_seconds"].notna().all():
        return frame, "actuals", None
    if roster is not None and (events is not None or sessions is not None):
        staffed = staffed_per_interval(roster, config, queues, events=events,
                                       sessions=sessions, roster_label=roster_label,
                                       activity=activity)
        key = pd.DataFrame({"local_ns": local_wall_ns(frame["interval_start"]),
                            "queue": frame["queue"].astype(str)})
        merged = key.merge(staffed.table, on=["local_ns", "queue"], how="left")
        frame = frame.assign(staffed_seconds=merged["staffed_seconds"].fillna(0.0).to_numpy())
        return frame, "login data and roster", staffed.unattributed_seconds
    needs.append("occupancy_pct and contacts_per_agent_hour need staffed_seconds in the "
                 "actuals, or --roster with --events/--sessions")
    return frame.assign(staffed_seconds=np.nan), "none", None


def _sums(frame: pd.DataFrame, config: SiteConfig) -> pd.DataFrame:
    queue = frame["queue"].astype(str)
    slots = queue.map({q: (config.service_for(q).max_concurrency
                           if config.service_for(q).is_chat else 1) for q in queue.unique()})
    starts = frame["interval_start"]
    day_text = _date_text(starts)
    out = pd.DataFrame({"interval_start": starts, "date": day_text, "queue": queue})
    for name in ("offered", "answered", "abandoned", "answered_within_target"):
        out[name] = frame[name].to_numpy(dtype=float)
    for name in ("handle_seconds", "acw_seconds", "wait_seconds", "staffed_seconds"):
        out[name] = frame[name].to_numpy(dtype=float)
    out["busy_seconds"] = out["handle_seconds"] + out["acw_seconds"]
    out["slot_seconds"] = out["staffed_seconds"] * slots.to_numpy(dtype=float)
    return out


def _date_text(starts: pd.Series) -> pd.Series:
    """Local dates as ISO text, formatted once per distinct date (fast on a year of rows)."""
    days = starts.dt.tz_localize(None).dt.normalize()
    codes, uniques = pd.factorize(days)
    text = np.asarray(pd.DatetimeIndex(uniques).strftime("%Y-%m-%d"), dtype=object)
    return pd.Series(text[codes], index=starts.index)


def _targets(kpi: Kpi, queues: pd.Series, config: SiteConfig) -> np.ndarray:
    """The figure's target per row (NaN: none), looked up once per distinct queue."""
    codes, names = pd.factorize(queues)
    values = [kpi.target(config.service_for(q), config) for q in names]
    table = np.array([np.nan if v is None else v for v in values], dtype=float)
    return table[codes]


def _queue_rows(sums: pd.DataFrame, config: SiteConfig, level: str) -> pd.DataFrame:
    keys: dict[str, Any] = {"queue": sums["queue"].to_numpy(object)}
    if level == "interval":
        keys["interval_start"] = sums["interval_start"]
        keys["date"] = sums["date"].to_numpy(object)
    elif level == "day":
        keys["date"] = sums["date"].to_numpy(object)
    parts = []
    for name, (top, bottom) in QUEUE_RATIOS.items():
        kpi = BY_NAME[name]
        numerator = sums[top].to_numpy(dtype=float)
        denominator = sums[bottom].to_numpy(dtype=float)
        parts.append(kpi_rows(kpi, numerator, denominator, _targets(kpi, sums["queue"], config),
                              keys, level, config.timezone))
    return _concat(parts)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [part for part in parts if len(part)]
    return pd.concat(filled, ignore_index=True) if filled else _empty()


def _forecast_rows(forecast: pd.DataFrame, day_sums: pd.DataFrame, config: SiteConfig,
                   levels: tuple[str, ...]) -> list[pd.DataFrame]:
    """Daily (and period) forecast error per queue, on the days and queues both tables hold."""
    kpi = BY_NAME["forecast_error_pct"]
    daily = pd.DataFrame({"date": _date_text(forecast["interval_start"]),
                          "queue": forecast["queue"].astype(str),
                          "forecast": forecast["contacts"].to_numpy(dtype=float)})
    daily = daily.groupby(["date", "queue"], as_index=False)[["forecast"]].sum()
    both = day_sums[["date", "queue", "offered"]].merge(daily, on=["date", "queue"])
    parts = []
    if "day" in levels and len(both):
        parts.append(kpi_rows(kpi, (both["forecast"] - both["offered"]).to_numpy(float),
                              both["offered"].to_numpy(float),
                              _targets(kpi, both["queue"], config),
                              {"date": both["date"].to_numpy(object),
                               "queue": both["queue"].to_numpy(object)}, "day",
                              config.timezone))
    if "period" in levels and len(both):
        period = both.groupby("queue", as_index=False)[["forecast", "offered"]].sum()
        parts.append(kpi_rows(kpi, (period["forecast"] - period["offered"]).to_numpy(float),
                              period["offered"].to_numpy(float),
                              _targets(kpi, period["queue"], config),
                              {"queue": period["queue"].to_numpy(object)}, "period",
                              config.timezone))
    return parts


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in KPI_COLUMNS}).astype(
        {"value": float, "target": float, "numerator": float, "denominator": float})


def _summary(table: pd.DataFrame, queues: list[str], config: SiteConfig, first_day: str,
             last_day: str, needs: list[str], staffed_source: str,
             unattributed: float | None) -> dict[str, Any]:
    """Period figures per queue, day-level misses per figure, and what could not be computed."""
    period = table[(table["level"] == "period") & (table["agent_id"] == "")]
    figures: dict[str, dict[str, Any]] = {}
    for record in period.to_dict("records"):
        group = str(record["queue"]) or "team"
        target, met = record["target"], record["met"]
        figures.setdefault(group, {})[str(record["kpi"])] = {
            "value": record["value"], "unit": record["unit"],
            "target": None if pd.isna(target) else target,
            "met": None if pd.isna(met) else bool(met)}
    days = table[table["level"] == "day"]
    misses = {kpi: int(count) for kpi, count in
              days[days["met"].astype("boolean").eq(False).fillna(False).to_numpy(bool)].groupby("kpi").size().items()}
    agent_rows = table[(table["level"] == "period") & (table["agent_id"] != "")]
    below = agent_rows[agent_rows["met"].astype("boolean").eq(False).fillna(False).to_numpy(bool)]
    return {"date_from": first_day, "date_to": last_day, "queues": queues,
            "figures": figures, "day_misses": misses,
            "agents_below_target": {kpi: sorted(group["agent_id"].tolist())
                                    for kpi, group in below.groupby("kpi")},
            "staffed_time_from": staffed_source,
            "unattributed_working_hours": None if unattributed is None
            else round(unattributed / 3600, 2),
            "rows": len(table), "not_computed": needs,
            "chat_queues": config.chat_queues(queues)}


__all__ = ["KPIS", "KPI_COLUMNS", "LEVELS", "KpiReport", "compute_kpis", "kpi_rows",
           "met_flags"]
