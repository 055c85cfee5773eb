"""Erlang A (M/M/N+M) against independent references.

References written here, not taken from the code under test:

* an exact birth-death computation in mpmath (40 digits) on a truncated chain: the stationary
  distribution by direct products of birth/death rates, abandonment as Σ π_{N+j}·P(abandon | j)
  from the tagged caller's path probabilities, the answered-within-t probability from the
  matrix exponential of the tagged caller's generator (by uniformization, itself checked against
  ``mpmath.expm`` on a small chain) and the answered-caller wait from expected state occupation
  times;
* Erlang C from the textbook formula in mpmath (the limit of infinite patience);
* a discrete-event simulation with ``ciw`` (M/M/N with exponential reneging).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.errors import Infeasible, InvalidInput
from wfm.staffing.erlang_a import (
    ErlangAMetrics,
    _log_negative_binomial_pmf,
    erlang_a_metrics,
    required_agents_erlang_a,
)

mp = pytest.importorskip("mpmath")
mp.mp.dps = 40

FIELDS = ("wait_probability", "service_level", "abandon_rate", "asa_seconds", "occupancy")


# ---- the exact reference ------------------------------------------------------------------

def tagged_served_by(num_agents: int, theta, tau, depth: int) -> list:
    """P(answered within τ | j callers ahead), j = 0..depth, by uniformization of the CTMC.

    States: k callers ahead (k = 0..depth) plus absorbing 'answered' and 'abandoned'. From k the
    line moves at rate N + kθ (k ≥ 1; an agent frees up or someone ahead abandons), from 0 an
    agent takes the caller at rate N, and the caller abandons at rate θ from every state.
    ``exp(Qτ) = Σ_n Poisson(n; Λτ)·P^n`` with ``P = I + Q/Λ``; the answered mass is tracked
    from every start state at once by running the chain backwards (a column of exp(Qτ)).
    """
    rate = num_agents + depth * theta + theta
    advance = [(num_agents + k * theta) / rate for k in range(depth + 1)]
    stay = [1 - (num_agents + k * theta + theta) / rate for k in range(depth + 1)]
    # value[k] = P(answered within n uniformized steps | start k)
    value = [mp.mpf(0)] * (depth + 1)
    weight = mp.exp(-rate * tau)
    acc = [mp.mpf(0)] * (depth + 1)
    covered, n = weight, 0
    while True:
        value = [stay[0] * value[0] + advance[0]] + [
            s * v + g * onward
            for s, v, g, onward in zip(stay[1:], value[1:], advance[1:], value, strict=False)]
        n += 1
        weight = weight * rate * tau / n
        covered += weight
        acc = [a + weight * v for a, v in zip(acc, value, strict=True)]
        if n > rate * tau and 1 - covered < mp.mpf(10) ** -32:
            return acc


def reference(traffic, num_agents, aht, patience, target, depth) -> dict:
    a = mp.mpf(traffic)
    theta = mp.mpf(aht) / mp.mpf(patience)
    tau = mp.mpf(target) / mp.mpf(aht)
    weights = [mp.mpf(1)]
    for n in range(1, num_agents + depth + 1):
        weights.append(weights[-1] * a / (min(n, num_agents) + theta * max(n - num_agents, 0)))
    total = mp.fsum(weights)
    pi = [w / total for w in weights]
    assert pi[-1] < mp.mpf(10) ** -25, "truncation too short"
    queue = pi[num_agents:]
    # the tagged caller with j ahead: answered eventually with probability h_j, and the
    # expected wait on answered paths w_j = Σ_k P(reach k)·E[time in k]·P(answered | k)
    answered, waited = [], []
    for j in range(depth + 1):
        go_on = (num_agents + j * theta) / (num_agents + (j + 1) * theta)
        answered.append(go_on * (answered[-1] if j else 1))
        stay = 1 / (num_agents + (j + 1) * theta)
        waited.append(stay * answered[j] + go_on * (waited[-1] if j else 0))
    p_wait = mp.fsum(queue)
    p_abandon = mp.fsum(q * (1 - h) for q, h in zip(queue, answered, strict=True))
    within = tagged_served_by(num_agents, theta, tau, depth) if target > 0 else [0] * len(queue)
    level = (1 - p_wait) + mp.fsum(q * s for q, s in zip(queue, within, strict=True))
    answered_wait = mp.fsum(q * w for q, w in zip(queue, waited, strict=True))
    return {
        "wait_probability": p_wait,
        "service_level": level,
        "abandon_rate": p_abandon,
        "asa_seconds": answered_wait / (1 - p_abandon) * aht,
        "occupancy": a * (1 - p_abandon) / num_agents,
        "mean_queue": mp.fsum(j * q for j, q in enumerate(queue)),
    }


def assert_matches(got: ErlangAMetrics, want: dict, fields=FIELDS) -> None:
    for name in fields:
        value, expected = float(getattr(got, name)), float(want[name])
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), name


def test_uniformization_reference_matches_mpmath_expm() -> None:
    num_agents, theta, tau, depth = 3, mp.mpf("0.7"), mp.mpf("0.4"), 5
    size = depth + 3  # 0..depth ahead, answered, abandoned
    q = mp.zeros(size, size)
    for k in range(depth + 1):
        q[k, k] = -(num_agents + k * theta + theta)
        q[k, depth + 2] = theta
        if k == 0:
            q[k, depth + 1] = num_agents
        else:
            q[k, k - 1] = num_agents + k * theta
    flow = mp.expm(q * tau)
    by_uniformization = tagged_served_by(num_agents, theta, tau, depth)
    for k in range(depth + 1):
        assert float(by_uniformization[k]) == pytest.approx(float(flow[k, depth + 1]), rel=1e-20)


# ---- exact birth-death grid -----------------------------------------------------------------

GRID = [
    # traffic, agents, aht, patience, target, depth of the truncated chain
    (10.0, 10, 180.0, 180.0, 20.0, 120),      # N = A: stable thanks to abandonment
    (5.0, 3, 300.0, 60.0, 30.0, 80),          # overloaded, impatient
    (20.0, 25, 240.0, 600.0, 20.0, 150),
    (2.0, 4, 100.0, 50.0, 10.0, 60),
    (30.0, 20, 300.0, 120.0, 0.0, 120),       # target 0: SL = answered at once
    (0.05, 1, 420.0, 90.0, 15.0, 40),         # light load
    (1.7, 1, 60.0, 900.0, 45.0, 250),         # one agent, patient callers
    (50.0, 200, 300.0, 200.0, 20.0, 40),      # far above the load: Poisson window starts deep
    (40.0, 46, 300.0, 30.0, 120.0, 120),      # target well beyond the patience
]


@pytest.mark.parametrize("case", GRID, ids=[f"A{c[0]}-N{c[1]}-p{c[3]}" for c in GRID])
def test_metrics_match_exact_birth_death_chain(case) -> None:
    *args, depth = case
    want = reference(*args, depth=depth)
    assert_matches(erlang_a_metrics(*args), want)


def test_grid_in_one_vectorised_call_matches_scalar_calls() -> None:
    columns = [np.array([c[i] for c in GRID]) for i in range(5)]
    together = erlang_a_metrics(*columns)
    for i, case in enumerate(GRID):
        alone = erlang_a_metrics(*case[:5])
        for name in FIELDS:
            assert getattr(together, name)[i] == pytest.approx(float(getattr(alone, name)),
                                                               rel=1e-14, abs=1e-300)


def test_overloaded_queue_with_a_log_space_start_matches_chain() -> None:
    """A = 2000 on 1500 agents: the queue bell (peak near 1000 waiting) starts far from j = 0."""
    traffic, agents, aht, patience = 2000.0, 1500, 300.0, 600.0
    want = reference(traffic, agents, aht, patience, 0.0, depth=1800)
    got = erlang_a_metrics(traffic, agents, aht, patience, 0.0)
    assert_matches(got, want, ("wait_probability", "abandon_rate", "asa_seconds", "occupancy"))
    assert float(got.abandon_rate) == pytest.approx(float(want["mean_queue"]) * aht / patience
                                                    / traffic, rel=1e-9)


@pytest.mark.slow
def test_service_level_when_the_answer_window_starts_deep_matches_chain() -> None:
    """A = 1162 on 1000 agents, τ = 0.15 AHT: the count K of line moves within τ peaks near
    160, so its window starts above 0 (log-gamma start), as does the queue's bell."""
    traffic, agents, aht, patience, target = 1162.0, 1000, 300.0, 300.0, 45.0
    want = reference(traffic, agents, aht, patience, target, depth=570)
    assert_matches(erlang_a_metrics(traffic, agents, aht, patience, target), want)


# ---- targets several patiences long ---------------------------------------------------------
# K, the number of line moves within τ, has mean (N/θ)·(e^(θτ) − 1): with a target several
# patiences long its window is far wider than the queue's bell.

def long_target(traffic, agents, aht, patience, target, depth, *, slow=False):
    """One case of LONG_TARGETS, named by load, agents and target in patiences."""
    return pytest.param(traffic, agents, aht, patience, target, depth,
                        id=f"A{traffic:g}-N{agents}-t{target / patience:g}p",
                        marks=[pytest.mark.slow] if slow else [])


LONG_TARGETS = [
    # traffic, agents, aht, patience, target, depth of the truncated chain
    # K's window starts inside the queue's bell and reaches thousands to millions beyond it
    long_target(50.0, 36, 20.0, 60.0, 180.0, 200, slow=True),
    long_target(1000.0, 1069, 600.0, 60.0, 180.0, 125),
    long_target(2000.0, 2030, 600.0, 30.0, 180.0, 130, slow=True),
    long_target(100.0, 101, 30.0, 30.0, 300.0, 135, slow=True),  # K's window ends near 4.4e6
    long_target(2000.0, 1625, 300.0, 20.0, 80.0, 175, slow=True),
    # heavily overloaded: K's bell lies inside the queue's, SL well below 1 − P(ab)
    long_target(2000.0, 270, 600.0, 10.0, 20.0, 117),
    long_target(300.0, 15, 600.0, 10.0, 30.0, 55),
    long_target(50.0, 3, 60.0, 20.0, 60.0, 86),
]


@pytest.mark.parametrize(("traffic", "agents", "aht", "patience", "target", "depth"),
                         LONG_TARGETS)
def test_targets_several_patiences_long_match_exact_chain(traffic, agents, aht, patience,
                                                          target, depth) -> None:
    args = (traffic, agents, aht, patience, target)
    assert_matches(erlang_a_metrics(*args), reference(*args, depth=depth))


@pytest.mark.slow
def test_the_former_slow_corner_matches_exact_chain() -> None:
    """300 Erlangs, AHT 30 s, patience 20 s, target 120 s (6 patiences) on 152 agents: K's
    window starts at j = 14, inside the queue's bell (peak near j = 99), and reaches past
    80,000; it was once walked to its end (3 s for this agent count alone)."""
    args = (300.0, 152, 30.0, 20.0, 120.0)
    assert_matches(erlang_a_metrics(*args), reference(*args, depth=276))


@pytest.mark.parametrize(("size", "count", "rate"), [
    (102.0 + 1 / 3, 14.0, 6.0),          # the corner's window start (N = 152)
    (2.0, 1.0, 2.0),                     # every Stirling remainder from log-gamma (z < 15)
    (15.5, 16.0, 1.0),                   # every one from the series, near its lower end
    (1001.0, 160.0, 0.15),
    (150.0, 890.0, 2.0),
    (5e5, 3.2e5, 0.5),
    (1e6, 8.88e6, 2.3),                  # k·log k near 1.4e8: log-gamma differences lose 1e-8
])
def test_negative_binomial_window_start_matches_mpmath(size, count, rate) -> None:
    """log P(K = k) = log Γ(b + k) − log Γ(b) − log k! − b·rate + k·log(1 − e^(−rate))."""
    b, k, r = mp.mpf(size), mp.mpf(count), mp.mpf(rate)
    want = (mp.loggamma(b + k) - mp.loggamma(b) - mp.loggamma(k + 1) - b * r
            + k * mp.log(-mp.expm1(-r)))
    got = _log_negative_binomial_pmf(np.array([count]), np.array([size]), np.array([rate]))
    assert float(got[0]) == pytest.approx(float(want), rel=0, abs=1e-11)


# ---- infinite patience is Erlang C ----------------------------------------------------------

def erlang_c_textbook(traffic, num_agents, aht, target) -> dict:
    """C = (A^N/N!·N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N−A)) in mpmath."""
    a = mp.mpf(traffic)
    top = a ** num_agents / mp.factorial(num_agents) * num_agents / (num_agents - a)
    c = top / (mp.fsum(a ** k / mp.factorial(k) for k in range(num_agents)) + top)
    return {
        "wait_probability": c,
        "service_level": 1 - c * mp.exp(-(num_agents - a) * target / aht),
        "asa_seconds": c * aht / (num_agents - a),
        "abandon_rate": mp.mpf(0),
        "occupancy": a / num_agents,
    }


@pytest.mark.parametrize("case", [(10.0, 11, 180.0, 20.0), (8.5, 12, 300.0, 15.0),
                                  (100.0, 112, 240.0, 20.0), (2000.0, 2050, 300.0, 10.0)])
def test_infinite_patience_approaches_erlang_c(case) -> None:
    traffic, agents, aht, target = case
    want = erlang_c_textbook(traffic, agents, aht, target)
    got = erlang_a_metrics(traffic, agents, aht, aht * 1e9, target)
    for name in FIELDS:
        assert float(getattr(got, name)) == pytest.approx(float(want[name]), rel=1e-6,
                                                          abs=1e-9), name


def test_huge_loads_neither_overflow_nor_give_nan() -> None:
    traffic = np.array([20000.0, 20000.0, 20000.0, 0.001, 1e5])
    agents = np.array([20500, 19000, 1000, 60, 100000])
    got = erlang_a_metrics(traffic, agents, 300.0, np.array([3e9, 3e4, 3e4, 60, 300]), 20.0)
    for name in FIELDS:
        assert np.isfinite(getattr(got, name)).all(), name
    for name in ("wait_probability", "service_level", "abandon_rate", "occupancy"):
        assert ((getattr(got, name) >= 0) & (getattr(got, name) <= 1)).all(), name
    # the fluid limit of an overloaded queue: the excess abandons, (A − N)/A
    assert got.abandon_rate[1] == pytest.approx(0.05, rel=1e-3)
    assert got.abandon_rate[2] == pytest.approx(0.95, rel=1e-3)
    # with infinite patience, 20,000 Erlangs on 20,500 agents is Erlang C
    want = erlang_c_textbook(20000.0, 20500, 300.0, 20.0)
    assert got.wait_probability[0] == pytest.approx(float(want["wait_probability"]), rel=1e-6)


def test_edge_cases_zero_traffic_and_zero_agents() -> None:
    idle = erlang_a_metrics(0.0, 3, 300.0, 60.0, 20.0)
    assert (float(idle.wait_probability), float(idle.service_level), float(idle.abandon_rate),
            float(idle.asa_seconds), float(idle.occupancy)) == (0.0, 1.0, 0.0, 0.0, 0.0)
    nobody = erlang_a_metrics(4.0, 0, 300.0, 60.0, 20.0)
    assert (float(nobody.wait_probability), float(nobody.service_level),
            float(nobody.abandon_rate)) == (1.0, 0.0, 1.0)


def test_shapes_follow_broadcasting() -> None:
    got = erlang_a_metrics(np.array([[5.0], [8.0]]), np.array([5, 6, 7]), 300.0, 120.0, 20.0)
    assert got.service_level.shape == (2, 3)
    assert erlang_a_metrics(5.0, 6, 300.0, 120.0, 20.0).service_level.shape == ()


# ---- required agents ------------------------------------------------------------------------

def meets(figures: dict, level, max_abandon=0.0, asa_target_seconds=0.0,
          max_occupancy=1.0) -> bool:
    return bool(figures["service_level"] >= level
                and (max_abandon <= 0 or figures["abandon_rate"] <= max_abandon)
                and (asa_target_seconds <= 0 or figures["asa_seconds"] <= asa_target_seconds)
                and figures["occupancy"] <= max_occupancy)


@pytest.mark.parametrize("case", [
    # traffic, aht, patience, level, target, options, depth
    (10.0, 180.0, 180.0, 0.8, 20.0, {}, 100),
    (10.0, 180.0, 180.0, 0.8, 20.0, {"max_abandon": 0.01}, 100),
    (6.0, 300.0, 60.0, 0.5, 30.0, {"asa_target_seconds": 5.0}, 80),
    (20.0, 240.0, 600.0, 0.9, 15.0, {"max_occupancy": 0.85}, 150),
])
def test_required_agents_is_the_fewest_that_meet_the_targets(case) -> None:
    traffic, aht, patience, level, target, options, depth = case
    agents = int(required_agents_erlang_a(traffic, aht, patience, level, target, **options))
    assert meets(reference(traffic, agents, aht, patience, target, depth), level, **options)
    assert not meets(reference(traffic, agents - 1, aht, patience, target, depth), level,
                     **options)


def test_short_patience_can_need_fewer_agents_than_the_load() -> None:
    # 20 Erlangs, callers leave after 30 s on average: 50% within 60 s needs N < A
    agents = int(required_agents_erlang_a(20.0, 300.0, 30.0, 0.5, 60.0))
    assert agents < 20
    assert meets(reference(20.0, agents, 300.0, 30.0, 60.0, 80), 0.5)
    assert not meets(reference(20.0, agents - 1, 300.0, 30.0, 60.0, 80), 0.5)


def test_occupancy_tie_costs_no_extra_agent() -> None:
    # 29 Erlangs at a 0.29 cap need exactly 100 agents; 0.29 * 100 is 28.999999999999996
    # in floats (0.57 * 100 likewise), and with 100 agents for 29 Erlangs nobody abandons
    # to double precision.
    assert int(required_agents_erlang_a(29.0, 300.0, 300.0, 0.5, 20.0,
                                        max_occupancy=0.29)) == 100
    assert int(required_agents_erlang_a(57.0, 300.0, 300.0, 0.5, 20.0,
                                        max_occupancy=0.57)) == 100


def test_zero_traffic_needs_zero_agents_and_vectors_are_handled() -> None:
    got = required_agents_erlang_a(np.array([0.0, 10.0, 0.0, 10.0]), 180.0,
                                   np.array([180.0, 180.0, 60.0, 1e6]), 0.8, 20.0)
    assert got.dtype == np.int64
    assert got.tolist()[0] == 0 and got.tolist()[2] == 0
    assert got[1] == required_agents_erlang_a(10.0, 180.0, 180.0, 0.8, 20.0)
    # very patient callers: the Erlang C answer, 13 agents miss 80/20 and 14 meet it
    assert got[3] == 14
    assert erlang_c_textbook(10.0, 13, 180.0, 20.0)["service_level"] < 0.8
    assert erlang_c_textbook(10.0, 14, 180.0, 20.0)["service_level"] >= 0.8


def test_unreachable_targets_raise_infeasible() -> None:
    with pytest.raises(Infeasible, match="max_agents"):
        required_agents_erlang_a(100.0, 300.0, 60.0, 0.95, 20.0, max_agents=50)


# ---- properties -----------------------------------------------------------------------------

loads = st.floats(min_value=0.05, max_value=300.0)
ahts = st.floats(min_value=30.0, max_value=900.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)
targets = st.floats(min_value=0.0, max_value=120.0)


# derandomized: the same examples on every machine, so a failure reproduces anywhere
@settings(max_examples=40, deadline=None, derandomize=True)
@given(traffic=loads, aht=ahts, patience=patiences, target=targets)
def test_more_agents_never_hurt(traffic, aht, patience, target) -> None:
    agents = np.arange(0, int(traffic * 1.5) + 15)
    got = erlang_a_metrics(traffic, agents, aht, patience, target)
    tolerance = 1e-12
    assert (np.diff(got.service_level) >= -tolerance).all()
    assert (np.diff(got.abandon_rate) <= tolerance).all()
    assert (np.diff(got.wait_probability) <= tolerance).all()
    assert (np.diff(got.occupancy[1:]) <= tolerance).all()
    # an answered caller is answered within some time: SL(∞) = 1 − P(ab)
    forever = erlang_a_metrics(traffic, agents, aht, patience, 1e6 * (aht + patience))
    np.testing.assert_allclose(forever.service_level, 1 - forever.abandon_rate, atol=1e-12)
    assert (got.abandon_rate <= got.wait_probability + tolerance).all()


@settings(max_examples=30, deadline=None, derandomize=True)
@given(traffic=loads, extra=st.floats(min_value=0.0, max_value=50.0), aht=ahts,
       patience=patiences, target=targets, level=st.floats(min_value=0.0, max_value=0.95),
       cap=st.floats(min_value=0.5, max_value=1.0),
       max_abandon=st.sampled_from([0.0, 0.02, 0.1]))
def test_required_agents_rise_with_load_and_respect_the_cap(
        traffic, extra, aht, patience, target, level, cap, max_abandon) -> None:
    options = {"max_occupancy": cap, "max_abandon": max_abandon}
    both = required_agents_erlang_a(np.array([traffic, traffic + extra]), aht, patience, level,
                                    target, **options)
    assert both[0] <= both[1]
    got = erlang_a_metrics(traffic, int(both[0]), aht, patience, target)
    assert float(got.occupancy) <= cap * (1 + 1e-12)
    assert float(got.service_level) >= level
    if max_abandon:
        assert float(got.abandon_rate) <= max_abandon
    if both[0] == 1:  # N ≥ 1 whenever there is traffic, even with no service-level target
        return
    fewer = erlang_a_metrics(traffic, int(both[0]) - 1, aht, patience, target)
    served = traffic * (1 - float(fewer.abandon_rate))
    assert not (float(fewer.service_level) >= level
                and (not max_abandon or float(fewer.abandon_rate) <= max_abandon)
                and served <= cap * (int(both[0]) - 1) * (1 + 1e-12))


# ---- input validation -----------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"aht_seconds": 0.0}, "aht_seconds must be finite and > 0, got 0.0 at position 0"),
    ({"aht_seconds": -5.0}, "aht_seconds must be finite and > 0, got -5.0 at position 0"),
    ({"patience_seconds": 0.0}, "patience_seconds must be finite and > 0, got 0.0 at position 0"),
    ({"patience_seconds": np.array([60.0, -1.0])},
     "patience_seconds must be finite and > 0, got -1.0 at position 1"),
    ({"traffic": -1.0}, "traffic must be finite and >= 0, got -1.0 at position 0"),
    ({"agents": 2.5}, "agents must be whole numbers >= 0, got 2.5 at position 0"),
    ({"target_seconds": float("nan")}, "target_seconds must be finite and >= 0, got nan"),
])
def test_metrics_reject_bad_input_naming_the_parameter(kwargs, message) -> None:
    args = {"traffic": 5.0, "agents": 6, "aht_seconds": 300.0, "patience_seconds": 60.0,
            "target_seconds": 20.0, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        erlang_a_metrics(**args)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"aht_seconds": 0.0}, "aht_seconds must be finite and > 0, got 0.0 at position 0"),
    ({"patience_seconds": -30.0}, "patience_seconds must be finite and > 0, got -30.0"),
    ({"target_level": 1.0}, "target_level must be in [0, 1), got 1.0"),
    ({"max_occupancy": 1.2}, "max_occupancy must be in (0, 1], got 1.2"),
    ({"max_occupancy": 0.0}, "max_occupancy must be finite and > 0, got 0.0"),
    ({"max_abandon": 1.0}, "max_abandon must be in [0, 1), got 1.0"),
    ({"asa_target_seconds": -1.0}, "asa_target_seconds must be finite and >= 0, got -1.0"),
])
def test_required_agents_reject_bad_input_naming_the_parameter(kwargs, message) -> None:
    args = {"traffic": 5.0, "aht_seconds": 300.0, "patience_seconds": 60.0,
            "target_level": 0.8, "target_seconds": 20.0}
    options = {k: kwargs.pop(k) for k in list(kwargs)
               if k in ("max_occupancy", "max_abandon", "asa_target_seconds")}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as caught:
        required_agents_erlang_a(**args, **options)
    assert str(caught.value).startswith(message)


# ---- discrete-event simulation --------------------------------------------------------------

def simulate(traffic, agents, patience, target, horizon, seed) -> dict:
    """ciw M/M/N+M in AHT time units; batch means over 20 batches of arrivals."""
    ciw = pytest.importorskip("ciw")
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(traffic)],
        service_distributions=[ciw.dists.Exponential(1.0)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(1.0 / patience)],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon)
    warm, end = 0.05 * horizon, horizon - 50 * (1 + patience)
    records = [r for r in simulation.get_all_records() if warm <= r.arrival_date < end]
    batches = np.minimum(((np.array([r.arrival_date for r in records]) - warm)
                          / (end - warm) * 20).astype(int), 19)
    abandoned = np.array([r.record_type == "renege" for r in records])
    waited = np.array([r.record_type == "renege" or r.waiting_time > 0 for r in records])
    within = np.array([r.record_type == "service" and r.waiting_time <= target
                       for r in records])
    figures = {}
    for name, flags in (("abandon_rate", abandoned), ("wait_probability", waited),
                        ("service_level", within)):
        means = np.array([flags[batches == b].mean() for b in range(20)])
        figures[name] = (means.mean(), means.std(ddof=1) / math.sqrt(20))
    return figures


@pytest.mark.slow
@pytest.mark.parametrize(("traffic", "agents", "patience", "target", "seed"), [
    (8.0, 8, 1.0, 0.2, 1),     # A = N, patience = AHT
    (5.0, 4, 2.0, 0.5, 2),     # overloaded, patient
    (10.0, 12, 0.5, 0.1, 3),   # impatient callers
])
def test_metrics_agree_with_discrete_event_simulation(traffic, agents, patience, target,
                                                      seed) -> None:
    sim = simulate(traffic, agents, patience, target, horizon=8000.0, seed=seed)
    got = erlang_a_metrics(traffic, agents, 1.0, patience, target)
    for name, (mean, error) in sim.items():
        # 99.9% two-sided t interval with 19 degrees of freedom
        assert abs(float(getattr(got, name)) - mean) <= 3.88 * error, (name, mean, error)
