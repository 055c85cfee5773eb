"""``wfm.staffing.dispatch`` against the three paths it replaced.

The model choice and the effective agents after shrinkage were written three times: in
``wfm.staffing.requirements._staff_queue`` (agents needed), ``api/store/time_off_impact``
(service level of a head count before and after a time-off request) and
``wfm.report.figures.expected_service`` (service level and carried load of the rostered head
count). The ``_former_*`` functions below are those paths as they were (kernels called the same
way), kept here so that the dispatcher is held bit-for-bit equal to each on a grid of loads for
a phone queue (Erlang C), a phone queue with patience (Erlang A) and chat queues.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from wfm.config import ServiceTargets, build_config
from wfm.staffing.chat import chat_metrics, required_agents_chat
from wfm.staffing.dispatch import effective_agents, model_for, performance, required
from wfm.staffing.erlang import required_agents, scheduled_with_shrinkage, service_level
from wfm.staffing.erlang_a import erlang_a_metrics, required_agents_erlang_a

SITE = build_config({
    "interval_minutes": 30,
    "service": {"shrinkage": 0.3, "max_occupancy": 0.85, "asa_target_seconds": 0},
    "queues": {
        "erlang_a": {"patience_seconds": 120, "max_abandon": 0.05},
        "asa": {"asa_target_seconds": 15, "level": 0.9, "answer_within_seconds": 10},
        # patience is ignored for chat: the chat model wins
        "chat": {"channel": "chat", "max_concurrency": 3, "concurrency_inflation": 0.2,
                 "first_response_seconds": 30},
        "chat_patient": {"channel": "chat", "max_concurrency": 2, "shrinkage": 0.25},
    },
})
QUEUES = {"voice": "erlang_c", "asa": "erlang_c", "erlang_a": "erlang_a", "chat": "chat",
          "chat_patient": "chat"}
CONTACTS = [0.0, 0.5, 1.0, 3.0, 10.0, 25.0, 60.0, 150.0, 400.0, 900.0]
AHT = [20.0, 180.0, 420.0, 900.0]


def _grid() -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(list(itertools.product(CONTACTS, AHT)))
    contacts, aht = pairs[:, 0], pairs[:, 1]
    return contacts * aht / SITE.interval_seconds, aht


# ---- the former paths, as they were ----------------------------------------------------------

def _former_staff_queue(traffic: np.ndarray, aht: np.ndarray,
                        service: ServiceTargets) -> tuple[str, list[Any]]:
    """``wfm.staffing.requirements._staff_queue`` before the dispatcher."""
    if service.is_chat:
        chat = required_agents_chat(
            traffic, np.where(traffic > 0, aht, 1.0), max_concurrency=service.max_concurrency,
            target_level=service.level, target_seconds=service.first_response_seconds,
            inflation=service.concurrency_inflation, max_occupancy=service.max_occupancy,
            asa_target_seconds=service.asa_target_seconds, shrinkage=service.shrinkage)
        return "chat", [chat.agents, chat.scheduled_agents, chat.service_level,
                        chat.asa_seconds, chat.occupancy, None]
    if service.patience_seconds > 0:
        safe_aht = np.where(traffic > 0, aht, 1.0)
        agents = np.asarray(required_agents_erlang_a(
            traffic, safe_aht, service.patience_seconds, service.level,
            service.answer_within_seconds, max_occupancy=service.max_occupancy,
            max_abandon=service.max_abandon, asa_target_seconds=service.asa_target_seconds),
            dtype=np.int64)
        metrics = erlang_a_metrics(traffic, agents, safe_aht, service.patience_seconds,
                                   service.answer_within_seconds)
        return "erlang_a", [agents, scheduled_with_shrinkage(agents, service.shrinkage),
                            np.asarray(metrics.service_level, dtype=float),
                            np.asarray(metrics.asa_seconds, dtype=float),
                            np.asarray(metrics.occupancy, dtype=float),
                            np.asarray(metrics.abandon_rate, dtype=float)]
    result = required_agents(
        traffic, np.where(traffic > 0, aht, 1.0), target_level=service.level,
        target_seconds=service.answer_within_seconds, max_occupancy=service.max_occupancy,
        asa_target_seconds=service.asa_target_seconds, shrinkage=service.shrinkage)
    return "erlang_c", [result.agents, result.scheduled_agents, result.service_level,
                        result.asa_seconds, result.occupancy, None]


def _former_time_off_level(traffic: np.ndarray, aht: np.ndarray, counts: np.ndarray,
                           service: ServiceTargets) -> np.ndarray:
    """``api/store/time_off_impact._service_levels`` for one queue's loaded intervals."""
    agents = np.maximum(np.floor(counts * (1 - service.shrinkage) + 1e-9), 0)
    agents = agents.astype("int64")
    if service.is_chat:
        level = chat_metrics(traffic, agents, aht, max_concurrency=service.max_concurrency,
                             target_seconds=service.first_response_seconds,
                             inflation=service.concurrency_inflation).service_level
    elif service.patience_seconds > 0:
        level = erlang_a_metrics(traffic, agents, aht, service.patience_seconds,
                                 service.answer_within_seconds).service_level
    else:
        level = service_level(traffic, agents, aht, service.answer_within_seconds)
    return np.asarray(level, dtype=float)


def _former_report(traffic: np.ndarray, aht: np.ndarray, scheduled: np.ndarray,
                   service: ServiceTargets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``wfm.report.figures.expected_service``'s agents, level and busy agents, one queue."""
    agents = np.floor(scheduled.astype(float) * (1 - np.full(len(scheduled), service.shrinkage))
                      + 1e-9)
    target = np.full(len(scheduled), service.answer_within_seconds)
    patience = np.full(len(scheduled), 0.0 if service.is_chat else service.patience_seconds)
    busy = np.minimum(traffic, agents)
    level = np.asarray(service_level(traffic, agents, aht, target), dtype=float)
    level = np.where(agents > traffic, level, 0.0)
    if service.is_chat:
        metrics = chat_metrics(traffic, agents, aht, max_concurrency=service.max_concurrency,
                               target_seconds=service.first_response_seconds,
                               inflation=service.concurrency_inflation)
        level, busy = metrics.service_level, metrics.occupancy * agents
    elif (patience > 0).any():
        metrics_a = erlang_a_metrics(traffic, agents, aht, patience, target)
        level, busy = metrics_a.service_level, np.asarray(metrics_a.occupancy) * agents
    return agents, level, busy


# ---- the dispatcher against them ---------------------------------------------------------------

@pytest.mark.parametrize("queue", sorted(QUEUES))
def test_required_equals_the_former_requirement_path(queue: str) -> None:
    service = SITE.service_for(queue)
    traffic, aht = _grid()
    model, former = _former_staff_queue(traffic, aht, service)
    found = required(service, traffic, aht)
    assert found.model == model == model_for(service) == QUEUES[queue]
    now = [found.agents, found.scheduled, found.service_level, found.asa_seconds,
           found.occupancy, found.abandon_rate]
    for name, old, new in zip(("agents", "scheduled", "service_level", "asa_seconds",
                               "occupancy", "abandon_rate"), former, now, strict=True):
        if old is None:
            assert new is None, name
        else:
            np.testing.assert_array_equal(new, old, err_msg=name)


def _head_counts(traffic: np.ndarray, aht: np.ndarray,
                 service: ServiceTargets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every grid load at scheduled head counts from 0 to a little above what it needs."""
    need = required(service, traffic, aht).scheduled
    rows = [(t, h, n) for t, h, top in zip(traffic, aht, need, strict=True)
            for n in range(0, int(top) + 4)]
    t, h, n = (np.array(v) for v in zip(*rows, strict=True))
    return t, h, n.astype(np.int64)


@pytest.mark.parametrize("queue", sorted(QUEUES))
def test_performance_equals_the_former_time_off_path(queue: str) -> None:
    service = SITE.service_for(queue)
    traffic, aht = _grid()
    loaded = traffic > 0  # the time-off impact rated loaded intervals only
    traffic, aht, scheduled = _head_counts(traffic[loaded], aht[loaded], service)
    former = _former_time_off_level(traffic, aht, scheduled, service)
    found = performance(service, traffic, effective_agents(scheduled, service.shrinkage), aht)
    assert found.model == QUEUES[queue]
    np.testing.assert_array_equal(found.service_level, former)


@pytest.mark.parametrize("queue", sorted(QUEUES))
def test_performance_equals_the_former_report_path(queue: str) -> None:
    service = SITE.service_for(queue)
    traffic, aht = _grid()
    loaded = traffic > 0  # the report rated intervals with contacts (and AHT) only
    traffic, aht, scheduled = _head_counts(traffic[loaded], aht[loaded], service)
    agents, level, busy = _former_report(traffic, aht, scheduled, service)
    effective = effective_agents(scheduled, service.shrinkage)
    found = performance(service, traffic, effective, aht)
    np.testing.assert_array_equal(effective, agents)
    np.testing.assert_array_equal(found.service_level, level)
    np.testing.assert_array_equal(found.busy_agents, busy)


def test_effective_agents_undo_scheduled_with_shrinkage() -> None:
    agents = np.arange(0, 400)
    for shrinkage in (0.0, 0.1, 0.25, 0.3, 0.35, 0.5):
        scheduled = scheduled_with_shrinkage(agents, shrinkage)
        assert (effective_agents(scheduled, shrinkage) >= agents).all()
    assert effective_agents(20, 0.3) == 14  # 20 x 0.7 = 13.999999999999998 in floats


def test_zero_traffic_meets_every_target_with_nobody() -> None:
    for queue in QUEUES:
        service = SITE.service_for(queue)
        assert required(service, [0.0], [np.nan]).agents.tolist() == [0]
        rated = performance(service, [0.0], [0], [np.nan])
        assert rated.service_level.tolist() == [1.0]
        assert rated.busy_agents.tolist() == [0.0]
