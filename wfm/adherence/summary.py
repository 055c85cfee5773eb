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


AGAINST = [cause for cause in CAUSES if cause != "excused"]


def main_cause(lost: pd.DataFrame) -> np.ndarray:
    """The cause with the most lost minutes in each row of ``lost`` (``LOST_COLUMNS``), excused
    minutes left aside (they count as adherent); the first in ``CAUSES`` order on a tie; empty
    where nothing was lost against adherence."""
    values = lost[[f"lost_{c}_minutes" for c in AGAINST]].to_numpy(float)
    if len(values) == 0:
        return np.array([], dtype=object)
    best = np.array(AGAINST, dtype=object)[values.argmax(axis=1)]
    return np.where(values.max(axis=1) > 0, best, "")


def largest_remainder(exact: np.ndarray, total: np.ndarray, decimals: int = 2) -> np.ndarray:
    """``exact`` (rows x parts, non-negative) rounded to ``decimals`` so that each row sums to
    ``total`` (already rounded): the parts with the largest remainders get one more unit."""
    scale = 10.0 ** decimals
    units = np.floor(scale * exact + 1e-6)
    short = np.rint(scale * np.asarray(total, float) - units.sum(axis=1)).astype(np.int64)
    place = np.argsort(np.argsort(-(scale * exact - units), axis=1, kind="stable"), axis=1)
    units += place < short[:, None]
    return units / scale


def reason_items(agents: pd.DataFrame, target_pct: float,
                 names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every agent with scheduled time, largest gap to the target first (then by id): name,
    adherence, gap, lost minutes and their causes.

    Minutes are rounded to 2 decimals, as the percentages are; the causes are rounded by
    largest remainder so that they still sum exactly to ``lost_minutes`` as shown
    (``lost_minutes`` = minutes out of adherence before exceptions; ``excused`` is among the
    causes and counts as adherent).
    """
    shown = agents[agents["scheduled_minutes"].astype(float) > 0]
    if shown.empty:
        return []
    exact = shown[LOST_COLUMNS].to_numpy(float)
    total = np.round(exact.sum(axis=1), 2)
    parts = largest_remainder(exact, total)
    gap = np.round(float(target_pct) - shown["adherence_pct"].to_numpy(float), 2)
    out = []
    for k, agent in enumerate(shown.to_dict("records")):
        agent_id = str(agent["agent_id"])
        out.append({
            "agent_id": agent_id, "name": (names or {}).get(agent_id),
            "adherence_pct": float(agent["adherence_pct"]), "gap_pct": float(gap[k]),
            "below_target": bool(agent["below_target"]),
            "days_scheduled": int(agent["days_scheduled"]),
            "scheduled_minutes": round(float(agent["scheduled_minutes"]), 2),
            "lost_minutes": float(total[k]), "main_cause": str(agent["main_cause"]),
            "lost_by_cause": {c: float(parts[k, j]) for j, c in enumerate(CAUSES)}})
    order = sorted(range(len(out)), key=lambda k: (-float(gap[k]), str(out[k]["agent_id"])))
    return [out[k] for k in order]


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
    exact = np.array([[float(agent[f"lost_{c}_minutes"]) for c in CAUSES]])
    total = round(float(agent["lost_minutes"]), 2)
    parts = largest_remainder(exact, np.array([total]))[0]
    by_cause = {c: float(parts[j]) for j, c in enumerate(CAUSES)}
    return {"agent_id": agent["agent_id"], "adherence_pct": float(agent["adherence_pct"]),
            "gap_pct": float(agent["gap_pct"]),
            "lost_minutes": total, "main_cause": cause,
            "main_cause_minutes": by_cause[cause] if cause else 0.0,
            "lost_by_cause": by_cause}
