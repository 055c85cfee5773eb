"""Leave and fixed assignments: what the planner decided before the roster was made.

``check_leave`` (``leave``): approved leave is not worked, and ``LEAVE`` is rostered only on
approved leave (judged only when a leave table is given). ``check_fixed`` (``fixed``): every
assignment pinned inside the horizon appears in the roster with the pinned shift (any case)
and, when the pin names one, the pinned queue.
"""

from __future__ import annotations

import numpy as np

from wfm.rules.cells import LEAVE, iso
from wfm.rules.context import RosterContext


def check_leave(ctx: RosterContext) -> None:
    """Report ``leave``: work on approved leave, and LEAVE without approval."""
    if ctx.leave is None:
        return
    unique, found = ctx.unique, ctx.found
    approved = set(zip(ctx.leave.agent_id.tolist(), ctx.leave.day.tolist(), strict=True))
    on_leave = np.fromiter((pair in approved for pair in zip(
        unique.agent_id.tolist(), unique.day.tolist(), strict=True)), dtype=bool,
        count=len(unique))
    for row in unique.rows_where(on_leave & (unique.state >= 0)):
        found.add("leave", row.agent_id, row.day,
                  f"{row.agent_id} has approved leave on {iso(row.day)} but is rostered "
                  f"{row.shift}", {"variant": "worked", "shift": row.shift})
    for row in unique.rows_where(~on_leave & (unique.state == LEAVE)):
        found.add("leave", row.agent_id, row.day,
                  f"{row.agent_id} is rostered LEAVE on {iso(row.day)} without approved leave",
                  {"variant": "unapproved"})


def check_fixed(ctx: RosterContext) -> None:
    """Report ``fixed``: a pinned assignment missing from the roster or rostered otherwise."""
    if ctx.fixed is None or not len(ctx.fixed):
        return
    pinned_agents = set(ctx.fixed.agent_id.tolist())
    rostered = {(row.agent_id, row.day): row for row in ctx.unique.of_agents(pinned_agents).rows()}
    for row in ctx.fixed.rows():
        pinned = row.shift + (f" on queue {row.queue!r}" if row.queue else "")
        pinned_code = row.shift + (f" / {row.queue}" if row.queue else "")
        got = rostered.get((row.agent_id, row.day))
        if got is None:
            ctx.found.add("fixed", row.agent_id, row.day,
                          f"{row.agent_id} is pinned to {pinned} on {iso(row.day)} but the "
                          "roster has no row for that day",
                          {"variant": "missing", "pinned": pinned_code})
            continue
        same_shift = row.shift.upper() == got.shift.upper()
        same_queue = not row.queue or row.queue == got.queue
        if not (same_shift and same_queue):
            actual = got.shift + (f" on queue {got.queue!r}" if got.queue else "")
            ctx.found.add("fixed", row.agent_id, row.day,
                          f"{row.agent_id} is pinned to {pinned} on {iso(row.day)} but "
                          f"rostered {actual}",
                          {"variant": "changed", "pinned": pinned_code,
                           "actual": got.shift + (f" / {got.queue}" if got.queue else "")})
