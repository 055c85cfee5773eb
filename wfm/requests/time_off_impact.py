"""Coverage impact of a time-off request and the service level of each affected interval.

Service level uses the stored requirement's load (contacts, AHT): traffic A = contacts x AHT /
interval, agents on the phones = floor(scheduled x (1 - shrinkage)) (the requirement's scheduled
agents are ceil(N / (1 - shrinkage))), rated by the queue's model as ``wfm staff`` staffed it
(``wfm.staffing.dispatch``: Erlang C, Erlang A with ``patience_seconds``, the chat model for
``channel = "chat"``). Coverage follows ``wfm.coverage``: a shift covers the intervals inside it,
minus its fixed breaks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instants
from wfm.config import SiteConfig, parse_clock
from wfm.coverage import NON_WORKING, covered_offsets_minutes
from wfm.requests.impact import Key, cell_groups, day_minutes, expand
from wfm.staffing.dispatch import effective_agents, performance

IMPACT_COLUMNS = ["interval_start", "queue", "required", "scheduled_before", "scheduled_after",
                  "shortfall_after", "service_level_before", "service_level_after",
                  "service_level_target"]
Count = tuple[date, str, str, int]
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Part:
    """Part of a shift: clock times ``start``-``end`` (``HH:MM``)."""

    start: str
    end: str


def part_minutes(part: Part, shift_start: int) -> tuple[int, int]:
    """The part as minutes after the shift date's midnight (a part after midnight of a night
    shift is on the next day)."""
    start, end = parse_clock(part.start), parse_clock(part.end)
    if start < shift_start:
        start += 24 * 60
    if end <= start:
        end += 24 * 60
    return start, end




def impact_of(before: list[dict[str, object]], after: list[dict[str, object]],
              part: Part | None, config: SiteConfig,
              requirement: Mapping[tuple[datetime, str], int],
              load: Mapping[tuple[datetime, str], tuple[float, float | None]],
              queues: list[str] | None, window_counts: Iterable[Count],
              offers: Mapping[tuple[str, date], Counter[Key]] | None = None,
              ) -> list[dict[str, Any]]:
    """``IMPACT_COLUMNS`` records for every interval and queue the change touches, by time.

    Head-counts as in ``wfm.requests.impact`` (the swap's impact); part of a shift moves out
    only the intervals of the part. ``offers`` (``wfm.requests.offers.offer_head_deltas``)
    are the head counts accepted overtime extensions and VTO early ends add or take per
    (agent, date): everyone's count, and a day whose shift the change replaces loses its
    agent's accepted hours with it (a part of a day keeps them).
    """
    moved_out: Counter[Key]
    moved_in: Counter[Key]
    if part is None:
        moved_out = expand(cell_groups(before, queues), config)
        moved_in = expand(cell_groups(after, queues), config)
    else:
        moved_out, moved_in = Counter(), Counter()
        for cell in before:
            day = cell["date"]
            assert isinstance(day, date)
            template = config.shift(str(cell["shift"]))
            start, end = part_minutes(part, template.start_minute)
            queue = str(cell["queue"] or (queues[0] if queues and len(queues) == 1 else ""))
            for offset in covered_offsets_minutes(template, config.interval_minutes):
                if start <= offset < end:
                    moved_out[(day_minutes(day) + int(offset), queue)] += 1
    offers = offers or {}
    shift_after = {(str(c["agent_id"]), c["date"]): c["shift"] for c in after}
    for cell in before:
        day = cell["date"]
        assert isinstance(day, date)
        key = (str(cell["agent_id"]), day)
        if key in offers and shift_after.get(key) != cell["shift"]:
            moved_out.update(offers[key])
    keys = sorted(k for k in set(moved_out) | set(moved_in) if moved_out[k] or moved_in[k])
    if not keys:
        return []
    only = queues[0] if queues and len(queues) == 1 else ""
    groups: Counter[tuple[object, object, object]] = Counter()
    for d, s, q, n in window_counts:
        if s not in NON_WORKING:
            groups[(d, s, q or only)] += n
    counted = expand(groups, config)
    for delta in offers.values():
        counted.update(delta)
    before_n = np.array([counted.get(k, 0) for k in keys], dtype="int64")
    after_n = np.array([counted.get(k, 0) - moved_out.get(k, 0) + moved_in.get(k, 0)
                        for k in keys], dtype="int64")
    wall = [(_EPOCH + timedelta(minutes=m), q) for m, q in keys]
    required = np.array([requirement.get(w, 0) for w in wall], dtype="int64")
    level_before, level_after, target = _service_levels(wall, before_n, after_n, load, config)
    instants, source = wall_clock_instants(
        pd.DatetimeIndex([w for w, _ in wall]), config.timezone)
    shortfall = np.maximum(required - after_n, 0)
    rows = []
    for instant, i in zip(instants.to_pydatetime().tolist(), source.tolist(), strict=True):
        rows.append({"interval_start": instant, "queue": keys[i][1],
                     "required": int(required[i]), "scheduled_before": int(before_n[i]),
                     "scheduled_after": int(after_n[i]), "shortfall_after": int(shortfall[i]),
                     "service_level_before": float(level_before[i]),
                     "service_level_after": float(level_after[i]),
                     "service_level_target": float(target[i])})
    rows.sort(key=lambda r: (r["interval_start"], r["queue"]))
    return rows


def impact_json(rows: list[dict[str, Any]]) -> str:
    """Impact rows as the JSON stored with a request (times in ISO 8601 with offset)."""
    return json.dumps([{**r, "interval_start": r["interval_start"].isoformat()} for r in rows])


def _service_levels(wall: list[tuple[datetime, str]], before: np.ndarray, after: np.ndarray,
                    load: Mapping[tuple[datetime, str], tuple[float, float | None]],
                    config: SiteConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Service level before and after in each interval, and the queue's target (1.0 where the
    interval has no contacts, as ``wfm.staffing`` defines it). Vectorised per queue; the model
    is the queue's (``wfm.staffing.dispatch``), on the agents left after shrinkage."""
    num = len(wall)
    levels = {"before": np.ones(num), "after": np.ones(num)}
    target = np.zeros(num)
    queue_of = np.array([q for _, q in wall], dtype=object)
    interval_seconds = config.interval_minutes * 60
    for queue in sorted(set(queue_of.tolist())):
        service = config.service_for(queue or None)
        rows = np.flatnonzero(queue_of == queue)
        target[rows] = service.level
        pairs = [load.get(wall[k], (0.0, None)) for k in rows]
        contacts = np.array([c or 0.0 for c, _ in pairs], dtype=float)
        aht = np.array([a or 0.0 for _, a in pairs], dtype=float)
        busy = (contacts > 0) & (aht > 0)
        if not busy.any():
            continue
        rows, contacts, aht = rows[busy], contacts[busy], aht[busy]
        traffic = contacts * aht / interval_seconds
        for name, counts in (("before", before), ("after", after)):
            agents = effective_agents(counts[rows], service.shrinkage)
            levels[name][rows] = performance(service, traffic, agents, aht).service_level
    return levels["before"], levels["after"], target
