"""Check a shift swap: apply it to a copy of the roster, run the rule checker on the two agents
and measure the coverage impact per interval and queue.

A swap exchanges the two agents' assignments (shift and queue) on each of its dates: ``[d]``
exchanges both agents' days d; ``[d_a, d_b]`` gives the requester's shift on d_a to the
counterpart and the counterpart's shift on d_b to the requester, which is the same as exchanging
both days. A moved shift keeps its queue, so a receiver without that skill breaks the ``skill``
rule. Kinds differ only in what must hold before the exchange:

``swap``      the requester works on d_a and the counterpart works on d_b;
``give``      one date; the requester works, the counterpart is ``OFF``;
``rest-day``  the requester is ``OFF`` on d_a and the counterpart is ``OFF`` on d_b.

``LEAVE`` days never move. Only violations the swap introduces are reported, so an old problem
elsewhere in the two agents' rosters does not block an unrelated swap. The swap's statuses are
``wfm.requests.status.SWAP_MACHINE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.coverage import NON_WORKING
from wfm.errors import InvalidInput, Violation
from wfm.requests.impact import empty_impact, swap_impact
from wfm.rules import check_roster, check_roster_rows

SWAP_KINDS = ("swap", "give", "rest-day")
CELL_COLUMNS = ["agent_id", "date", "shift", "queue"]
AGENT_FIELDS = ("agent_id", "skills", "max_nights_per_week", "start_date", "end_date")


@dataclass(frozen=True)
class SwapVerdict:
    """What a swap would do.

    Attributes
    ----------
    violations
        Rules the swap breaks (shape problems such as ``not_off``, or the checker's codes).
    impact
        ``interval_start, queue, required, scheduled_before, scheduled_after`` for every interval
        and queue that a moved shift covers.
    before, after
        The agent-days the swap touches, as ``agent_id, date, shift, queue`` records.
    starts_at
        When the earliest shift the swap touches starts (tz-aware, site time).
    """

    violations: list[Violation]
    impact: pd.DataFrame
    before: list[dict[str, object]] = field(default_factory=list)
    after: list[dict[str, object]] = field(default_factory=list)
    starts_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def keeps_coverage(self) -> bool:
        """In every interval and queue, scheduled_after ≥ min(scheduled_before, required)."""
        floor = self.impact[["scheduled_before", "required"]].min(axis=1)
        return bool((self.impact["scheduled_after"] >= floor).all())


def check_swap(roster: pd.DataFrame | Sequence[tuple[str, date, str, str | None]],
               agents: pd.DataFrame | Sequence[Mapping[str, object]], config: SiteConfig, *,
               kind: str, requester_id: str, counterpart_id: str, dates: Sequence[date],
               requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None = None,
               requirement_queues: list[str] | None = None,
               window_counts: pd.DataFrame | Iterable[tuple[date, str, str, int]] | None = None,
               ) -> SwapVerdict:
    """Apply a swap to a copy of ``roster`` and judge it.

    Parameters
    ----------
    roster
        ``agent_id, date, shift[, queue]`` holding at least all rows of the two agents and all
        rows on the swap dates and the days either side (for coverage); a frame or
        ``(agent_id, date, shift, queue)`` tuples.
    agents
        The agents table (at least the two agents), or its records.
    requirement
        ``interval_start, queue, scheduled_agents``; ``required`` is 0 where it has no row. Or
        a mapping ``(local naive interval start, queue) -> scheduled_agents``.
    window_counts
        Optional ``date, shift, queue, agents`` (a frame or tuples): how many agents work each
        shift type and queue on the swap dates and the days either side (a database can count
        them). When given, ``roster`` need only hold the two agents' rows.

    Raises
    ------
    InvalidInput
        Unknown kind, no or more than two dates, or an agent swapping with itself.
    """
    days = _check_request(kind, requester_id, counterpart_id, dates)
    pair = (requester_id, counterpart_id)
    columns = _columns(roster)
    agent_column = columns[0]
    selected = np.flatnonzero((agent_column == requester_id) | (agent_column == counterpart_id))
    mine = list(zip(*(column[selected].tolist() for column in columns), strict=True))
    cells = {(a, d): (s, q) for a, d, s, q in mine}
    before = [_cell(cells, agent, day) for day in days for agent in pair]
    shape = _shape_violations(kind, pair, days, list(dates), cells)
    after = _exchange(before, pair)
    starts_at = _earliest_start(before, days, config)
    if not shape and all(b == a for b, a in zip(before, after, strict=True)):
        shape.append(Violation("no_change", requester_id, days[0].isoformat(),
                               "the swap would change nothing"))
    if shape:
        return SwapVerdict(shape, empty_impact(config), before, after, starts_at)
    violations = _new_violations(mine, _apply(mine, after), agents, config, pair,
                                 requirement_queues)
    impact = swap_impact(columns, before, after, days, config, requirement, requirement_queues,
                         window_counts)
    return SwapVerdict(violations, impact, before, after, starts_at)


def _check_request(kind: str, requester_id: str, counterpart_id: str,
                   dates: Sequence[date]) -> list[date]:
    if kind not in SWAP_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SWAP_KINDS)}, got {kind!r}")
    if not 1 <= len(dates) <= 2:
        raise InvalidInput(f"dates must hold one or two dates, got {len(dates)}")
    if kind == "give" and len(set(dates)) != 1:
        raise InvalidInput("a give moves one shift: dates must hold one date")
    if requester_id == counterpart_id:
        raise InvalidInput(f"counterpart_id must be another agent, got {counterpart_id!r}")
    for day in dates:
        if not date.min + timedelta(days=7) <= day <= date.max - timedelta(days=7):
            raise InvalidInput(f"dates must be ordinary calendar dates, got {day}")
    return sorted(set(dates))


Cells = dict[tuple[str, date], tuple[str, str]]


Row = tuple[str, date, str, str]


def _columns(roster: pd.DataFrame | Sequence[tuple[str, date, str, str | None]],
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """agent_id, date, shift and queue ("" when absent or missing) as arrays."""
    if not isinstance(roster, pd.DataFrame):
        arrays = [np.empty(len(roster), dtype=object) for _ in range(4)]
        for k, values in enumerate(zip(*roster, strict=True) if len(roster) else ()):
            arrays[k][:] = values
        for i, value in enumerate(arrays[3].tolist()):
            if value is None or value != value:
                arrays[3][i] = ""
        return arrays[0], arrays[1], arrays[2], arrays[3]

    def column(name: str) -> np.ndarray:
        return roster[name].to_numpy(dtype=object)

    if "queue" in roster.columns:
        queue = column("queue")
        missing = pd.isna(queue)
        if missing.any():
            queue = queue.copy()
            queue[missing] = ""
    else:
        queue = np.full(len(roster), "", dtype=object)
    return column("agent_id"), column("date"), column("shift"), queue


def _cell(cells: Cells, agent_id: str, day: date) -> dict[str, object]:
    shift, queue = cells.get((agent_id, day), (None, ""))
    return {"agent_id": agent_id, "date": day, "shift": shift, "queue": str(queue)}


def _shift_of(cells: Cells, agent_id: str, day: date) -> str | None:
    shift = cells.get((agent_id, day), (None, ""))[0]
    return None if shift is None else str(shift)


def _shape_violations(kind: str, pair: tuple[str, str], days: list[date], dates: list[date],
                      cells: Cells) -> list[Violation]:
    problems: list[Violation] = []
    for day in days:
        for agent in pair:
            shift = _shift_of(cells, agent, day)
            if shift is None:
                problems.append(Violation("no_assignment", agent, day.isoformat(),
                                          f"{agent} has no roster row on {day}"))
            elif shift == "LEAVE":
                problems.append(Violation("leave", agent, day.isoformat(),
                                          f"{agent} is on leave on {day}; leave never moves"))
    if problems:
        return problems
    requester, counterpart = pair
    first, last = dates[0], dates[-1]
    wanted = {"swap": ((requester, first, True), (counterpart, last, True)),
              "give": ((requester, first, True), (counterpart, first, False)),
              "rest-day": ((requester, first, False), (counterpart, last, False))}[kind]
    for agent, day, working in wanted:
        is_working = _shift_of(cells, agent, day) not in NON_WORKING
        if working and not is_working:
            problems.append(Violation("not_working", agent, day.isoformat(),
                                      f"{agent} has no shift to move on {day} ({kind})"))
        elif not working and is_working:
            problems.append(Violation("not_off", agent, day.isoformat(),
                                      f"{agent} is not OFF on {day} ({kind})"))
    return problems


def _exchange(before: list[dict[str, object]], pair: tuple[str, str]) -> list[dict[str, object]]:
    after = []
    for first, second in zip(before[::2], before[1::2], strict=True):
        after.append({**second, "agent_id": pair[0]})
        after.append({**first, "agent_id": pair[1]})
    return after


def _apply(rows: list[Row], after: list[dict[str, object]]) -> list[Row]:
    # ``after`` holds _cell records in Row order; the one exception to Row's types is a
    # shift of None where the agent had no row, which the checkers already receive.
    changed = [cast(Row, (c["agent_id"], c["date"], c["shift"], c["queue"])) for c in after]
    keys = {(agent, day) for agent, day, _, _ in changed}
    return [r for r in rows if (r[0], r[1]) not in keys] + changed


def _new_violations(table: list[Row], swapped: list[Row],
                    agents: pd.DataFrame | Sequence[Mapping[str, object]],
                    config: SiteConfig, pair: tuple[str, str],
                    queues: list[str] | None) -> list[Violation]:
    """Violations of the two agents after the swap that were not there before.

    The roster before the swap is only checked when the swapped one breaks something, so a
    legal swap costs one run of the checker. The checker runs on plain Python values
    (``wfm.rules.check_roster_rows``, the same violations as ``check_roster``) unless a date is
    not a ``datetime.date``.
    """
    if isinstance(agents, pd.DataFrame):
        # the checker reads an agent's first row; list.index finds it in C, far quicker than
        # an element-wise comparison of the whole id column
        ids = agents["agent_id"].tolist()
        picked = [ids.index(a) for a in dict.fromkeys(pair) if a in ids]
        fields = {c: agents[c].to_numpy(dtype=object) for c in AGENT_FIELDS
                  if c in agents.columns}
        records = [{c: values[i] for c, values in fields.items()} for i in picked]
    else:
        records = [dict(a) for a in agents if a.get("agent_id") in pair]

    def check(rows: list[Row]) -> list[Violation]:
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
        if all(type(r[1]) is date for r in rows):
            found = check_roster_rows(rows, records, config, requirement_queues=queues,
                                      agent_ids=list(pair))
        else:
            frame = pd.DataFrame(rows, columns=CELL_COLUMNS)
            table = pd.DataFrame(records, columns=list(AGENT_FIELDS))
            found = check_roster(frame, table, config, requirement_queues=queues,
                                 agent_ids=list(pair))
        return [v for v in found if v.agent_id in pair]

    after = check(swapped)
    if not after:
        return []
    old = {(v.code, v.agent_id, v.date) for v in check(table)}
    return [v for v in after if (v.code, v.agent_id, v.date) not in old]


def _earliest_start(before: list[dict[str, object]], days: list[date],
                    config: SiteConfig) -> datetime:
    starts = []
    for cell in before:
        shift = cell["shift"]
        if shift is not None and shift not in NON_WORKING:
            template = config.shift(str(shift))
            day = cell["date"]
            assert isinstance(day, date)
            starts.append(datetime.combine(day, template.start_time, tzinfo=config.tz))
    return min(starts) if starts else datetime.combine(days[0], datetime.min.time(),
                                                       tzinfo=config.tz)
