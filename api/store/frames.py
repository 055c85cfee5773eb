"""Conversions between stored rows and the tables ``wfm`` reads, shared by the resources."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Agent, RequirementRow, RosterCell

CELL_COLUMNS = ["agent_id", "date", "shift", "queue"]
AGENT_COLUMNS = ["agent_id", "name", "skills", "preferred_rest_days", "max_nights_per_week",
                 "start_date", "end_date"]


def cells_frame(rows: Any) -> pd.DataFrame:
    """Roster rows ``(agent_id, date, shift, queue)`` as a roster frame ("" for no queue)."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=CELL_COLUMNS)
    frame["queue"] = frame["queue"].fillna("").astype(object)
    return frame


def stored_cells(session: Session, agent_ids: list[str]) -> pd.DataFrame:
    """The stored roster rows of ``agent_ids``, ordered by agent and date."""
    return cells_frame(session.execute(
        select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
        .where(RosterCell.agent_id.in_(agent_ids))
        .order_by(RosterCell.agent_id, RosterCell.date)).all())


def split(text: str) -> tuple[str, ...]:
    return tuple(s for s in text.split(";") if s)


def agent_record(agent: Agent) -> dict[str, Any]:
    """An agent as the record ``wfm.requests.swaps.check_swap`` reads (skills as a tuple)."""
    return {"agent_id": agent.agent_id, "skills": split(agent.skills),
            "max_nights_per_week": agent.max_nights_per_week, "start_date": agent.start_date,
            "end_date": agent.end_date}


def agents_to_frame(agents: Any) -> pd.DataFrame:
    """Stored agents as the agents table ``read_table`` gives (lists as tuples)."""
    rows = [{"agent_id": a.agent_id, "name": a.name, "skills": split(a.skills),
             "preferred_rest_days": split(a.preferred_rest_days),
             "max_nights_per_week": a.max_nights_per_week, "start_date": a.start_date,
             "end_date": a.end_date} for a in agents]
    frame = pd.DataFrame(rows, columns=AGENT_COLUMNS)
    frame["max_nights_per_week"] = frame["max_nights_per_week"].astype("Int64")
    frame["start_date"] = frame["start_date"].astype(object)
    frame["end_date"] = frame["end_date"].astype(object)
    return frame


def stored_agents(session: Session, agent_ids: list[str]) -> pd.DataFrame:
    return agents_to_frame(session.scalars(select(Agent).where(Agent.agent_id.in_(agent_ids))))


def stored_queues(session: Session) -> list[str] | None:
    """The queues the stored requirement names (None when there is none)."""
    queues = sorted(session.scalars(select(RequirementRow.queue).distinct()))
    return queues or None


def impact_json(impact: pd.DataFrame) -> str:
    """An impact frame as the JSON list of rows stored with a request."""
    columns = [impact[c].tolist() for c in impact.columns]
    columns[0] = [t.isoformat() for t in pd.DatetimeIndex(impact["interval_start"])
                  .to_pydatetime()]  # datetime.isoformat: the same text, faster than pandas
    rows = [dict(zip(impact.columns, values, strict=True)) for values in zip(*columns,
                                                                             strict=True)]
    return json.dumps(rows, default=int)  # numpy integers


def int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def date_or_none(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else value
