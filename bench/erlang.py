"""Benchmark: required agents for one year of 15-minute intervals, wfm vs pyworkforce.

35,040 intervals, 0-400 contacts and AHT 120-600 s per interval, 80% in 20 s, occupancy cap
0.85, shrinkage 0.30. Prints both times, the ratio, and every disagreement with the exact answer
(mpmath service level, rational occupancy and shrinkage) and who is right.

Run: ``python bench/erlang.py`` (needs ``pip install -e '.[bench]'`` for pyworkforce).
Targets: the year in under 30 ms and at least 100x faster than pyworkforce.
"""

from __future__ import annotations

import argparse
import math
import time
from fractions import Fraction

import mpmath
import numpy as np

from wfm.staffing.erlang import required_agents

INTERVAL_MINUTES = 15
LEVEL, TARGET_SECONDS, MAX_OCCUPANCY, SHRINKAGE = 0.8, 20, 0.85, 0.30


def make_year(seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 365 * 24 * 60 // INTERVAL_MINUTES
    contacts = rng.integers(0, 401, n)
    aht = rng.integers(120, 601, n)
    return contacts, aht


def run_wfm(contacts: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    best = math.inf
    for _ in range(7):
        start = time.perf_counter()
        traffic = contacts * aht / (INTERVAL_MINUTES * 60)
        result = required_agents(traffic, aht, target_level=LEVEL, target_seconds=TARGET_SECONDS,
                                 max_occupancy=MAX_OCCUPANCY, shrinkage=SHRINKAGE)
        best = min(best, time.perf_counter() - start)
    return result.agents, result.scheduled_agents, best


def run_pyworkforce(contacts: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from pyworkforce.queuing import ErlangC

    agents = np.zeros(len(contacts), dtype=np.int64)
    scheduled = np.zeros(len(contacts), dtype=np.int64)
    start = time.perf_counter()
    for i, (n, handle) in enumerate(zip(contacts.tolist(), aht.tolist(), strict=True)):
        if n == 0:  # pyworkforce refuses zero transactions; zero contacts need zero agents
            continue
        model = ErlangC(transactions=n, aht=handle / 60, asa=TARGET_SECONDS / 60,
                        interval=INTERVAL_MINUTES, shrinkage=SHRINKAGE)
        answer = model.required_positions(service_level=LEVEL, max_occupancy=MAX_OCCUPANCY)
        agents[i], scheduled[i] = answer["raw_positions"], answer["positions"]
    return agents, scheduled, time.perf_counter() - start


def exact_required(contacts: int, aht: int) -> tuple[int, int]:
    """Brute force in exact arithmetic: mpmath SL, rational occupancy and shrinkage."""
    mpmath.mp.dps = 40
    traffic = Fraction(contacts * aht, INTERVAL_MINUTES * 60)
    a = mpmath.mpf(traffic.numerator) / traffic.denominator
    cap = Fraction(repr(MAX_OCCUPANCY))
    n = int(traffic) + 1
    while True:
        b = a**n * mpmath.exp(-a) / mpmath.gammainc(n + 1, a)
        c = n * b / (n - a * (1 - b))
        if 1 - c * mpmath.exp(-(n - a) * TARGET_SECONDS / aht) >= LEVEL and traffic <= cap * n:
            break
        n += 1
    kept = 1 - Fraction(repr(SHRINKAGE))
    return n, math.ceil(Fraction(n) / kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N intervals only (0: all)")
    args = parser.parse_args()
    contacts, aht = make_year()
    if args.limit:
        contacts, aht = contacts[: args.limit], aht[: args.limit]
    print(f"intervals: {len(contacts):,} ({INTERVAL_MINUTES}-minute), contacts 0-400, "
          f"AHT 120-600 s; target {LEVEL:.0%} in {TARGET_SECONDS} s, occupancy <= "
          f"{MAX_OCCUPANCY}, shrinkage {SHRINKAGE}")
    ours, ours_scheduled, ours_seconds = run_wfm(contacts, aht)
    print(f"wfm          : {1000 * ours_seconds:8.1f} ms (best of 7)")
    try:
        theirs, theirs_scheduled, theirs_seconds = run_pyworkforce(contacts, aht)
    except ImportError:
        print("pyworkforce  : not installed (pip install -e '.[bench]'); no comparison")
        return
    print(f"pyworkforce  : {1000 * theirs_seconds:8.1f} ms")
    print(f"speed-up     : {theirs_seconds / ours_seconds:8.0f}x "
          f"(target >= 100x; target time < 30 ms: {'met' if ours_seconds < 0.030 else 'NOT met'})")
    differ = np.flatnonzero((ours != theirs) | (ours_scheduled != theirs_scheduled))
    print(f"disagreements: {len(differ)} of {len(contacts):,} intervals")
    wfm_right = 0
    for i in differ:
        exact_agents, exact_scheduled = exact_required(int(contacts[i]), int(aht[i]))
        right = "wfm" if (ours[i], ours_scheduled[i]) == (exact_agents, exact_scheduled) else (
            "pyworkforce" if (theirs[i], theirs_scheduled[i]) == (exact_agents, exact_scheduled)
            else "neither")
        wfm_right += right == "wfm"
        traffic = contacts[i] * aht[i] / (INTERVAL_MINUTES * 60)
        print(f"  interval {i:5d}: contacts {contacts[i]:3d}, AHT {aht[i]:3d} s, A = "
              f"{traffic:8.4f}: wfm {ours[i]}/{ours_scheduled[i]}, pyworkforce "
              f"{theirs[i]}/{theirs_scheduled[i]}, exact {exact_agents}/{exact_scheduled} "
              f"(agents/scheduled) -> {right} right")
    agents_differ = int((ours[differ] != theirs[differ]).sum())
    print(f"wfm matches the exact answer in {wfm_right} of {len(differ)} disagreements "
          f"({agents_differ} on agents: pyworkforce's float ceil(A / max_occupancy) where the "
          f"exact ratio is whole; {len(differ) - agents_differ} on scheduled agents only: its "
          "float ceil(N / (1 - shrinkage)))")


if __name__ == "__main__":
    main()
