"""Attendance and adherence per agent, per day and for the team, from ``wfm.adherence``.

Attendance (出勤率) = worked shifts / scheduled shifts: a scheduled shift is a roster row with a
shift type (OFF and LEAVE are not scheduled work); it is worked unless ``wfm adherence`` marks
it absent (no working minute in its scheduled time). Adherence (实际工作率) is the adherence
table's Σ in-adherence minutes / Σ scheduled minutes. Both are measured over the actuals' dates
that the roster covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from wfm.adherence import UNSCHEDULED, Activity, compute_adherence
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.kpi.definitions import BY_NAME
from wfm.kpi.rows import kpi_rows

NOT_SHIFTS = ("OFF", "LEAVE", UNSCHEDULED)


@dataclass(frozen=True)
class People:
    table: pd.DataFrame
    team: dict[str, Any]
    problems: pd.DataFrame


def people_rows(roster: pd.DataFrame, config: SiteConfig, *, events: pd.DataFrame | None,
                sessions: pd.DataFrame | None, date_from: str, date_to: str,
                levels: tuple[str, ...], events_label: str = "events",
                roster_label: str = "roster", activity: Activity | None = None) -> People:
    """KPI rows of attendance and adherence: per agent (period), per day and period (team).
    ``activity``: the attributed login data, when the caller has built it already."""
    roster_days = [d for d in roster["date"] if d is not None]
    first = max(date.fromisoformat(date_from), min(roster_days))
    last = min(date.fromisoformat(date_to), max(roster_days))
    if first > last:
        raise InvalidInput(f"the roster ({min(roster_days)} to {max(roster_days)}) does not "
                           f"cover any date of the actuals ({date_from} to {date_to})",
                           file=roster_label)
    report = compute_adherence(roster, config, events=events, sessions=sessions,
                               date_from=first, date_to=last, label=events_label,
                               roster_label=roster_label, activity=activity)
    rows = report.rows
    shifts = rows[~rows["shift"].isin(NOT_SHIFTS) & (rows["scheduled_minutes"] > 0)]
    frame = pd.DataFrame({
        "agent_id": shifts["agent_id"].astype(str).to_numpy(object),
        "date": np.array([d.isoformat() for d in shifts["date"]], dtype=object),
        "worked": (~shifts["absent"].astype(bool)).to_numpy(float),
        "scheduled": np.ones(len(shifts)),
        "in_adherence": shifts["in_adherence_minutes"].to_numpy(float),
        "scheduled_minutes": shifts["scheduled_minutes"].to_numpy(float)})
    attendance, adherence = BY_NAME["attendance_pct"], BY_NAME["adherence_pct"]
    target_att = np.float64(config.kpi.attendance_target_pct)
    target_adh = np.float64(config.adherence.target_pct)
    parts = []

    def add(group: pd.DataFrame, keys: dict[str, Any], level: str) -> None:
        n = len(group)
        parts.append(kpi_rows(attendance, group["worked"].to_numpy(float),
                              group["scheduled"].to_numpy(float), np.full(n, target_att),
                              keys, level, config.timezone))
        parts.append(kpi_rows(adherence, group["in_adherence"].to_numpy(float),
                              group["scheduled_minutes"].to_numpy(float),
                              np.full(n, target_adh), keys, level, config.timezone))

    sums = ["worked", "scheduled", "in_adherence", "scheduled_minutes"]
    if "period" in levels:
        per_agent = frame.groupby("agent_id", as_index=False)[sums].sum()
        add(per_agent, {"agent_id": per_agent["agent_id"].to_numpy(object)}, "period")
        total = frame[sums].sum().to_frame().T
        add(total, {}, "period")
    if "day" in levels:
        per_day = frame.groupby("date", as_index=False)[sums].sum()
        add(per_day, {"date": per_day["date"].to_numpy(object)}, "day")
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    team = {"date_from": first.isoformat(), "date_to": last.isoformat(),
            "scheduled_shifts": int(frame["scheduled"].sum()),
            "worked_shifts": int(frame["worked"].sum()),
            "adherence_problems": len(report.problems)}
    return People(table=table, team=team, problems=report.problems)
