"""Attribute activity to shifts (DESIGN.md, "Adherence").

Activity is attributed to the shift it overlaps, or to the nearest shift within 3 hours of its
start or end; otherwise it is unscheduled work on its calendar date. Here *activity* is a
session: a maximal run of one agent's contiguous logged-in segments. A session that reaches over
two shifts' cells (it spans the half-way point between them, see ``cells``) is cut there, and
each part is attributed on its own. Unattributed parts are cut at local midnights, and each piece
goes to its calendar date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.adherence.cells import Cells, cell_of, gap_ns
from wfm.adherence.schedule import local_day_numbers, next_midnight_ns
from wfm.adherence.sessions import ATTRIBUTION_NS

PIECE_COLUMNS = ["agent", "start_ns", "end_ns", "working", "line", "shift_row", "day"]


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts`` pieces per row: the source row of each piece and its rank in the row."""
    source = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return source, np.arange(len(source)) - first[source]


def split_at_cells(segments: pd.DataFrame, cells: Cells) -> pd.DataFrame:
    """Cut segments where they cross from one shift's cell into the next; adds ``cell``."""
    agent = segments["agent"].to_numpy(np.int64)
    start = segments["start_ns"].to_numpy(np.int64)
    end = segments["end_ns"].to_numpy(np.int64)
    first = cell_of(cells, agent, start)
    last = cell_of(cells, agent, end - 1)
    counts = np.where(first >= 0, last - first + 1, 1)
    source, rank = _expand(counts)
    pieces = segments.iloc[source].reset_index(drop=True)
    cell = np.where(first[source] >= 0, first[source] + rank, -1)
    if len(cells.agent):
        safe = np.maximum(cell, 0)
        pieces["start_ns"] = np.where(cell >= 0, np.maximum(start[source],
                                                            cells.cell_start_ns[safe]),
                                      start[source])
        pieces["end_ns"] = np.where(cell >= 0, np.minimum(end[source], cells.cell_end_ns[safe]),
                                    end[source])
    pieces["cell"] = cell
    return pieces


def split_at_midnights(pieces: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Cut pieces at local midnights; adds ``day`` (local calendar day, days since 1970)."""
    done = []
    todo = pieces
    while len(todo):
        start = todo["start_ns"].to_numpy(np.int64)
        end = todo["end_ns"].to_numpy(np.int64)
        midnight = next_midnight_ns(start, tz)
        crosses = end > midnight
        head = todo.copy()
        head["end_ns"] = np.minimum(end, midnight)
        head["day"] = local_day_numbers(start, tz)
        done.append(head)
        todo = todo[crosses].copy()
        todo["start_ns"] = midnight[crosses]
    if not done:
        return pieces.assign(day=np.zeros(0, dtype=np.int64))
    return pd.concat(done, ignore_index=True)


def attribute(segments: pd.DataFrame, cells: Cells, tz: str) -> pd.DataFrame:
    """Pieces of activity with ``shift_row`` (index into the shifts, -1 if unattributed) and
    ``day`` (local calendar day of unattributed pieces as days since 1970, -1 otherwise).

    ``segments`` must be sorted by (agent, start) and disjoint within an agent.
    """
    pieces = split_at_cells(segments, cells)
    if pieces.empty:
        return pd.DataFrame({name: pd.Series([], dtype=bool if name == "working" else "int64")
                             for name in PIECE_COLUMNS})
    agent = pieces["agent"].to_numpy(np.int64)
    start = pieces["start_ns"].to_numpy(np.int64)
    end = pieces["end_ns"].to_numpy(np.int64)
    cell = pieces["cell"].to_numpy(np.int64)
    new_group = np.ones(len(pieces), dtype=bool)
    new_group[1:] = (agent[1:] != agent[:-1]) | (start[1:] != end[:-1]) | (cell[1:] != cell[:-1])
    group = np.cumsum(new_group) - 1
    heads = np.flatnonzero(new_group)
    tails = np.append(heads[1:], len(pieces)) - 1
    group_cell = cell[heads]
    near = group_cell >= 0
    near[near] = gap_ns(cells, group_cell[near], start[heads][near],
                        end[tails][near]) <= ATTRIBUTION_NS
    pieces["shift_row"] = np.where(near[group], cell, -1)
    pieces = pieces.drop(columns="cell")
    attributed = pieces[pieces["shift_row"] >= 0].assign(day=-1)
    loose = split_at_midnights(pieces[pieces["shift_row"] < 0], tz)
    out = pd.concat([attributed, loose], ignore_index=True)
    return out[PIECE_COLUMNS]
