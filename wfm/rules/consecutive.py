"""Consecutive working days (``max_consecutive_days``).

No agent works more than ``rules.max_consecutive_days`` days in a row. Runs count the previous
roster's days before the horizon; an unknown day breaks a run, because nothing can be said
about it. A run is reported once, on its first day over the limit, or on the horizon's first day
when the previous roster alone already went over: the roster is to blame only for its own days.
"""

from __future__ import annotations

import numpy as np

from wfm.rules.cells import iso
from wfm.rules.context import RosterContext


def check_consecutive(ctx: RosterContext) -> None:
    """Report ``max_consecutive_days`` once per run that goes over the limit in the horizon."""
    grid = ctx.grid
    if grid is None:
        return
    limit = ctx.config.rules.max_consecutive_days
    working = grid.working
    window = limit + 1  # a run over the limit fills some window of limit + 1 days
    if working.shape[1] < window:
        return
    worked = np.cumsum(working, axis=1)  # window sums: the first, then each one after it
    if not ((worked[:, window - 1] == window).any()
            or (worked[:, window:] - worked[:, :-window] == window).any()):
        return
    num_days = working.shape[1]
    index = np.arange(num_days)
    last_break = np.maximum.accumulate(np.where(working, -1, index), axis=1)
    run = index - last_break  # length of the run so far, on working days
    horizon_start = int(np.argmax(grid.in_horizon))
    first_over = (run == limit + 1) | (index == horizon_start)
    agent, d = np.nonzero(working & (run > limit) & first_over & grid.in_horizon)
    for a, t in zip(agent.tolist(), d.tolist(), strict=True):
        start = t - int(run[a, t]) + 1
        rest = np.flatnonzero(~working[a, t:])  # the run ends before the next non-working day
        end = t + int(rest[0]) - 1 if len(rest) else num_days - 1
        name = ctx.names[a]
        ctx.found.add("max_consecutive_days", name, grid.origin + t,
                      f"{name} works {end - start + 1} days in a row "
                      f"{iso(grid.origin + start)}..{iso(grid.origin + end)} (max {limit})",
                      {"agent": name, "run": end - start + 1, "limit": limit,
                       "start": iso(grid.origin + start), "end": iso(grid.origin + end)})
