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

* ``excused``: a lost moment inside an exception (``exceptions``: a meeting, an outage, coaching
  a supervisor excused) has this cause instead of the one above, and counts as in adherence.
  So the causes sum to the minutes out of adherence as the data shows them:
  ``Σ causes = scheduled − in adherence + excused``; without exceptions that is
  ``scheduled − in adherence``.

Working through a fixed break is not a cause by default: a fixed break is outside the
adherence ratio (``metrics``), so it neither adds to nor takes from the minutes in adherence.
A site that counts it (``[adherence] count_work_in_breaks = true``) puts its fixed breaks in the
ratio: a break minute is adherent when the agent does not work, and a minute worked in it is
lost with the cause ``worked_break`` (set in ``metrics``; not excusable).

The other causes' minutes are those of scheduled work time: a fixed break inside a late start
is not lost, so ``lost_late_start`` can be less than ``late_start_minutes``.

A non-working piece inside a fixed break has no length on the work clock and is left out: its
neighbours in a run of break states touch that fixed break themselves. Everything here is integer
nanoseconds on the work clock (``clock.work_clock``); ``other`` is
``lost`` minus the rest, and a test checks it minute by minute against an independent count.
"""

from __future__ import annotations

import numpy as np

from wfm.adherence.exceptions import ExcusedClock, excused_overlap
from wfm.tables import ACD_STATES

CAUSES = ("late_start", "early_leave", "absent", "break_overrun", "not_ready", "other",
          "worked_break", "excused")
BREAK_CODES = np.array([ACD_STATES.index("break"), ACD_STATES.index("lunch")], dtype=np.int8)


def _sum(row: np.ndarray, values: np.ndarray, num_rows: int) -> np.ndarray:
    return np.rint(np.bincount(row, weights=values, minlength=num_rows)).astype(np.int64)


def _overlap(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.maximum(0, np.minimum(b, hi) - np.maximum(a, lo))


def lost_by_cause(row: np.ndarray, clock_from: np.ndarray, clock_to: np.ndarray,
                  working: np.ndarray, state: np.ndarray, start_ns: np.ndarray,
                  end_ns: np.ndarray, paid: np.ndarray, first_clock: np.ndarray,
                  last_clock: np.ndarray, worked: np.ndarray, break_start_ns: np.ndarray,
                  break_end_ns: np.ndarray, grace_ns: float,
                  excused: ExcusedClock | None = None) -> dict[str, np.ndarray]:
    """Lost nanoseconds per row, in total (``lost``) and by cause (``CAUSES``).

    One entry per attributed piece: its row, its stretch on the row's work clock, whether it is
    work, its state code and its wall-clock start and end. ``first_clock``/``last_clock``: the
    work clock at the first and last working moment inside the window; ``worked``: there was
    one. ``break_*_ns``: the rows' fixed breaks (empty slots have start == end).

    The gaps of a row with ``n`` working stretches (sorted) are the ``n + 1`` stretches before,
    between and after them (some empty); a non-working piece lies inside one gap, the one after
    the working stretches of its row that come before it.
    """
    num_rows = len(paid)
    keep = np.flatnonzero(clock_to > clock_from)
    r, f, t = row[keep], clock_from[keep], clock_to[keep]
    step = np.diff(r)
    if not ((step > 0) | ((step == 0) & (np.diff(f) >= 0))).all():
        order = np.lexsort((f, r))
        keep, r, f, t = keep[order], r[order], f[order], t[order]
    work = working[keep]
    new_row = np.ones(len(r), dtype=bool)
    new_row[1:] = r[1:] != r[:-1]
    head = np.maximum.accumulate(np.where(new_row, np.arange(len(r)), 0)) if len(r) else r
    seen = np.cumsum(work) - work
    rank = seen - seen[head]   # working stretches of the same row before each piece

    count = np.bincount(r[work], minlength=num_rows)
    offset = np.cumsum(count + 1) - (count + 1)
    gap_row = np.repeat(np.arange(num_rows), count + 1)
    start = np.zeros(len(gap_row), dtype=np.int64)
    end = np.empty(len(gap_row), dtype=np.int64)
    end[offset + count] = paid
    before = offset[r[work]] + rank[work]
    end[before] = f[work]
    start[before + 1] = t[work]
    length = end - start
    counted = length > grace_ns
    lost = _sum(gap_row, np.where(counted, length, 0), num_rows)
    clock = excused if excused is not None and len(excused) else None

    def cover(rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The excused part of each stretch ``[lo, hi)`` (0 without exceptions)."""
        if clock is None:
            return np.zeros(len(rows), dtype=np.int64)
        return excused_overlap(clock, rows, lo, hi)

    absent_row = (paid > 0) & ~worked
    out = {"lost": lost, "absent": np.where(absent_row, lost, 0)}
    spared = {"lost": _sum(gap_row, np.where(counted, cover(gap_row, start, end), 0), num_rows)}
    spared["absent"] = np.where(absent_row, spared["lost"], 0)
    counted_worked = counted & worked[gap_row]
    zero = np.zeros(len(gap_row), dtype=np.int64)
    late_to = np.minimum(end, first_clock[gap_row])
    out["late_start"] = _sum(gap_row, np.where(counted_worked, _overlap(
        start, end, zero, first_clock[gap_row]), 0), num_rows)
    spared["late_start"] = _sum(gap_row, np.where(counted_worked, cover(
        gap_row, start, late_to), 0), num_rows)
    early_from = np.maximum(start, last_clock[gap_row])
    out["early_leave"] = _sum(gap_row, np.where(counted_worked, _overlap(
        start, end, last_clock[gap_row], paid[gap_row]), 0), num_rows)
    spared["early_leave"] = _sum(gap_row, np.where(counted_worked, cover(
        gap_row, early_from, end), 0), num_rows)

    idle = ~work
    idle_row, idle_keep = r[idle], keep[idle]
    idle_gap = offset[idle_row] + rank[idle]
    middle = np.where(counted_worked[idle_gap], _overlap(
        f[idle], t[idle], first_clock[idle_row], last_clock[idle_row]), 0)
    idle_state = state[idle_keep]
    is_break = np.isin(idle_state, BREAK_CODES)
    overrun = is_break & _touches_fixed_break(idle_row, start_ns[idle_keep], end_ns[idle_keep],
                                              is_break, break_start_ns, break_end_ns)
    out["break_overrun"] = _sum(idle_row, np.where(overrun, middle, 0), num_rows)
    out["not_ready"] = _sum(idle_row, np.where(overrun, 0, middle), num_rows)
    middle_spared = np.where(counted_worked[idle_gap], cover(
        idle_row, np.maximum(f[idle], first_clock[idle_row]),
        np.minimum(t[idle], last_clock[idle_row])), 0)
    spared["break_overrun"] = _sum(idle_row, np.where(overrun, middle_spared, 0), num_rows)
    spared["not_ready"] = _sum(idle_row, np.where(overrun, 0, middle_spared), num_rows)
    named = [c for c in CAUSES if c not in ("other", "worked_break", "excused")]
    out["other"] = lost - sum(out[c] for c in named)
    spared["other"] = spared["lost"] - sum(spared[c] for c in named)
    for cause in (*named, "other"):
        out[cause] = out[cause] - spared[cause]
    out["excused"] = spared["lost"]
    out["worked_break"] = np.zeros(num_rows, dtype=np.int64)  # set by metrics when counted
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
