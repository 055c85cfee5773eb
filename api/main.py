"""The FastAPI application: routers, domain errors mapped to HTTP in one place, body limit."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import Settings, get_settings
from api.db import make_engine, migrate
from api.routes import (
    actuals,
    adherence,
    adherence_live,
    agents,
    audit,
    events,
    forecasts,
    health,
    intraday,
    jobs,
    offers,
    requirements,
    rosters,
    scenarios,
    swaps,
    time_off,
)
from api.schemas import INVALID
from api.solve_pool import pool_for, start_up
from api.store import Store
from api.validation import (
    allowed_methods,
    body_unreadable,
    error_list,
    reject_nul_in_request,
)
from api.web import install_pages, is_page
from wfm.errors import Conflict, InvalidInput, NotFound, SwapRejected

ROUTERS = (health, agents, rosters, requirements, jobs, swaps, time_off, events, adherence,
           audit, actuals, forecasts, intraday, adherence_live, offers, scenarios)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the service: migrate the database and mount every router.

    Parameters
    ----------
    settings
        Defaults to the ``WFM_*`` environment (``api.config.get_settings``).
    store
        Use this store instead of opening ``settings.db_url`` (tests).
    """
    settings = settings or get_settings()
    if store is None:
        engine = make_engine(settings.db_url)
        migrate(engine)
        store = Store(engine, settings.site())
    start_up(store)  # jobs a restart cut off: queued again or failed (api.solve_pool)
    app = FastAPI(title="wfm shift-swap service", version="1",
                  generate_unique_id_function=_operation_id, lifespan=_lifespan,
                  dependencies=[Depends(reject_nul_in_request)])  # pages included
    app.state.settings = settings
    app.state.store = store
    for module in ROUTERS:  # every route with parameters or a body may answer 422
        app.include_router(module.router, responses=None if module is health else INVALID)
    install_pages(app)  # planner and agent pages at /, /planner/*, /me/* (api/web)
    _add_error_handlers(app)
    _add_request_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown the server's solves end and their jobs go back to the queue."""
    yield
    pool_for(app.state.store).stop()


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


def _add_error_handlers(app: FastAPI) -> None:
    def handler(status_code: int) -> Any:
        async def handle(_request: Request, error: Exception) -> JSONResponse:
            content: dict[str, Any] = {"detail": str(error)}
            if isinstance(error, SwapRejected):
                content["violations"] = [v.as_dict() for v in error.violations]
            return JSONResponse(content, status_code=status_code)
        return handle

    app.add_exception_handler(SwapRejected, handler(422))
    app.add_exception_handler(InvalidInput, handler(422))
    app.add_exception_handler(NotFound, handler(404))
    app.add_exception_handler(Conflict, handler(409))


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


async def _answer(handler: Handler, request: Request, error: Exception) -> Response:
    response = handler(request, error)
    return await response if inspect.isawaitable(response) else response


def _add_request_error_handlers(app: FastAPI) -> None:
    """Answer the errors FastAPI raises before a handler runs as the OpenAPI document says
    (``api.validation``); page paths keep the HTML error pages ``install_pages`` registered.

    - a validation error: 422 ``{"detail": [{loc, msg, type}]}`` without the rejected input,
      which JSON may be unable to carry (NaN, a lone surrogate) or which may be a whole CSV;
    - a body FastAPI cannot parse (not UTF-8, nested too deep): the same 422, not a 400;
    - 405: ``Allow`` lists every method the path serves, not only the first route's.
    """
    pages_http: Handler = app.exception_handlers[StarletteHTTPException]
    pages_validation: Handler = app.exception_handlers[RequestValidationError]

    async def validation_failed(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if is_page(request.url.path):
            return await _answer(pages_validation, request, error)
        return JSONResponse({"detail": error_list(error)}, status_code=422)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 405:
            allow = ", ".join(allowed_methods(request))
            error = StarletteHTTPException(405, error.detail,
                                           headers={**(error.headers or {}), "Allow": allow})
        elif (error.status_code == 400 and error.__cause__ is not None
              and not is_page(request.url.path)):
            return JSONResponse({"detail": body_unreadable(error.__cause__)}, status_code=422)
        return await _answer(pages_http, request, error)

    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(StarletteHTTPException, http_error)


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Answer 413 to a request whose body is larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


async def _too_large(send: Send, max_bytes: int) -> None:
    response = JSONResponse({"detail": f"request body larger than {max_bytes} bytes"},
                            status_code=413)
    body = response.body
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
