"""Period summaries: per agent and for the team, as ratios of sums (never means of days).

Each summary also sums the lost minutes by cause (``reasons``); an agent's ``main_cause`` is
the cause of most of their lost minutes over the period. The agents below target are listed by
their gap to the target (target − adherence, largest first), then by id.

Conformance and overtime are, by definition, about work *attributed to a shift*: the summaries
sum them over shift rows only. Work attributed to no shift (rows ``UNSCHEDULED``, ``OFF``,
``LEAVE``: a login on a rest day, by someone not on the roster) is its own figure,
``unscheduled_working_minutes``; in the adherence table those rows show it as overtime, so the
table's overtime column sums to ``overtime_minutes + unscheduled_working_minutes``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from wfm.adherence.reasons import CAUSES

LOST_COLUMNS = [f"lost_{cause}_minutes" for cause in CAUSES]

AGENT_COLUMNS = ["agent_id", "days_scheduled", "scheduled_minutes", "logged_in_minutes",
                 "in_adherence_minutes", "working_minutes", "unscheduled_working_minutes",
                 "adherence_pct", "conformance_pct", "late_start_minutes", "early_leave_minutes",
                 "overtime_minutes", "absent_days", "episodes", "below_target", "lost_minutes",
                 *LOST_COLUMNS, "main_cause"]
_SUMMED = ["scheduled_minutes", "logged_in_minutes", "in_adherence_minutes", "working_minutes",
           "unscheduled_working_minutes", "late_start_minutes", "early_leave_minutes",
           "overtime_minutes", "episodes", *LOST_COLUMNS]


def main_cause(lost: pd.DataFrame) -> np.ndarray:
    """The cause with the most lost minutes in each row of ``lost`` (``LOST_COLUMNS``); the
    first in ``CAUSES`` order on a tie; empty where nothing was lost."""
    values = lost[LOST_COLUMNS].to_numpy(float)
    if len(values) == 0:
        return np.array([], dtype=object)
    best = np.array(CAUSES, dtype=object)[values.argmax(axis=1)]
    return np.where(values.max(axis=1) > 0, best, "")


def percent(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    """100 · part / whole rounded to 2 decimals; NaN where ``whole`` is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, np.round(100.0 * part / np.where(whole > 0, whole, 1), 2),
                        np.nan)


def _split_by_attribution(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with working and overtime minutes kept for shift rows only, and the working
    minutes of the other rows moved to ``unscheduled_working_minutes``."""
    on_shift = rows["on_shift"].to_numpy(bool)
    working = rows["working_minutes"].to_numpy(float)
    return rows.assign(
        working_minutes=np.where(on_shift, working, 0.0),
        unscheduled_working_minutes=np.where(on_shift, 0.0, working),
        overtime_minutes=np.where(on_shift, rows["overtime_minutes"].to_numpy(float), 0.0))


def agent_summary(rows: pd.DataFrame, target_pct: float) -> pd.DataFrame:
    """One row per agent: sums over the period, ratios of those sums, and the target flag.

    ``rows`` is the adherence table plus ``working_minutes`` and ``on_shift`` (the row is a
    shift, not work attributed to no shift).
    """
    if rows.empty:
        return pd.DataFrame(columns=AGENT_COLUMNS)
    grouped = _split_by_attribution(rows).groupby("agent_id", sort=True)
    out = grouped[_SUMMED].sum().round(6)
    out["days_scheduled"] = grouped["scheduled_minutes"].apply(lambda m: int((m > 0).sum()))
    out["absent_days"] = grouped["absent"].sum().astype(int)
    out["adherence_pct"] = percent(out["in_adherence_minutes"], out["scheduled_minutes"])
    out["conformance_pct"] = percent(out["working_minutes"], out["scheduled_minutes"])
    out["below_target"] = out["adherence_pct"].lt(target_pct) & out["scheduled_minutes"].gt(0)
    out["lost_minutes"] = out[LOST_COLUMNS].sum(axis=1).round(6)
    out["main_cause"] = main_cause(out)
    return out.reset_index()[AGENT_COLUMNS]


def team_summary(rows: pd.DataFrame, agents: pd.DataFrame, target_pct: float) -> dict[str, Any]:
    """Team figures over the period (ratios of the team's sums) and who is below target.

    ``rows`` as for ``agent_summary``. ``working_minutes`` and ``overtime_minutes`` are those
    attributed to shifts; ``unscheduled_working_minutes`` is the work attributed to none.
    """
    split = _split_by_attribution(rows)
    # sums of exact minutes; rounded to 6 decimals only to drop float noise (< 0.1 ms)
    totals = {name: round(float(split[name].sum()), 6) if len(split) else 0.0
              for name in _SUMMED}
    below = agents.loc[agents["below_target"].astype(bool)].copy()
    below["gap_pct"] = np.round(float(target_pct) - below["adherence_pct"].to_numpy(float), 2)
    below = below.sort_values(["gap_pct", "agent_id"], ascending=[False, True], kind="stable")
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
        "target_pct": float(target_pct),
        "lost_minutes": round(sum(totals[name] for name in LOST_COLUMNS), 6),
        # largest gap to the target first, each with the cause of most of its lost minutes
        "agents_below_target": [_below_item(b) for b in below.to_dict("records")],
    }


def _below_item(agent: Mapping[Hashable, Any]) -> dict[str, Any]:
    cause = str(agent["main_cause"])
    return {"agent_id": agent["agent_id"], "adherence_pct": float(agent["adherence_pct"]),
            "gap_pct": float(agent["gap_pct"]),
            "lost_minutes": round(float(agent["lost_minutes"]), 2), "main_cause": cause,
            "main_cause_minutes": round(float(agent[f"lost_{cause}_minutes"]), 2)
            if cause else 0.0,
            "lost_by_cause": {c: round(float(agent[f"lost_{c}_minutes"]), 2) for c in CAUSES}}
