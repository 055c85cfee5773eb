"""Adherence exceptions: periods a supervisor excuses for one agent or a team (issue 24).

An exception is ``(agent_id or team, start, end, reason)`` with an optional ``excused_by``: a
meeting, a system outage, coaching. Minutes of *scheduled work time* inside it that would be
out of adherence count as adherent instead, and get the cause ``excused`` (``reasons``); minutes
that were adherent anyway are unchanged. The flags and counts the data gives (``absent``, late
start, early leave, ``episodes``, the grace) are computed from the login data as before: an
exception moves minutes from a cause to ``excused``, it does not rewrite what happened.

A *team* is written as its skills, ``;``-separated, in any order (``wfm.teams.team_of``): the
exception covers every agent of the agents table with that skill set. A team that matches no
agent, or an agent id unknown to the roster and the agents table, is an error naming the line.

Here an exception becomes, for each shift it overlaps, a stretch of that shift's *work clock*
(``clock.work_clock``); the stretches of a shift are merged, and ``excused_overlap`` measures
how much of any stretch of the work clock they cover. Pure numpy/pandas, no database: the API
stores exceptions and hands them over as a frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.adherence.clock import work_clock
from wfm.errors import InvalidInput
from wfm.teams import Team, team_of

EXCEPTION_COLUMNS = ["agent_id", "team", "start", "end", "reason", "excused_by"]


@dataclass(frozen=True)
class ExcusedClock:
    """Merged excused stretches per table row, on the row's work clock (nanoseconds).

    Sorted by (row, start); within a row disjoint. ``before`` is the excused length of the row
    before each stretch (a running sum), so that ``E_row(x)``, the excused length of ``[0, x)``,
    is ``before + clip(x - start, 0, end - start)`` of the last stretch starting at or before x.
    """

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    before: np.ndarray

    @classmethod
    def empty(cls) -> ExcusedClock:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, nothing)

    def __len__(self) -> int:
        return len(self.row)


def agent_intervals(exceptions: pd.DataFrame, teams: Mapping[str, Team] | None,
                    known_agents: set[str], *, label: str = "exceptions") -> pd.DataFrame:
    """One ``agent_id, start_ns, end_ns`` row per agent an exception covers.

    ``exceptions`` has ``EXCEPTION_COLUMNS`` (``team`` and ``agent_id`` may be empty, not
    both; times tz-aware); row i is line i + 2 of ``label``. ``teams`` maps agent id → team.
    """
    out: list[tuple[str, int, int]] = []
    members: dict[Team, list[str]] = {}
    for agent_id, team in (teams or {}).items():
        members.setdefault(team, []).append(agent_id)
    for i, record in enumerate(exceptions.to_dict("records")):
        line = i + 2
        agent_id = _text(record.get("agent_id"))
        team_text = _text(record.get("team"))
        start, end = record["start"], record["end"]
        if not end > start:
            raise InvalidInput(f"end {end} is not after start {start}", file=label, line=line,
                               field="end")
        if bool(agent_id) == bool(team_text):
            raise InvalidInput("give agent_id or team (exactly one of them)", file=label,
                               line=line, field="agent_id" if agent_id else "team")
        if agent_id:
            if agent_id not in known_agents:
                raise InvalidInput(f"unknown agent {agent_id!r} (not in the roster or the "
                                   "agents table)", file=label, line=line, field="agent_id")
            who = [agent_id]
        else:
            if teams is None:
                raise InvalidInput(f"team {team_text!r} needs the agents table (--agents) to "
                                   "know its members", file=label, line=line, field="team")
            who = members.get(team_of(team_text), [])
            if not who:
                raise InvalidInput(f"no agent has the skills of team {team_text!r} (a team is "
                                   "its skills, ';'-separated)", file=label, line=line,
                                   field="team")
        start_ns, end_ns = _ns(start), _ns(end)
        out.extend((a, start_ns, end_ns) for a in who)
    return pd.DataFrame(out, columns=["agent_id", "start_ns", "end_ns"])


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _ns(value: object) -> int:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        raise InvalidInput(f"exception time {value} must be timezone-aware (use read_table)")
    return int(stamp.as_unit("ns").value)


def excused_clock(intervals: pd.DataFrame, shifts: pd.DataFrame, break_start_ns: np.ndarray,
                  break_end_ns: np.ndarray) -> ExcusedClock:
    """The excused stretches of each shift (row of ``Schedule.shifts``) on its work clock."""
    if intervals.empty or shifts.empty:
        return ExcusedClock.empty()
    rows = pd.DataFrame({"agent_id": shifts["agent_id"].to_numpy(object),
                         "row": np.arange(len(shifts)),
                         "s": shifts["start_ns"].to_numpy(np.int64),
                         "e": shifts["end_ns"].to_numpy(np.int64)})
    pairs = rows.merge(intervals, on="agent_id")
    pairs = pairs[(pairs["start_ns"] < pairs["e"]) & (pairs["end_ns"] > pairs["s"])]
    if pairs.empty:
        return ExcusedClock.empty()
    row = pairs["row"].to_numpy(np.int64)
    s, e = pairs["s"].to_numpy(np.int64), pairs["e"].to_numpy(np.int64)
    bs, be = break_start_ns[row], break_end_ns[row]
    lo = work_clock(pairs["start_ns"].to_numpy(np.int64), s, e, bs, be)
    hi = work_clock(pairs["end_ns"].to_numpy(np.int64), s, e, bs, be)
    keep = hi > lo
    row, lo, hi = row[keep], lo[keep], hi[keep]
    order = np.lexsort((lo, row))
    row, lo, hi = row[order], lo[order], hi[order]
    # merge overlapping stretches of a row: a new stretch starts past every earlier end
    reach = pd.Series(hi).groupby(row).cummax().to_numpy(np.int64)
    previous = np.full(len(row), np.iinfo(np.int64).min)
    previous[1:] = reach[:-1]
    new = np.ones(len(row), dtype=bool)
    new[1:] = (row[1:] != row[:-1]) | (lo[1:] > previous[1:])
    heads = np.flatnonzero(new)
    m_row, m_lo = row[heads], lo[heads]
    m_hi = np.maximum.reduceat(hi, heads) if len(heads) else hi
    length = m_hi - m_lo
    before = pd.Series(length).groupby(m_row).cumsum().to_numpy(np.int64) - length
    return ExcusedClock(m_row, m_lo, m_hi, before)


def _excused_before(clock: ExcusedClock, row: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``E_row(x)``: the excused length of ``[0, x)`` on the row's work clock."""
    out = np.zeros(len(row), dtype=np.int64)
    if len(clock) == 0 or len(row) == 0:
        return out
    mine = np.isin(row, clock.row)
    if not mine.any():
        return out
    where = np.flatnonzero(mine)
    left = pd.DataFrame({"row": row[where], "x": x[where], "k": np.arange(len(where))})
    right = pd.DataFrame({"row": clock.row, "x": clock.start, "j": np.arange(len(clock))})
    joined = pd.merge_asof(left.sort_values("x", kind="stable"), right.sort_values(
        "x", kind="stable"), on="x", by="row", direction="backward")
    j = joined["j"].to_numpy(float)
    found = ~np.isnan(j)
    jj = np.where(found, j, 0).astype(np.int64)
    xs = joined["x"].to_numpy(np.int64)
    value = np.where(found, clock.before[jj] + np.clip(
        xs - clock.start[jj], 0, clock.end[jj] - clock.start[jj]), 0)
    out[where[joined["k"].to_numpy(np.int64)]] = value
    return out


def excused_overlap(clock: ExcusedClock, row: np.ndarray, lo: np.ndarray,
                    hi: np.ndarray) -> np.ndarray:
    """How much of each stretch ``[lo, hi)`` of its row's work clock is excused (0 when
    ``hi <= lo``)."""
    row = np.asarray(row, dtype=np.int64)
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    if len(clock) == 0:
        return np.zeros(len(row), dtype=np.int64)
    both = np.concatenate([row, row])
    values = _excused_before(clock, both, np.concatenate([hi, lo]))
    return values[:len(row)] - values[len(row):]
