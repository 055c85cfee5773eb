"""Identity and single-row rules: who and what a roster row names.

``check_identity``: every row names a known agent (``unknown_agent``, once per agent) and a known
shift (``unknown_shift``, per row), and an agent has at most one row per day
(``one_shift_per_day``; the first row is the one the other rules see).

``check_rows``: a working row serves a queue in the agent's skills (``skill``), names its queue
when the site has several (``missing_queue``), and falls inside the agent's contract
(``outside_contract``).
"""

from __future__ import annotations

import numpy as np

from wfm.rules.cells import UNKNOWN, iso
from wfm.rules.context import RosterContext


def check_identity(ctx: RosterContext) -> None:
    """Report ``unknown_agent``, ``unknown_shift`` and ``one_shift_per_day``."""
    rows, found = ctx.rows, ctx.found
    if not len(rows):
        return
    unknown = ~ctx.known_agent[ctx.code]
    if unknown.any():
        spans: dict[str, list[int]] = {}
        for agent_id, day in zip(rows.agent_id[unknown].tolist(), rows.day[unknown].tolist(),
                                 strict=True):
            span = spans.setdefault(agent_id, [day, day, 0])
            span[0], span[1], span[2] = min(span[0], day), max(span[1], day), span[2] + 1
        for agent_id, (first, last, size) in spans.items():
            found.add("unknown_agent", agent_id, first,
                      f"agent {agent_id!r} is in the roster ({size} row(s), {iso(first)}.."
                      f"{iso(last)}) but not in the agents table",
                      {"rows": size, "start": iso(first), "end": iso(last)})
    bad_shift = rows.state == UNKNOWN
    if bad_shift.any():
        known = ", ".join([t.code for t in ctx.config.shifts] + ["OFF", "LEAVE"])
        for row in rows.rows_where(bad_shift):
            found.add("unknown_shift", row.agent_id, row.day,
                      f"{row.agent_id} on {iso(row.day)}: shift {row.shift!r} is not a shift "
                      f"template (known: {known})", {"shift": row.shift, "known": known})
    if len(ctx.first_index) == len(rows):
        return
    keys = ctx.keys
    values, counts = np.unique(keys, return_counts=True)
    repeated = np.isin(keys, values[counts > 1])
    same_day: dict[tuple[str, int], list[str]] = {}
    for row in rows.rows_where(repeated):
        same_day.setdefault((row.agent_id, row.day), []).append(row.shift)
    for (agent_id, day), shifts in same_day.items():
        found.add("one_shift_per_day", agent_id, day,
                  f"{agent_id} has {len(shifts)} rows on {iso(day)} ({', '.join(shifts)}); one "
                  "per day is allowed", {"rows": len(shifts), "shifts": ", ".join(shifts)})


def check_rows(ctx: RosterContext) -> None:
    """Report ``skill``, ``missing_queue`` and ``outside_contract`` on working rows."""
    unique, found, code = ctx.unique, ctx.found, ctx.unique_code
    working = unique.state >= 0
    if not working.any():
        return
    queue = unique.queue
    if ctx.several_queues:
        for row in unique.rows_where(working & (queue == "")):
            found.add("missing_queue", row.agent_id, row.day,
                      f"{row.agent_id} works {row.shift} on {iso(row.day)} with no queue; the "
                      "site has several queues, so each working row must name one",
                      {"shift": row.shift})
    skills = [ctx.agents.skills[i] if i >= 0 else None for i in ctx.fact_index.tolist()]
    # one membership test per agent and queue, not per row
    unskilled = np.zeros(len(unique), dtype=bool)
    for q in set(queue[working].tolist()) - {""}:
        lacks = np.array([s is not None and q not in s for s in skills], dtype=bool)
        if lacks.any():
            on_queue = working & (queue == q)
            unskilled[on_queue] = lacks[code[on_queue]]
    for row in unique.rows_where(unskilled):
        agent_skills = skills[ctx.position[row.agent_id]] or ()
        found.add("skill", row.agent_id, row.day,
                  f"{row.agent_id} works {row.shift} on {iso(row.day)} for queue "
                  f"{row.queue!r}, which is not one of {row.agent_id}'s skills "
                  f"({', '.join(agent_skills) or 'none'})",
                  {"shift": row.shift, "queue": row.queue,
                   "skills": ", ".join(agent_skills) or "–"})
    start = ctx.agent_values(ctx.agents.start_day)
    end = ctx.agent_values(ctx.agents.end_day)
    if np.isnan(start).all() and np.isnan(end).all():  # every contract open-ended
        return
    early = working & (unique.day < start[code])  # False where the contract is open (NaN)
    outside = early | (working & (unique.day > end[code]))
    for row, is_early in zip(unique.rows_where(outside), early[outside].tolist(), strict=True):
        a = ctx.position[row.agent_id]
        bound = (f"before the contract starts on {iso(int(start[a]))}" if is_early
                 else f"after the contract ended on {iso(int(end[a]))}")
        found.add("outside_contract", row.agent_id, row.day,
                  f"{row.agent_id} works {row.shift} on {iso(row.day)}, {bound}",
                  {"variant": "before" if is_early else "after", "shift": row.shift,
                   "bound": iso(int(start[a] if is_early else end[a]))})
