"""The one place that picks a queue's staffing model and runs it.

A queue's service targets (``config.service_for(queue)``) choose the model:

``chat``      ``channel = "chat"``: agents hold up to ``max_concurrency`` chats
              (``wfm.staffing.chat``), target ``first_response_seconds``; patience is ignored
``erlang_a``  ``patience_seconds > 0``: callers abandon (``wfm.staffing.erlang_a``)
``erlang_c``  otherwise (``wfm.staffing.erlang``)

``required`` answers "how many agents does this load need" (``wfm staff``), ``performance``
"what does this head count achieve" (the time-off impact, the report's expected service), and
``effective_agents`` turns a scheduled head count into agents on the phones after shrinkage.
Every caller goes through here, so the three can never disagree on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.config import ServiceTargets
from wfm.staffing.chat import chat_metrics, required_agents_chat
from wfm.staffing.erlang import required_agents, scheduled_with_shrinkage, service_level
from wfm.staffing.erlang_a import erlang_a_metrics, required_agents_erlang_a

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Model = Literal["erlang_c", "erlang_a", "chat"]


def model_for(service: ServiceTargets) -> Model:
    """The staffing model of a queue with these targets (chat wins over patience)."""
    if service.is_chat:
        return "chat"
    return "erlang_a" if service.patience_seconds > 0 else "erlang_c"


@dataclass(frozen=True)
class Requirement:
    """Agents a queue needs per interval and what they achieve (arrays aligned with the load).

    ``agents`` answer contacts; ``scheduled`` adds shrinkage exactly (``ceil(N / (1 − s))``);
    ``abandon_rate`` is set with Erlang A only.
    """

    model: Model
    agents: IntArray
    scheduled: IntArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    abandon_rate: FloatArray | None


def required(service: ServiceTargets, traffic: ArrayLike, aht_seconds: ArrayLike) -> Requirement:
    """The fewest agents meeting ``service``'s targets for each interval's load.

    Parameters
    ----------
    traffic
        Offered traffic in Erlangs per interval (contacts × AHT / interval length).
    aht_seconds
        Average handle time per interval (any value where the traffic is 0).

    Raises
    ------
    Infeasible
        An interval whose targets cannot be met within the model's search bound.
    """
    a = np.asarray(traffic, dtype=float)
    safe_aht = np.where(a > 0, np.asarray(aht_seconds, dtype=float), 1.0)
    model = model_for(service)
    if model == "chat":
        chat = required_agents_chat(
            a, safe_aht, max_concurrency=service.max_concurrency, target_level=service.level,
            target_seconds=service.first_response_seconds,
            inflation=service.concurrency_inflation, max_occupancy=service.max_occupancy,
            asa_target_seconds=service.asa_target_seconds, shrinkage=service.shrinkage)
        return Requirement(model, chat.agents, chat.scheduled_agents, chat.service_level,
                           chat.asa_seconds, chat.occupancy, None)
    if model == "erlang_a":
        agents = np.asarray(required_agents_erlang_a(
            a, safe_aht, service.patience_seconds, service.level,
            service.answer_within_seconds, max_occupancy=service.max_occupancy,
            max_abandon=service.max_abandon, asa_target_seconds=service.asa_target_seconds),
            dtype=np.int64)
        metrics = erlang_a_metrics(a, agents, safe_aht, service.patience_seconds,
                                   service.answer_within_seconds)
        return Requirement(model, agents, scheduled_with_shrinkage(agents, service.shrinkage),
                           np.asarray(metrics.service_level, dtype=float),
                           np.asarray(metrics.asa_seconds, dtype=float),
                           np.asarray(metrics.occupancy, dtype=float),
                           np.asarray(metrics.abandon_rate, dtype=float))
    result = required_agents(
        a, safe_aht, target_level=service.level, target_seconds=service.answer_within_seconds,
        max_occupancy=service.max_occupancy, asa_target_seconds=service.asa_target_seconds,
        shrinkage=service.shrinkage)
    return Requirement(model, result.agents, result.scheduled_agents, result.service_level,
                       result.asa_seconds, result.occupancy, None)


@dataclass(frozen=True)
class Performance:
    """What a head count achieves per interval (arrays aligned with the load).

    ``busy_agents`` is the load the agents carry: ``min(A, N)`` in Erlang C, the answered
    traffic ``occupancy × N`` in Erlang A (abandoned calls take no agent time), occupied chat
    slots / ``k`` for chat.
    """

    model: Model
    service_level: FloatArray
    busy_agents: FloatArray


def performance(service: ServiceTargets, traffic: ArrayLike, agents: ArrayLike,
                aht_seconds: ArrayLike) -> Performance:
    """Service level and carried load of ``agents`` answering each interval's load.

    ``agents`` are the agents on the phones (``effective_agents`` of a scheduled head count).
    An interval without traffic has service level 1 (as every model defines it).
    """
    a = np.asarray(traffic, dtype=float)
    n = np.asarray(agents)
    safe_aht = np.where(a > 0, np.asarray(aht_seconds, dtype=float), 1.0)
    model = model_for(service)
    if model == "chat":  # abandonment is not modelled for chat: patience is ignored
        chat = chat_metrics(a, n, safe_aht, max_concurrency=service.max_concurrency,
                            target_seconds=service.first_response_seconds,
                            inflation=service.concurrency_inflation)
        return Performance(model, np.asarray(chat.service_level, dtype=float),
                           chat.occupancy * n)
    if model == "erlang_a":
        metrics = erlang_a_metrics(a, n, safe_aht, service.patience_seconds,
                                   service.answer_within_seconds)
        return Performance(model, np.asarray(metrics.service_level, dtype=float),
                           np.asarray(metrics.occupancy) * n)
    level = service_level(a, n, safe_aht, service.answer_within_seconds)
    return Performance(model, np.asarray(level, dtype=float), np.minimum(a, n))


def effective_agents(scheduled: ArrayLike, shrinkage: ArrayLike) -> IntArray:
    """Agents on the phones out of a scheduled head count: ``floor(scheduled × (1 − s))``.

    The floor allows 1e-9 of float noise, so a head count that ``scheduled_with_shrinkage``
    made from N agents gives N back (14 agents at 30 % shrinkage: 20 scheduled, 14 on the
    phones, not 13.999999 → 13).
    """
    kept = np.asarray(scheduled, dtype=float) * (1 - np.asarray(shrinkage, dtype=float))
    return np.maximum(np.floor(kept + 1e-9), 0).astype(np.int64)
