"""What the login data covers: its time span, who has no data, which shifts it only partly
covers (issue 24, "Data coverage").

A partial export (one agent's events for one day) must not turn everyone else into absences
without a word. The rule, stated once here and in the README:

* The login data *covers* the span from its first to its last time (event timestamps, or
  login and logout times of sessions): ``events_from``..``events_to``.
* Without ``--from/--to`` the period is the dates of that span (``period.period_bounds``), not
  the roster's dates; with no login data at all it is the roster's dates.
* A rostered agent with a shift in the period but no login data at all (no row in the file)
  is listed in ``agents_without_events``. Their shifts still count as ``absent`` in the table
  and in the figures (an agent who never logged in is the commonest absence), but every output
  says how many agents and shifts that is, as a warning: the export may not cover them.
* A shift in the period that the span covers only in part, or not at all (it starts before the
  first time of the data or ends after its last), is listed in ``partly_covered_shifts`` with the
  minutes of its window the span covers. Its figures are computed as for any shift (the missing
  part reads as not logged in), and the warning says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wfm.adherence.schedule import NAT_NS, NS_PER_MINUTE, Schedule, format_ns, to_ns

LISTED = 200   # shifts listed by name; the counts are always complete


def login_span_ns(login: pd.DataFrame) -> tuple[int, int] | None:
    """First and last time of the login data (events or sessions); None when it is empty."""
    columns = [c for c in ("timestamp", "login_time", "logout_time") if c in login.columns]
    if login.empty or not columns:
        return None
    values = np.concatenate([to_ns(login[c]) for c in columns])
    values = values[values != NAT_NS]
    if len(values) == 0:
        return None
    return int(values.min()), int(values.max())


def data_coverage(login: pd.DataFrame, schedule: Schedule, rows: pd.DataFrame,
                  tz: str) -> dict[str, Any]:
    """The coverage block of a report (see the module docstring).

    ``rows`` are the table rows inside the period (``agent_id, date, shift, scheduled_minutes,
    on_shift``); ``schedule`` gives the shift windows.
    """
    span = login_span_ns(login)
    with_data = set(login["agent_id"]) if len(login) else set()
    shifts = rows[rows["on_shift"].astype(bool) & (rows["scheduled_minutes"] > 0)]
    missing = shifts[~shifts["agent_id"].isin(with_data)]
    without = sorted(set(missing["agent_id"]))

    windows = schedule.shifts.set_index(["agent_id", "date", "shift"])[["start_ns", "end_ns"]]
    present = shifts[shifts["agent_id"].isin(with_data)]
    partly: list[dict[str, Any]] = []
    count = 0
    if span is not None and len(present):
        keys = pd.MultiIndex.from_frame(present[["agent_id", "date", "shift"]])
        found = windows.reindex(keys)
        start = found["start_ns"].to_numpy(np.int64)
        end = found["end_ns"].to_numpy(np.int64)
        covered = np.maximum(0, np.minimum(end, span[1]) - np.maximum(start, span[0]))
        short = covered < end - start
        count = int(short.sum())
        for k in np.flatnonzero(short)[:LISTED]:
            agent_id, day, shift = keys[k]
            partly.append({"agent_id": agent_id, "date": day.isoformat(), "shift": shift,
                           "window_minutes": round(float(end[k] - start[k]) / NS_PER_MINUTE, 2),
                           "covered_minutes": round(float(covered[k]) / NS_PER_MINUTE, 2)})
    return {
        "events_from": format_ns(span[0], tz) if span else None,
        "events_to": format_ns(span[1], tz) if span else None,
        "agents_with_events": len(with_data),
        "agents_without_events": without,
        "shifts_without_events": len(missing),
        "partly_covered_shifts": partly,
        "partly_covered_count": count,
    }


def coverage_warnings(coverage: dict[str, Any]) -> list[str]:
    """The coverage block as warning sentences (empty when the data covers everything)."""
    out = []
    without = coverage["agents_without_events"]
    if without:
        names = ", ".join(without[:10]) + (", ..." if len(without) > 10 else "")
        out.append(f"{len(without)} rostered agent(s) have no events at all ({names}): their "
                   f"{coverage['shifts_without_events']} shift(s) count as absent; check that "
                   "the export covers them")
    if coverage["partly_covered_count"]:
        out.append(f"{coverage['partly_covered_count']} shift(s) lie partly or wholly outside "
                   f"the events' span {coverage['events_from']}..{coverage['events_to']}: "
                   "their uncovered minutes read as not logged in")
    return out
