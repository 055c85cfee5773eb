"""Roster-like tables and agent facts as plain numpy columns, the one form every rule reads.

A roster, previous roster, leave or fixed table arrives as a pandas frame (the CLI, the solver,
the API's stored rosters) or as ``(agent_id, date, shift, queue)`` tuples (a swap window). Both
are turned into ``Cells`` here, once, so that each rule family has a single implementation that
costs little on two agents' rows and stays vectorised on a whole roster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import InvalidInput, Violation

OFF, LEAVE, UNKNOWN = -1, -2, -3  # cell states; >= 0 is the index of a shift template
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
ROSTER_COLUMNS = ("agent_id", "date", "shift")


class Row(NamedTuple):
    """One cell as plain values (for building messages)."""

    agent_id: str
    day: int
    shift: str
    queue: str


@dataclass(frozen=True)
class Cells:
    """Rows of a roster-like table as parallel arrays.

    Attributes
    ----------
    agent_id, shift, queue
        Text (object arrays), stripped; ``""`` where empty or absent.
    day
        Days since 1970-01-01 (int64).
    state
        A shift template index, ``OFF``, ``LEAVE`` or ``UNKNOWN`` (int64).
    """

    agent_id: np.ndarray
    day: np.ndarray
    shift: np.ndarray
    queue: np.ndarray
    state: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def take(self, which: np.ndarray) -> Cells:
        """The rows selected by a boolean mask or an index array."""
        return Cells(self.agent_id[which], self.day[which], self.shift[which],
                     self.queue[which], self.state[which])

    def of_agents(self, keep: set[str] | None) -> Cells:
        """The rows of these agents (all rows when ``keep`` is None)."""
        if keep is None:
            return self
        mask = np.array([a in keep for a in self.agent_id.tolist()], dtype=bool)
        return self if mask.all() else self.take(mask)

    def rows_where(self, mask: np.ndarray) -> list[Row]:
        """The rows selected by a boolean mask, as typed tuples (cheap when none is)."""
        return list(self.take(mask).rows()) if mask.any() else []

    def rows(self) -> Iterator[Row]:
        """The rows as typed tuples."""
        for agent_id, day, shift, queue in zip(self.agent_id.tolist(), self.day.tolist(),
                                               self.shift.tolist(), self.queue.tolist(),
                                               strict=True):
            yield Row(agent_id, day, shift, queue)


@dataclass(frozen=True)
class Templates:
    """The site's shift templates as lookups and arrays indexed by cell state.

    Attributes
    ----------
    codes
        Shift code -> cell state: each template's exact code, then its upper case, OFF, LEAVE.
    start_minute, duration_minutes
        Per template (int64).
    """

    codes: dict[str, int]
    start_minute: np.ndarray
    duration_minutes: np.ndarray


_TEMPLATES: dict[tuple[tuple[str, str, str], ...], Templates] = {}


def template_key(config: SiteConfig) -> tuple[tuple[str, str, str], ...]:
    """What identifies a site's templates (code, start, end of each), for caches."""
    return tuple((t.code, t.start, t.end) for t in config.shifts)


def templates(config: SiteConfig) -> Templates:
    """The site's ``Templates``, built once per set of templates (checks of swaps repeat them)."""
    key = template_key(config)
    found = _TEMPLATES.get(key)
    if found is None:
        codes: dict[str, int] = {"OFF": OFF, "LEAVE": LEAVE}
        for s, template in enumerate(config.shifts):
            codes[template.code] = s
        for s, template in enumerate(config.shifts):
            codes.setdefault(template.code.upper(), s)
        found = _TEMPLATES[key] = Templates(
            codes, np.array([t.start_minute for t in config.shifts], dtype=np.int64),
            np.array([t.duration_minutes for t in config.shifts], dtype=np.int64))
    return found


def shift_codes(config: SiteConfig) -> dict[str, int]:
    """Cell state of each shift code: the exact code first, then its upper case."""
    return templates(config).codes


def _states(shifts: list[str], codes: Mapping[str, int]) -> np.ndarray:
    lookup = {s: codes.get(s, codes.get(s.upper(), UNKNOWN)) for s in set(shifts)}
    return np.array([lookup[s] for s in shifts], dtype=np.int64)


def _cells(agent_id: list[str], day: np.ndarray, shift: list[str], queue: list[str],
           codes: Mapping[str, int]) -> Cells:
    return Cells(np.array(agent_id, dtype=object), day, np.array(shift, dtype=object),
                 np.array(queue, dtype=object), _states(shift, codes))


def clean_text(value: object) -> str:
    """Stripped text of a cell; ``""`` for None, NaN and pandas' missing values."""
    if value is None or isinstance(value, str):
        return "" if value is None else value.strip()
    if isinstance(value, float) and value != value:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _date_text(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()[:10]
    return value


def day_numbers(values: Sequence[object], label: str, field: str = "date",
                first_line: int = 2) -> np.ndarray:
    """Days since 1970-01-01 of date-like values (``date``, ``Timestamp`` or ISO text).

    Raises
    ------
    InvalidInput
        A value is not a date; the message names the table, the line and the field.
    """
    items = list(values)
    if all(type(item) is date for item in items):  # as read_table returns them: the fast path
        return np.fromiter((item.toordinal() for item in items),  # type: ignore[attr-defined]
                           dtype=np.int64, count=len(items)) - EPOCH_ORDINAL
    parsed = pd.to_datetime(pd.Series([_date_text(v) for v in items], dtype=object),
                            format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidInput(f"expected a date YYYY-MM-DD, got {items[row]!r}", file=label,
                           line=row + first_line, field=field)
    return parsed.to_numpy().astype("datetime64[D]").astype(np.int64)


def _frame_text(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * len(frame)
    values = frame[column]
    return values.where(values.notna(), "").astype(str).str.strip().tolist()


def cells_from_frame(frame: pd.DataFrame, label: str, codes: Mapping[str, int],
                     columns: tuple[str, ...] = ROSTER_COLUMNS) -> Cells:
    """A roster-like frame (``agent_id, date[, shift, queue]``) as cells.

    Raises
    ------
    InvalidInput
        A required column is missing or a date cannot be read.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)} in the {label} table",
                           file=label)
    return _cells(_frame_text(frame, "agent_id"), day_numbers(frame["date"].tolist(), label),
                  _frame_text(frame, "shift"), _frame_text(frame, "queue"), codes)


def cells_from_rows(rows: Iterable[tuple[object, object, object, object]],
                    codes: Mapping[str, int]) -> Cells:
    """``(agent_id, date, shift, queue)`` tuples as cells; ``date`` must be a ``datetime.date``.

    Raises
    ------
    InvalidInput
        A date is not a ``datetime.date``.
    """
    table = list(rows)
    if not table:
        return _cells([], np.zeros(0, dtype=np.int64), [], [], codes)
    agent_ids, dates, shifts, queues = zip(*table, strict=True)
    for when in dates:
        if type(when) is not date:
            raise InvalidInput(f"expected a date, got {when!r}", file="roster", field="date")
    agent_id = [v.strip() if type(v) is str else clean_text(v) for v in agent_ids]
    shift = [v.strip() if type(v) is str else clean_text(v) for v in shifts]
    queue = [v.strip() if type(v) is str else clean_text(v) for v in queues]
    days = [when.toordinal() - EPOCH_ORDINAL for when in dates]
    return _cells(agent_id, np.array(days, dtype=np.int64), shift, queue, codes)


# ---- agents ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgentFacts:
    """What the rules need to know about each agent of the agents table (first row per id).

    Attributes
    ----------
    index
        Agent id -> position in the arrays below.
    skills
        The queues each agent may work.
    max_nights
        ``max_nights_per_week``; NaN where empty (no limit).
    start_day, end_day
        Contract bounds in days since 1970-01-01; NaN where open.

    The three arrays end with one extra NaN, so that position -1 (an agent the table lacks)
    reads "no limit, open contract".
    """

    index: dict[str, int]
    skills: list[tuple[str, ...]]
    max_nights: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray


def _skills(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(p).strip() for p in value if str(p).strip())
    return ()


def _number(value: object) -> float:
    if isinstance(value, str) and not value.strip():
        return float("nan")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _optional_day(value: object, field: str, line: int) -> float:
    """Days since 1970-01-01 of an optional date cell; NaN where empty."""
    if type(value) is date:
        return float(value.toordinal() - EPOCH_ORDINAL)
    if clean_text(value) == "":
        return float("nan")
    return float(day_numbers([value], "agents", field, first_line=line)[0])


def agent_facts(agents: pd.DataFrame | Iterable[Mapping[str, object]]) -> AgentFacts:
    """The agents table (a frame or records) as ``AgentFacts``.

    Raises
    ------
    InvalidInput
        The table has no ``agent_id`` column, or a contract date cannot be read.
    """
    if isinstance(agents, pd.DataFrame):
        if "agent_id" not in agents.columns:
            raise InvalidInput("missing column agent_id in the agents table", file="agents")
        columns = {c: agents[c].tolist() for c in
                   ("agent_id", "skills", "max_nights_per_week", "start_date", "end_date")
                   if c in agents.columns}
        count = len(agents)
    else:
        records = list(agents)
        count = len(records)
        columns = {c: [r.get(c) for r in records] for c in
                   ("agent_id", "skills", "max_nights_per_week", "start_date", "end_date")}

    def column(name: str) -> list[object]:
        return columns.get(name, [None] * count)

    ids = [clean_text(v) for v in column("agent_id")]
    seen: dict[str, int] = {}
    for i, agent_id in enumerate(ids):
        seen.setdefault(agent_id, i)
    first = list(seen.values())
    nights = [_number(v) for v in column("max_nights_per_week")]
    # every row's dates are read (a bad one is an error even on a repeated agent)
    start = [_optional_day(v, "start_date", i + 2) for i, v in enumerate(column("start_date"))]
    end = [_optional_day(v, "end_date", i + 2) for i, v in enumerate(column("end_date"))]
    skills = column("skills")
    nan = float("nan")
    return AgentFacts(index={agent_id: k for k, agent_id in enumerate(seen)},
                      skills=[_skills(skills[i]) for i in first],
                      max_nights=np.array([nights[i] for i in first] + [nan]),
                      start_day=np.array([start[i] for i in first] + [nan]),
                      end_day=np.array([end[i] for i in first] + [nan]))


# ---- messages -------------------------------------------------------------------------------

def iso(day: int | np.integer) -> str:
    """ISO date of a day number."""
    return (date(1970, 1, 1) + timedelta(days=int(day))).isoformat()


def weekday(day: int) -> int:
    """0 for Monday (1970-01-01, day 0, was a Thursday)."""
    return (day + 3) % 7


class Collector:
    """Accumulates (code, agent_id, day, message, params) and builds sorted, distinct
    Violations (``params``: the values the message was built from, see ``Violation``)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, str, tuple[tuple[str, Any], ...]]] = []

    def add(self, code: str, agent_id: str, day: int | np.integer, message: str,
            params: dict[str, Any] | None = None) -> None:
        self.items.append((code, str(agent_id), iso(day), message,
                           tuple(sorted((params or {}).items()))))

    def result(self) -> list[Violation]:
        distinct = {item[:4]: item[4] for item in self.items}
        ordered = sorted(distinct, key=lambda v: (v[1], v[2], v[0], v[3]))
        return [Violation(code, agent, when, message, dict(distinct[code, agent, when, message]))
                for code, agent, when, message in ordered]
