"""Benchmark: ``wfm adherence`` on 1,000 agents x 31 days of ACD state events (~3 million rows).

Run ``python bench/adherence.py [--agents N --days D --seed S --keep DIR]``. The data is generated
synthetically (seeded): DAY and LATE shifts with a fixed lunch, six-on-one-off rest days, some
leave, late logins, early leaves, overtime after the shift end, absences, lunches taken late,
``not_ready`` spells, logins on rest days, a few duplicated and out-of-order rows.

The measurement runs in a fresh child process so that the peak memory (``ru_maxrss``) is the
computation's, not the generator's. It prints the time with the CSV read included and excluded,
and compares with a peer run on the same data: a naive minute-grid adherence (states floored to
whole minutes, scheduled window only: no attribution, overtime, grace or data-problem handling),
the usual spreadsheet-style approach. Targets (issue 6): under 15 s and under 2 GB.
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

SITE = {
    "timezone": "Asia/Shanghai",
    "shifts": [
        {"code": "DAY", "start": "08:30", "end": "17:30", "breaks": [["12:00", 60]]},
        {"code": "LATE", "start": "14:30", "end": "23:30", "breaks": [["18:00", 60]]},
    ],
}
START = np.datetime64("2026-12-01")
PRODUCTIVE = np.array(["ready", "talk", "acw", "hold"])
PRODUCTIVE_WEIGHTS = np.array([0.3, 0.4, 0.2, 0.1])


def generate(num_agents: int, num_days: int, seed: int, folder: Path) -> tuple[int, int]:
    """Write roster.csv and events.csv; return (roster rows, event rows)."""
    rng = np.random.default_rng(seed)
    agent = np.repeat(np.arange(num_agents), num_days)
    day = np.tile(np.arange(num_days), num_agents)
    shift = np.where((agent + day // 7) % 2 == 0, "DAY", "LATE")
    shift = np.where((agent + day) % 7 == 0, "OFF", shift)
    shift = np.where((shift != "OFF") & (rng.random(len(agent)) < 0.01), "LEAVE", shift)
    agent_ids = np.char.add("A", np.char.zfill(agent.astype(str), 4))
    dates = START + day.astype("timedelta64[D]")
    pd.DataFrame({"agent_id": agent_ids, "date": dates.astype(str), "shift": shift}).to_csv(
        folder / "roster.csv", index=False)

    start_minute = np.where(shift == "DAY", 8 * 60 + 30, 14 * 60 + 30)
    working = np.isin(shift, ["DAY", "LATE"]) & (rng.random(len(agent)) >= 0.02)  # 2% absent
    rest_login = (shift == "OFF") & (rng.random(len(agent)) < 0.02)
    # seconds after the day's local midnight
    login = start_minute * 60 + rng.normal(-4, 3, len(agent)) * 60
    login += np.where(rng.random(len(agent)) < 0.12, rng.uniform(1, 25, len(agent)) * 60, 0)
    logout = (start_minute + 540) * 60 + rng.exponential(3, len(agent)) * 60
    logout -= np.where(rng.random(len(agent)) < 0.05, rng.uniform(5, 90, len(agent)) * 60, 0)
    login = np.where(rest_login, 10 * 3600, login)
    logout = np.where(rest_login, 11 * 3600, logout)
    lunch = (start_minute + 210) * 60 + rng.normal(2, 3, len(agent)) * 60
    back = lunch + rng.normal(61, 3, len(agent)) * 60
    active = working | rest_login

    counts = np.where(active, rng.poisson(128, len(agent)), 0)
    row = np.repeat(np.arange(len(agent)), counts)
    offsets = login[row] + rng.random(len(row)) * (logout[row] - login[row])
    keep = ~((offsets >= lunch[row]) & (offsets < back[row]) & ~rest_login[row])
    row, offsets = row[keep], offsets[keep]
    states = rng.choice(PRODUCTIVE, size=len(row), p=PRODUCTIVE_WEIGHTS).astype(object)
    spells = rng.random(len(row)) < 0.02
    states[spells] = "not_ready"

    fixed_rows = np.flatnonzero(active)
    lunch_rows = np.flatnonzero(active & ~rest_login)
    row = np.concatenate([row, fixed_rows, fixed_rows, lunch_rows, lunch_rows])
    offsets = np.concatenate([offsets, login[fixed_rows], logout[fixed_rows],
                              lunch[lunch_rows], back[lunch_rows]])
    states = np.concatenate([states, np.full(len(fixed_rows), "login", object),
                             np.full(len(fixed_rows), "logout", object),
                             np.full(len(lunch_rows), "lunch", object),
                             np.full(len(lunch_rows), "ready", object)])
    order = np.lexsort((offsets, row))
    row, offsets, states = row[order], offsets[order], states[order]
    # dirty data: 0.05% duplicated rows, 0.05% rows swapped with their neighbour
    duplicate = np.flatnonzero(rng.random(len(row)) < 0.0005)
    row = np.insert(row, duplicate, row[duplicate])
    offsets = np.insert(offsets, duplicate, offsets[duplicate])
    states = np.insert(states, duplicate, states[duplicate])
    swap = np.flatnonzero(rng.random(len(row) - 1) < 0.0005)
    for array in (row, offsets, states):
        array[swap], array[swap + 1] = array[swap + 1].copy(), array[swap].copy()

    stamps = dates[row].astype("datetime64[s]") + np.round(offsets).astype("timedelta64[s]")
    events = pd.DataFrame({"agent_id": agent_ids[row],
                           "timestamp": np.datetime_as_string(stamps, unit="s"),
                           "state": states})
    events.to_csv(folder / "events.csv", index=False)
    return len(agent), len(events)


def peer_minute_grid(roster: pd.DataFrame, events: pd.DataFrame, site: object) -> float:
    """Naive team adherence: per-minute state grid, working minutes inside scheduled windows."""
    from wfm.adherence.schedule import local_ns, to_ns

    agents = pd.Index(sorted(set(roster["agent_id"])))
    agent = agents.get_indexer(events["agent_id"])
    epoch = np.int64(to_ns(events["timestamp"]).min() // 86_400_000_000_000 * 86_400)
    minute = (to_ns(events["timestamp"]) // 1_000_000_000 - epoch) // 60
    num_minutes = int(minute.max()) + 1 + 1440
    order = np.lexsort((minute, agent))
    state = events["state"].to_numpy()[order]
    work = np.isin(state, ["login", "ready", "talk", "hold", "acw"])
    grid_index = np.full((len(agents), num_minutes), -1, dtype=np.int64)
    flat = agent[order] * num_minutes + minute[order]
    grid_index.ravel()[flat] = np.arange(len(flat))
    np.maximum.accumulate(grid_index, axis=1, out=grid_index)
    grid = (grid_index >= 0) & work[np.maximum(grid_index, 0)]
    shifts = roster[roster["shift"].isin([s["code"] for s in SITE["shifts"]])]
    templates = {t.code: t for t in site.shifts}  # type: ignore[attr-defined]
    start = local_ns(shifts["date"], shifts["shift"].map(
        lambda c: templates[c].start_minute).to_numpy(), site.timezone)  # type: ignore[attr-defined]
    first = (start // 1_000_000_000 - epoch) // 60
    length = 540
    columns = first[:, None] + np.arange(length)[None, :]
    rows = agents.get_indexer(shifts["agent_id"])[:, None]
    in_window = grid[rows, np.clip(columns, 0, num_minutes - 1)]
    lunch = (np.arange(length) >= 210) & (np.arange(length) < 270)
    return float(100 * in_window[:, ~lunch].sum() / (len(shifts) * (length - 60)))


def measure(folder: Path) -> dict[str, float]:
    """Time read + compute, compute alone and the peer; report this process's peak memory."""
    from wfm.adherence import compute_adherence
    from wfm.config import build_config
    from wfm.tables import LOGIN_EVENTS, ROSTER, read_table

    site = build_config(SITE)
    began, began_cpu = time.perf_counter(), time.process_time()
    roster = read_table(folder / "roster.csv", ROSTER, timezone=site.timezone)
    events = read_table(folder / "events.csv", LOGIN_EVENTS, timezone=site.timezone)
    read_seconds = time.perf_counter() - began
    read_cpu = time.process_time() - began_cpu
    began, began_cpu = time.perf_counter(), time.process_time()
    report = compute_adherence(roster, site, events=events, label="events.csv")
    compute_seconds = time.perf_counter() - began
    compute_cpu = time.process_time() - began_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    peer_pct = peer_minute_grid(roster, events, site)
    peer_seconds = time.perf_counter() - began
    return {"events": len(events), "rows": len(report.rows), "problems": len(report.problems),
            "team_adherence_pct": report.team["adherence_pct"], "read_seconds": read_seconds,
            "compute_seconds": compute_seconds, "total_seconds": read_seconds + compute_seconds,
            "read_cpu_seconds": read_cpu, "compute_cpu_seconds": compute_cpu,
            "load_average": os.getloadavg()[0],
            "peak_rss_mb": peak_mb, "peer_seconds": peer_seconds, "peer_team_pct": peer_pct}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=6)
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
        roster_rows, event_rows = generate(args.agents, args.days, args.seed, folder)
        print(f"generated {args.agents} agents x {args.days} days: {roster_rows} roster rows, "
              f"{event_rows} events in {time.perf_counter() - began:.1f} s")
        child = subprocess.run([sys.executable, __file__, "--measure", str(folder)],
                               capture_output=True, text=True, check=True)
    figures = json.loads(child.stdout)
    print(f"wfm adherence: read CSV {figures['read_seconds']:.2f} s + compute "
          f"{figures['compute_seconds']:.2f} s = {figures['total_seconds']:.2f} s "
          f"(target < 15 s); peak memory {figures['peak_rss_mb']:.0f} MB (target < 2048 MB)")
    print(f"  CPU time: read {figures['read_cpu_seconds']:.2f} s + compute "
          f"{figures['compute_cpu_seconds']:.2f} s (wall clock differs when the cores are "
          f"shared: load average {figures['load_average']:.1f})")
    print(f"  {figures['rows']} adherence rows, {figures['problems']} data problems, team "
          f"adherence {figures['team_adherence_pct']:.2f}%")
    print(f"peer (naive minute grid, scheduled window only, same data): "
          f"{figures['peer_seconds']:.2f} s, team adherence {figures['peer_team_pct']:.2f}%")


if __name__ == "__main__":
    main()
