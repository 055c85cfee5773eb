"""Erlang A (M/M/N+M) kernels: a queue whose callers abandon after an exponential patience.

All functions take scalars or numpy arrays and broadcast them over intervals. Notation, with time
measured in units of the AHT (service rate μ = 1): ``A`` offered traffic in Erlangs, ``N``
agents, ``θ = AHT / patience`` the abandonment rate of one waiting caller, ``τ = t / AHT`` the
answer-within target.

Model
-----
The number of callers in the system is a birth-death process with birth rate ``A`` and death
rate ``min(n, N) + θ·max(n − N, 0)``. Relative to the state ``n = N``, its stationary weights are

    π_{N−i} / π_N = Π_{m=0}^{i−1} (N − m) / A              (i = 1 .. N; their sum is 1/B − 1)
    T_j = π_{N+j} / π_N = Π_{i=1}^{j} A / (N + iθ)          (j ≥ 0; S = Σ T_j)

``S`` is Mandelbaum & Zeltyn's function ``A(N/θ, A/θ)`` (Kummer's ``1F1(1; N/θ + 1; A/θ)``).
By PASTA, with ``L = 1/B(N, A) − 1``:

    P(W > 0) = S / (L + S)
    P(ab)    = θ·E[Q] / A = θ·P(W > 0)·(Σ j·T_j / S) / A

A caller who arrives with ``j`` callers waiting ahead is offered an agent after
``V_j = Σ_{i=0}^{j} Exp(N + iθ)`` and abandons first with probability ``1 − E[exp(−θ·V_j)]``.
Tilting the density of ``V_j`` by ``exp(−θv)`` telescopes the rates to ``N + (i + 1)θ``, so

    P(answered within τ | j) = N / (N + (j + 1)θ) · I_x(j + 1, N/θ + 1),    x = 1 − exp(−θτ)

where ``1 − exp(−θ·V')`` is Beta(j + 1, N/θ + 1) distributed for the tilted ``V'``. Writing
the regularised incomplete beta function as a negative-binomial tail,
``I_x(j + 1, b) = P(K ≥ j + 1)`` with ``P(K = k) = Γ(b + k) / (Γ(b)·k!)·(1 − x)^b·x^k``, and
using ``T_j·N / (N + (j + 1)θ) = (N/A)·T_{j+1}``:

    SL(τ) = (1 − P(W > 0)) + P(W > 0)·(N/A)·Σ_{j≥1} T_j·P(K ≥ j) / S

The same tilting gives the mean wait of answered callers (``E[V'_j]`` is a harmonic sum):

    E[W·1{answered}] = P(W > 0)·(N/A)·Σ_{j≥1} T_j·H_j / S,   H_j = Σ_{k=1}^{j} 1 / (N + kθ)
    ASA = E[W·1{answered}] / (1 − P(ab))

Numerics: every sum is evaluated in a window around its peak (a Poisson-like bell), started
in log space where the window does not start at its first term, and stopped when the geometric
bound on the rest of the tail falls below 1e-17 of the running sum. No factorials and no
``A**N``: loads of 20,000 Erlangs and more neither overflow nor give NaN. The work per interval
grows like ``sqrt(A·patience/AHT)``; an overloaded queue whose bell is far from empty and wider
than that (``A·patience/AHT ≥ 10^6``) uses exact moment identities instead (see
``_overloaded_queue_sums``).

``P(K ≥ j) = I_x(j, b)`` is carried along T's window by the recurrence ``I_x(j + 1, b) =
I_x(j, b) − P(K = j)``, each ``P(K = j)`` from the previous one by the ratio
``x_K·(b + j)/(j + 1)``. Where K's window starts above 0, its first term comes from Stirling's
series in deviance form (``_log_negative_binomial_pmf``: within 1e-12 of mpmath in log terms
for b and k up to 10^6, where differences of ``log Γ`` lose 1e-9), so K is never walked past
the end of T's window, however wide K is (a target several patiences long makes it about
``e^(θτ)`` times wider than T). Evaluating I_x per j instead (``scipy.special.betainc``, about
0.3 µs a call) would cost some 7 s for the 2·10^7 (interval, j) terms of the benchmark's year
of staffing, which takes under 1 s this way, and would add a dependency for one function.
So a target several patiences long at a high load is no slow corner: 300 Erlangs, AHT 30 s,
patience 20 s, target 120 s takes about 0.02 s for 465 agent counts. What remains costly is a
queue far overloaded, whose T window starts thousands of terms above 0, with a target so long
that K's window still starts below it: the walk starts at K's window. E.g. 1 to 10 agents for
2,000 Erlangs, AHT 30 s, patience 600 s, target 3,600 s take about 2 s a call (0.2 s with a
20 s target), far from any staffing answer.
Log-gamma start values (the Poisson window of ``1/B − 1`` and T's window) carry a relative error
of about 1e-16 × their size; they only set the scale of L and S, so this only reaches the tiny
P(W > 0) of agents far above the load (relative 1e-13 at 1,000 agents) and the factor
``P(W = 0) < exp(−45)`` of a far-overloaded queue.

References
----------
Garnett, O., Mandelbaum, A. & Reiman, M. (2002). Designing a call center with impatient
customers. *Manufacturing & Service Operations Management* 4(3), 208-227.
Mandelbaum, A. & Zeltyn, S. (2007). Service engineering in action: the Palm/Erlang-A queue,
with applications to call centers. In *Advances in Services Innovations*, Springer, 17-45.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import Infeasible, InvalidInput
from wfm.validation import check_array, check_in_range

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Relative tolerance when comparing served traffic with ``max_occupancy × N``, so that a tie in
#: exact arithmetic (e.g. 17 Erlangs served at a cap of 0.85 with 20 agents) passes.
OCCUPANCY_RTOL = 1e-12

#: A window sum stops when the bound on its remaining tail is below this share of the sum.
_TAIL_EPS = 1e-17

#: Windows start where the bell has fallen below about exp(-45) of its peak.
_WINDOW_LOG = 45.0

#: From this width of the queue's bell (x = A·patience/AHT) on, an overloaded queue far from
#: empty is summed by exact moment identities instead of term by term.
_FLUID_X = 1e6

__all__ = ["ErlangAMetrics", "erlang_a_metrics", "required_agents_erlang_a"]


@dataclass(frozen=True)
class ErlangAMetrics:
    """What ``N`` agents achieve in an M/M/N+M queue (arrays shaped like the broadcast input).

    Attributes
    ----------
    wait_probability
        P(W > 0): an arrival finds every agent busy (PASTA).
    service_level
        Fraction of *all* arrivals answered within the target; callers who abandon, before or
        after the target, are not answered within it.
    abandon_rate
        Fraction of arrivals who abandon, P(ab).
    asa_seconds
        Mean wait of the callers who are answered (answered immediately counts as 0 s); the mean
        wait over every arrival, abandoners included, is ``abandon_rate × patience_seconds``.
    occupancy
        Served traffic per agent, ``A·(1 − P(ab)) / N``.
    """

    wait_probability: FloatArray
    service_level: FloatArray
    abandon_rate: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


# ---- special functions ----------------------------------------------------------------------

_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _log_gamma(values: FloatArray) -> FloatArray:
    """``log Γ(values)`` elementwise (``math.lgamma``; numpy has no log-gamma)."""
    return np.asarray(_lgamma(values), dtype=float)


def _stirling_remainder(z: FloatArray) -> FloatArray:
    """``δ(z) = log Γ(z + 1) − (z + ½)·log z + z − ½·log 2π`` for ``z ≥ 1``.

    From z = 15 on, the Stirling series to the ``z^−9`` term (next term below 3e-16);
    below, ``math.lgamma`` minus the leading part, where every value is under 50.
    """
    out = np.empty(z.shape)
    large = z >= 15
    r = 1.0 / z[large]
    r2 = r * r
    out[large] = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680
                                                                      - r2 / 1188))))
    small = z[~large]
    out[~large] = (_log_gamma(small + 1) - (small + 0.5) * np.log(small) + small
                   - 0.5 * math.log(2 * math.pi))
    return out


def _deviance(y: FloatArray, m: FloatArray) -> FloatArray:
    """``y·log(y/m) + m − y ≥ 0`` for ``y, m > 0``, without cancellation when ``y ≈ m``.

    With ``v = (y − m)/(y + m)`` it equals ``(y − m)·v + 2y·Σ_{i≥1} v^(2i+1)/(2i + 1)``, summed
    for ``|v| < 1/4`` (14 terms reach 1e-17 of the first); elsewhere the direct form loses
    nothing that matters.
    """
    v = (y - m) / (y + m)
    out = y * np.log(y / m) + m - y
    near = np.abs(v) < 0.25
    vn = v[near]
    v2 = vn * vn
    series = np.zeros(vn.shape)
    for i in range(14, 0, -1):
        series = series * v2 + 1.0 / (2 * i + 1)
    out[near] = (y[near] - m[near]) * vn + 2 * y[near] * vn * v2 * series
    return out


def _log_negative_binomial_pmf(k: FloatArray, b: FloatArray, rate: FloatArray) -> FloatArray:
    """``log P(K = k)`` for K negative binomial (size b, success ratio ``1 − exp(−rate)``), k ≥ 1.

    Differences of ``log Γ`` lose about 1e-16 × ``k·log k`` in absolute terms, which a deep
    window start cannot afford (relative 1e-9 at k = 10^6). Here, with ``n = b + k``,
    ``P(K = k) = (b/n)·C(n, k)·x^k·(1 − x)^b`` in Stirling's form (Loader's saddle-point
    split): ``½·log(b/(2π·n·k)) + δ(n) − δ(k) − δ(b) − D(k, n·x) − D(b, n·(1 − x))`` with
    the deviance D; at a window start every part is below about 100, so the error stays below
    about 1e-12 whatever the size of k.
    """
    n = b + k
    return (0.5 * np.log(b / (2 * math.pi * n * k))
            + _stirling_remainder(n) - _stirling_remainder(k) - _stirling_remainder(b)
            - _deviance(k, -n * np.expm1(-rate)) - _deviance(b, n * np.exp(-rate)))


def _digamma_difference(low: FloatArray, high: FloatArray) -> FloatArray:
    """``ψ(high) − ψ(low)`` for ``high ≥ low > 0`` without cancellation between large values.

    Both arguments are shifted above 10 with ``ψ(z) = ψ(z + 1) − 1/z``, then the asymptotic
    series ``ψ(z) = ln z − 1/(2z) − Σ B_2k / (2k·z^2k)`` (Abramowitz & Stegun 6.3.18, six terms,
    error below 1e-15) is differenced term by term, the logarithm as ``log1p``.
    """
    shifted_low, shifted_high = low.astype(float), high.astype(float)
    total = np.zeros(low.shape)
    for _ in range(10):
        small_low, small_high = shifted_low < 10, shifted_high < 10
        total += np.where(small_low, 1.0 / shifted_low, 0.0)
        total -= np.where(small_high, 1.0 / shifted_high, 0.0)
        shifted_low = np.where(small_low, shifted_low + 1, shifted_low)
        shifted_high = np.where(small_high, shifted_high + 1, shifted_high)
    u, v = shifted_low, shifted_high
    total += np.log1p((v - u) / u) + 0.5 * (v - u) / (u * v)
    coefficients = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760)
    for k, coefficient in enumerate(coefficients, start=1):
        total += coefficient * (u ** (-2.0 * k) - v ** (-2.0 * k))
    return total


# ---- window sums ----------------------------------------------------------------------------

def _log_below_sum(traffic: FloatArray, agents: FloatArray) -> FloatArray:
    """``log(1/B(N, A) − 1) = log Σ_{i=1}^{N} Π_{m<i} (N − m)/A`` for flat arrays, A > 0, N ≥ 1.

    The terms are the Poisson(A) weights of the states n = N − i relative to n = N; the window
    starts at the first n below ``A + c`` where Bernstein's bound puts the Poisson tail above
    ``A + c`` under exp(−45) (``c = 15 + sqrt(225 + 90A)``).
    """
    reach = 15 + np.sqrt(225 + 90 * traffic)
    first = np.maximum(1.0, agents - np.floor(traffic + reach))
    log_first = np.log(agents / traffic)
    deep = first > 1
    if deep.any():
        n, a, i = agents[deep], traffic[deep], first[deep]
        log_first[deep] = _log_gamma(n + 1) - _log_gamma(n - i + 1) - i * np.log(a)
    log_total = np.empty(traffic.shape)
    active = np.arange(traffic.size)
    a, n, i = traffic, agents, first
    term, total = np.ones(traffic.shape), np.ones(traffic.shape)
    while active.size:
        ratio = (n - i) / a  # next term over this one; decreasing in i
        done = (i >= n) | ((ratio < 1) & (term * ratio <= _TAIL_EPS * total * (1 - ratio)))
        if done.any():
            log_total[active[done]] = log_first[active[done]] + np.log(total[done])
            keep = ~done
            active, a, n, i, term, total, ratio = (
                active[keep], a[keep], n[keep], i[keep], term[keep], total[keep], ratio[keep])
        term = term * ratio
        total = total + term
        i = i + 1
    return log_total



@dataclass(frozen=True)
class _QueueSums:
    """Sums over the waiting states divided by ``S``, and ``log S`` (flat arrays)."""

    log_s: FloatArray
    mean_queue: FloatArray       # Σ j·T_j / S
    answered_within: FloatArray  # Σ_{j≥1} T_j·P(K ≥ j) / S
    answered_wait: FloatArray    # Σ_{j≥1} T_j·H_j / S  (AHT units)


def _queue_sums(traffic: FloatArray, agents: FloatArray, theta: FloatArray,
                tau: FloatArray) -> _QueueSums:
    """The waiting-state sums for flat arrays with A > 0, N ≥ 1, θ > 0, τ ≥ 0.

    One loop walks j through the bell of ``T_j ∝ x^j / Γ(a + j + 1)`` (``x = A/θ``, ``a = N/θ``:
    a Poisson(x) restricted to values ≥ a), starting earlier where the negative binomial K
    (size ``b = a + 1``, success ratio ``x_K = 1 − exp(−θτ)``) needs its cumulative
    distribution built up from its own window start. K's weights are carried as a scaled value
    and a log scale, so they never overflow or underflow into the wrong answer.
    """
    x = traffic / theta
    a = agents / theta
    b = a + 1
    bt = b * theta * tau                     # −b·log(1 − x_K) = −log P(K = 0)
    with np.errstate(over="ignore"):
        growth = np.expm1(theta * tau)       # x_K / (1 − x_K)
    x_k = -np.expm1(-theta * tau)
    with np.errstate(divide="ignore"):
        log_x_k = np.log(x_k)
    # T's bell peaks at j = x − a; to its left it decays faster than a Gaussian of variance x
    # (Σ log(x/(a+i)) ≥ d(d−1)/(2x) over d steps), so it starts sqrt(100x) + 5 below the peak.
    j_first = np.maximum(0.0, np.floor(x - a - np.sqrt(100 * x) - 5))
    log_t_first = np.zeros(x.shape)
    deep = j_first > 0
    if deep.any():
        jd, ad = j_first[deep], a[deep]
        log_t_first[deep] = jd * np.log(x[deep]) + _log_gamma(ad + 1) - _log_gamma(ad + jd + 1)
    # K's bell: mode a·growth, variance b·growth·(growth + 1); the same left-tail argument.
    with np.errstate(invalid="ignore"):
        k_first = np.maximum(0.0, np.floor(a * growth - np.sqrt(100 * b * growth * (growth + 1))
                                           - 5))
    # θτ beyond ~709 (a target hundreds of patiences long): K is beyond any window, P(K ≥ j) = 1
    k_first = np.where(np.isfinite(growth), k_first, np.inf)
    log_k_first = -bt
    deep = (k_first > 0) & np.isfinite(k_first)
    if deep.any():
        log_k_first[deep] = _log_negative_binomial_pmf(k_first[deep], b[deep],
                                                       (theta * tau)[deep])
    # K wholly below T's window: P(K ≥ j) there is under exp(−45) by the Chernoff bound
    # P(K ≥ k) ≤ ((1 − x_K)(b + k)/b)^b·(x_K(b + k)/k)^k, valid for k above the mean b·growth.
    k = np.maximum(j_first, 1.0)
    with np.errstate(invalid="ignore"):
        log_chernoff = -bt + b * np.log1p(k / b) + k * (log_x_k + np.log1p(b / k))
    k_below = (k_first < j_first) & (j_first > b * growth) & (log_chernoff < -_WINDOW_LOG)
    start = np.where(k_below, j_first, np.minimum(j_first, k_first))
    k_first = np.where(k_below, np.inf, k_first)
    fluid = k_below & (j_first > 0) & (x >= _FLUID_X)
    if not fluid.any():
        return _queue_sums_by_loop(x, a, b, theta, x_k, j_first, k_first, start, log_k_first,
                                   log_t_first, k_below)
    inner = ~fluid
    parts = (_overloaded_queue_sums(x[fluid], a[fluid], theta[fluid]),
             _queue_sums_by_loop(*(v[inner] for v in (
                 x, a, b, theta, x_k, j_first, k_first, start, log_k_first, log_t_first,
                 k_below))))
    combined = {}
    for name in _QueueSums.__dataclass_fields__:
        values = np.empty(x.size)
        values[fluid] = getattr(parts[0], name)
        values[inner] = getattr(parts[1], name)
        combined[name] = values
    return _QueueSums(**combined)


def _overloaded_queue_sums(x: FloatArray, a: FloatArray, theta: FloatArray) -> _QueueSums:
    """The sums for a queue whose bell is far from empty and at least 10^6 wide in x.

    Exact moments from the balance equations ``A·T_{j−1} = (N + jθ)·T_j`` summed with weights
    1 and j: ``E[J] = x − a + a/S`` and ``E[J²] = (x − a)·E[J] + x`` (x = A/θ, a = N/θ).
    ``E[H_J]`` comes from a third-order expansion of the smooth ``H(j) = (ψ(a + j + 1) −
    ψ(a + 1))/θ`` around E[J] with the Poisson-like central moments (the variance above, third
    moment x); the neglected terms are below 1e-11 relative for x ≥ 10^6. ``log S`` comes from
    Laplace's method (relative error O(1/x)); it only enters ``P(W = 0) < exp(−45)``.
    """
    peak = np.floor(x - a)
    log_s = (peak * np.log(x) + _log_gamma(a + 1) - _log_gamma(a + peak + 1)
             + 0.5 * np.log(2 * math.pi * x))
    inverse_s = np.exp(-log_s)
    mean = x - a + a * inverse_s
    variance = x - (x - a) * a * inverse_s - (a * inverse_s) ** 2
    z = a + mean + 1
    harmonic = _digamma_difference(a + 1, z) / theta
    second = -(1 / z**2 + 1 / z**3 + 1 / (2 * z**4)) / theta     # second derivative of H
    third = (2 / z**3 + 3 / z**4 + 2 / z**5) / theta              # third derivative of H
    answered_wait = harmonic + second * variance / 2 + third * x / 6
    return _QueueSums(log_s=log_s, mean_queue=mean, answered_within=np.zeros(x.size),
                      answered_wait=answered_wait)


def _queue_sums_by_loop(x: FloatArray, a: FloatArray, b: FloatArray, theta: FloatArray,
                        x_k: FloatArray, j_first: FloatArray, k_first: FloatArray,
                        start: FloatArray, log_k_first: FloatArray, log_t_first: FloatArray,
                        k_below: NDArray[np.bool_]) -> _QueueSums:
    """Walk j through the windows, all intervals at once (see :func:`_queue_sums`)."""
    size = x.size
    out = {name: np.empty(size) for name in ("s", "q", "t1", "tf", "h", "cdf")}
    state = {
        "row": np.arange(size), "x": x, "a": a, "b": b, "theta": theta, "x_k": x_k,
        "j_first": j_first, "k_first": k_first, "j": start,
        "t": np.where(start == j_first, 1.0, 0.0),          # T_j / T_{j_first}
        "nb": np.where(start == k_first, 1.0, 0.0),         # P(K = j)·exp(−log_scale)
        "log_scale": log_k_first,
        "cdf": np.zeros(size),                              # P(K < j)
        "harmonic": _digamma_difference(a + 1, a + j_first + 1) / theta,  # H_{j_first}
        "s": np.zeros(size), "q": np.zeros(size), "h": np.zeros(size),
        "t1": np.zeros(size), "tf": np.zeros(size),         # Σ_{j≥1} T_j and Σ_{j≥1} T_j·P(K<j)
    }
    while state["row"].size:
        v = state
        j, t = v["j"], v["t"]
        v["s"] = v["s"] + t
        v["q"] = v["q"] + j * t
        v["h"] = v["h"] + t * v["harmonic"]
        v["t1"] = v["t1"] + np.where(j >= 1, t, 0.0)
        v["tf"] = v["tf"] + np.where(j >= 1, t * v["cdf"], 0.0)
        mass = v["nb"] * np.exp(v["log_scale"])
        v["cdf"] = v["cdf"] + mass
        t_ratio = v["x"] / (v["a"] + j + 1)
        k_ratio = v["x_k"] * (v["b"] + j) / (j + 1)
        # K's start scale is exact (P(K = 0) = (1 − x_K)^b) or within ~1e-12 (a deep start):
        # K is only needed up to the end of T's window, however far its bell reaches.
        done = (j >= v["j_first"]) & (t_ratio < 1) & (
            t * t_ratio <= _TAIL_EPS * v["s"] * (1 - t_ratio))
        if done.any():
            rows = v["row"][done]
            for name in out:
                out[name][rows] = v[name][done]
            keep = ~done
            state = v = {name: value[keep] for name, value in v.items()}
            j, t, t_ratio, k_ratio = v["j"], v["t"], t_ratio[keep], k_ratio[keep]
            if not v["row"].size:
                break
        started = j >= v["j_first"]
        v["harmonic"] = np.where(
            started, v["harmonic"] + 1.0 / (v["theta"] * (v["a"] + j + 1)), v["harmonic"])
        nb = v["nb"] * k_ratio
        big = nb > 1e100
        v["nb"] = np.where(big, nb * 1e-100, nb)
        v["log_scale"] = np.where(big, v["log_scale"] + 100 * math.log(10), v["log_scale"])
        j = j + 1
        v["j"] = j
        v["t"] = np.where(j == v["j_first"], 1.0, t * t_ratio)
        v["nb"] = np.where(j == v["k_first"], 1.0, v["nb"])
    s = out["s"]
    within = np.where(k_below, 0.0, np.maximum(out["t1"] - out["tf"], 0.0))
    return _QueueSums(log_s=log_t_first + np.log(s), mean_queue=out["q"] / s,
                      answered_within=within / s, answered_wait=out["h"] / s)


# ---- public functions -----------------------------------------------------------------------

def _agents_array(agents: ArrayLike) -> FloatArray:
    """Whole numbers ``>= 0`` as floats; bools, fractions, NaN and negatives are errors."""
    raw = np.asarray(agents)
    values = check_array("agents", agents, minimum=0.0)
    bad = (values % 1 != 0) | (raw.dtype == bool)
    if np.any(bad):
        index = int(np.flatnonzero(np.broadcast_to(bad, values.shape).ravel())[0])
        raise InvalidInput(f"agents must be whole numbers >= 0, got "
                           f"{float(values.ravel()[index])!r} at position {index}")
    return values


def _check_times(aht_seconds: ArrayLike, patience_seconds: ArrayLike,
                 target_seconds: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    aht = check_array("aht_seconds", aht_seconds, minimum=0.0, strictly=True)
    patience = check_array("patience_seconds", patience_seconds, minimum=0.0, strictly=True)
    target = check_array("target_seconds", target_seconds, minimum=0.0)
    return aht, patience, target


def _metrics(traffic: FloatArray, agents: FloatArray, aht: FloatArray, patience: FloatArray,
             target: FloatArray) -> ErlangAMetrics:
    """Erlang A figures for validated flat arrays of equal length."""
    size = traffic.size
    wait, level = np.zeros(size), np.ones(size)
    abandon, asa, occupancy = np.zeros(size), np.zeros(size), np.zeros(size)
    nobody = (traffic > 0) & (agents == 0)
    wait[nobody], level[nobody], abandon[nobody] = 1.0, 0.0, 1.0
    live = np.flatnonzero((traffic > 0) & (agents > 0))
    if live.size:
        a, n = traffic[live], agents[live]
        theta = aht[live] / patience[live]
        sums = _queue_sums(a, n, theta, target[live] / aht[live])
        log_ratio = sums.log_s - _log_below_sum(a, n)      # log(S / L)
        with np.errstate(over="ignore"):
            p_wait = 1.0 / (1.0 + np.exp(-log_ratio))
            p_immediate = 1.0 / (1.0 + np.exp(log_ratio))
        p_abandon = np.minimum(theta * p_wait * sums.mean_queue / a, 1.0)
        served_share = p_wait * n / a
        wait[live] = p_wait
        abandon[live] = p_abandon
        level[live] = np.clip(p_immediate + served_share * sums.answered_within, 0.0, 1.0)
        asa[live] = served_share * sums.answered_wait / (1.0 - p_abandon) * aht[live]
        occupancy[live] = np.minimum(a * (1.0 - p_abandon) / n, 1.0)
    return ErlangAMetrics(wait_probability=wait, service_level=level, abandon_rate=abandon,
                          asa_seconds=asa, occupancy=occupancy)


def erlang_a_metrics(traffic: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike,
                     patience_seconds: ArrayLike, target_seconds: ArrayLike) -> ErlangAMetrics:
    """Waiting probability, service level, abandonment, ASA and occupancy in Erlang A.

    Parameters
    ----------
    traffic : float or array
        Offered traffic A in Erlangs (contacts × AHT / interval length), ``>= 0``.
    agents : int or array
        Agents N, whole numbers ``>= 0``. Any N is allowed, also ``N <= A``: with abandonment
        the queue is always stable.
    aht_seconds : float or array
        Average handle time, ``> 0``.
    patience_seconds : float or array
        Mean patience of a waiting caller (exponential), ``> 0``.
    target_seconds : float or array
        Answer-within target of the service level, ``>= 0``.

    Returns
    -------
    ErlangAMetrics
        Arrays shaped like the broadcast inputs (0-d arrays for scalar input). With
        ``A = 0``: no wait, SL 1, no abandonment, ASA 0, occupancy 0. With ``N = 0`` and
        ``A > 0``: everybody waits and abandons, SL 0, ASA 0 (nobody is answered), occupancy 0.

    Notes
    -----
    ``P(W > 0) = S / (1/B(N, A) − 1 + S)`` with ``S = Σ_j Π_{i=1}^{j} A/(N + iθ)``;
    ``P(ab) = θ·E[Q] / A``; ``SL(t) = P(W = 0) + Σ_j π_{N+j}·E[exp(−θ·V_j); V_j ≤ t]``;
    ASA is the mean wait of answered callers; occupancy ``A·(1 − P(ab)) / N``. The module
    docstring derives each sum (Mandelbaum & Zeltyn 2007; Garnett, Mandelbaum & Reiman 2002).

    Examples
    --------
    >>> m = erlang_a_metrics(10.0, 10, 180.0, 180.0, 20.0)   # N = A: stable thanks to patience
    >>> round(float(m.wait_probability), 4), round(float(m.abandon_rate), 4)
    (0.5421, 0.1251)
    """
    a = check_array("traffic", traffic, minimum=0.0)
    n = _agents_array(agents)
    aht, patience, target = _check_times(aht_seconds, patience_seconds, target_seconds)
    arrays = np.broadcast_arrays(a, n, aht, patience, target)
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(v, dtype=float).ravel() for v in arrays]
    result = _metrics(*flat)
    return ErlangAMetrics(**{name: getattr(result, name).reshape(shape)
                             for name in ErlangAMetrics.__dataclass_fields__})


def _meets(metrics: ErlangAMetrics, traffic: FloatArray, agents: FloatArray, level: FloatArray,
           occupancy_cap: FloatArray, abandon_cap: FloatArray,
           asa_target: FloatArray) -> NDArray[np.bool_]:
    ok = metrics.service_level >= level
    ok &= (abandon_cap <= 0) | (metrics.abandon_rate <= abandon_cap)
    ok &= (asa_target <= 0) | (metrics.asa_seconds <= asa_target)
    served = traffic * (1.0 - metrics.abandon_rate)
    ok &= served <= occupancy_cap * agents * (1 + OCCUPANCY_RTOL)
    return np.asarray(ok)


def required_agents_erlang_a(
    traffic: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    target_level: ArrayLike,
    target_seconds: ArrayLike,
    *,
    max_occupancy: ArrayLike = 1.0,
    max_abandon: ArrayLike = 0.0,
    asa_target_seconds: ArrayLike = 0.0,
    max_agents: ArrayLike | None = None,
) -> IntArray:
    """Fewest agents per interval meeting the Erlang A targets.

    The smallest N (N ≥ 1 when ``A > 0``; 0 when ``A == 0``) with ``SL(t) >= target_level``,
    ``P(ab) <= max_abandon`` (when > 0), ``ASA <= asa_target_seconds`` (when > 0) and occupancy
    ``<= max_occupancy``. Unlike Erlang C, N may be at or below A: callers who abandon keep
    the queue stable. The occupancy test is ``A·(1 − P(ab)) <= max_occupancy·N·(1 + 1e-12)``
    so that a tie in exact arithmetic does not cost an extra agent through float rounding.

    Every figure is monotone in N (SL and occupancy headroom rise, abandonment and ASA fall),
    so a vectorised bisection finds the answer for all intervals at once, between a bound
    known to fail (``SL ≤ N/A``, ``P(ab) ≥ 1 − N/A``) and ``max_agents``.

    Parameters
    ----------
    traffic, aht_seconds, patience_seconds, target_seconds : float or array
        As in :func:`erlang_a_metrics`, broadcast together.
    target_level : float or array
        Service-level target in [0, 1), e.g. 0.8 (0: no service-level target).
    max_occupancy : float or array
        Occupancy cap in (0, 1].
    max_abandon : float or array
        Abandonment cap in [0, 1); 0 means no cap.
    asa_target_seconds : float or array
        Maximum ASA of answered callers; 0 means no ASA target.
    max_agents : int or array, optional
        Explicit upper bound of the search; default ``ceil(A / max_occupancy + 20·sqrt(A)) + 100``.

    Returns
    -------
    numpy.ndarray of int64
        Shaped like the broadcast inputs.

    Raises
    ------
    InvalidInput
        A parameter out of range (the message names it).
    Infeasible
        An interval whose targets are not met even with ``max_agents``.

    Examples
    --------
    >>> int(required_agents_erlang_a(10.0, 180.0, 180.0, 0.8, 20.0))
    12
    """
    a = check_array("traffic", traffic, minimum=0.0)
    aht, patience, target = _check_times(aht_seconds, patience_seconds, target_seconds)
    level = _check_fraction("target_level", target_level, high_inclusive=False)
    occupancy_cap = check_array("max_occupancy", max_occupancy, minimum=0.0, strictly=True)
    if np.any(occupancy_cap > 1):
        check_in_range("max_occupancy", float(np.max(occupancy_cap)), 0.0, 1.0,
                       low_inclusive=False)
    abandon_cap = _check_fraction("max_abandon", max_abandon, high_inclusive=False)
    asa_target = check_array("asa_target_seconds", asa_target_seconds, minimum=0.0)
    arrays = np.broadcast_arrays(a, aht, patience, target, level, occupancy_cap, abandon_cap,
                                 asa_target)
    shape = arrays[0].shape
    a, aht, patience, target, level, occupancy_cap, abandon_cap, asa_target = (
        np.ascontiguousarray(v, dtype=float).ravel() for v in arrays)
    if max_agents is None:
        upper = np.ceil(a / occupancy_cap + 20 * np.sqrt(a)) + 100
    else:
        upper = np.broadcast_to(_agents_array(max_agents), shape).astype(float).ravel()

    found = np.zeros(a.size, dtype=np.int64)
    live = np.flatnonzero(a > 0)
    if live.size:
        la, lupper = a[live], upper[live]
        pick = [v[live] for v in (aht, patience, target, level, occupancy_cap, abandon_cap,
                                  asa_target)]
        top = _metrics(la, lupper, pick[0], pick[1], pick[2])
        failing = ~_meets(top, la, lupper, *pick[3:])
        if failing.any():
            first = int(np.flatnonzero(failing)[0])
            raise Infeasible(
                f"Erlang A targets not met with {int(lupper[first])} agents for traffic "
                f"{la[first]:.6g} Erlangs at position {int(live[first])} (max_agents)")
        # Known failures: an agent serves at most one Erlang, so SL ≤ 1 − P(ab) ≤ N/A falls
        # short of the target for N < target·A, and P(ab) ≥ 1 − N/A exceeds the cap for
        # N < A·(1 − cap) (margins keep float rounding on the safe side).
        low = np.maximum(np.ceil(la * pick[3] * (1 - 1e-12)) - 1, 0.0)
        capped = pick[5] > 0
        low = np.where(capped, np.maximum(low, np.ceil(la * (1 - pick[5]) * (1 - 1e-12)) - 1),
                       low)
        low = np.minimum(low, lupper - 1)
        high = lupper.copy()
        # one probe a little above the load (where most answers lie) narrows the bracket
        guess = np.clip(np.ceil(la / pick[4] + 2 * np.sqrt(la)) + 1, low + 1, high)
        ok = _meets(_metrics(la, guess, pick[0], pick[1], pick[2]), la, guess, *pick[3:])
        high = np.where(ok, guess, high)
        low = np.where(ok, low, guess)
        open_ = np.flatnonzero(high - low > 1)
        while open_.size:
            mid = np.floor((low[open_] + high[open_]) / 2)
            sub = [v[open_] for v in pick]
            ok = _meets(_metrics(la[open_], mid, sub[0], sub[1], sub[2]), la[open_], mid,
                        *sub[3:])
            high[open_] = np.where(ok, mid, high[open_])
            low[open_] = np.where(ok, low[open_], mid)
            open_ = open_[high[open_] - low[open_] > 1]
        found[live] = high.astype(np.int64)
    return found.reshape(shape)


def _check_fraction(name: str, values: ArrayLike, *, high_inclusive: bool) -> FloatArray:
    """A fraction array in [0, 1) (or [0, 1]) with a message naming the parameter."""
    array = check_array(name, values, minimum=0.0)
    above = array >= 1 if not high_inclusive else array > 1
    if np.any(above):
        check_in_range(name, float(array[above].ravel()[0]), 0.0, 1.0,
                       high_inclusive=high_inclusive)
    return array
