"""A swap judged against the stored roster without recording it: the agent's pre-check before
sending, and the planner's current rule check of a pending swap.

It calls the same checker the store calls on ``create_swap`` and on approval
(``wfm.swaps.check_swap``), fed through the store's read methods: the two agents' rows, every
agent's rows on the swap dates and the days either side (coverage), the requirement of those
days and the agents' records. The one check it leaves to the store is the minimum notice, which
depends on the moment the request is sent; the page shows when the earliest shift starts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from api.store import Store
from wfm.swaps import SwapVerdict, check_swap


class PageReads:
    """The store reads one page's pre-checks share: all agents, and everyone's roster and the
    requirement per date window (a queue of swaps on the same days reads them once)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._agents: pd.DataFrame | None = None
        self._windows: dict[tuple[date, date], tuple[pd.DataFrame, pd.DataFrame]] = {}

    def agents(self) -> pd.DataFrame:
        if self._agents is None:
            self._agents = self.store.agents_frame()
        return self._agents

    def window(self, first: date, last: date) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(everyone's roster rows, the requirement) of local dates ``first``..``last``."""
        if (first, last) not in self._windows:
            _, rows = self.store.roster_frame(date_from=first, date_to=last)
            requirement = self.store.requirement_frame(date_from=first, date_to=last)
            self._windows[(first, last)] = (rows, requirement)
        return self._windows[(first, last)]


def precheck_swap(store: Store, *, kind: str, requester_id: str, counterpart_id: str,
                  dates: list[date], reads: PageReads | None = None) -> SwapVerdict:
    """The verdict of the swap on the current roster (raises ``InvalidInput`` for a malformed
    request, as ``create_swap`` does)."""
    reads = reads or PageReads(store)
    pair = [requester_id, counterpart_id]
    first, last = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
    _, mine = store.roster_frame(agent_ids=pair)
    window, requirement = reads.window(first, last)
    roster = (pd.concat([mine, window], ignore_index=True)
              .drop_duplicates(["agent_id", "date"]).reset_index(drop=True))
    everyone = reads.agents()
    agents = everyone[everyone["agent_id"].isin(pair)]
    queues = set(requirement["queue"].astype(str))
    for skills in everyone["skills"]:
        queues.update(skills)
    return check_swap(roster, agents, store.config, kind=kind, requester_id=requester_id,
                      counterpart_id=counterpart_id, dates=dates,
                      requirement=requirement if not requirement.empty else None,
                      requirement_queues=sorted(queues) or None)


def below_requirement(impact: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Impact rows where the swap leaves fewer agents than required and fewer than before:
    the intervals that would fall below requirement."""
    rows: list[dict[str, Any]] = ([{str(k): v for k, v in r.items()}
                                   for r in impact.to_dict("records")]
                                  if isinstance(impact, pd.DataFrame) else list(impact))
    return [r for r in rows if int(r["scheduled_after"]) < int(r["required"])
            and int(r["scheduled_after"]) < int(r["scheduled_before"])]
