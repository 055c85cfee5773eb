"""Adherence per agent and day, from the current roster and the stored login events."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
from fastapi import APIRouter

from api.deps import FORBIDDEN, PROTECTED, CurrentUser, StoreDep, own_agent_id
from api.schemas import AdherencePublic, AdherenceRow
from api.store import Store
from api.validation import AgentIdQuery, DateFrom, DateTo

if TYPE_CHECKING:
    from wfm.adherence import AdherenceReport

router = APIRouter(prefix="/api/v1/adherence", tags=["adherence"], responses=PROTECTED)


@router.get("", response_model=AdherencePublic, responses=FORBIDDEN)
def read_adherence_report(
        *, store: StoreDep, user: CurrentUser, agent_id: AgentIdQuery = None,
        date_from: DateFrom = None,
        date_to: DateTo = None) -> AdherencePublic:
    """Adherence rows (DESIGN.md columns); an agent sees only its own.

    Shifts are judged as worked: an accepted overtime extension or VTO early end moves the
    shift's start or end (the row shows the roster's shift code).

    Without ``to`` the period ends at the earlier of today (site time) and the date of the
    last stored login event, so shifts that have not happened yet are not absences.
    """
    agent_id = own_agent_id(user, agent_id)
    agent_ids = [agent_id] if agent_id else None
    if date_to is None:
        date_to = default_period_end(store)
        if date_from is not None and date_to < date_from:
            return AdherencePublic(rows=[])  # the whole period is still to come
    _, roster = store.roster_frame(
        agent_ids=agent_ids, date_from=date_from - timedelta(days=1) if date_from else None,
        date_to=date_to + timedelta(days=1))
    events = store.events_frame(agent_ids=agent_ids)
    if roster.empty:
        return AdherencePublic(rows=[])
    rows = stored_adherence(store, roster, events=events, date_from=date_from,
                            date_to=date_to).rows
    if agent_id:
        rows = rows[rows["agent_id"] == agent_id]
    return AdherencePublic(rows=[AdherenceRow(**_clean(r)) for r in rows.to_dict("records")])


def stored_adherence(store: Store, roster: pd.DataFrame, *, events: pd.DataFrame,
                     date_from: date | None, date_to: date | None) -> AdherenceReport:
    """``compute_adherence`` on stored rows, each shift as worked: an accepted overtime
    extension or VTO early end moves its start or end (``Offers.worked_roster``); the rows
    show the roster's shift code. Shared by this route and the planner's adherence page."""
    from wfm.adherence import compute_adherence

    worked, config, original = store.offers.worked_roster(roster)
    report = compute_adherence(worked, config, events=events, date_from=date_from,
                               date_to=date_to, label="stored events")
    if not original:
        return report
    return replace(report, rows=report.rows.assign(shift=report.rows["shift"].replace(original)))


def default_period_end(store: Store) -> date:
    """The earlier of today and the last stored event's date (today when there are none):
    the last day the login data can speak for."""
    today = store.local_today()
    last_event = store.last_event_date()
    return today if last_event is None else min(today, last_event)


def _clean(record: dict[Any, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif value is not None and hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out
