"""Benchmark: ``wfm kpi`` on a year of 15-minute actuals for 5 queues plus 1,000 agents x 31
days of ACD state events.

Run ``python bench/kpi.py [--agents N --days D --seed S --keep DIR]``. The actuals (175,200
rows: 365 days x 96 intervals x 5 queues, a daily and weekly shape with noise) and the roster and
events (about 3 million rows, from ``bench/adherence.py``'s seeded generator, each agent serving
one of the 5 queues) are written as CSV; the measurement runs ``wfm kpi`` end to end in a fresh
child process (CSV reads, the staffed time from the events, attendance and adherence, every
level of the table, the atomic CSV write of about 600,000 rows) and prints each stage.

Peer, on the same data in the same run: ``wfm adherence`` alone (read + compute), the part of
the work the KPIs share with the existing command. Target (issue 17): under 10 s in all.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.adherence import SITE  # noqa: E402
from bench.adherence import generate as generate_events  # noqa: E402

QUEUES = ("presales", "aftersales", "vip", "returns", "phone")
SITE_KPI = {**SITE, "interval_minutes": 15,
            "queues": {"presales": {"channel": "chat", "max_concurrency": 3},
                       "vip": {"channel": "chat", "max_concurrency": 2}}}
YEAR_START = np.datetime64("2026-01-01T00:00")


def generate_actuals(seed: int, folder: Path) -> int:
    """A year of 15-minute actuals for the five queues; returns the row count."""
    rng = np.random.default_rng(seed)
    slots = np.arange(365 * 96)
    starts = YEAR_START + (slots * 15).astype("timedelta64[m]")
    hour = (slots % 96) / 4
    shape = np.clip(np.sin((hour - 7) / 16 * np.pi), 0, None) * (1 + 0.1 * ((slots // 96) % 7 < 5))
    frames = []
    for q, queue in enumerate(QUEUES):
        offered = rng.poisson(40 * (1 + q / 4) * shape)
        abandoned = rng.binomial(offered, 0.03)
        answered = offered - abandoned
        within = rng.binomial(answered, 0.85)
        aht = 180 + 60 * q
        frames.append(pd.DataFrame({
            "interval_start": np.datetime_as_string(starts, unit="s"), "queue": queue,
            "offered": offered, "answered": answered, "abandoned": abandoned,
            "answered_within_target": within,
            "handle_seconds": np.round(answered * aht * rng.gamma(30, 1 / 30, len(slots))),
            "acw_seconds": np.round(answered * 40 * rng.gamma(8, 1 / 8, len(slots))),
            "wait_seconds": np.round(answered * rng.gamma(2, 6, len(slots)))}))
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(folder / "actuals.csv", index=False)
    return len(table)


def add_queues(folder: Path) -> None:
    """Give every working roster row the queue its agent serves (agents split over 5)."""
    roster = pd.read_csv(folder / "roster.csv", dtype=str)
    number = roster["agent_id"].str[1:].astype(int)
    working = ~roster["shift"].isin(["OFF", "LEAVE"])
    roster["queue"] = np.where(working, np.array(QUEUES)[number % len(QUEUES)], "")
    roster.to_csv(folder / "roster.csv", index=False)


def measure(folder: Path) -> dict[str, float]:
    """Time ``wfm kpi`` stage by stage, and the peer; report this process's peak memory."""
    from wfm.adherence import compute_adherence
    from wfm.config import build_config
    from wfm.kpi import compute_kpis, read_actuals, write_kpi_table
    from wfm.tables import LOGIN_EVENTS, ROSTER, read_table

    site = build_config(SITE_KPI)
    tz = site.timezone
    times: dict[str, float] = {}
    cpu_began = time.process_time()
    began = time.perf_counter()
    actuals = read_actuals(folder / "actuals.csv", timezone=tz)
    roster = read_table(folder / "roster.csv", ROSTER, timezone=tz)
    events = read_table(folder / "events.csv", LOGIN_EVENTS, timezone=tz)
    times["read_seconds"] = time.perf_counter() - began
    began = time.perf_counter()
    report = compute_kpis(actuals, site, roster=roster, events=events)
    times["compute_seconds"] = time.perf_counter() - began
    began = time.perf_counter()
    write_kpi_table(report.table, folder / "kpi.csv")
    times["write_seconds"] = time.perf_counter() - began
    times["total_seconds"] = sum(times.values())
    times["cpu_seconds"] = time.process_time() - cpu_began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    peer_roster = read_table(folder / "roster.csv", ROSTER, timezone=tz)
    peer_events = read_table(folder / "events.csv", LOGIN_EVENTS, timezone=tz)
    compute_adherence(peer_roster, site, events=peer_events)
    times["peer_seconds"] = time.perf_counter() - began
    team = report.summary["figures"].get("team", {})
    return {**times, "actuals": len(actuals), "events": len(events), "rows": len(report.table),
            "kpi_bytes": (folder / "kpi.csv").stat().st_size, "peak_rss_mb": peak_mb,
            "load_average": os.getloadavg()[0],
            "attendance_pct": team.get("attendance_pct", {}).get("value"),
            "adherence_pct": team.get("adherence_pct", {}).get("value")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated CSV files in")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        actual_rows = generate_actuals(args.seed, folder)
        roster_rows, event_rows = generate_events(args.agents, args.days, args.seed, folder)
        add_queues(folder)
        print(f"generated {actual_rows:,} actuals rows (365 days x 96 x {len(QUEUES)} queues), "
              f"{roster_rows:,} roster rows, {event_rows:,} events in "
              f"{time.perf_counter() - began:.1f} s")
        child = subprocess.run([sys.executable, __file__, "--measure", str(folder)],
                               capture_output=True, text=True, check=True)
    f = json.loads(child.stdout)
    print(f"wfm kpi: read CSV {f['read_seconds']:.2f} s + compute {f['compute_seconds']:.2f} s + "
          f"write {f['write_seconds']:.2f} s = {f['total_seconds']:.2f} s (target < 10 s); "
          f"peak memory {f['peak_rss_mb']:.0f} MB")
    print(f"  CPU time {f['cpu_seconds']:.2f} s (wall clock differs when the cores are shared: "
          f"load average {f['load_average']:.1f})")
    print(f"  {f['rows']:,} KPI rows ({f['kpi_bytes'] / 1e6:.1f} MB CSV); team attendance "
          f"{f['attendance_pct']}%, adherence {f['adherence_pct']}%")
    print(f"peer (wfm adherence alone on the same roster and events, read + compute): "
          f"{f['peer_seconds']:.2f} s")


if __name__ == "__main__":
    main()
