"""Per-row adherence figures from attributed pieces of activity (DESIGN.md, "Adherence").

For a shift with window ``[S, E)``, fixed breaks ``B`` and scheduled work time ``W = [S, E) − B``,
and ``P`` the agent's working time attributed to it:

* scheduled = |W|; logged in = all attributed logged-in time; working = |P|.
* in adherence = |P ∩ W| plus every out-of-adherence episode of at most ``grace``, plus the
  out-of-adherence time an exception excuses (``exceptions``).
* out-of-adherence episodes are the maximal runs of ``W − P`` on the *work clock*, the time line of
  the shift with its breaks removed (so being away from before a break until after it is one
  episode). ``episodes`` counts those longer than ``grace``.
* A scheduled break is outside the ratio: on break, logged out or working then, it is neither
  adherent nor out of adherence; working through it counts in conformance, not in overtime.
  Unless the site counts it (``count_breaks``): then scheduled = |[S, E)| (breaks included), a
  break minute is in adherence when the agent is not working, and a worked one is lost
  (``worked_break``).
* overtime = |P − [S, E)|: working time attributed to the shift before its start or after its end.
* late start = first working moment inside ``[S, E)`` − S and early leave = E − last working
  moment inside ``[S, E)``; both 0 when the agent did not work inside the window, and then
  ``absent`` is true (work attributed to the shift but outside the window is only overtime).
  Working through a fixed break is inside the window.
* Rows with no window (OFF, LEAVE, unscheduled work) have scheduled 0 and all working time is
  overtime.

Every figure is in integer nanoseconds here; ``compute`` turns them into minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.adherence.clock import work_clock
from wfm.adherence.exceptions import ExcusedClock
from wfm.adherence.reasons import CAUSES, lost_by_cause
from wfm.adherence.sessions import Segments


def _sum(row: np.ndarray, values: np.ndarray, num_rows: int) -> np.ndarray:
    # float64 sums of integers below 2**53 (about 104 days of nanoseconds per row) are exact
    return np.rint(np.bincount(row, weights=values, minlength=num_rows)).astype(np.int64)


def row_metrics(row: np.ndarray, pieces: Segments, windows: pd.DataFrame,
                break_start_ns: np.ndarray, break_end_ns: np.ndarray,
                grace_ns: float, excused: ExcusedClock | None = None,
                count_breaks: bool = False) -> pd.DataFrame:
    """Figures per row of ``windows`` (columns ``start_ns, end_ns, paid_ns``).

    ``excused``: stretches of the rows' work clocks that exceptions excuse: lost time inside
    them counts as in adherence (cause ``excused``). ``count_breaks``: the fixed breaks are
    in the ratio (scheduled), adherent when not working; work in them is lost
    (``worked_break``).

    ``pieces`` are disjoint stretches of activity and ``row`` their position in ``windows``.
    Rows without a window have ``start_ns == end_ns`` and ``paid_ns == 0``.
    """
    num_rows = len(windows)
    shift_start = windows["start_ns"].to_numpy(np.int64)
    shift_end = windows["end_ns"].to_numpy(np.int64)
    paid = windows["paid_ns"].to_numpy(np.int64)
    start, end = pieces.start_ns, pieces.end_ns
    logged_in = _sum(row, end - start, num_rows)

    scheduled = np.flatnonzero(paid[row] > 0)   # pieces of rows with scheduled work time
    on = row[scheduled]
    at = (shift_start[on], shift_end[on], break_start_ns[on], break_end_ns[on])
    all_from = work_clock(start[scheduled], *at)
    all_to = work_clock(end[scheduled], *at)

    work = pieces.working
    row, start, end = row[work], start[work], end[work]
    s, e = shift_start[row], shift_end[row]
    bs, be = break_start_ns[row], break_end_ns[row]
    in_window = np.clip(end, s, e) - np.clip(start, s, e)
    clock_from = work_clock(start, s, e, bs, be)
    clock_to = work_clock(end, s, e, bs, be)
    working = _sum(row, end - start, num_rows)
    in_work_time = _sum(row, clock_to - clock_from, num_rows)
    working_in_window = _sum(row, in_window, num_rows)
    overtime = working - working_in_window

    # late start, early leave and absence look only at work inside the window: a short login
    # before the shift (or after it) is overtime and says nothing about when the shift began
    inside = in_window > 0
    first = np.full(num_rows, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(num_rows, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, row[inside], np.maximum(start[inside], s[inside]))
    np.maximum.at(last, row[inside], np.minimum(end[inside], e[inside]))
    worked = working_in_window > 0
    late = np.where(worked, first - shift_start, 0)
    early = np.where(worked, shift_end - last, 0)

    gap_row, gap = _out_of_adherence_runs(row, clock_from, clock_to, paid)
    forgiven = (gap > 0) & (gap <= grace_ns)
    counted = gap > grace_ns
    in_adherence = in_work_time + _sum(gap_row, np.where(forgiven, gap, 0), num_rows)
    episodes = np.bincount(gap_row, weights=counted, minlength=num_rows).astype(np.int64)

    first_clock = np.where(worked, work_clock(np.where(worked, first, shift_start), shift_start,
                                              shift_end, break_start_ns, break_end_ns), 0)
    last_clock = np.where(worked, work_clock(np.where(worked, last, shift_start), shift_start,
                                             shift_end, break_start_ns, break_end_ns), 0)
    lost = lost_by_cause(on, all_from, all_to, pieces.working[scheduled],
                         pieces.state[scheduled], pieces.start_ns[scheduled],
                         pieces.end_ns[scheduled], paid,
                         first_clock, last_clock, worked, break_start_ns, break_end_ns,
                         grace_ns, excused)
    in_adherence = in_adherence + lost["excused"]
    scheduled_ns = paid
    if count_breaks and break_start_ns.shape[1]:
        taken = np.clip(np.minimum(end[:, None], be) - np.maximum(start[:, None], bs), 0, None)
        worked_break = _sum(row, taken.sum(axis=1), num_rows)
        break_ns = (break_end_ns - break_start_ns).sum(axis=1)
        scheduled_ns = np.where(paid > 0, paid + break_ns, 0)
        in_adherence = in_adherence + np.where(paid > 0, break_ns - worked_break, 0)
        lost["worked_break"] = np.where(paid > 0, worked_break, 0)
    return pd.DataFrame({
        "scheduled_ns": scheduled_ns, "logged_in_ns": logged_in, "in_adherence_ns": in_adherence,
        "working_ns": working, "late_start_ns": late, "early_leave_ns": early,
        "overtime_ns": overtime, "absent": (paid > 0) & ~worked, "episodes": episodes,
        **{f"lost_{cause}_ns": lost[cause] for cause in CAUSES}})


def _out_of_adherence_runs(row: np.ndarray, clock_from: np.ndarray, clock_to: np.ndarray,
                           paid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and lengths of the runs of scheduled work time without work (work-clock gaps)."""
    keep = clock_to > clock_from
    row, clock_from, clock_to = row[keep], clock_from[keep], clock_to[keep]
    step = np.diff(row)
    if not ((step > 0) | ((step == 0) & (np.diff(clock_from) >= 0))).all():
        order = np.lexsort((clock_from, row))
        row, clock_from, clock_to = row[order], clock_from[order], clock_to[order]
    new_row = np.ones(len(row), dtype=bool)
    new_row[1:] = row[1:] != row[:-1]
    previous_end = np.zeros(len(row), dtype=np.int64)
    previous_end[1:] = clock_to[:-1]
    previous_end[new_row] = 0
    last = np.ones(len(row), dtype=bool)
    last[:-1] = new_row[1:]
    idle = np.flatnonzero((paid > 0) & (np.bincount(row, minlength=len(paid)) == 0))
    gap_row = np.concatenate([row, row[last], idle])
    gap = np.concatenate([clock_from - previous_end, paid[row[last]] - clock_to[last],
                          paid[idle]])
    return gap_row, gap
