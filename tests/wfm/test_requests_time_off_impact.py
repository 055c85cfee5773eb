"""Service levels of the time-off impact: chat queues use the chat model, not Erlang C/A."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from wfm.config import build_config
from wfm.requests.time_off_impact import _service_levels


def _erlang_c_service_level(traffic: float, servers: int, aht: float, target: float) -> float:
    """M/M/c service level from the textbook Erlang C formula, summed term by term."""
    terms = [traffic ** j / math.factorial(j) for j in range(servers)]
    top = traffic ** servers / math.factorial(servers) * servers / (servers - traffic)
    wait = top / (sum(terms) + top)
    return 1 - wait * math.exp(-(servers - traffic) * target / aht)


def test_chat_queue_is_rated_by_the_chat_model_and_ignores_patience() -> None:
    # A site-wide patience (Erlang A for phone queues); "web" is chat, 3 chats per agent,
    # no inflation: the chat model is then exactly Erlang C with 3 x N servers.
    site = build_config({"interval_minutes": 30,
                         "service": {"shrinkage": 0.0, "patience_seconds": 120},
                         "queues": {"web": {"channel": "chat", "max_concurrency": 3,
                                            "first_response_seconds": 30}}})
    slot = datetime(2026, 3, 2, 9, 0)
    wall = [(slot, "web")]
    contacts, aht = 120.0, 300.0  # traffic 120 x 300 / 1800 = 20 Erlangs
    load = {(slot, "web"): (contacts, aht)}
    before, after, target = _service_levels(wall, np.array([8]), np.array([7]), load, site)
    assert before[0] == pytest.approx(_erlang_c_service_level(20.0, 24, aht, 30.0), rel=1e-9)
    assert after[0] == pytest.approx(_erlang_c_service_level(20.0, 21, aht, 30.0), rel=1e-9)
    assert target[0] == site.service_for("web").level
    assert after[0] < before[0] < 1  # one agent fewer is three chat slots fewer


def test_phone_queue_keeps_erlang_a_with_patience() -> None:
    site = build_config({"interval_minutes": 30,
                         "service": {"shrinkage": 0.0, "patience_seconds": 120},
                         "queues": {"web": {"channel": "chat", "max_concurrency": 3}}})
    slot = datetime(2026, 3, 2, 9, 0)
    load = {(slot, "voice"): (120.0, 300.0)}
    before, _, _ = _service_levels([(slot, "voice")], np.array([22]), np.array([22]), load, site)
    # Erlang A with patience answers more within the target than Erlang C at the same staffing
    erlang_c = _erlang_c_service_level(20.0, 22, 300.0,
                                       site.service_for("voice").answer_within_seconds)
    assert before[0] > erlang_c
