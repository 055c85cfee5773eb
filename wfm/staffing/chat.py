"""Chat staffing: agents who hold up to ``k`` conversations at once (vectorised over intervals).

Model
-----
Chats arrive as a Poisson stream of rate λ (contacts / interval length). An agent holding ``j``
chats works each of them more slowly than a chat held alone: a chat's handle time at
concurrency ``j`` is ``h·(1 + δ·(j − 1))``, with ``h`` the handle time of a chat held alone
(``aht_seconds``) and ``δ`` the inflation per extra chat (``concurrency_inflation``). With
exponential handle times an agent holding ``j`` chats therefore finishes chats at rate::

    φ(j) = j / (h·(1 + δ·(j − 1)))          (φ(0) = 0; rises with j while δ < 1)

The router gives a new chat to the least-loaded agent with a free slot, and a chat waits
(first come, first served) only when all ``N·k`` slots are taken. Least-loaded routing keeps the
loads within one chat of each other, so with ``n`` chats in service (``n ≤ N·k``), ``r = n mod
N`` agents hold ``q + 1`` chats and ``N − r`` hold ``q = n div N``; the number of chats in the
system is then a birth-death process with birth rate λ and death rate::

    R(n) = r·φ(q + 1) + (N − r)·φ(q)      (n ≤ N·k),        R(n) = N·φ(k)   (n ≥ N·k)

(Departures can unbalance the loads for a while; φ is concave, so the balanced split is the
fastest one and the model is slightly optimistic below saturation. The tests hold it against a
discrete-event simulation of the real routing.) With ``ρ = λ / (N·φ(k))`` and the
Erlang-B-like sums over the states below saturation::

    S(0) = 1,   S(m) = 1 + S(m − 1)·R(m)/λ        (S = S(N·k) = Σ_{n ≤ N·k} π(n) / π(N·k))
    T(0) = 0,   T(m) = m + T(m − 1)·R(m)/λ        (T = T(N·k) = Σ_{n ≤ N·k} n·π(n) / π(N·k))

the stationary distribution above saturation is geometric (π(N·k + i) = π(N·k)·ρ^i), hence by
PASTA::

    P(wait) = 1 / ((1 − ρ)·S + ρ)
    SL(t)   = 1 − P(wait)·exp(−(N·φ(k) − λ)·t)       (the wait of a waiting chat is exponential)
    ASA     = P(wait) / (N·φ(k) − λ)
    busy slots = (T + N·k·ρ/(1 − ρ)) / (S + ρ/(1 − ρ)),   occupancy = busy slots / (N·k)

With ``δ = 0`` this is exactly Erlang C with ``N·k`` servers (M/M/(N·k)); with ``k = 1`` it is
Erlang C with ``N`` servers. The first response is taken to happen when the chat reaches an
agent (the platform's greeting or the agent's first reply on assignment); ``SL(t)`` is the share
of chats whose first response comes within ``first_response_seconds``. Abandonment is not
modelled for chat.

References: Tezcan & Zhang, "Routing and staffing in customer service chat systems with
impatient customers", *Operations Research* 62(4), 2014 (agents with a concurrency-dependent
service rate); Cooper, *Introduction to Queueing Theory*, 1981, §5.3 (birth-death queues).

Edge cases: zero traffic needs zero agents (SL 1, ASA 0, occupancy 0); ``N·φ(k) <= λ`` is an
unstable queue: P(wait) = 1, SL = 0, ASA = +inf, occupancy 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import InvalidInput
from wfm.staffing.erlang import (
    OCCUPANCY_RTOL,
    StaffingResult,
    exact_fraction,
    scheduled_with_shrinkage,
)
from wfm.staffing.search import check_targets, load_arrays, walk_up

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_CONCURRENCY = 20  # chats one agent can hold at once: a sanity bound for the configuration


@dataclass(frozen=True)
class ChatMetrics:
    """What ``N`` chat agents achieve per interval (arrays aligned with the input).

    ``occupancy`` is the share of the ``N·k`` chat slots in use.
    """

    wait_probability: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


def agent_rates(max_concurrency: int, inflation: float) -> FloatArray:
    """φ(0..k+1) in chats per handle time ``h``: ``φ(j) = j / (1 + δ·(j − 1))``.

    Index ``k + 1`` repeats φ(k) so that ``R(n)`` can index ``q + 1`` at ``n = N·k`` (where
    ``r = 0`` and the term vanishes).

    Examples
    --------
    >>> [round(float(x), 4) for x in agent_rates(3, 0.25)]   # 0, 1, 2/1.25, 3/1.5, 3/1.5
    [0.0, 1.0, 1.6, 2.0, 2.0]
    """
    k = _check_concurrency(max_concurrency)
    delta = _check_inflation(inflation)
    j = np.arange(k + 1, dtype=float)
    rates = np.zeros(k + 2)
    rates[1:k + 1] = j[1:] / (1.0 + delta * (j[1:] - 1.0))
    rates[k + 1] = rates[k]
    return rates


def _check_concurrency(value: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not 1 <= value <= (
            MAX_CONCURRENCY):
        raise InvalidInput(f"max_concurrency must be a whole number in [1, {MAX_CONCURRENCY}], "
                           f"got {value!r}")
    return int(value)


def _check_inflation(value: float) -> float:
    if isinstance(value, bool) or not 0 <= float(value) < 1:
        raise InvalidInput(f"concurrency_inflation must be in [0, 1), got {value!r}")
    return float(value)


def _truncated(a: FloatArray, n: IntArray, phi: FloatArray, k: int) -> tuple[FloatArray,
                                                                           FloatArray]:
    """B = π(N·k) / Σ_{n ≤ N·k} π(n) and X = Σ n·π(n) / Σ π(n) (n ≤ N·k), per element.

    ``B = 1/S`` and ``X = T/S`` of the module docstring, by the equivalent recurrences
    ``B(m) = B(m−1) / (B(m−1) + R(m)/λ)`` and ``X(m) = m·B(m) + X(m−1)·(1 − B(m))``, which
    cannot overflow (B underflows to 0 where waiting is negligible). Elements are sorted by
    N·k, longest first, so that step m touches only the prefix that still needs it (as the
    Erlang B kernel does). ``a`` = λ·h > 0 and ``n`` ≥ 1.
    """
    slots = n * k
    order = np.argsort(-slots, kind="stable")
    sorted_slots = slots[order]
    agents = n[order]
    scaled = 1.0 / a[order]
    b = np.ones(len(order))
    x = np.zeros(len(order))
    top = int(sorted_slots[0]) if len(order) else 0
    counts = np.searchsorted(-sorted_slots, -np.arange(1, top + 1), side="right")
    for m, count in enumerate(counts, start=1):
        head_n = agents[:count]
        q, r = np.divmod(m, head_n)
        ratio = (r * phi[q + 1] + (head_n - r) * phi[q]) * scaled[:count]
        head_b = b[:count]
        head_b /= head_b + ratio
        x[:count] = m * head_b + x[:count] * (1.0 - head_b)
    out_b, out_x = np.empty_like(b), np.empty_like(x)
    out_b[order], out_x[order] = b, x
    return out_b, out_x


def _metrics(a: FloatArray, h: FloatArray, n: IntArray, phi: FloatArray, k: int,
             target_seconds: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(P(wait), SL, ASA, occupancy) for flat arrays with a > 0."""
    full_rate = n * phi[k]  # chats per h at saturation
    stable = full_rate > a
    wait = np.ones(a.shape)
    level = np.zeros(a.shape)
    asa = np.full(a.shape, np.inf)
    occ = np.ones(a.shape)
    if stable.any():
        sa, sh, sn, sr = a[stable], h[stable], n[stable], full_rate[stable]
        b, x = _truncated(sa, sn, phi, k)
        rho = sa / sr
        tail = rho / (1.0 - rho)
        p = b / ((1.0 - rho) + rho * b)
        headroom = (sr - sa) / sh  # per second
        wait[stable] = p
        with np.errstate(over="ignore"):
            level[stable] = 1.0 - p * np.exp(-headroom * target_seconds)
        asa[stable] = p / headroom
        slots = (sn * k).astype(float)
        busy = (x + slots * tail * b) / (1.0 + tail * b)
        occ[stable] = np.minimum(busy / slots, 1.0)
    return wait, np.clip(level, 0.0, 1.0), asa, occ


def chat_metrics(traffic: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike, *,
                 max_concurrency: int, target_seconds: float,
                 inflation: float = 0.0) -> ChatMetrics:
    """Service level, ASA, wait probability and slot occupancy of ``agents`` chat agents.

    Parameters
    ----------
    traffic : array
        Offered load in Erlangs, ``contacts × aht_seconds / interval length``: the mean number
        of chats in progress if each were handled alone.
    agents : array
        Agents answering (whole numbers ≥ 0).
    aht_seconds : array
        Handle time of a chat held alone, seconds (> 0 where there is traffic).
    max_concurrency
        Chats an agent holds at once (``k``).
    target_seconds
        First-response target ``t``, seconds.
    inflation
        ``δ``: extra handle time per additional chat held at once, as a fraction of ``h``.
    """
    phi = agent_rates(max_concurrency, inflation)
    k = len(phi) - 2
    a, aht = load_arrays(traffic, aht_seconds)
    raw_n = np.asarray(agents, dtype=float)
    if raw_n.dtype == bool or (~np.isfinite(raw_n)).any() or (raw_n < 0).any() or (
            raw_n % 1 != 0).any():
        raise InvalidInput(f"agents must be whole numbers >= 0, got {agents!r}")
    a, aht, n = np.broadcast_arrays(a, aht, raw_n.astype(np.int64))
    shape = a.shape
    a, aht, n = a.ravel(), aht.ravel(), n.ravel()
    wait, level = np.zeros(a.shape), np.ones(a.shape)
    asa, occ = np.zeros(a.shape), np.zeros(a.shape)
    loaded = np.flatnonzero(a > 0)
    if loaded.size:
        w, s, q, o = _metrics(a[loaded], aht[loaded], n[loaded], phi, k, float(target_seconds))
        wait[loaded], level[loaded], asa[loaded], occ[loaded] = w, s, q, o
    return ChatMetrics(wait.reshape(shape), level.reshape(shape), asa.reshape(shape),
                       occ.reshape(shape))


def required_agents_chat(
    traffic: ArrayLike,
    aht_seconds: ArrayLike,
    *,
    max_concurrency: int,
    target_level: float = 0.8,
    target_seconds: float = 15.0,
    inflation: float = 0.0,
    max_occupancy: float = 1.0,
    asa_target_seconds: float = 0.0,
    shrinkage: float = 0.0,
    max_agents: int | None = None,
) -> StaffingResult:
    """Fewest chat agents per interval meeting the first-response target (and ASA, occupancy).

    The smallest N with ``N·φ(k) > λ``, ``SL(t) >= target_level``, ``ASA <=
    asa_target_seconds`` (when > 0) and slot occupancy ``<= max_occupancy`` (every one of them
    improves with N); zero traffic needs zero agents. The search starts at the stability bound
    and walks up, all intervals at once (``wfm.staffing.search.walk_up``). ``raw_agents`` meets
    the service targets alone.

    Raises
    ------
    Infeasible
        When an interval needs more than ``max_agents`` (default ``A/φ(k)/max_occupancy +
        10·sqrt(A) + 50``).
    """
    level = check_targets(target_level, max_occupancy, target_seconds, asa_target_seconds)
    phi = agent_rates(max_concurrency, inflation)
    k = len(phi) - 2
    a, aht = load_arrays(traffic, aht_seconds)
    shape = a.shape
    a, aht = a.ravel(), aht.ravel()
    cap_fraction = float(exact_fraction(max_occupancy))
    agents = np.zeros(a.shape, dtype=np.int64)
    raw = np.zeros(a.shape, dtype=np.int64)
    idx = np.flatnonzero(a > 0)
    if idx.size:
        la, lh = a[idx], aht[idx]
        n = np.floor(la / phi[k]).astype(np.int64) + 1  # the stability bound N·φ(k) > λ·h
        cap = (np.ceil(la / phi[k] / max_occupancy + 10 * np.sqrt(la) + 50).astype(np.int64)
               if max_agents is None else np.full(la.shape, int(max_agents)))
        found_raw = np.zeros(la.shape, dtype=np.int64)

        def meets(state: dict[str, np.ndarray], agents_now: IntArray) -> NDArray[np.bool_]:
            _, sl, asa, occ = _metrics(state["a"], state["aht"], agents_now, phi, k,
                                       float(target_seconds))
            service_ok = sl >= level
            if asa_target_seconds > 0:
                service_ok &= asa <= asa_target_seconds
            first_service = service_ok & (found_raw[state["index"]] == 0)
            found_raw[state["index"][first_service]] = agents_now[first_service]
            return np.asarray(service_ok & (occ <= cap_fraction * (1 + OCCUPANCY_RTOL)))

        found = walk_up(n, cap, la, meets, {"a": la, "aht": lh}, what="chat service target")
        agents[idx], raw[idx] = found, found_raw
    metrics = chat_metrics(a, agents, np.where(a > 0, aht, 1.0), max_concurrency=k,
                           target_seconds=target_seconds, inflation=inflation)
    return StaffingResult(
        agents=agents.reshape(shape), raw_agents=raw.reshape(shape),
        scheduled_agents=scheduled_with_shrinkage(agents, shrinkage).reshape(shape),
        service_level=metrics.service_level.reshape(shape),
        asa_seconds=metrics.asa_seconds.reshape(shape),
        occupancy=metrics.occupancy.reshape(shape),
        wait_probability=metrics.wait_probability.reshape(shape))
