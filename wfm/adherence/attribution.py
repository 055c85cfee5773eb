"""Attribute activity to shifts (DESIGN.md, "Adherence").

Activity is attributed to the shift it overlaps, or to the nearest shift within 3 hours of its
start or end; otherwise it is unscheduled work on its calendar date. Here *activity* is a
session: a maximal run of one agent's contiguous logged-in segments. A session that reaches over
two shifts' cells (it spans the half-way point between them, see ``cells``) is cut there, and
each part is attributed on its own. Unattributed parts are cut at local midnights, and each piece
goes to its calendar date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.adherence.cells import Cells, cell_of, gap_ns
from wfm.adherence.schedule import local_day_numbers, next_midnight_ns
from wfm.adherence.sessions import ATTRIBUTION_NS, Segments


@dataclass(frozen=True)
class Pieces:
    """Segments cut at cells and midnights, each attributed (plain arrays).

    ``shift_row`` is the index of the shift (in ``Schedule.shifts``) or -1 when unattributed;
    ``day`` is the local calendar day (days since 1970-01-01) of unattributed pieces, else -1.
    """

    segments: Segments
    shift_row: np.ndarray
    day: np.ndarray

    def __len__(self) -> int:
        return len(self.shift_row)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts`` pieces per row: the source row of each piece and its rank in the row."""
    source = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return source, np.arange(len(source)) - first[source]


def split_at_cells(segments: Segments, cells: Cells) -> tuple[Segments, np.ndarray]:
    """Cut segments where they cross from one shift's cell into the next; also the cells."""
    first = cell_of(cells, segments.agent, segments.start_ns)
    last = cell_of(cells, segments.agent, segments.end_ns - 1)
    counts = np.where(first >= 0, last - first + 1, 1)
    source, rank = _expand(counts)
    pieces = segments.take(source)
    cell = np.where(first[source] >= 0, first[source] + rank, -1)
    if len(cells.agent) and (counts > 1).any():
        safe = np.maximum(cell, 0)
        start = np.where(cell >= 0, np.maximum(pieces.start_ns, cells.cell_start_ns[safe]),
                         pieces.start_ns)
        end = np.where(cell >= 0, np.minimum(pieces.end_ns, cells.cell_end_ns[safe]),
                       pieces.end_ns)
        pieces = pieces.with_times(start, end)
    return pieces, cell


def split_at_midnights(segments: Segments, tz: str) -> tuple[Segments, np.ndarray]:
    """Cut segments at local midnights; also the local calendar day of each piece."""
    heads, days = [], []
    todo = segments
    while len(todo):
        midnight = next_midnight_ns(todo.start_ns, tz)
        heads.append(todo.with_times(todo.start_ns, np.minimum(todo.end_ns, midnight)))
        days.append(local_day_numbers(todo.start_ns, tz))
        crosses = np.flatnonzero(todo.end_ns > midnight)
        todo = todo.take(crosses)
        todo = todo.with_times(midnight[crosses], todo.end_ns)
    if not heads:
        return segments, np.zeros(0, dtype=np.int64)
    return _concat(heads), np.concatenate(days)


def _concat(parts: list[Segments]) -> Segments:
    return Segments(*(np.concatenate([getattr(p, name) for p in parts])
                      for name in ("agent", "start_ns", "end_ns", "working", "line", "state")))


def attribute(segments: Segments, cells: Cells, tz: str) -> Pieces:
    """Attribute every stretch of ``segments`` (sorted by (agent, start), disjoint within an
    agent) to a shift or to a calendar day."""
    pieces, cell = split_at_cells(segments, cells)
    if len(pieces) == 0:
        nothing = np.zeros(0, dtype=np.int64)
        return Pieces(pieces, nothing, nothing)
    agent, start, end = pieces.agent, pieces.start_ns, pieces.end_ns
    new_group = np.ones(len(agent), dtype=bool)
    new_group[1:] = (agent[1:] != agent[:-1]) | (start[1:] != end[:-1]) | (cell[1:] != cell[:-1])
    group = np.cumsum(new_group) - 1
    heads = np.flatnonzero(new_group)
    tails = np.append(heads[1:], len(agent)) - 1
    group_cell = cell[heads]
    near = group_cell >= 0
    near[near] = gap_ns(cells, group_cell[near], start[heads][near],
                        end[tails][near]) <= ATTRIBUTION_NS
    shift_row = np.where(near[group], cell, -1)
    attributed = np.flatnonzero(shift_row >= 0)
    if len(attributed) == len(pieces):
        return Pieces(pieces, shift_row, np.full(len(pieces), -1))
    loose, days = split_at_midnights(pieces.take(np.flatnonzero(shift_row < 0)), tz)
    return Pieces(_concat([pieces.take(attributed), loose]),
                  np.concatenate([shift_row[attributed], np.full(len(loose), -1)]),
                  np.concatenate([np.full(len(attributed), -1), days]))
