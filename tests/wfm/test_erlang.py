"""Erlang B/C kernels and staffing against independent references.

References: mpmath at 50 digits through the incomplete gamma function (not the recurrence the
code uses), published worked examples in ../shared/data/erlang_published.csv, and hand-worked
small cases.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.errors import Infeasible, InvalidInput
from wfm.staffing.erlang import (
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_with_shrinkage,
    service_level,
)

mpmath.mp.dps = 50


def _published_path() -> Path:
    """``shared/data/erlang_published.csv`` beside the checkout or one of its parents (a git
    worktree sits deeper than the main checkout), as ``anonymous_bank.default_bank_dir``."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "data" / "erlang_published.csv"
        if candidate.is_file():
            return candidate
    return here.parents[2].parent / "shared" / "data" / "erlang_published.csv"


PUBLISHED = _published_path()


def mp_erlang_b(traffic: float, agents: int) -> mpmath.mpf:
    """B = A^N e^-A / Γ(N+1, A): the Poisson pmf over the Poisson cdf, via incomplete gamma."""
    a = mpmath.mpf(traffic)
    return a**agents * mpmath.exp(-a) / mpmath.gammainc(agents + 1, a)


def mp_erlang_c(traffic: float, agents: int) -> mpmath.mpf:
    b = mp_erlang_b(traffic, agents)
    a = mpmath.mpf(traffic)
    return agents * b / (agents - a * (1 - b))


def mp_service_level(traffic: float, agents: int, aht: float, target: float) -> mpmath.mpf:
    a = mpmath.mpf(traffic)
    return 1 - mp_erlang_c(traffic, agents) * mpmath.exp(-(agents - a) * target / aht)


GRID = [(0.001, 1), (0.001, 3), (0.5, 1), (0.5, 2), (1.0, 2), (2.0, 2), (2.0, 5), (9.7, 10),
        (10.0, 11), (10.0, 14), (33.3333, 40), (80.5, 81), (80.5, 95), (267.0, 290),
        (1000.0, 1010), (1000.0, 1100), (5000.0, 5100), (20000.0, 20001), (20000.0, 20300)]


@pytest.mark.parametrize(("traffic", "agents"), GRID)
def test_erlang_b_and_c_match_mpmath(traffic: float, agents: int) -> None:
    np.testing.assert_allclose(erlang_b(traffic, agents), float(mp_erlang_b(traffic, agents)),
                               rtol=1e-9)
    np.testing.assert_allclose(erlang_c(traffic, agents), float(mp_erlang_c(traffic, agents)),
                               rtol=1e-9)


@pytest.mark.parametrize(("traffic", "agents"), [(t, n) for t, n in GRID if n > t])
def test_service_level_and_asa_match_mpmath(traffic: float, agents: int) -> None:
    aht, target = 300.0, 20.0
    expected_sl = float(mp_service_level(traffic, agents, aht, target))
    np.testing.assert_allclose(service_level(traffic, agents, aht, target), expected_sl,
                               rtol=1e-9, atol=1e-15)
    expected_asa = float(mp_erlang_c(traffic, agents) * aht / (agents - mpmath.mpf(traffic)))
    np.testing.assert_allclose(average_speed_of_answer(traffic, agents, aht), expected_asa,
                               rtol=1e-9)


def test_vectorised_call_equals_scalar_calls() -> None:
    traffic = np.array([t for t, _ in GRID[:12]])
    agents = np.array([n for _, n in GRID[:12]])
    together = erlang_c(traffic, agents)
    one_by_one = [float(mp_erlang_c(t, n)) for t, n in zip(traffic, agents, strict=True)]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-9)


def test_hand_worked_erlang_b_two_servers() -> None:
    # A = 2, N = 2: (2²/2!) / (1 + 2 + 2²/2!) = 2 / 5
    assert erlang_b(2.0, 2) == pytest.approx(0.4, rel=1e-15)
    # C = N·B / (N − A(1 − B)) with N = A = 2 is unstable: every contact waits
    assert erlang_c(2.0, 2) == 1.0


def test_edge_cases_are_defined_not_raised() -> None:
    assert erlang_b(0.0, 3) == 0.0
    assert erlang_b(5.0, 0) == 1.0
    assert erlang_c(0.0, 3) == 0.0
    assert erlang_c(5.0, 5) == 1.0 and erlang_c(5.0, 4) == 1.0
    assert service_level(5.0, 4, 300, 20) == 0.0
    assert service_level(0.0, 0, 300, 20) == 1.0
    assert average_speed_of_answer(5.0, 5, 300) == np.inf
    assert occupancy(0.0, 0) == 0.0
    # far more agents than traffic: 1/B overflows, B is 0, nothing is NaN
    assert erlang_b(0.001, 1000) == 0.0
    assert not np.isnan(erlang_c(0.001, 1000))


def _published_rows() -> list[dict[str, str]]:
    if not PUBLISHED.exists():
        pytest.skip(f"published Erlang values not found at {PUBLISHED}")
    with PUBLISHED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_published_erlang_c_values() -> None:
    checked = 0
    for row in _published_rows():
        if row["model"] != "erlang_c":
            continue
        traffic = float(row["calls"]) * float(row["aht_s"]) / (float(row["period_min"]) * 60)
        agents, aht = int(row["agents"]), float(row["aht_s"])
        got = {
            "traffic_erlangs": traffic,
            "p_wait": erlang_c(traffic, agents),
            "answered_immediately": 1 - erlang_c(traffic, agents),
            "service_level": service_level(traffic, agents, aht, float(row["awt_s"])),
            "asa_s": average_speed_of_answer(traffic, agents, aht),
            "occupancy": occupancy(traffic, agents),
        }[row["metric"]]
        assert got == pytest.approx(float(row["published_value"]), abs=float(row["tolerance"])), \
            row["ref_id"] + " " + row["metric"]
        checked += 1
    assert checked >= 30


def test_published_staffing_values() -> None:
    checked = 0
    for row in _published_rows():
        if row["model"] != "staffing_rule":
            continue
        traffic = float(row["calls"]) * float(row["aht_s"]) / (float(row["period_min"]) * 60)
        if row["metric"] == "agents_required":
            result = required_agents(traffic, float(row["aht_s"]),
                                     target_level=float(row["target_sl"]),
                                     target_seconds=float(row["awt_s"]),
                                     max_occupancy=float(row["max_occupancy"]))
            assert int(result.agents) == int(row["published_value"]), row["ref_id"]
        else:  # agents_with_shrinkage_ceil, given the agents column
            got = scheduled_with_shrinkage(int(row["agents"]), float(row["shrinkage"]))
            assert int(got) == int(row["published_value"]), row["ref_id"]
        checked += 1
    assert checked >= 4


def brute_force_required(contacts: int, aht: int, interval_seconds: int, level: float,
                         target: float, max_occupancy: float) -> int:
    """Smallest N > A meeting SL (mpmath) with A/N <= cap in exact rational arithmetic."""
    if contacts == 0:
        return 0
    traffic = Fraction(contacts * aht, interval_seconds)
    cap = Fraction(repr(max_occupancy))
    agents = int(traffic) + 1
    while True:
        sl = mp_service_level(float(traffic), agents, aht, target)
        if sl >= level and traffic <= cap * agents:
            return agents
        agents += 1


@pytest.mark.parametrize("contacts", [0, 1, 3, 17, 85, 100, 240, 400, 1000])
@pytest.mark.parametrize("aht", [120, 180, 360, 600])
def test_required_agents_match_brute_force(contacts: int, aht: int) -> None:
    for max_occupancy in (0.85, 0.9, 1.0):
        expected = brute_force_required(contacts, aht, 1800, 0.8, 20, max_occupancy)
        got = required_agents(contacts * aht / 1800, aht, target_level=0.8, target_seconds=20,
                              max_occupancy=max_occupancy)
        assert int(got.agents) == expected, (contacts, aht, max_occupancy)


def test_occupancy_cap_at_a_whole_ratio_does_not_add_an_agent() -> None:
    # A = 114·180/900 = 22.8 Erlangs; 22.8 / 24 = 0.95 exactly, but 0.9500000000000001 in floats
    traffic = 114 * 180 / 900
    assert traffic / 24 > 0.95  # the float trap this test is about
    result = required_agents(traffic, 180, target_level=0.01, target_seconds=0,
                             max_occupancy=0.95)
    assert int(result.raw_agents) == 23  # the service target alone needs fewer
    assert int(result.agents) == 24


def test_shrinkage_is_exact_where_the_float_ceil_is_not() -> None:
    assert 21 / (1 - 0.3) > 30  # floats give 30.000000000000004, and a float ceil 31
    assert int(scheduled_with_shrinkage(21, 0.3)) == 30
    assert int(scheduled_with_shrinkage(14, 0.3)) == 20
    agents = np.arange(0, 500)
    for shrinkage in (0.0, 0.1, 0.25, 0.3, 0.35, 0.5):
        share = Fraction(repr(shrinkage))
        expected = [-(-(n * share.denominator) // (share.denominator - share.numerator))
                    for n in agents]
        np.testing.assert_array_equal(scheduled_with_shrinkage(agents, shrinkage), expected)


def test_zero_contacts_need_zero_agents() -> None:
    result = required_agents(np.array([0.0, 0.0]), np.array([0.0, 300.0]), shrinkage=0.3)
    assert result.agents.tolist() == [0, 0]
    assert result.scheduled_agents.tolist() == [0, 0]


def test_asa_target_adds_agents_until_met() -> None:
    traffic, aht = 10.0, 180.0
    result = required_agents(traffic, aht, target_level=0.5, target_seconds=20,
                             asa_target_seconds=5)
    n = int(result.agents)
    assert float(average_speed_of_answer(traffic, n, aht)) <= 5
    assert float(average_speed_of_answer(traffic, n - 1, aht)) > 5


def test_unreachable_target_raises_infeasible() -> None:
    with pytest.raises(Infeasible, match="max_agents"):
        required_agents(100.0, 300, target_level=0.99, target_seconds=20, max_agents=101)


def test_nonpositive_aht_with_traffic_is_an_input_error() -> None:
    with pytest.raises(InvalidInput, match=r"aht_seconds must be a positive number where there "
                                           r"is traffic, got 0.0 at position 1"):
        required_agents(np.array([1.0, 2.0]), np.array([100.0, 0.0]))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidInput, match=r"traffic must be finite and >= 0, got -1.0"):
        erlang_b(-1.0, 2)
    with pytest.raises(InvalidInput, match=r"agents must be whole numbers >= 0, got 2.5"):
        erlang_c(1.0, 2.5)
    with pytest.raises(InvalidInput, match=r"aht_seconds must be finite and > 0, got 0.0"):
        service_level(1.0, 2, 0.0, 20)
    with pytest.raises(InvalidInput, match=r"traffic must be finite and >= 0, got nan"):
        erlang_c(float("nan"), 2)
    with pytest.raises(InvalidInput, match=r"target_level must be in \(0, 1\), got 1.0"):
        required_agents(1.0, 100, target_level=1.0)
    with pytest.raises(InvalidInput, match=r"max_occupancy must be in \(0, 1\], got 0"):
        required_agents(1.0, 100, max_occupancy=0)


# ---- properties ---------------------------------------------------------------------------

loads = st.floats(min_value=0.001, max_value=2000.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(traffic=loads, extra=st.integers(min_value=1, max_value=60),
       aht=st.floats(min_value=30, max_value=900), target=st.floats(min_value=0, max_value=120))
def test_service_level_rises_with_agents(traffic: float, extra: int, aht: float,
                                         target: float) -> None:
    base = int(traffic) + 1
    agents = np.arange(base, base + extra + 1)
    levels = service_level(traffic, agents, aht, target)
    assert np.all(np.diff(levels) >= -1e-12)
    assert np.all(erlang_c(traffic, agents) >= erlang_b(traffic, agents) - 1e-15)


@settings(max_examples=60, deadline=None)
@given(traffic=st.lists(loads, min_size=2, max_size=30), aht=st.floats(min_value=30,
       max_value=900), level=st.floats(min_value=0.5, max_value=0.95),
       cap=st.sampled_from([0.8, 0.85, 0.9, 0.95, 1.0]))
def test_required_agents_monotone_in_load_and_respect_the_cap(traffic: list[float], aht: float,
                                                             level: float, cap: float) -> None:
    ordered = np.sort(np.array(traffic))
    result = required_agents(ordered, aht, target_level=level, target_seconds=20,
                             max_occupancy=cap)
    assert np.all(np.diff(result.agents) >= 0)
    assert np.all(result.occupancy <= cap * (1 + 1e-12))
    assert np.all(result.service_level >= level - 1e-12)
    # one agent fewer breaks a target (minimality)
    fewer = result.agents - 1
    sl_fewer = service_level(ordered, fewer, aht, 20)
    breaks = (sl_fewer < level) | (ordered > cap * fewer * (1 + 1e-12)) | (fewer <= ordered)
    assert np.all(breaks)


def test_limits_as_traffic_goes_to_zero() -> None:
    tiny = np.array([1e-3, 1e-6, 1e-9])
    np.testing.assert_allclose(erlang_b(tiny, 1), tiny / (1 + tiny), rtol=1e-12)
    assert np.all(service_level(tiny, 1, 300, 20) > 0.999)
    assert required_agents(tiny, 300).agents.tolist() == [1, 1, 1]
