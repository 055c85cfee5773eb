"""Coverage impact of moved agent-days: working agents per interval and queue before and after.

A request moves a few agent-days (``agent_id, date, shift, queue`` records before and after).
Head-counts are kept as (local wall-clock minute since 1970-01-01, queue) keys: each working
(date, shift, queue) group expands to the intervals its shift covers (``wfm.coverage``: the
intervals inside the shift, minus its fixed breaks), and after = before - the moved agent-days as
they were + as they become. ``swap_impact`` builds a swap's impact frame; the time-off impact
(``wfm.requests.time_off_impact``) expands its groups with the same ``cell_groups`` and
``expand``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instants
from wfm.config import SiteConfig
from wfm.coverage import NON_WORKING, covered_offsets_minutes
from wfm.errors import InvalidInput

IMPACT_COLUMNS = ["interval_start", "queue", "required", "scheduled_before", "scheduled_after"]


def empty_impact(config: SiteConfig) -> pd.DataFrame:
    """An impact frame without rows, with the columns' types."""
    starts = pd.Series([], dtype=f"datetime64[ns, {config.timezone}]")
    return pd.DataFrame({"interval_start": starts, "queue": pd.Series([], dtype=object),
                         **{c: pd.Series([], dtype="int64") for c in IMPACT_COLUMNS[2:]}})


Key = tuple[int, str]  # (local interval start in minutes since 1970-01-01, queue)


def swap_impact(columns: tuple[np.ndarray, ...], before: list[dict[str, object]],
                after: list[dict[str, object]], days: list[date], config: SiteConfig,
                requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
                queues: list[str] | None,
                window_counts: pd.DataFrame | Iterable[tuple[date, str, str, int]] | None = None,
                ) -> pd.DataFrame:
    """Required and scheduled agents before and after (``IMPACT_COLUMNS``), for every interval
    and queue a moved shift covers; ``columns`` are the roster's ``agent_id, date, shift,
    queue`` arrays (used when ``window_counts`` is not given).

    Counts come from the rows of the swap dates and the days either side (a shift may cross
    midnight), grouped by (date, shift, queue) so that only a few groups are expanded to
    intervals; after = before - the moved agent-days as they were + as they become.
    """
    window = {day + timedelta(days=k) for day in days for k in (-1, 0, 1)}
    moved_out = expand(cell_groups(before, queues), config)
    moved_in = expand(cell_groups(after, queues), config)
    keys = sorted(set(moved_out) | set(moved_in))
    if not keys:
        return empty_impact(config)
    if window_counts is None:
        scheduled_before = _counts(columns, window, config, queues)
    else:
        if isinstance(window_counts, pd.DataFrame):
            window_counts = window_counts[["date", "shift", "queue", "agents"]].itertuples(
                index=False, name=None)
        groups: Counter[tuple[object, object, object]] = Counter()
        for d, s, q, n in window_counts:
            if d in window and s not in NON_WORKING:
                groups[(d, s, q)] += int(n)
        scheduled_before = expand(groups, config)
    scheduled = np.array([scheduled_before.get(k, 0) for k in keys], dtype="int64")
    scheduled_after = np.array([n - moved_out.get(k, 0) + moved_in.get(k, 0)
                                for n, k in zip(scheduled, keys, strict=True)], dtype="int64")
    minutes = np.array([k[0] for k in keys], dtype=np.int64).astype("datetime64[m]")
    # keys are wall-clock times: both copies of a repeated autumn time, none of a skipped one
    instants, source = wall_clock_instants(
        pd.DatetimeIndex(minutes.astype("datetime64[ns]")), config.timezone)
    impact = pd.DataFrame({
        "interval_start": instants, "queue": [keys[i][1] for i in source],
        "required": _required_at(requirement, keys, source, instants),
        "scheduled_before": scheduled[source], "scheduled_after": scheduled_after[source]})
    if bool(np.all(np.diff(source) > 0)):
        # no repeated autumn time: rows are in key order, i.e. by wall clock (hence by instant)
        # and queue already, and a frame sort would only cost time on every swap check
        return impact
    return impact.sort_values(["interval_start", "queue"], kind="stable").reset_index(drop=True)


def _required_at(requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
                 keys: list[Key], source: np.ndarray, instants: pd.DatetimeIndex) -> np.ndarray:
    """``scheduled_agents`` of each impact row (``keys[source[i]]`` at ``instants[i]``): by the
    instant for a requirement frame with offsets, so each copy of a repeated autumn hour keeps
    its own need; by the wall-clock key otherwise."""
    if (isinstance(requirement, pd.DataFrame) and len(requirement)
            and pd.DatetimeIndex(requirement["interval_start"]).tz is not None):
        need = requirement.assign(utc=pd.DatetimeIndex(requirement["interval_start"])
                                  .tz_convert("UTC")).set_index(["utc", "queue"])
        at = pd.MultiIndex.from_arrays([instants.tz_convert("UTC"),
                                        [keys[i][1] for i in source]])
        return need["scheduled_agents"].reindex(at).fillna(0).astype("int64").to_numpy()
    required = _required(requirement, keys)
    return np.array([required.get(keys[i], 0) for i in source], dtype="int64")


def _required(requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
              keys: list[Key]) -> dict[Key, int]:
    """``scheduled_agents`` of the requirement rows at wall-clock ``keys`` (a mapping, or a
    frame of local times without offset; ``_required_at`` reads frames with offsets)."""
    if requirement is None or not len(requirement):
        return {}
    if not isinstance(requirement, pd.DataFrame):
        epoch = datetime(1970, 1, 1)
        found = {}
        for minute, queue in keys:
            need = requirement.get((epoch + timedelta(minutes=minute), queue))
            if need is not None:
                found[(minute, queue)] = int(need)
        return found
    minutes = requirement["interval_start"].to_numpy().astype("datetime64[m]").astype(np.int64)
    near = np.flatnonzero(np.isin(minutes, [k[0] for k in keys]))
    if not len(near):
        return {}
    queue = requirement["queue"].to_numpy(dtype=object)[near].tolist()
    need = requirement["scheduled_agents"].to_numpy()[near].astype(int).tolist()
    return dict(zip(zip(minutes[near].tolist(), queue, strict=True), need, strict=True))


def _counts(columns: tuple[np.ndarray, ...], window: set[date], config: SiteConfig,
            queues: list[str] | None) -> Counter[Key]:
    """Working agents per (local interval start, queue) from the rows dated in ``window``."""
    _, dates, shifts, queue = columns
    near = np.zeros(len(dates), dtype=bool)
    for day in window:
        near |= dates == day
    near &= (shifts != "OFF") & (shifts != "LEAVE")
    only = queues[0] if queues and len(queues) == 1 else ""
    picked = np.flatnonzero(near)
    working = Counter(zip(dates[picked].tolist(), shifts[picked].tolist(),
                          queue[picked].tolist(), strict=True))
    groups: Counter[tuple[object, object, object]] = Counter()
    for (day, shift, name), count in working.items():
        name = str(name)
        if name == "":
            if queues and len(queues) > 1:
                position = next(i for i, row in enumerate(picked.tolist())
                                if str(queue[row]) == "")
                raise InvalidInput(f"the site has several queues ({', '.join(queues)}); every "
                                   "working row needs a queue", file="roster",
                                   line=position + 2, field="queue")
            name = only
        groups[(day, shift, name)] += count
    return expand(groups, config)


def cell_groups(cells: list[dict[str, object]],
                 queues: list[str] | None) -> Counter[tuple[object, object, object]]:
    """(date, shift, queue) counts of a few agent-days (the single queue fills a blank one)."""
    only = queues[0] if queues and len(queues) == 1 else ""
    return Counter((c["date"], c["shift"], c["queue"] or only) for c in cells
                   if c["shift"] is not None and c["shift"] not in NON_WORKING)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def expand(groups: Counter[tuple[object, object, object]], config: SiteConfig) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for (day, code, name), count in groups.items():
        midnight = day_minutes(day)
        for offset in _offsets(config, str(code)):
            counts[(midnight + offset, str(name))] += count
    return counts


def day_minutes(day: object) -> int:
    if not isinstance(day, date):
        day = pd.Timestamp(day).date()  # type: ignore[arg-type]
    return (day.toordinal() - _EPOCH_ORDINAL) * 24 * 60


_OFFSETS: dict[tuple[int, str], tuple[SiteConfig, list[int]]] = {}


def _offsets(config: SiteConfig, code: str) -> list[int]:
    cached = _OFFSETS.get((id(config), code))
    if cached is None or cached[0] is not config:
        offsets = covered_offsets_minutes(config.shift(code), config.interval_minutes)
        cached = (config, [int(o) for o in offsets])
        if len(_OFFSETS) > 1000:
            _OFFSETS.clear()
        _OFFSETS[(id(config), code)] = cached
    return cached[1]
