"""The actuals table: what the ACD or chat platform recorded per interval and queue.

Contract (DESIGN.md, "Data contracts"): ``interval_start, queue, offered, answered, abandoned,
answered_within_target, handle_seconds, acw_seconds, wait_seconds`` [, ``staffed_seconds``].
Counts are contacts that *arrived* in the interval; the ``*_seconds`` columns are totals over
the interval (not averages), so any period's figure is a ratio of sums:

``handle_seconds``  Σ handle time (talk and hold; for chat, each chat's open duration) of the
                    contacts answered.
``acw_seconds``     Σ after-contact work of the contacts answered.
``wait_seconds``    Σ time to answer (chat: to the first response) of the contacts answered.
``staffed_seconds`` optional: Σ agent-seconds logged in and working for the queue; without it
                    ``wfm kpi`` derives it from login events and the roster.

The file is read with the same validation as every other table (``wfm.tables``: file, line and
field of the first bad cell; duplicate ``(interval_start, queue)`` rows refused), and then the
row invariants are checked: ``answered_within_target <= answered`` and ``answered + abandoned
<= offered``. Nothing is dropped: a bad row is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.errors import InvalidInput
from wfm.tables import Column, Source, TableSpec, read_table


def _count(name: str) -> Column:
    return Column(name, "int", minimum=0.0)


def _seconds(name: str, *, required: bool = True) -> Column:
    return Column(name, "float", required=required, minimum=0.0)


ACTUALS = TableSpec(
    "actuals",
    (Column("interval_start", "datetime"), Column("queue", "str"), _count("offered"),
     _count("answered"), _count("abandoned"), _count("answered_within_target"),
     _seconds("handle_seconds"), _seconds("acw_seconds"), _seconds("wait_seconds"),
     _seconds("staffed_seconds", required=False)),
    key=("interval_start", "queue"))
ACTUALS_COLUMNS = [c.name for c in ACTUALS.columns]


def check_actuals(frame: pd.DataFrame, *, label: str = "actuals") -> pd.DataFrame:
    """The row invariants of a parsed actuals frame; raises naming the line and field."""
    checks = (
        ("answered_within_target", frame["answered_within_target"] > frame["answered"],
         "answered_within_target must be <= answered"),
        ("answered", frame["answered"] + frame["abandoned"] > frame["offered"],
         "answered + abandoned must be <= offered (each contact is counted in the interval it "
         "arrived in)"),
    )
    for field, bad, rule in checks:
        broken = bad.to_numpy()
        if broken.any():
            row = int(np.flatnonzero(broken)[0])
            more = int(broken.sum()) - 1
            values = frame.iloc[row]
            shown = ", ".join(f"{c}={values[c]}" for c in ("offered", "answered", "abandoned",
                                                          "answered_within_target"))
            raise InvalidInput(f"{rule}, got {shown}"
                               + (f" ({more} more row(s) like it)" if more else ""),
                               file=label, line=row + 2, field=field)
    return frame


def check_actual_queues(frame: pd.DataFrame, known: set[str], *,
                        label: str = "actuals") -> pd.DataFrame:
    """Every row's queue must be one of ``known`` (the service's queues: ``[queues]``, the
    agents' skills, the requirement, the published forecasts); raises naming the first line."""
    unknown = ~frame["queue"].astype(str).isin(known).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        names = ", ".join(sorted(known)[:20]) if known else (
            "none yet: import agents, a requirement or a forecast first")
        raise InvalidInput(f"unknown queue {frame['queue'].iat[row]!r} (the site's queues: "
                           f"{names})", file=label, line=row + 2, field="queue")
    return frame


def read_actuals(source: Source, *, timezone: str = "Asia/Shanghai",
                 label: str | None = None) -> pd.DataFrame:
    """Read, validate and check an actuals CSV (row i of the result is line i + 2)."""
    name = label or str(source)
    frame = read_table(source, ACTUALS, timezone=timezone, label=name)
    return check_actuals(frame, label=name)
