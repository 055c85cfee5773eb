"""Submitting a roster solve: check the request at once, queue it, wake the server's pool.

Kept apart from ``api.solve`` (reading and running a solve) and ``api.solve_pool`` (the
workers), which both stay free of each other's imports.
"""

from __future__ import annotations

import json

from api.schemas import SolveRequest
from api.solve import parse_solve_request
from api.solve_pool import notify
from api.store import Actor, Store


def start_solve(store: Store, actor: Actor, request: SolveRequest) -> str:
    """Check the request (``InvalidInput`` at once when bad), queue it and wake the server's
    workers; return the job id."""
    parse_solve_request(store, request)
    payload = json.dumps({
        "request": request.model_dump(mode="json"),
        "config": store.config.model_dump(mode="json"),
        "actor": {"user_id": actor.user_id, "role": actor.role, "agent_id": actor.agent_id}})
    job = store.create_job(actor=actor, payload=payload)
    notify(store)
    return job.id
