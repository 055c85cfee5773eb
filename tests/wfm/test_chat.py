"""Chat staffing (agents with k parallel slots) against independent references.

References, none of them taken from the code under test:

* a hand-worked chain (1 agent, 2 slots, inflation 0.5) solved on paper below;
* Erlang C with N·k servers (``wfm.staffing.erlang``, itself tested against published tables)
  for inflation 0, where the model is exactly M/M/(N·k);
* a discrete-event simulation of the platform (``tests/wfm/chat_sim.py``): least-loaded
  routing with every agent's own load, so the loads drift apart as chats end, which the
  model's balanced-load chain ignores; the simulator itself is checked against ``ciw``.

Tolerance: the model's service level is within 0.03 (absolute) of the simulation's, whose
standard error (batch means) must be at most 0.02; staffing is within one agent of the fewest
agents meeting the target in the simulation, on every load from 1 to 500 concurrent chats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.wfm.chat_sim import simulate_chat
from wfm.config import build_config
from wfm.errors import Infeasible, InvalidInput
from wfm.staffing.chat import agent_rates, chat_metrics, required_agents_chat
from wfm.staffing.erlang import average_speed_of_answer, erlang_c, service_level
from wfm.staffing.requirements import compute_requirements

SL_TOLERANCE = 0.03
MAX_STANDARD_ERROR = 0.02
AHT = 300.0
TARGET = 15.0  # first response within 15 s
LEVEL = 0.80


def test_chat_metrics_hand_worked_one_agent_two_slots() -> None:
    # k = 2, δ = 0.5, h = 60 s, λh = 1: φ(1) = 1, φ(2) = 2/1.5 = 4/3 chats per h.
    # π ∝ 1, 1/1, 1·(3/4), then ×3/4 per queued chat: Σ = 1 + 1 + (3/4)/(1/4) = 5.
    # P(wait) = P(n ≥ 2) = 3/5; ASA = P(wait)·h/(4/3 − 1) = 0.6·60·3 = 108 s;
    # busy slots = (0 + 1 + 2·3)/5 = 7/5, occupancy 7/10; SL(30 s) = 1 − 0.6·e^(−(1/3)·30/60).
    metrics = chat_metrics(1.0, 1, 60.0, max_concurrency=2, target_seconds=30.0, inflation=0.5)
    assert metrics.wait_probability == pytest.approx(0.6, rel=1e-12)
    assert metrics.asa_seconds == pytest.approx(108.0, rel=1e-12)
    assert metrics.occupancy == pytest.approx(0.7, rel=1e-12)
    assert metrics.service_level == pytest.approx(1 - 0.6 * math.exp(-1 / 6), rel=1e-12)


def test_agent_rates_hand_worked() -> None:
    np.testing.assert_allclose(agent_rates(3, 0.25), [0, 1, 1.6, 2, 2])


@pytest.mark.parametrize("concurrency", [1, 2, 3, 5])
def test_no_inflation_is_erlang_c_with_n_times_k_servers(concurrency: int) -> None:
    traffic = np.array([0.5, 3.0, 20.0, 100.0, 480.0])
    agents = np.ceil(traffic / concurrency).astype(int) + np.array([1, 1, 2, 3, 5])
    metrics = chat_metrics(traffic, agents, AHT, max_concurrency=concurrency,
                           target_seconds=TARGET)
    servers = agents * concurrency
    np.testing.assert_allclose(metrics.wait_probability, erlang_c(traffic, servers), rtol=1e-9)
    np.testing.assert_allclose(metrics.service_level,
                               service_level(traffic, servers, AHT, TARGET), rtol=1e-9)
    np.testing.assert_allclose(metrics.asa_seconds,
                               average_speed_of_answer(traffic, servers, AHT), rtol=1e-9)
    np.testing.assert_allclose(metrics.occupancy, traffic / servers, rtol=1e-9)


def test_one_slot_ignores_inflation() -> None:
    traffic = np.array([2.0, 40.0])
    a = chat_metrics(traffic, [5, 48], AHT, max_concurrency=1, target_seconds=20, inflation=0.4)
    np.testing.assert_allclose(a.service_level, service_level(traffic, [5, 48], AHT, 20),
                               rtol=1e-9)


def test_unstable_and_idle_edges() -> None:
    # φ(3) = 3/1.5 = 2 chats per h per agent: 2 agents cannot keep up with λh = 4
    m = chat_metrics([4.0, 0.0], [2, 0], AHT, max_concurrency=3, target_seconds=15,
                     inflation=0.25)
    assert m.wait_probability.tolist() == [1.0, 0.0]
    assert m.service_level.tolist() == [0.0, 1.0]
    assert m.asa_seconds[0] == math.inf and m.asa_seconds[1] == 0.0


def test_many_idle_slots_do_not_overflow() -> None:
    m = chat_metrics(1.0, 400, AHT, max_concurrency=4, target_seconds=15, inflation=0.1)
    assert m.wait_probability == 0.0 and m.service_level == 1.0
    # nearly every chat is alone with its agent: busy slots ≈ λh·1
    assert m.occupancy == pytest.approx(1.0 / 1600, rel=1e-6)


def test_required_agents_is_the_smallest_meeting_every_target() -> None:
    traffic = np.array([0.0, 1.0, 7.0, 60.0, 300.0])
    result = required_agents_chat(traffic, AHT, max_concurrency=3, target_level=LEVEL,
                                  target_seconds=TARGET, inflation=0.2, max_occupancy=0.85,
                                  asa_target_seconds=10)
    assert result.agents[0] == 0
    for a, n in zip(traffic[1:], result.agents[1:], strict=True):
        def ok(num: int, a: float = a) -> bool:
            m = chat_metrics(a, num, AHT, max_concurrency=3, target_seconds=TARGET,
                             inflation=0.2)
            return bool(m.service_level >= LEVEL and m.asa_seconds <= 10
                        and m.occupancy <= 0.85)
        assert ok(int(n)) and not ok(int(n) - 1)


def test_more_slots_need_fewer_agents() -> None:
    needed = [int(required_agents_chat(120.0, AHT, max_concurrency=k, inflation=0.15,
                                       target_seconds=TARGET).agents) for k in (1, 2, 3, 4)]
    assert needed == sorted(needed, reverse=True) and needed[0] > 2 * needed[2]


def test_validation_messages() -> None:
    with pytest.raises(InvalidInput, match=r"max_concurrency must be a whole number in \[1, 20\]"
                       r", got 0"):
        chat_metrics(1.0, 1, AHT, max_concurrency=0, target_seconds=15)
    with pytest.raises(InvalidInput, match=r"concurrency_inflation must be in \[0, 1\), got 1.0"):
        required_agents_chat(1.0, AHT, max_concurrency=2, inflation=1.0)
    with pytest.raises(InvalidInput, match="aht_seconds must be a positive number where there "
                       "is traffic"):
        required_agents_chat([1.0], [0.0], max_concurrency=2)
    with pytest.raises(Infeasible, match="chat service target not reached with 3 agents"):
        required_agents_chat(50.0, AHT, max_concurrency=2, max_agents=3)


# ---- the simulation -----------------------------------------------------------------------

def test_simulator_matches_ciw_for_single_slot_agents() -> None:
    """The hand-written simulator against ciw on M/M/c (k = 1, so routing does not matter)."""
    ciw = pytest.importorskip("ciw")
    load, servers, target = 8.0, 10, 0.1
    ours = simulate_chat(load, servers, 1, 0.0, target, arrivals=200_000, seed=3)
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(load)],
                                 service_distributions=[ciw.dists.Exponential(1.0)],
                                 number_of_servers=[servers])
    ciw.seed(5)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(60_000, progress_bar=False)
    waits = np.array([r.waiting_time for r in simulation.get_all_records()][5_000:])
    assert ours.service_level == pytest.approx(float(np.mean(waits <= target)), abs=0.03)
    assert ours.asa == pytest.approx(float(np.mean(waits)), rel=0.15)
    exact = float(service_level(load, servers, 1.0, target))  # M/M/c, Erlang C
    assert ours.service_level == pytest.approx(exact, abs=3 * ours.service_level_se + 0.005)


# (concurrency, inflation): no inflation, the e-commerce default of 3 with 25 % per extra
# chat, and 4 slots with a small inflation
CASES = [(2, 0.0), (3, 0.25), (4, 0.1)]
LOADS = [1, 5, 20, 50, 150, 500]


def _arrivals(load: float) -> int:
    # heavier loads wait in rarer, longer bursts: longer runs for the same standard error
    return (300_000 if load <= 20 else 1_000_000 if load <= 50 else 2_000_000 if load <= 150
            else 4_000_000)


@pytest.mark.parametrize("load", [pytest.param(x, marks=pytest.mark.slow) if x >= 150 else x
                                  for x in LOADS])
@pytest.mark.parametrize(("concurrency", "inflation"), CASES)
def test_service_level_and_staffing_match_simulation(load: float, concurrency: int,
                                                     inflation: float) -> None:
    target = TARGET / AHT  # the simulation's time unit is one handle time
    staffed = int(required_agents_chat(load, 1.0, max_concurrency=concurrency,
                                       target_level=LEVEL, target_seconds=target,
                                       inflation=inflation).agents)
    model = chat_metrics(load, staffed, 1.0, max_concurrency=concurrency,
                         target_seconds=target, inflation=inflation)
    at_staffed = simulate_chat(load, staffed, concurrency, inflation, target,
                               arrivals=_arrivals(load), seed=11)
    assert at_staffed.service_level_se <= MAX_STANDARD_ERROR
    assert abs(float(model.service_level) - at_staffed.service_level) <= SL_TOLERANCE
    assert float(model.occupancy) == pytest.approx(at_staffed.occupancy, abs=0.02)
    # within one agent of the simulation's fewest agents meeting the target: one more agent
    # meets it in the simulation, two fewer do not
    more = at_staffed if at_staffed.service_level >= LEVEL else simulate_chat(
        load, staffed + 1, concurrency, inflation, target, arrivals=_arrivals(load), seed=12)
    assert more.service_level >= LEVEL
    if staffed >= 3:
        fewer = simulate_chat(load, staffed - 2, concurrency, inflation, target,
                              arrivals=_arrivals(load), seed=13)
        assert fewer.service_level < LEVEL


# ---- the requirement table ----------------------------------------------------------------

def test_requirement_table_staffs_chat_and_phone_side_by_side() -> None:
    import pandas as pd

    config = build_config({"queues": {"web": {"channel": "chat", "max_concurrency": 3,
                                              "first_response_seconds": 15,
                                              "concurrency_inflation": 0.2}}})
    starts = pd.date_range("2026-11-23 10:00", periods=2, freq="30min", tz="Asia/Shanghai")
    forecast = pd.DataFrame({"interval_start": list(starts) * 2,
                             "queue": ["web", "web", "tel", "tel"],
                             "contacts": [120.0, 0.0, 120.0, 60.0],
                             "aht_seconds": [300.0, float("nan"), 300.0, 300.0]})
    table = compute_requirements(forecast, config)
    web = table[(table["queue"] == "web") & (table["contacts"] > 0)].iloc[0]
    tel = table[(table["queue"] == "tel") & (table["contacts"] == 120)].iloc[0]
    chat = required_agents_chat(20.0, 300.0, max_concurrency=3, target_seconds=15,
                                inflation=0.2, max_occupancy=0.85, shrinkage=0.3)
    assert web["agents"] == int(chat.agents) and web["scheduled_agents"] == int(
        chat.scheduled_agents)
    assert tel["agents"] > 2 * web["agents"]  # one phone agent per call
    assert int(table[(table["queue"] == "web") & (table["contacts"] == 0)]["agents"].iloc[0]) == 0
