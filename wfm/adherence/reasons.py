"""Why minutes were lost: the out-of-adherence minutes of each row split by cause.

The minutes *lost* by a row are ``scheduled − in adherence``: the out-of-adherence episodes
longer than the grace (``metrics``: runs of scheduled work time ``W`` without work, on the work
clock). Every lost minute gets exactly one cause, so the causes sum to the minutes lost:

* ``absent``: the row is ``absent`` (no working minute inside the shift window): all of it.
* ``late_start``: before the first working moment inside the window (the ``late_start``
  column's stretch, without the fixed breaks in it and without an episode within the grace).
* ``early_leave``: after the last working moment inside the window (likewise).
* Between the two, by what the agent was doing then (the state of the login data):

  - ``break_overrun``: a ``break`` or ``lunch`` state whose run (consecutive break or lunch
    states attributed to the shift) touches or overlaps one of the shift's fixed breaks: the
    break began early or ran over. A shift without fixed breaks has no overrun.
  - ``not_ready``: any other logged-in, non-working state (``not_ready``, ``meeting``,
    ``training``, or a ``break``/``lunch`` away from every fixed break: an unscheduled break).
  - ``other``: not logged in mid-shift, or working time attributed to another shift (only
    when two shifts of an agent overlap).

Working through a fixed break is not a cause: a fixed break is outside the adherence ratio
(``metrics``), so it neither adds to nor takes from the minutes in adherence, and no minute is
lost to it. Minutes are those of scheduled work time: a fixed break inside a late start is not
lost, so ``lost_late_start`` can be less than ``late_start_minutes``.

Everything here is integer nanoseconds on the work clock (``metrics.work_clock``); ``other`` is
``lost`` minus the rest, and a test checks it minute by minute against an independent count.
"""

from __future__ import annotations

import numpy as np

from wfm.tables import ACD_STATES

CAUSES = ("late_start", "early_leave", "absent", "break_overrun", "not_ready", "other")
BREAK_CODES = np.array([ACD_STATES.index("break"), ACD_STATES.index("lunch")], dtype=np.int8)


def _sum(row: np.ndarray, values: np.ndarray, num_rows: int) -> np.ndarray:
    return np.rint(np.bincount(row, weights=values, minlength=num_rows)).astype(np.int64)


def _overlap(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.maximum(0, np.minimum(b, hi) - np.maximum(a, lo))


def gaps(row: np.ndarray, clock_from: np.ndarray, clock_to: np.ndarray, paid: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every stretch of scheduled work time without work, per row (``n + 1`` for a row with
    ``n`` working intervals on the work clock, some of them empty).

    Returns the gaps' rows, starts and ends, then for each working interval (sorted by row and
    start) its row and the index of the gap before it (``offset``: the index of each row's
    first gap)."""
    keep = clock_to > clock_from
    row, clock_from, clock_to = row[keep], clock_from[keep], clock_to[keep]
    order = np.lexsort((clock_from, row))
    row, clock_from, clock_to = row[order], clock_from[order], clock_to[order]
    num_rows = len(paid)
    count = np.bincount(row, minlength=num_rows)
    offset = np.cumsum(count + 1) - (count + 1)
    gap_row = np.repeat(np.arange(num_rows), count + 1)
    start = np.zeros(len(gap_row), dtype=np.int64)
    end = np.empty(len(gap_row), dtype=np.int64)
    end[offset + count] = paid
    rank = np.arange(len(row)) - (np.cumsum(count) - count)[row]
    before = offset[row] + rank
    end[before] = clock_from
    start[before + 1] = clock_to
    return gap_row, start, end, offset, before


def lost_by_cause(row: np.ndarray, clock_from: np.ndarray, clock_to: np.ndarray,
                  idle_row: np.ndarray, idle_from: np.ndarray, idle_to: np.ndarray,
                  idle_state: np.ndarray, idle_start_ns: np.ndarray, idle_end_ns: np.ndarray,
                  paid: np.ndarray, first_clock: np.ndarray, last_clock: np.ndarray,
                  worked: np.ndarray, break_start_ns: np.ndarray, break_end_ns: np.ndarray,
                  grace_ns: float) -> dict[str, np.ndarray]:
    """Lost nanoseconds per row, in total (``lost``) and by cause (``CAUSES``).

    ``row, clock_from, clock_to``: the working pieces on the work clock. ``idle_*``: the
    logged-in, non-working pieces attributed to shift rows (work clock, state code, wall-clock
    start and end, sorted by wall-clock start within a row). ``first_clock``/``last_clock``:
    the work clock at the first and last working moment inside the window; ``worked``: there
    was one. ``break_*_ns``: the rows' fixed breaks (empty slots have start == end).
    """
    num_rows = len(paid)
    gap_row, start, end, offset, before = gaps(row, clock_from, clock_to, paid)
    length = end - start
    counted = length > grace_ns
    lost = _sum(gap_row, np.where(counted, length, 0), num_rows)
    out = {"lost": lost}
    absent = (paid > 0) & ~worked
    out["absent"] = np.where(absent, lost, 0)
    counted_worked = counted & worked[gap_row]
    zero = np.zeros(len(gap_row), dtype=np.int64)
    out["late_start"] = _sum(gap_row, np.where(counted_worked, _overlap(
        start, end, zero, first_clock[gap_row]), 0), num_rows)
    out["early_leave"] = _sum(gap_row, np.where(counted_worked, _overlap(
        start, end, last_clock[gap_row], paid[gap_row]), 0), num_rows)

    # the gap holding each idle piece: the one after the working intervals that end before it
    keep = idle_to > idle_from
    idle_row, idle_from, idle_to = idle_row[keep], idle_from[keep], idle_to[keep]
    idle_state, idle_start_ns, idle_end_ns = (idle_state[keep], idle_start_ns[keep],
                                              idle_end_ns[keep])
    working_row = gap_row[before] if len(before) else before
    working_from = np.zeros(len(before), dtype=np.int64)
    working_from[:] = end[before]
    stream_row = np.concatenate([working_row, idle_row])
    stream_at = np.concatenate([working_from, idle_from])
    is_work = np.concatenate([np.ones(len(before), dtype=bool), np.zeros(len(idle_row), bool)])
    order = np.lexsort((stream_at, stream_row))
    work_sorted = is_work[order].astype(np.int64)
    row_sorted = stream_row[order]
    seen = np.cumsum(work_sorted) - work_sorted
    row_first = np.searchsorted(row_sorted, row_sorted, side="left")
    seen_before_row = (np.cumsum(work_sorted) - work_sorted)[row_first]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = seen - seen_before_row
    idle_gap = offset[idle_row] + rank[len(before):]
    middle = np.where(counted_worked[idle_gap], _overlap(
        idle_from, idle_to, first_clock[idle_row], last_clock[idle_row]), 0)

    is_break = np.isin(idle_state, BREAK_CODES)
    overrun = is_break & _touches_fixed_break(idle_row, idle_start_ns, idle_end_ns, is_break,
                                              break_start_ns, break_end_ns)
    out["break_overrun"] = _sum(idle_row, np.where(overrun, middle, 0), num_rows)
    out["not_ready"] = _sum(idle_row, np.where(overrun, 0, middle), num_rows)
    out["other"] = lost - sum(out[c] for c in CAUSES if c != "other")
    return out


def _touches_fixed_break(row: np.ndarray, start_ns: np.ndarray, end_ns: np.ndarray,
                         is_break: np.ndarray, break_start_ns: np.ndarray,
                         break_end_ns: np.ndarray) -> np.ndarray:
    """For each break piece: its run (adjacent break pieces of the same row) touches or
    overlaps a non-empty fixed break of the row."""
    touches = np.zeros(len(row), dtype=bool)
    where = np.flatnonzero(is_break)
    if len(where) == 0:
        return touches
    where = where[np.lexsort((start_ns[where], row[where]))]
    r, s, e = row[where], start_ns[where], end_ns[where]
    new_run = np.ones(len(where), dtype=bool)
    new_run[1:] = (r[1:] != r[:-1]) | (s[1:] != e[:-1])
    run = np.cumsum(new_run) - 1
    run_start = s[new_run][run]
    run_end = np.maximum.reduceat(e, np.flatnonzero(new_run))[run]
    bs, be = break_start_ns[r], break_end_ns[r]
    hit = ((be > bs) & (run_start[:, None] <= be) & (run_end[:, None] >= bs)).any(axis=1)
    touches[where] = hit
    return touches
