"""Adherence per agent and day, from the current roster and the stored login events."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from api.deps import (
    FORBIDDEN,
    MAX_ID,
    PROTECTED,
    ActorDep,
    CurrentPlanner,
    CurrentUser,
    StoreDep,
    error_responses,
    own_agent_id,
)
from api.schemas import (
    AdherenceAgent,
    AdherenceExceptionCreate,
    AdherenceExceptionPublic,
    AdherenceExceptionsPublic,
    AdherencePublic,
    AdherenceRow,
)
from api.store import Store
from api.validation import NO_NUL, AgentIdQuery, DateFrom, DateTo
from wfm.adherence import AdherenceReport, reason_items

router = APIRouter(prefix="/api/v1/adherence", tags=["adherence"], responses=PROTECTED)


@router.get("", response_model=AdherencePublic, responses=FORBIDDEN)
def read_adherence_report(
        *, store: StoreDep, user: CurrentUser, agent_id: AgentIdQuery = None,
        date_from: DateFrom = None,
        date_to: DateTo = None) -> AdherencePublic:
    """Adherence rows (DESIGN.md columns and the lost minutes by cause), every agent by gap to
    the target with names and causes, what the stored events cover and the exceptions applied;
    an agent sees only its own.

    Without ``to`` the period ends at the earlier of today (site time) and the date of the
    last stored login event, so shifts that have not happened yet are not absences. Without
    ``from`` it begins on the date of the first stored event.
    """
    agent_id = own_agent_id(user, agent_id)
    agent_ids = [agent_id] if agent_id else None
    if date_to is None:
        date_to = default_period_end(store)
        if date_from is not None and date_to < date_from:
            return AdherencePublic(rows=[])  # the whole period is still to come
    report, names = stored_report(store, agent_ids=agent_ids, date_from=date_from,
                                  date_to=date_to)
    if report is None:
        return AdherencePublic(rows=[])
    rows = report.rows
    items = reason_items(report.agents, store.config.adherence.target_pct, names)
    if agent_id:
        rows = rows[rows["agent_id"] == agent_id]
        items = [item for item in items if item["agent_id"] == agent_id]
    first, last = report.team["date_from"], report.team["date_to"]
    excused = store.list_exceptions(date_from=first, date_to=last, agent_id=agent_id)
    return AdherencePublic(rows=[AdherenceRow(**_clean(r)) for r in rows.to_dict("records")],
                           agents=[AdherenceAgent(**_clean(i)) for i in items],
                           coverage=report.coverage if not agent_id else {
                               k: v for k, v in report.coverage.items()
                               if k in ("events_from", "events_to")},
                           exceptions=[AdherenceExceptionPublic.of(e) for e in excused])


def stored_report(store: Store, *, agent_ids: list[str] | None, date_from: date | None,
                  date_to: date | None) -> tuple[AdherenceReport | None, dict[str, str]]:
    """The adherence report of the stored roster, events and exceptions (None without a
    roster in the period), and the agents' names. The page reads the same. Shifts are judged
    as worked: an accepted overtime extension or VTO early end moves the shift's start or end
    (``Offers.worked_roster``)."""
    from wfm.adherence import compute_adherence
    from wfm.teams import team_of

    _, roster = store.roster_frame(
        agent_ids=agent_ids, date_from=date_from - timedelta(days=1) if date_from else None,
        date_to=date_to + timedelta(days=1) if date_to else None)
    if roster.empty:
        return None, {}
    people = store.agents_frame()
    names = {a: n for a, n in zip(people["agent_id"], people["name"], strict=True) if n}
    teams = {a: team_of(k) for a, k in zip(people["agent_id"], people["skills"], strict=True)}
    exceptions = store.exceptions_frame(
        date_from=date_from - timedelta(days=1) if date_from else None,
        date_to=date_to + timedelta(days=1) if date_to else None)
    if agent_ids is not None:
        # an agent's own report: the team exceptions and those naming the agent
        exceptions = exceptions[exceptions["agent_id"].isin(agent_ids)
                                | (exceptions["team"] != "")].reset_index(drop=True)
    worked, config, original = store.offers.worked_roster(roster)  # accepted offer hours
    report = compute_adherence(worked, config, events=store.events_frame(
        agent_ids=agent_ids), date_from=date_from, date_to=date_to, label="stored events",
        exceptions=exceptions, teams=teams, exceptions_label="stored exceptions")
    if original:  # the rows show the roster's shift code
        report = replace(report, rows=report.rows.assign(
            shift=report.rows["shift"].replace(original)))
    return report, names


@router.get("/exceptions", response_model=AdherenceExceptionsPublic, responses=FORBIDDEN)
def read_exceptions(*, store: StoreDep, planner: CurrentPlanner, date_from: DateFrom = None,
                    date_to: DateTo = None,
                    agent_id: AgentIdQuery = None) -> AdherenceExceptionsPublic:
    """The exceptions overlapping the period (site dates), with who excused them and why."""
    rows = store.list_exceptions(date_from=date_from, date_to=date_to, agent_id=agent_id)
    return AdherenceExceptionsPublic(items=[AdherenceExceptionPublic.of(r) for r in rows])


@router.post("/exceptions", response_model=AdherenceExceptionPublic,
             status_code=status.HTTP_201_CREATED, responses=error_responses(403, 413))
def create_exception(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                     exception_in: AdherenceExceptionCreate) -> AdherenceExceptionPublic:
    """Excuse a period for an agent or a team: its out-of-adherence minutes count as adherent
    (cause ``excused``). Written to the audit with the actor and the reason."""
    tz = store.config.tz
    start, end = (t if t.tzinfo else t.replace(tzinfo=tz)
                  for t in (exception_in.start, exception_in.end))
    row = store.create_exception(agent_id=exception_in.agent_id, team=exception_in.team,
                                 start=start, end=end, reason=exception_in.reason, actor=actor)
    return AdherenceExceptionPublic.of(row)


@router.delete("/exceptions/{exception_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=error_responses(403, 404))
def delete_exception(*, store: StoreDep, planner: CurrentPlanner, actor: ActorDep,
                     exception_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                     reason: Annotated[str, Query(max_length=2000, pattern=NO_NUL)] = ""
                     ) -> None:
    """Withdraw an exception (audited, with the optional ``reason``)."""
    store.delete_exception(exception_id=exception_id, actor=actor, reason=reason)


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
        elif isinstance(value, dict):
            value = {k: None if isinstance(v, float) and math.isnan(v) else v
                     for k, v in value.items()}
        elif value is not None and hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out
