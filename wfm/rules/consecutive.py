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
    for a, t, start, end in runs_over(working, limit, grid.in_horizon):
        name = ctx.names[a]
        ctx.found.add("max_consecutive_days", name, grid.origin + t,
                      f"{name} works {end - start + 1} days in a row "
                      f"{iso(grid.origin + start)}..{iso(grid.origin + end)} (max {limit})",
                      {"agent": name, "run": end - start + 1, "limit": limit,
                       "start": iso(grid.origin + start), "end": iso(grid.origin + end)})


def runs_over(flags: np.ndarray, limit: int, in_horizon: np.ndarray
              ) -> list[tuple[int, int, int, int]]:
    """(agent, day reported, run start, run end) for each run of True days (agents x days)
    longer than ``limit`` that is over it on a horizon day: reported once, on its first day
    over the limit, or on the horizon's first day when the run was over before it."""
    num_days = flags.shape[1]
    index = np.arange(num_days)
    last_break = np.maximum.accumulate(np.where(flags, -1, index), axis=1)
    run = index - last_break  # length of the run so far, on flagged days
    horizon_start = int(np.argmax(in_horizon))
    first_over = (run == limit + 1) | (index == horizon_start)
    found = []
    agent, day = np.nonzero(flags & (run > limit) & first_over & in_horizon)
    for a, t in zip(agent.tolist(), day.tolist(), strict=True):
        rest = np.flatnonzero(~flags[a, t:])  # the run ends before the next unflagged day
        end = t + int(rest[0]) - 1 if len(rest) else num_days - 1
        found.append((a, t, t - int(run[a, t]) + 1, end))
    return found
