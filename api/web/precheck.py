"""A swap judged against the stored roster without recording it: the agent's pre-check before
sending, and the planner's current rule check of a pending swap.

It is the store's own check (``Store.check_swap``): the verdict ``create_swap`` reaches, by
``wfm.requests.swaps.check_swap`` on the two agents' rows, the head-counts per shift and queue
around the dates and the requirement, from the store's per-version reference caches (a queue of
swaps reads the agents and the requirement once per data change, and each swap costs two small
queries). The one check it leaves to the store's ``create_swap`` is the minimum notice, which
depends on the moment the request is sent; the page shows when the earliest shift starts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from api.store import Store
from wfm.errors import InvalidInput
from wfm.requests.swaps import SwapVerdict


def precheck_swap(store: Store, *, kind: str, requester_id: str, counterpart_id: str,
                  dates: list[date]) -> SwapVerdict:
    """The verdict of the swap on the current roster (raises ``InvalidInput`` for a malformed
    request, as ``create_swap`` does)."""
    if not dates:
        raise InvalidInput("a swap needs one or two dates", field="dates")
    return store.check_swap(kind=kind, requester_id=requester_id,
                            counterpart_id=counterpart_id, dates=dates)


def below_requirement(impact: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Impact rows where the swap leaves fewer agents than required and fewer than before:
    the intervals that would fall below requirement."""
    if isinstance(impact, pd.DataFrame):
        if impact.empty:
            return []
        after = impact["scheduled_after"].to_numpy()
        short = np.flatnonzero((after < impact["required"].to_numpy())
                               & (after < impact["scheduled_before"].to_numpy()))
        if not len(short):
            return []
        rows = impact.iloc[short]  # only the few short rows become records
        return [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
    return [r for r in impact if int(r["scheduled_after"]) < int(r["required"])
            and int(r["scheduled_after"]) < int(r["scheduled_before"])]
