"""Which shift a moment belongs to: each agent's time line cut half-way between shifts.

For one agent with shifts sorted by start, the *cell* of shift k runs from the midpoint of the
gap before it to the midpoint of the gap after it (the first cell starts at -inf, the last ends
at +inf). Every moment of a cell is at least as close to shift k as to any other shift of the
agent, so "the nearest shift" of a stretch of activity inside one cell is that cell's shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NEVER = np.iinfo(np.int64).min
FOREVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Cells:
    """Cells of the working shifts (same order as ``Schedule.shifts``)."""

    agent: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    cell_start_ns: np.ndarray
    cell_end_ns: np.ndarray


def build_cells(shifts: pd.DataFrame) -> Cells:
    """Cells of shifts sorted by (agent, start)."""
    agent = shifts["agent"].to_numpy(np.int64)
    start = shifts["start_ns"].to_numpy(np.int64)
    end = shifts["end_ns"].to_numpy(np.int64)
    num_shifts = len(agent)
    cell_start = np.full(num_shifts, NEVER, dtype=np.int64)
    cell_end = np.full(num_shifts, FOREVER, dtype=np.int64)
    if num_shifts > 1:
        same = agent[1:] == agent[:-1]
        # half-way through the gap; the floor division keeps it exact in int64
        middle = end[:-1] // 2 + start[1:] // 2 + (end[:-1] % 2 + start[1:] % 2) // 2
        cell_start[1:][same] = middle[same]
        cell_end[:-1][same] = middle[same]
    return Cells(agent, start, end, cell_start, cell_end)


def cell_of(cells: Cells, agent: np.ndarray, time_ns: np.ndarray) -> np.ndarray:
    """Index of the shift whose cell holds ``(agent, time)``; -1 when the agent has no shift.

    Loops over agents (not rows): one ``searchsorted`` per agent on its few cells.
    """
    agent = np.asarray(agent, dtype=np.int64)
    time_ns = np.asarray(time_ns, dtype=np.int64)
    result = np.full(len(agent), -1, dtype=np.int64)
    if len(agent) == 0 or len(cells.agent) == 0:
        return result
    order = np.argsort(agent, kind="stable")
    sorted_agent = agent[order]
    present, first = np.unique(sorted_agent, return_index=True)
    last = np.append(first[1:], len(order))
    lo = np.searchsorted(cells.agent, present, side="left")
    hi = np.searchsorted(cells.agent, present, side="right")
    for a in range(len(present)):
        if hi[a] == lo[a]:
            continue
        rows = order[first[a]:last[a]]
        starts = cells.cell_start_ns[lo[a]:hi[a]]
        result[rows] = lo[a] + np.searchsorted(starts, time_ns[rows], side="right") - 1
    return result


def gap_ns(cells: Cells, shift: np.ndarray, start_ns: np.ndarray,
           end_ns: np.ndarray) -> np.ndarray:
    """Distance between ``[start, end)`` and the window of ``shift`` (0 when they overlap)."""
    before = cells.start_ns[shift] - end_ns
    after = start_ns - cells.end_ns[shift]
    return np.maximum(0, np.maximum(before, after))
