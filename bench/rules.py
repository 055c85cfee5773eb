"""Rule checker speed on a whole roster and on a two-agent swap window.

One implementation serves both: ``check_roster`` on a 1,000-agent, 4-week roster (what
``wfm check-roster`` and the solver's final check do), and ``check_roster_rows`` on two agents'
rows given as plain values (what every swap check does), compared with the naive peer of a
swap check, re-checking the whole roster. ``--baseline DIR`` runs the same figures on another
checkout (e.g. the main branch) in a subprocess, so a change can be judged in one run; rounds
alternate between the two to share the machine's load. Prints figures; asserts nothing.

Run: ``python bench/rules.py [--agents 1000 --swaps 300 --rounds 5 --baseline DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

NUM_DAYS = 28
QUEUES = ["sales", "support"]


def make_data(num_agents: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agents and a roster with two rest days a week, some agents over the limits."""
    rng = random.Random(seed)
    start = date(2026, 12, 14)
    agents, rows = [], []
    for a in range(num_agents):
        agent_id = f"E{a:04d}"
        queue = QUEUES[a % 2]
        agents.append({"agent_id": agent_id, "skills": tuple(QUEUES) if a % 5 == 0 else (queue,),
                       "max_nights_per_week": 3 if a % 4 == 0 else None})
        rest = {a % 7, (a + 1) % 7} if a % 10 else {a % 7}
        for d in range(NUM_DAYS):
            day = start + timedelta(days=d)
            shift = rng.choice(["DAY", "NIGHT"]) if a % 3 == 0 else ("DAY" if a % 2 else "NIGHT")
            off = day.weekday() in rest
            rows.append((agent_id, day, "OFF" if off else shift, "" if off else queue))
    return (pd.DataFrame(agents),
            pd.DataFrame(rows, columns=["agent_id", "date", "shift", "queue"]))


def measure(num_agents: int, num_swaps: int) -> dict[str, float]:
    """Milliseconds: the whole roster once (median of 5), one swap window (mean), the peer."""
    from wfm.config import build_config
    from wfm.rules import check_roster, check_roster_rows

    config = build_config({"country": ""})
    agents, roster = make_data(num_agents)
    rows = {a: list(f.itertuples(index=False, name=None)) for a, f in roster.groupby("agent_id")}
    records = {r["agent_id"]: r for r in agents.to_dict("records")}
    rng = random.Random(11)
    pairs = [tuple(rng.sample(sorted(rows), 2)) for _ in range(num_swaps)]
    whole = []
    for _ in range(5):
        started = time.perf_counter()
        check_roster(roster, agents, config, requirement_queues=QUEUES)
        whole.append(time.perf_counter() - started)
    window = []
    for a, b in pairs:
        started = time.perf_counter()
        check_roster_rows(rows[a] + rows[b], [records[a], records[b]], config,
                          requirement_queues=QUEUES, agent_ids=[a, b])
        window.append(time.perf_counter() - started)
    return {"whole_ms": float(np.median(whole)) * 1000,
            "window_mean_ms": float(np.mean(window)) * 1000,
            "window_p99_ms": float(np.percentile(window, 99)) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--swaps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one round
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.agents, args.swaps)))
        return
    here = Path(__file__).resolve().parents[1]
    checkouts = {"this checkout": here}
    if args.baseline:
        checkouts["baseline"] = args.baseline.resolve()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, root in checkouts.items():
            out = subprocess.run(
                [sys.executable, str(here / "bench" / "rules.py"), "--json", "--agents",
                 str(args.agents), "--swaps", str(args.swaps)],
                env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True,
                check=True, cwd=root)
            results[name].append(json.loads(out.stdout))
    print(f"{args.agents} agents x {NUM_DAYS} days; {args.swaps} two-agent windows; "
          f"best of {args.rounds} rounds; load average {os.getloadavg()[0]:.2f}")
    for name, runs in results.items():
        whole = min(r["whole_ms"] for r in runs)
        mean = min(r["window_mean_ms"] for r in runs)
        p99 = min(r["window_p99_ms"] for r in runs)
        print(f"  {name} ({checkouts[name]}):")
        print(f"    whole roster check_roster  {whole:8.1f} ms  (the peer of one swap check)")
        print(f"    two-agent window           {mean:8.3f} ms mean, {p99:.3f} ms p99 "
              f"({whole / mean:.0f}x cheaper than the peer)")


if __name__ == "__main__":
    main()
