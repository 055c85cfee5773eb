"""Liveness (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def read_health(*, store: StoreDep) -> Health:
    return Health(status="ok", roster_version=store.roster_version())
