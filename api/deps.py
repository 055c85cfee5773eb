"""Typed dependencies: the store, the settings, the authenticated user and loaded objects.

Handler signatures read as domain: ``store: StoreDep, user: CurrentUser, swap: SwapDep``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.config import Settings
from api.models import SwapRequest, User
from api.schemas import Message
from api.store import Actor, Store

MAX_ID = 2**31 - 1  # ids and page numbers beyond this are 422, not a database overflow
MAX_PAGE = 1_000_000
_bearer = HTTPBearer(auto_error=False, description="token from `wfm users create`")


# The small dependencies are ``async`` so that FastAPI runs them on the event loop instead of
# handing each to a worker thread (a thread hop costs more than they do).
async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_current_user(store: StoreDep, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    """The user owning the bearer token; 401 when it is missing or unknown (a known token is
    answered from the store's cache, an unknown one is looked up in a worker thread)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    user = store.cached_user(token=credentials.credentials)
    if user is None:
        user = await run_in_threadpool(store.user_for_token, token=credentials.credentials)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_planner(user: CurrentUser) -> User:
    if user.role != "planner":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "planner role required")
    return user


async def get_agent(user: CurrentUser) -> User:
    if user.role != "agent" or not user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agent role required")
    return user


CurrentPlanner = Annotated[User, Depends(get_planner)]
CurrentAgent = Annotated[User, Depends(get_agent)]


async def get_actor(user: CurrentUser) -> Actor:
    return Actor.of(user)


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_swap_or_404(swap_id: Annotated[int, Path(ge=1, le=MAX_ID)], store: StoreDep,
                    user: CurrentUser) -> SwapRequest:
    """The swap, if the user may see it: planners see all, agents the ones they are part of."""
    swap = store.get_swap(swap_id=swap_id)
    if user.role != "planner" and user.agent_id not in (swap.requester_id, swap.counterpart_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your swap")
    return swap


SwapDep = Annotated[SwapRequest, Depends(get_swap_or_404)]


def own_agent_id(user: User, agent_id: str | None) -> str | None:
    """The agent filter a user may use: an agent only its own id (403 for another)."""
    if user.role == "planner":
        return agent_id
    if agent_id is not None and agent_id != user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agents may only read their own data")
    return user.agent_id


# Errors raised outside the handlers, declared so that the OpenAPI document lists them
# (DESIGN.md error list). Every body is ``{"detail": ...}``.
_ERROR_DESCRIPTIONS = {
    401: "Missing or unknown bearer token.",
    403: "The user's role may not do this, or the data is someone else's.",
    404: "No such object.",
    409: "Not allowed in the object's current state, or the data changed meanwhile.",
    413: "The request body is larger than the service's limit (WFM_MAX_BODY_BYTES).",
    422: "Invalid input.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these statuses, each with the ``{"detail": ...}`` body."""
    return {code: {"model": Message, "description": _ERROR_DESCRIPTIONS[code]}
            for code in codes}


PROTECTED = error_responses(401)  # on every router whose routes need a token
FORBIDDEN = error_responses(403)
TOO_LARGE = error_responses(413)  # on every route that takes a body
CSV_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}}}}}
