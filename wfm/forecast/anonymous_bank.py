"""Reader of the Anonymous Bank 1999 call records (Technion SEE lab data; see
``../shared/README.md``), used by the forecast benchmark and the real-data tests.

Calls entering the queue are those with a ``q_start`` other than ``0:00:00`` or an ``AGENT``
outcome; a call that did not queue arrives at its ``vru_exit``. Served calls carry their
``ser_time`` as handle time; the others are abandoned (or phantom) contacts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from wfm.config import SiteConfig
from wfm.forecast.history import aggregate_records


def default_bank_dir() -> Path:
    """``$WFM_BANK_DATA``, else the first ``shared/data/anonymous_bank_1999`` found beside the
    checkout or one of its parents (a git worktree sits deeper than the main checkout)."""
    if os.environ.get("WFM_BANK_DATA"):
        return Path(os.environ["WFM_BANK_DATA"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "data" / "anonymous_bank_1999"
        if candidate.is_dir():
            return candidate
    return here.parents[2].parent / "shared" / "data" / "anonymous_bank_1999"


def read_bank_records(directory: Path, config: SiteConfig) -> pd.DataFrame:
    """Contact records (``arrival_time, handle_seconds, queue, abandoned``) of every
    ``calls_1999_*.csv`` in ``directory``, local times in the site timezone."""
    frames = []
    for path in sorted(directory.glob("calls_1999_*.csv")):
        raw = pd.read_csv(path, dtype=str)
        raw = raw[(raw["q_start"] != "0:00:00") | (raw["outcome"] == "AGENT")]
        clock = raw["q_start"].where(raw["q_start"] != "0:00:00", raw["vru_exit"])
        arrival = pd.to_datetime(raw["date_iso"] + " " + clock, format="%Y-%m-%d %H:%M:%S")
        served = raw["outcome"] == "AGENT"
        frames.append(pd.DataFrame({
            "arrival_time": arrival.dt.tz_localize(config.tz),
            "handle_seconds": pd.to_numeric(raw["ser_time"]).where(served),
            "queue": "default", "abandoned": ~served}))
    return pd.concat(frames, ignore_index=True)


def bank_history(directory: Path, config: SiteConfig, *,
                 label: str = "bank 1999") -> pd.DataFrame:
    """The calls entering the queue, counted per interval of ``config``."""
    return aggregate_records(read_bank_records(directory, config), config, label=label)
