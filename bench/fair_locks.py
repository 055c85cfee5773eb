"""What the locked verdicts (``wfm.rules.band_locks``) add to the fairness check's time.

``check_fairness`` on ``bench/rules.py``'s roster (agents working only nights, only days or
both at random, one or two rest days a week: nearly every agent outside a band, the worst case
for the verdicts), with ``min_rest_hours`` 9 (a DAY may follow a NIGHT) and 10 (it may not).
Prints seconds (median of the rounds) and the agents outside the bands by verdict;
``--baseline DIR`` runs the same on another checkout (e.g. /work/main) in a subprocess. Asserts
nothing.

Run: ``python bench/fair_locks.py [--agents 4000 --rounds 3 --baseline DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def measure(num_agents: int, rounds: int) -> dict[str, object]:
    from rules import make_data  # bench/rules.py

    from wfm.config import build_config
    from wfm.rules.fairness import check_fairness

    agents, roster = make_data(num_agents)
    figures: dict[str, object] = {}
    for rest_hours in (9, 10):
        config = build_config({"country": "", "rules": {"min_rest_hours": rest_hours}})
        seconds = []
        for _ in range(rounds):
            started = time.perf_counter()
            check = check_fairness(roster, agents, config)
            seconds.append(time.perf_counter() - started)
        verdicts = Counter(f"{v.code}:{v.params.get('variant', '-')}" for v in check.outside)
        figures[f"{rest_hours} h"] = {"seconds": round(statistics.median(seconds), 3),
                                      "outside": dict(sorted(verdicts.items()))}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default="", metavar="DIR")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.json:
        print(json.dumps(measure(args.agents, args.rounds)))
        return
    print(f"== check_fairness, {args.agents} agents x 28 days, {os.cpu_count()} CPUs")
    if args.baseline:
        command = [sys.executable, __file__, "--agents", str(args.agents), "--rounds",
                   str(args.rounds), "--json"]
        output = subprocess.run(command, env={**os.environ, "PYTHONPATH": args.baseline},
                                capture_output=True, text=True, check=False)
        figures = json.loads(output.stdout) if output.returncode == 0 else output.stderr
        print(f"  baseline ({args.baseline}): {figures}")
    for label, figure in measure(args.agents, args.rounds).items():
        print(f"  min_rest_hours {label}: {figure}")


if __name__ == "__main__":
    main()
