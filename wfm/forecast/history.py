"""Loading contact history: interval files or per-contact records, checked and on the grid.

Decisions (documented in the README section of the forecast):

* The kind of file is told by its header: ``interval_start`` -> interval history, ``arrival_time``
  -> contact records.
* Interval history must be on the site's interval grid. A file with a finer interval that divides
  ``interval_minutes`` (e.g. 15-minute data for a 30-minute site) is summed up to it; an interval
  is then unknown unless all its sub-intervals are present. Rows may come in any order (they
  are sorted). Mixed interval lengths, timestamps off the grid and duplicates are errors.
* Contact records are counted per interval (abandoned ones too: they are offered contacts); AHT is
  the mean ``handle_seconds`` of the handled ones. A day with no record at all is unknown; within
  a day that has records, an interval without any had zero contacts. Records may come in any
  order (arrivals of one second often share a timestamp).
* Queues: rows without a ``queue`` column belong to the queue ``default``. ``[queues.<name>]``
  in the site configuration only overrides service targets (DESIGN.md), so a history queue
  without such a section is fine and uses the site defaults. A configured queue that history
  never names is an error: it cannot be forecast, and it is most often a typo.
"""

from __future__ import annotations

from datetime import timedelta
from math import gcd
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.calendar import interval_grid, local_naive
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.tables import HISTORY_INTERVALS, HISTORY_RECORDS, read_header, read_table

HISTORY_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds"]


def load_history(path: str | Path, config: SiteConfig, *,
                 min_days: int = 14) -> pd.DataFrame:
    """Read interval history or contact records into interval history on the site grid.

    Returns
    -------
    DataFrame
        ``interval_start`` (tz-aware), ``queue``, ``contacts``, ``aht_seconds`` sorted by queue
        and time; only known intervals are rows (an absent interval is unknown).
    """
    label = str(path)
    try:
        header = read_header(path)
    except FileNotFoundError:
        raise InvalidInput("file not found", file=label) from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InvalidInput(f"not a readable CSV: {error}", file=label) from None
    if "interval_start" in header:
        table = read_table(path, HISTORY_INTERVALS, timezone=config.tz, label=label)
        history = intervals_to_grid(table, config, label=label)
    elif "arrival_time" in header:
        table = read_table(path, HISTORY_RECORDS, timezone=config.tz, label=label)
        history = aggregate_records(table, config, label=label)
    else:
        raise InvalidInput("history needs either interval columns (interval_start, contacts, "
                           "aht_seconds[, queue]) or contact records (arrival_time, "
                           f"handle_seconds[, queue, abandoned]); header has: {', '.join(header)}",
                           file=label, line=1)
    check_queues(history, config, label=label)
    check_length(history, min_days, label=label)
    return history


def intervals_to_grid(table: pd.DataFrame, config: SiteConfig, *,
                      label: str = "history") -> pd.DataFrame:
    """Check interval history (order, spacing, grid) and bring it to ``interval_minutes``."""
    table = table.copy()
    table["queue"] = table["queue"].astype(str)
    # rows in any order (an export merged from two ACD nodes): sorted by queue and real time; the
    # index keeps each row's position in the file for error messages
    table = table.sort_values(["queue", "interval_start"], kind="stable")
    naive = local_naive(table["interval_start"])
    seconds = pd.Series((naive - naive.normalize()).total_seconds(), index=table.index)
    instants = pd.DatetimeIndex(table["interval_start"])  # real time: a DST change is no step back
    minutes = _interval_length(table, naive, instants, label)
    target = config.interval_minutes
    off_grid = (seconds.to_numpy() % (minutes * 60)) != 0
    if off_grid.any():
        i = int(np.flatnonzero(off_grid)[0])
        raise InvalidInput(f"{naive[i]} is not on the {minutes}-minute interval grid (intervals "
                           "start at midnight plus whole intervals)", file=label,
                           line=int(table.index[i]) + 2, field="interval_start")
    if minutes == target:
        return _finish(table)
    if minutes > target or target % minutes:
        raise InvalidInput(f"history has {minutes}-minute intervals but the site uses "
                           f"interval_minutes = {target}; set interval_minutes = {minutes} in "
                           "the configuration (or provide history at a finer interval)",
                           file=label)
    return _coarsen(table, naive, target // minutes, target)


def _interval_length(table: pd.DataFrame, naive: pd.DatetimeIndex,
                     instants: pd.DatetimeIndex, label: str) -> int:
    """The interval length in minutes (steps in real time within a local day); mixed lengths
    (by day) are an error."""
    frame = pd.DataFrame({"queue": table["queue"].to_numpy(), "day": naive.normalize(),
                          "t": instants.as_unit("s").asi8})
    frame["step"] = frame.groupby(["queue", "day"])["t"].diff()
    steps = frame.dropna(subset=["step"])
    if steps.empty:
        raise InvalidInput("history has no two intervals on the same day; cannot tell the "
                           "interval length", file=label)
    by_day = steps.groupby(["queue", "day"])["step"].agg(
        lambda s: int(np.gcd.reduce(s.astype(np.int64).to_numpy())))
    lengths = sorted(set(by_day.tolist()))
    if len(lengths) > 1 and any(b % a for a in lengths for b in lengths):
        examples = []
        for length in lengths[:3]:
            queue, day = by_day[by_day == length].index[0]
            examples.append(f"{length // 60} minutes (e.g. {day.date()}, queue {queue!r})")
        usual = int(steps["step"].mode().iloc[0])  # the length most rows follow
        seconds_of_day = (naive - naive.normalize()).total_seconds().to_numpy()
        off = np.flatnonzero(seconds_of_day % usual != 0)
        where = (f"; the first row off the {usual // 60}-minute grid is line "
                 f"{int(table.index[off[0]]) + 2} ({naive[off[0]]})" if len(off) else "")
        raise InvalidInput("mixed interval lengths in history: " + ", ".join(examples) + where,
                           file=label, field="interval_start",
                           line=int(table.index[off[0]]) + 2 if len(off) else None)
    seconds = lengths[0]
    for length in lengths[1:]:
        seconds = gcd(seconds, length)
    if seconds % 60 or (24 * 3600) % seconds:
        raise InvalidInput(f"history interval of {seconds} seconds does not divide a day into "
                           "whole minutes", file=label, field="interval_start")
    return seconds // 60


def _coarsen(table: pd.DataFrame, naive: pd.DatetimeIndex, parts: int,
             target: int) -> pd.DataFrame:
    frame = table.copy()
    frame["bucket"] = _bucket_start(table["interval_start"], naive, target)
    frame["work"] = frame["contacts"] * frame["aht_seconds"].fillna(0.0)
    grouped = frame.groupby(["queue", "bucket"], sort=True)
    out = grouped.agg(contacts=("contacts", "sum"), work=("work", "sum"),
                      parts=("contacts", "size")).reset_index()
    out = out[out["parts"] == parts]
    with np.errstate(divide="ignore", invalid="ignore"):
        aht = np.where(out["contacts"] > 0, out["work"] / out["contacts"], np.nan)
    result = pd.DataFrame({"interval_start": out["bucket"],
                           "queue": out["queue"], "contacts": out["contacts"],
                           "aht_seconds": aht})
    return _finish(result)


def _bucket_start(instants: pd.Series, naive: pd.DatetimeIndex, minutes: int) -> pd.Series:
    """The start (tz-aware) of the ``minutes`` interval holding each instant: the local clock
    floored, taken back in real time, so the two copies of a repeated autumn hour stay apart."""
    into = naive - naive.floor(f"{minutes}min")
    return pd.Series(pd.DatetimeIndex(instants) - into, index=instants.index)


def aggregate_records(table: pd.DataFrame, config: SiteConfig, *,
                      label: str = "history") -> pd.DataFrame:
    """Count contact records per interval; AHT from handled contacts (see the module notes)."""
    minutes = config.interval_minutes
    frame = pd.DataFrame({"queue": table["queue"].astype(str)})
    naive = local_naive(table["arrival_time"])
    frame["slot"] = _bucket_start(table["arrival_time"], naive, minutes)
    frame["day"] = naive.normalize()
    abandoned = table["abandoned"].astype(bool).to_numpy()
    handle = table["handle_seconds"].to_numpy(dtype=float)
    handled = ~abandoned & np.isfinite(handle)
    frame["handled"] = handled
    frame["handle"] = np.where(handled, handle, 0.0)
    counts = frame.groupby(["queue", "slot"]).agg(contacts=("queue", "size"),
                                                  handled=("handled", "sum"),
                                                  handle=("handle", "sum"))
    days = frame[["queue", "day"]].drop_duplicates()
    pieces = []
    for queue, queue_days in days.groupby("queue"):
        starts = [interval_grid(d.date(), d.date() + timedelta(days=1), minutes, config.tz)
                  for d in sorted(queue_days["day"])]
        grid = pd.MultiIndex.from_product([[queue], starts[0].append(starts[1:])],
                                          names=["queue", "slot"])
        pieces.append(counts.reindex(grid, fill_value=0))
    full = pd.concat(pieces).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        aht = np.where(full["handled"] > 0, full["handle"] / full["handled"], np.nan)
    result = pd.DataFrame({"interval_start": full["slot"], "queue": full["queue"],
                           "contacts": full["contacts"].astype(float), "aht_seconds": aht})
    return _finish(result)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[HISTORY_COLUMNS].sort_values(["queue", "interval_start"], kind="stable")
    return out.reset_index(drop=True)


def check_queues(history: pd.DataFrame, config: SiteConfig, *, label: str = "history") -> None:
    """Queues in history against the configured ones (see the module notes)."""
    if not config.queues:
        return
    seen = set(history["queue"].unique())
    absent = sorted(set(config.queues) - seen)
    if absent:
        raise InvalidInput(f"configured queue(s) {', '.join(absent)} have no history, so they "
                           f"cannot be forecast (history has: {', '.join(sorted(seen))})",
                           file=label, field="queue")


def check_length(history: pd.DataFrame, min_days: int, *, label: str = "history") -> None:
    """Every queue needs ``min_days`` days with known intervals (every weekday seen twice)."""
    if history.empty:
        raise InvalidInput(f"history is empty; at least {min_days} days are needed", file=label)
    days = local_naive(history["interval_start"]).normalize()
    known = history["contacts"].notna().to_numpy()
    per_queue = pd.Series(days[known]).groupby(history["queue"].to_numpy()[known]).nunique()
    for queue in sorted(history["queue"].unique()):
        count = int(per_queue.get(queue, 0))
        if count < min_days:
            raise InvalidInput(f"history is too short to forecast queue {queue!r}: {count} "
                               f"day(s) with data, at least {min_days} days (two of every "
                               "weekday) are needed", file=label)
