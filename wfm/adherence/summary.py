"""Period summaries: per agent and for the team, as ratios of sums (never means of days)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

AGENT_COLUMNS = ["agent_id", "days_scheduled", "scheduled_minutes", "logged_in_minutes",
                 "in_adherence_minutes", "working_minutes", "adherence_pct", "conformance_pct",
                 "late_start_minutes", "early_leave_minutes", "overtime_minutes", "absent_days",
                 "episodes", "below_target"]
_SUMMED = ["scheduled_minutes", "logged_in_minutes", "in_adherence_minutes", "working_minutes",
           "late_start_minutes", "early_leave_minutes", "overtime_minutes", "episodes"]


def percent(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    """100 · part / whole rounded to 2 decimals; NaN where ``whole`` is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, np.round(100.0 * part / np.where(whole > 0, whole, 1), 2),
                        np.nan)


def agent_summary(rows: pd.DataFrame, target_pct: float) -> pd.DataFrame:
    """One row per agent: sums over the period, ratios of those sums, and the target flag.

    ``rows`` is the adherence table plus ``working_minutes``.
    """
    if rows.empty:
        return pd.DataFrame(columns=AGENT_COLUMNS)
    grouped = rows.groupby("agent_id", sort=True)
    out = grouped[_SUMMED].sum().round(6)
    out["days_scheduled"] = grouped["scheduled_minutes"].apply(lambda m: int((m > 0).sum()))
    out["absent_days"] = grouped["absent"].sum().astype(int)
    out["adherence_pct"] = percent(out["in_adherence_minutes"], out["scheduled_minutes"])
    out["conformance_pct"] = percent(out["working_minutes"], out["scheduled_minutes"])
    out["below_target"] = out["adherence_pct"].lt(target_pct) & out["scheduled_minutes"].gt(0)
    return out.reset_index()[AGENT_COLUMNS]


def team_summary(rows: pd.DataFrame, agents: pd.DataFrame, target_pct: float) -> dict[str, Any]:
    """Team figures over the period (ratios of the team's sums) and who is below target."""
    # sums of exact minutes; rounded to 6 decimals only to drop float noise (< 0.1 ms)
    totals = {name: round(float(rows[name].sum()), 6) if len(rows) else 0.0 for name in _SUMMED}
    unscheduled = rows["scheduled_minutes"].eq(0) if len(rows) else pd.Series([], dtype=bool)
    below = agents.loc[agents["below_target"].astype(bool), ["agent_id", "adherence_pct"]]
    return {
        "agents": int(agents["agent_id"].nunique()) if len(agents) else 0,
        "agent_days_scheduled": int(rows["scheduled_minutes"].gt(0).sum()) if len(rows) else 0,
        **totals,
        "episodes": int(totals["episodes"]),
        "adherence_pct": float(percent(totals["in_adherence_minutes"],
                                       totals["scheduled_minutes"])),
        "conformance_pct": float(percent(totals["working_minutes"],
                                         totals["scheduled_minutes"])),
        "absent_days": int(rows["absent"].sum()) if len(rows) else 0,
        "unscheduled_working_minutes": round(float(
            rows["working_minutes"][unscheduled].sum()), 6)
        if len(rows) else 0.0,
        "target_pct": float(target_pct),
        "agents_below_target": [
            {"agent_id": a, "adherence_pct": float(p)}
            for a, p in zip(below["agent_id"], below["adherence_pct"], strict=True)],
    }
