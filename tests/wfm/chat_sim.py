"""A discrete-event simulation of a chat queue, written independently of ``wfm.staffing.chat``.

It simulates what a chat platform does, not the model's balanced-load birth-death chain: every
agent's own load is tracked (as the count of agents at each load, which is all least-loaded
routing needs), a new chat goes to the least-loaded agent with a free slot, a chat waits first
come first served when every slot is taken, and an agent holding ``j`` chats finishes each at
rate ``1 / (h·(1 + δ·(j − 1)))`` (exponential handle times, memoryless, so the next event is
drawn from the current rates exactly). Departures therefore do unbalance the loads, which the
model ignores. Time is in units of ``h``.

Service level is estimated by conditional Monte Carlo: a chat that finds every slot taken and
``i`` chats ahead of it waits an Erlang(i + 1, N·k·μ_k) time (while any chat waits, every agent
holds k chats), so it contributes P(wait ≤ t | i ahead) instead of a 0/1 draw. The standard
error comes from batch means over ``batches`` consecutive batches of arrivals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _poisson_tail(mean: float, size: int) -> list[float]:
    """P(Poisson(mean) ≥ i + 1) for i = 0..size-1: a chat with i ahead is answered within the
    target when at least i + 1 slots free up in it (the pmf in log space, no overflow)."""
    j = np.arange(size)
    log_pmf = j * math.log(mean) - mean - np.array([math.lgamma(x + 1) for x in j]) if (
        mean > 0) else np.where(j == 0, 0.0, -np.inf)
    cdf = np.cumsum(np.exp(log_pmf))
    return np.clip(1.0 - cdf, 0.0, 1.0).tolist()


@dataclass(frozen=True)
class SimResult:
    service_level: float
    service_level_se: float  # standard error (batch means)
    asa: float  # mean wait, in units of h
    occupancy: float  # busy slots / all slots, time-averaged
    arrivals: int


def simulate_chat(load: float, agents: int, concurrency: int, inflation: float,
                  target: float, *, arrivals: int = 100_000, warmup: int = 10_000,
                  batches: int = 20, seed: int = 0) -> SimResult:
    """Simulate ``warmup + arrivals`` chats with offered load ``load`` = λ·h; measure the last
    ``arrivals``."""
    rng = np.random.default_rng(seed)
    k = concurrency
    per_chat = [0.0] + [1.0 / (1.0 + inflation * (j - 1)) for j in range(1, k + 1)]
    agent_rate = [j * per_chat[j] for j in range(k + 1)]  # an agent holding j chats
    level = [0] * (k + 1)  # agents at each load
    level[0] = agents
    full_rate = agents * k * per_chat[k]
    within = _poisson_tail(full_rate * target, 20_000)
    waiting = 0  # chats in the queue (their wait is accounted for at arrival)
    lam = float(load)
    clock = busy_area = 0.0
    busy = arrived = 0
    measured_from = 0.0
    per_batch = -(-arrivals // batches)
    batch_fast: list[float] = []
    fast = wait_sum = 0.0
    chunk = 1 << 16
    uniforms = rng.random(chunk).tolist()
    exps = rng.exponential(size=chunk).tolist()
    draw = 0
    departures = 0.0
    total_arrivals = warmup + arrivals
    while arrived < total_arrivals:
        if draw == chunk:
            uniforms = rng.random(chunk).tolist()
            exps = rng.exponential(size=chunk).tolist()
            draw = 0
        total = lam + departures
        step = exps[draw] / total
        busy_area += busy * step
        clock += step
        pick = uniforms[draw] * total
        draw += 1
        if pick < lam:  # an arrival
            arrived += 1
            measuring = arrived > warmup
            if arrived == warmup + 1:
                measured_from, busy_area = clock, 0.0
            if waiting == 0 and level[k] < agents:
                j = 0
                while level[j] == 0:
                    j += 1
                level[j] -= 1
                level[j + 1] += 1
                departures += agent_rate[j + 1] - agent_rate[j]
                busy += 1
                if measuring:
                    fast += 1.0
            else:
                if measuring:
                    fast += within[waiting] if waiting < len(within) else 0.0
                    wait_sum += (waiting + 1) / full_rate
                waiting += 1
            if measuring and (arrived - warmup) % per_batch == 0:
                batch_fast.append(fast)
            continue
        if waiting:  # a slot frees and at once takes the chat that waited longest
            waiting -= 1
            continue
        pick -= lam
        j = k
        for j in range(1, k + 1):  # the load of the agent who finished a chat
            rate = level[j] * agent_rate[j]
            if pick < rate:
                break
            pick -= rate
        level[j] -= 1
        level[j - 1] += 1
        departures += agent_rate[j - 1] - agent_rate[j]
        busy -= 1
    if len(batch_fast) < batches:
        batch_fast.append(fast)
    counts = np.diff([0, *[min((i + 1) * per_batch, arrivals) for i in range(len(batch_fast))]])
    means = np.diff([0.0, *batch_fast]) / counts
    span = clock - measured_from
    return SimResult(service_level=fast / arrivals,
                     service_level_se=float(np.std(means, ddof=1) / np.sqrt(len(means))),
                     asa=wait_sum / arrivals,
                     occupancy=busy_area / span / (agents * k) if span > 0 else 0.0,
                     arrivals=arrivals)
