"""Erlang B and Erlang C (M/M/N queue) kernels, vectorised over intervals.

All functions take scalars or numpy arrays and broadcast them, so a whole year of intervals is
computed in one call. Notation: ``A`` is the offered traffic in Erlangs (contacts × AHT / interval
length), ``N`` the number of agents, ``t`` the answer-within target in seconds.

Formulas
--------
Erlang B by the stable recurrence on its inverse (no factorials, no ``A**N``)::

    1/B(0) = 1,    1/B(k) = 1 + (k/A) · 1/B(k-1)

Erlang C from B (Cooper, *Introduction to Queueing Theory*, 1981, §5.3)::

    C = N·B / (N − A·(1 − B)) = N / ((N − A)/B + A)

    SL(t) = 1 − C·exp(−(N − A)·t / AHT)        ASA = C·AHT / (N − A)        occupancy = A / N

Edge cases (defined, never raised): ``A == 0`` gives B = C = 0, SL = 1, ASA = 0 (for N ≥ 1);
``N <= A`` (an unstable queue) gives C = 1, SL = 0 and ASA = +inf; ``N == 0`` gives B = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import InvalidInput
from wfm.staffing.search import check_targets, load_arrays, walk_up
from wfm.validation import check_array

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Relative tolerance when comparing occupancy with its cap, so that A/N equal to the cap in
#: exact arithmetic (e.g. 17/20 = 0.85) is not pushed to one agent more by float rounding.
OCCUPANCY_RTOL = 1e-12


def _as_result(values: FloatArray) -> FloatArray | float:
    return float(values) if values.ndim == 0 else values


def _agents_array(agents: ArrayLike) -> IntArray:
    raw = np.asarray(agents)
    if raw.dtype == bool:
        raise InvalidInput(f"agents must be whole numbers >= 0, got {agents!r}")
    as_float = np.asarray(raw, dtype=float)
    if (~np.isfinite(as_float)).any() or (as_float < 0).any() or (as_float % 1 != 0).any():
        raise InvalidInput(f"agents must be whole numbers >= 0, got {agents!r}")
    return as_float.astype(np.int64)


def _inverse_erlang_b(traffic: FloatArray, agents: IntArray) -> FloatArray:
    """1/B(N, A) elementwise for flat arrays with A > 0, by the recurrence.

    The elements are sorted by N, longest first, so that step k updates only the prefix that
    still needs it (a view, no copying): the work is Σ N instead of len × max N.
    """
    order = np.argsort(-agents, kind="stable")
    sorted_agents = agents[order]
    scaled = 1.0 / traffic[order]
    inverse = np.ones(len(order))
    # number of elements needing step k = count of agents >= k
    counts = np.searchsorted(-sorted_agents, -np.arange(1, int(sorted_agents[0]) + 1 if len(
        order) else 1), side="right")
    with np.errstate(over="ignore"):  # 1/B overflowing to inf means B = 0 exactly enough
        for k, count in enumerate(counts, start=1):
            head = inverse[:count]
            head *= scaled[:count]
            head *= k
            head += 1.0
    result = np.empty_like(inverse)
    result[order] = inverse
    return result


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> FloatArray | float:
    """Erlang B blocking probability B(N, A).

    Parameters
    ----------
    traffic : float or array
        Offered traffic A in Erlangs, ``>= 0``.
    agents : int or array
        Number of servers N, whole numbers ``>= 0``.

    Returns
    -------
    float or array
        B in [0, 1]; 1 when N = 0, 0 when A = 0 and N ≥ 1.

    Examples
    --------
    >>> round(erlang_b(2.0, 2), 6)   # (2²/2!) / (1 + 2 + 2) = 0.4
    0.4
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents)
    a, n = np.broadcast_arrays(a, n)
    result = np.where(n == 0, 1.0, 0.0).astype(float)
    busy = (a > 0) & (n > 0)
    if busy.any():
        result[busy] = 1.0 / _inverse_erlang_b(a[busy].astype(float), n[busy])
    return _as_result(result)


def _erlang_c_from_inverse_b(a: FloatArray, n: FloatArray, inverse_b: FloatArray) -> FloatArray:
    """C = N / ((N − A)·(1/B) + A) for N > A; overflowed 1/B (= inf) gives C = 0."""
    with np.errstate(over="ignore", invalid="ignore"):
        return n / ((n - a) * inverse_b + a)


def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> FloatArray | float:
    """Erlang C probability that a contact waits, C(N, A).

    ``C = N·B / (N − A·(1 − B))`` from Erlang B. Returns 1 when ``N <= A`` (every contact
    waits in an unstable queue) and 0 when ``A == 0``.

    Examples
    --------
    >>> round(erlang_c(10.0, 11), 7)    # callcentrehelper.com worked example, 11 agents
    0.6821182
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents)
    a, n = np.broadcast_arrays(a, n)
    return _as_result(_erlang_c(a.astype(float), n))


def _erlang_c(a: FloatArray, n: IntArray) -> FloatArray:
    result = np.ones(a.shape)
    result[a == 0] = 0.0
    stable = (a > 0) & (n > a)
    if stable.any():
        inverse_b = _inverse_erlang_b(a[stable], n[stable])
        result[stable] = _erlang_c_from_inverse_b(a[stable], n[stable].astype(float), inverse_b)
    return result


def _check_times(aht_seconds: ArrayLike, target_seconds: ArrayLike | None) -> tuple[
        FloatArray, FloatArray]:
    aht = check_array("aht_seconds", aht_seconds, minimum=0.0, strictly=True)
    target = check_array("target_seconds", 0.0 if target_seconds is None else target_seconds,
                         minimum=0.0)
    return aht, target


def service_level(traffic: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike,
                  target_seconds: ArrayLike) -> FloatArray | float:
    """Fraction of contacts answered within ``target_seconds``.

    ``SL(t) = 1 − C·exp(−(N − A)·t / AHT)``; 0 when ``N <= A``, 1 when ``A == 0``.

    Examples
    --------
    >>> round(service_level(10.0, 13, 180.0, 20.0), 7)
    0.7955948
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents)
    aht, target = _check_times(aht_seconds, target_seconds)
    a, n, aht, target = np.broadcast_arrays(a, n, aht, target)
    c = _erlang_c(a.astype(float), n)
    with np.errstate(over="ignore"):
        level = 1.0 - c * np.exp(-(n - a) * target / aht)
    level = np.where(n > a, level, 0.0)
    level = np.where(a == 0, 1.0, level)
    return _as_result(np.clip(level, 0.0, 1.0))


def average_speed_of_answer(traffic: ArrayLike, agents: ArrayLike,
                            aht_seconds: ArrayLike) -> FloatArray | float:
    """Mean wait in seconds over all contacts, ``ASA = C·AHT / (N − A)``.

    +inf when ``N <= A`` (the queue grows without bound), 0 when ``A == 0``.
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents)
    aht, _ = _check_times(aht_seconds, None)
    a, n, aht = np.broadcast_arrays(a, n, aht)
    c = _erlang_c(a.astype(float), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(n > a, c * aht / (n - a), np.inf)
    return _as_result(np.where(a == 0, 0.0, asa))


def occupancy(traffic: ArrayLike, agents: ArrayLike) -> FloatArray | float:
    """Agent occupancy ``A / N`` (capped at 1: agents cannot be busier than always busy).

    0 agents with 0 traffic gives 0.
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents).astype(float)
    a, n = np.broadcast_arrays(a, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), 0.0)
    return _as_result(np.where(a == 0, 0.0, busy))


# ---- staffing -----------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffingResult:
    """Required agents per interval and what they achieve (arrays aligned with the input).

    ``raw_agents`` is the fewest agents meeting the service targets alone; ``agents`` adds the
    occupancy cap; ``scheduled_agents`` adds shrinkage.
    """

    agents: IntArray
    raw_agents: IntArray
    scheduled_agents: IntArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    wait_probability: FloatArray


def exact_fraction(value: float) -> Fraction:
    """The decimal a user typed (0.85 → 17/20), not the binary float nearest to it."""
    return Fraction(repr(float(value)))


def scheduled_with_shrinkage(agents: ArrayLike, shrinkage: float) -> IntArray:
    """``ceil(N / (1 − shrinkage))`` in exact integer arithmetic.

    ``14 / (1 − 0.3)`` is 20.000000000000004 in floats, and a float ceil gives 21; with the
    shrinkage taken as the decimal 3/10 the answer is exactly 20.

    Examples
    --------
    >>> int(scheduled_with_shrinkage(14, 0.3))
    20
    """
    n = _agents_array(agents)
    share = exact_fraction(shrinkage)
    if not 0 <= share < 1:
        raise InvalidInput(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    kept = 1 - share  # p / q
    p, q = kept.numerator, kept.denominator
    return -((-n * q) // p)


def minimum_agents_for_occupancy(traffic: FloatArray, max_occupancy: float) -> IntArray:
    """Smallest N with ``A / N <= max_occupancy`` (ties within OCCUPANCY_RTOL pass)."""
    cap = exact_fraction(max_occupancy)
    p, q = cap.numerator, cap.denominator
    guess = np.ceil(traffic * q / p).astype(np.int64)
    # step down while the agent below still meets the cap (float noise in A·q/p)
    below = np.maximum(guess - 1, 0)
    fits = traffic * q <= p * below * (1 + OCCUPANCY_RTOL)
    return np.where(fits & (guess > 0), below, guess)


def required_agents(
    traffic: ArrayLike,
    aht_seconds: ArrayLike,
    *,
    target_level: float = 0.8,
    target_seconds: float = 20.0,
    max_occupancy: float = 1.0,
    asa_target_seconds: float = 0.0,
    shrinkage: float = 0.0,
    max_agents: int | None = None,
) -> StaffingResult:
    """Fewest agents per interval meeting the service targets with occupancy under the cap.

    The smallest integer N > A with ``SL(t) >= target_level``, ``ASA <= asa_target_seconds``
    (when > 0) and ``A / N <= max_occupancy``; zero traffic needs zero agents. The search
    starts at ``max(floor(A) + 1, ceil(A / max_occupancy))`` and walks up with the Erlang B
    recurrence, all intervals at once.

    Parameters
    ----------
    traffic : array
        Offered traffic in Erlangs per interval (``>= 0``).
    aht_seconds : array
        Average handle time per interval (``> 0`` where traffic > 0; ignored where it is 0).
    target_level, target_seconds
        Service-level target, e.g. 0.8 within 20 s.
    max_occupancy
        Occupancy cap in (0, 1].
    asa_target_seconds
        Maximum average speed of answer; 0 means no ASA target.
    shrinkage
        Fraction of paid time not available for contacts, in [0, 1).
    max_agents
        Explicit upper bound of the search; default ``A/max_occupancy + 10·sqrt(A) + 50``.

    Raises
    ------
    Infeasible
        When an interval needs more than ``max_agents``.
    """
    level = check_targets(target_level, max_occupancy, target_seconds, asa_target_seconds)
    a, aht = load_arrays(traffic, aht_seconds)
    shape = a.shape
    a, aht = a.ravel(), aht.ravel()
    loaded = a > 0

    agents = np.zeros(a.shape, dtype=np.int64)
    raw = np.zeros(a.shape, dtype=np.int64)
    wait = np.zeros(a.shape)
    level_out = np.ones(a.shape)
    asa_out = np.zeros(a.shape)
    idx = np.flatnonzero(loaded)
    if idx.size:
        la, laht = a[idx], aht[idx]
        above = np.floor(la).astype(np.int64) + 1
        occupancy_floor = np.maximum(minimum_agents_for_occupancy(la, max_occupancy), above)
        cap = (np.ceil(la / max_occupancy + 10 * np.sqrt(la) + 50).astype(np.int64)
               if max_agents is None else np.full(la.shape, int(max_agents)))
        found_raw = _search(la, laht, above, level, target_seconds, asa_target_seconds, cap)
        found = np.maximum(found_raw, occupancy_floor)
        inverse_b = _inverse_erlang_b(la, found)
        c = _erlang_c_from_inverse_b(la, found.astype(float), inverse_b)
        agents[idx], raw[idx], wait[idx] = found, found_raw, c
        level_out[idx] = 1.0 - c * np.exp(-(found - la) * target_seconds / laht)
        asa_out[idx] = c * laht / (found - la)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(agents > 0, a / np.maximum(agents, 1), 0.0)
    return StaffingResult(
        agents=agents.reshape(shape), raw_agents=raw.reshape(shape),
        scheduled_agents=scheduled_with_shrinkage(agents, shrinkage).reshape(shape),
        service_level=level_out.reshape(shape), asa_seconds=asa_out.reshape(shape),
        occupancy=occ.reshape(shape), wait_probability=wait.reshape(shape))


def _search(a: FloatArray, aht: FloatArray, start: IntArray, level: float,
            target_seconds: float, asa_target_seconds: float, cap: IntArray) -> IntArray:
    """Walk N upward from ``start`` until the SL (and ASA) targets hold, all intervals at once
    (``wfm.staffing.search.walk_up``), advancing 1/B by the recurrence one agent per step."""

    def meets(state: dict[str, np.ndarray], agents: IntArray) -> np.ndarray:
        ca, caht, cinv = state["a"], state["aht"], state["inverse_b"]
        cn = agents.astype(float)
        c = _erlang_c_from_inverse_b(ca, cn, cinv)
        headroom = cn - ca
        ok = 1.0 - c * np.exp(-headroom * target_seconds / caht) >= level
        if asa_target_seconds > 0:
            ok &= c * caht / headroom <= asa_target_seconds
        with np.errstate(over="ignore"):  # for the next step: 1/B(N+1) = 1 + 1/B(N)·(N+1)/A
            state["inverse_b"] = 1.0 + cinv * (cn + 1.0) / ca
        return np.asarray(ok)

    state = {"a": a, "aht": aht, "inverse_b": _inverse_erlang_b(a, start)}
    return walk_up(start, cap, a, meets, state, what="service target")
