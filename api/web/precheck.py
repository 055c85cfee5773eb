"""A swap judged against the stored roster without recording it: the agent's pre-check before
sending, and the planner's current rule check of a pending swap.

It calls the same checker the store calls on ``create_swap`` and on approval
(``wfm.swaps.check_swap``), fed through the store's read methods: the two agents' rows, the
head-counts per shift and queue on the swap dates and the days either side (coverage), the
requirement of those days and the agents' records. The one check it leaves to the store is
the minimum notice, which depends on the moment the request is sent; the page shows when the
earliest shift starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from api.store import Store
from wfm.coverage import NON_WORKING
from wfm.errors import InvalidInput
from wfm.swaps import SwapVerdict, check_swap


class PageReads:
    """The store reads one page's pre-checks share: all agents, and everyone's roster and the
    requirement per date window (a queue of swaps on the same days reads them once)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._agents: pd.DataFrame | None = None
        self._windows: dict[tuple[date, date], Window] = {}

    def agents(self) -> pd.DataFrame:
        if self._agents is None:
            self._agents = self.store.agents_frame()
        return self._agents

    def window(self, first: date, last: date) -> Window:
        """Head-counts and requirement of local dates ``first``..``last`` (read once)."""
        if (first, last) not in self._windows:
            _, rows = self.store.roster_frame(date_from=first, date_to=last)
            working = rows[~rows["shift"].isin(NON_WORKING)]
            grouped = working.groupby(["date", "shift", "queue"]).size().reset_index()
            counts = list(zip(grouped["date"], grouped["shift"].astype(str),
                              grouped["queue"].astype(str), grouped[0].astype(int),
                              strict=True))
            requirement = self.store.requirement_frame(date_from=first, date_to=last)
            starts = pd.DatetimeIndex(requirement["interval_start"]).tz_localize(None)
            needs = dict(zip(zip(starts.to_pydatetime(), requirement["queue"].astype(str),
                                 strict=True),
                             requirement["scheduled_agents"].astype(int), strict=True))
            queues = set(requirement["queue"].astype(str))
            for skills in self.agents()["skills"]:
                queues.update(skills)
            self._windows[(first, last)] = Window(counts, needs, sorted(queues))
        return self._windows[(first, last)]


@dataclass(frozen=True)
class Window:
    """What a swap check reads about everyone on the days around it: agents per (date, shift,
    queue), the requirement by (local naive interval start, queue), the site's queues."""

    counts: list[tuple[date, str, str, int]]
    requirement: dict[tuple[datetime, str], int]
    queues: list[str]


def precheck_swap(store: Store, *, kind: str, requester_id: str, counterpart_id: str,
                  dates: list[date], reads: PageReads | None = None) -> SwapVerdict:
    """The verdict of the swap on the current roster (raises ``InvalidInput`` for a malformed
    request, as ``create_swap`` does). The checker gets the two agents' rows, the head-counts
    around the dates and the requirement there, as the store's own check does."""
    reads = reads or PageReads(store)
    pair = [requester_id, counterpart_id]
    if not dates:
        raise InvalidInput("a swap needs one or two dates", field="dates")
    first, last = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
    _, mine = store.roster_frame(agent_ids=pair)
    window = reads.window(first, last)
    everyone = reads.agents()
    agents = everyone[everyone["agent_id"].isin(pair)]
    return check_swap(mine, agents, store.config, kind=kind, requester_id=requester_id,
                      counterpart_id=counterpart_id, dates=dates,
                      requirement=window.requirement, requirement_queues=window.queues or None,
                      window_counts=window.counts)


def below_requirement(impact: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Impact rows where the swap leaves fewer agents than required and fewer than before:
    the intervals that would fall below requirement."""
    rows: list[dict[str, Any]] = ([{str(k): v for k, v in r.items()}
                                   for r in impact.to_dict("records")]
                                  if isinstance(impact, pd.DataFrame) else list(impact))
    return [r for r in rows if int(r["scheduled_after"]) < int(r["required"])
            and int(r["scheduled_after"]) < int(r["scheduled_before"])]
