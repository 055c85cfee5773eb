"""Erlang A benchmark: one year of 15-minute intervals, and a naive peer in the same run.

Run: ``python bench/erlang_a.py``. Prints the time to staff 35,040 intervals (loads 0-400
contacts, AHT 120-600 s, patience 60-600 s, 80% within 20 s, occupancy cap 0.85) and to
evaluate their figures, then compares P(W > 0) and P(ab) on a sample with the textbook way of
computing them: the truncated birth-death chain per interval (float64 products normalised in
log space), timing both on that sample. Last, the long-target corner: the figures for 0-464
agents at 300 Erlangs, AHT 30 s, patience 20 s, answered within 120 s (6 patiences), best of
three runs, against its target of 0.1 s.
"""

from __future__ import annotations

import time

import numpy as np

from wfm.staffing.erlang_a import erlang_a_metrics, required_agents_erlang_a

NUM_INTERVALS = 35_040
SAMPLE = 500
CORNER_TARGET_SECONDS = 0.1


def year_of_intervals(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    contacts = rng.integers(0, 401, NUM_INTERVALS)
    aht = rng.uniform(120, 600, NUM_INTERVALS)
    patience = rng.uniform(60, 600, NUM_INTERVALS)
    return contacts * aht / 900.0, aht, patience


def naive_chain(traffic: float, agents: int, aht: float, patience: float) -> tuple[float, float]:
    """P(W > 0) and P(ab) from the stationary distribution of the chain cut at N + 2000."""
    theta = aht / patience
    states = np.arange(agents + 2001)
    deaths = np.minimum(states[1:], agents) + theta * np.maximum(states[1:] - agents, 0)
    log_weights = np.concatenate(([0.0], np.cumsum(np.log(traffic / deaths))))
    weights = np.exp(log_weights - log_weights.max())
    pi = weights / weights.sum()
    queue = pi[agents:]
    return float(queue.sum()), float(theta * (np.arange(queue.size) * queue).sum() / traffic)


def main() -> None:
    traffic, aht, patience = year_of_intervals()
    start = time.perf_counter()
    agents = required_agents_erlang_a(traffic, aht, patience, 0.8, 20.0, max_occupancy=0.85)
    staffing_seconds = time.perf_counter() - start
    start = time.perf_counter()
    metrics = erlang_a_metrics(traffic, agents, aht, patience, 20.0)
    metrics_seconds = time.perf_counter() - start
    print(f"wfm Erlang A: required agents for {NUM_INTERVALS} intervals in "
          f"{staffing_seconds:.3f} s; their figures in {metrics_seconds:.3f} s")
    print(f"  peak agents {agents.max()}, min SL {metrics.service_level[traffic > 0].min():.4f}, "
          f"max occupancy {metrics.occupancy.max():.4f}")

    rng = np.random.default_rng(1)
    pick = rng.choice(np.flatnonzero(traffic > 0), SAMPLE, replace=False)
    start = time.perf_counter()
    peer = np.array([naive_chain(traffic[i], int(agents[i]), aht[i], patience[i]) for i in pick])
    peer_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ours = erlang_a_metrics(traffic[pick], agents[pick], aht[pick], patience[pick], 20.0)
    ours_seconds = time.perf_counter() - start
    wait_error = np.abs(ours.wait_probability - peer[:, 0]) / peer[:, 0]
    abandon_error = np.abs(ours.abandon_rate - peer[:, 1]) / peer[:, 1]
    print(f"sample of {SAMPLE}: naive truncated chain {peer_seconds:.3f} s, wfm "
          f"{ours_seconds:.4f} s ({peer_seconds / ours_seconds:.0f}x)")
    print(f"  max relative difference: P(W>0) {wait_error.max():.2e}, "
          f"P(ab) {abandon_error.max():.2e}")

    print(f"long target (300 Erlangs, AHT 30 s, patience 20 s, within 120 s), 465 agent counts: "
          f"{long_target_corner_seconds():.4f} s (target < {CORNER_TARGET_SECONDS} s)")


def long_target_corner_seconds() -> float:
    """Best of three timings of the figures for 0 to 464 agents at the long-target corner."""
    agents = np.arange(465)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        erlang_a_metrics(300.0, agents, 30.0, 20.0, 120.0)
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    main()
