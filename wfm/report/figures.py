"""The figures a report shows: headline KPIs, fairness per agent, adherence per agent.

Every figure over a period is a ratio of sums (DESIGN.md), never a mean of daily percentages.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.coverage import NON_WORKING
from wfm.validation import check_array

WEEKEND = (5, 6)  # Saturday, Sunday


def night_codes(config: SiteConfig) -> set[str]:
    """Shift codes that count as nights, as the roster checker defines them."""
    from wfm.rules import is_night_shift

    return {t.code for t in config.shifts if is_night_shift(t)}


def expected_service(coverage: pd.DataFrame, requirement: pd.DataFrame,
                     config: SiteConfig) -> dict[str, Any]:
    """Contact-weighted service level and occupancy the rostered staff would give.

    Per interval and queue, the agents answering are the scheduled head count less shrinkage,
    rated by the queue's model as ``wfm staff`` staffed it (``wfm.staffing.dispatch``: Erlang C,
    Erlang A for a queue with ``patience_seconds``, the chat model for a chat queue); occupancy
    is Σ busy agents / Σ agents over open intervals, busy being the carried load. When the
    head count cannot be rated (an interval with contacts but no AHT) the requirement's planned
    service level is used instead (``basis`` says which).
    """
    merged = coverage.merge(requirement[["interval_start", "queue", "contacts", "aht_seconds",
                                         "traffic_erlangs", "service_level"]],
                            on=["interval_start", "queue"], how="inner")
    merged = merged[merged["contacts"] > 0]
    if merged.empty:
        return {"service_level_pct": None, "occupancy_pct": None, "basis": "no contacts"}
    from wfm.staffing.dispatch import effective_agents, model_for, performance

    queues = merged["queue"].to_numpy()
    services = {q: config.service_for(str(q)) for q in set(queues.tolist())}
    models = {model_for(s) for s in services.values()}
    shrinkage = np.array([services[q].shrinkage for q in queues])
    agents = effective_agents(merged["scheduled"].to_numpy(dtype=float), shrinkage)
    traffic = merged["traffic_erlangs"].to_numpy(dtype=float)
    contacts = merged["contacts"].to_numpy(dtype=float)
    aht = merged["aht_seconds"].fillna(0).to_numpy(dtype=float)
    basis = ("Erlang C at the rostered head count" if "erlang_a" not in models else
             "Erlang A at the rostered head count" if models == {"erlang_a"} else
             "Erlang C, or Erlang A for queues with patience_seconds, at the rostered head count")
    if "chat" in models:
        basis += "; chat queues with the chat model (k slots per agent)"
    level = np.zeros(len(merged))
    busy = np.zeros(len(merged))
    try:
        check_array("aht_seconds", aht, minimum=0.0, strictly=True)
        check_array("traffic", traffic, minimum=0.0)
        for queue, service in services.items():
            rows = np.flatnonzero(queues == queue)
            rated = performance(service, traffic[rows], agents[rows], aht[rows])
            level[rows], busy[rows] = rated.service_level, rated.busy_agents
    except (TypeError, ValueError):
        level = merged["service_level"].fillna(0).to_numpy(dtype=float)
        basis = "planned (requirement) service level"
        busy = np.minimum(traffic, agents)
    occupancy = busy.sum() / agents.sum() if agents.sum() > 0 else math.nan
    return {"service_level_pct": round(100 * float((level * contacts).sum() / contacts.sum()), 2),
            "occupancy_pct": None if math.isnan(occupancy) else round(100 * occupancy, 2),
            "basis": basis}


def shortfall_figures(coverage: pd.DataFrame, config: SiteConfig) -> dict[str, Any]:
    """Agent-hours short of the requirement and the share of interval-queues that are short."""
    demanded = coverage[coverage["required"] > 0]
    hours = float(coverage["shortfall"].sum()) * config.interval_minutes / 60
    short = int((demanded["shortfall"] > 0).sum())
    return {"shortfall_agent_hours": round(hours, 2),
            "short_intervals": short,
            "short_intervals_pct": round(100 * short / len(demanded), 2) if len(demanded) else None}


def adherence_by_agent(rows: pd.DataFrame) -> pd.DataFrame:
    """Per-agent period summary from adherence rows (ratio of sums)."""
    frame = rows.copy()
    frame["conforming_minutes"] = frame["conformance_pct"].fillna(0) / 100 * frame[
        "scheduled_minutes"]
    # overtime is work attributed to a shift (DESIGN.md); work on a rest day or with no shift
    # nearby is unscheduled work, as in ``wfm adherence``'s summary
    on_shift = ~frame["shift"].isin(["OFF", "LEAVE", "UNSCHEDULED"])
    frame["overtime_minutes"] = frame["overtime_minutes"].where(on_shift, 0.0)
    frame["absent"] = frame["absent"].astype(bool)
    summary = frame.groupby("agent_id").agg(
        scheduled_minutes=("scheduled_minutes", "sum"),
        in_adherence_minutes=("in_adherence_minutes", "sum"),
        conforming_minutes=("conforming_minutes", "sum"),
        late_start_minutes=("late_start_minutes", "sum"),
        early_leave_minutes=("early_leave_minutes", "sum"),
        overtime_minutes=("overtime_minutes", "sum"),
        absences=("absent", "sum"))
    summary = summary[summary["scheduled_minutes"] > 0]
    summary["adherence_pct"] = (100 * summary["in_adherence_minutes"]
                                / summary["scheduled_minutes"]).round(2)
    summary["conformance_pct"] = (100 * summary["conforming_minutes"]
                                  / summary["scheduled_minutes"]).round(2)
    return summary.reset_index()


def adherence_figures(rows: pd.DataFrame) -> dict[str, Any]:
    """Team adherence and conformance over the period (Σ minutes / Σ scheduled minutes)."""
    scheduled = float(rows["scheduled_minutes"].sum())
    if scheduled <= 0:
        return {"adherence_pct": None, "conformance_pct": None}
    conforming = float((rows["conformance_pct"].fillna(0) / 100 * rows["scheduled_minutes"]).sum())
    return {"adherence_pct": round(100 * float(rows["in_adherence_minutes"].sum()) / scheduled, 2),
            "conformance_pct": round(100 * conforming / scheduled, 2)}


def fairness_by_agent(roster: pd.DataFrame, config: SiteConfig,
                      agents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per agent: working days, nights, weekend rest days and whether preferences were met."""
    nights = night_codes(config)
    frame = roster.copy()
    weekday = pd.to_datetime(pd.Series([str(d) for d in frame["date"]])).dt.day_of_week.to_numpy()
    frame["working"] = ~frame["shift"].isin(NON_WORKING)
    frame["night"] = frame["shift"].isin(nights)
    frame["weekend_rest"] = ~frame["working"] & np.isin(weekday, WEEKEND)
    frame["weekday"] = weekday
    table = frame.groupby("agent_id").agg(working_days=("working", "sum"),
                                          nights=("night", "sum"),
                                          weekend_rest_days=("weekend_rest", "sum"))
    table["preference_met"] = pd.NA
    if agents is not None and "preferred_rest_days" in agents.columns:
        from wfm.tables import WEEKDAYS

        wanted = {agent: {WEEKDAYS.index(d) for d in (days or ())}
                  for agent, days in zip(agents["agent_id"], agents["preferred_rest_days"],
                                         strict=True)}
        rest = frame[~frame["working"]].groupby("agent_id")["weekday"].apply(set)
        met = {agent: bool(wanted[agent] & rest.get(agent, set()))
               for agent in table.index if wanted.get(agent)}
        table["preference_met"] = pd.Series(met, dtype="boolean").reindex(table.index)
    return table.astype({"working_days": "int64", "nights": "int64",
                         "weekend_rest_days": "int64"}).reset_index()


def fairness_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Spread of nights and working days, weekend rest and preferences met, over agents."""
    with_preference = table["preference_met"].dropna()
    return {
        "agents": len(table),
        "nights_min": int(table["nights"].min()) if len(table) else None,
        "nights_max": int(table["nights"].max()) if len(table) else None,
        "nights_mean": round(float(table["nights"].mean()), 2) if len(table) else None,
        "working_days_min": int(table["working_days"].min()) if len(table) else None,
        "working_days_max": int(table["working_days"].max()) if len(table) else None,
        "weekend_rest_pct": round(100 * float((table["weekend_rest_days"] > 0).mean()), 2)
        if len(table) else None,
        "preferences_met_pct": round(100 * float(with_preference.astype(bool).mean()), 2)
        if len(with_preference) else None,
    }
