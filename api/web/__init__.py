"""Planner and agent web pages served by ``wfm serve`` beside the JSON API.

Server-rendered Jinja2 templates on the same store, roles and tokens as the API; the pages call
the store's methods and the same checker functions as the JSON routes and hold no rules of
their own. Everything a page loads (styles, the vendored htmx script, SVG charts) is served by
this package, so the pages work offline.

``install_pages(app)`` mounts the page routers and the static files, and answers errors on page
paths with HTML pages (a redirect to sign-in for 401, a 403 or 404 page) while API paths keep
their JSON errors.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import (
    routes_agent,
    routes_auth,
    routes_data,
    routes_intraday,
    routes_live,
    routes_offers,
    routes_planner,
    routes_scenarios,
    routes_swaps,
    routes_time_off,
)
from api.web.render import render
from api.web.session import SignInRequired

STATIC_DIR = Path(__file__).parent / "static"
PAGE_PREFIXES = ("/planner", "/me", "/login", "/logout", "/lang", "/static")
ROUTERS = (routes_auth, routes_planner, routes_swaps, routes_data, routes_agent,
           routes_intraday, routes_scenarios)


def is_page(path: str) -> bool:
    return path == "/" or path.startswith(PAGE_PREFIXES)


def install_pages(app: FastAPI) -> None:
    """Add the pages, their static files and their error pages to the service."""
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(routes_time_off.planner_router)
    app.include_router(routes_time_off.agent_router)
    app.include_router(routes_live.planner_router)
    app.include_router(routes_live.agent_router)
    app.include_router(routes_offers.planner_router)
    app.include_router(routes_offers.agent_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)


async def _sign_in(request: Request, _error: Exception) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        here = "/"
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not is_page(request.url.path):
        return await http_exception_handler(request, error)
    key = str(error.detail) if str(error.detail).startswith("forbidden.") else (
        "error.forbidden" if error.status_code == 403 else
        "error.not_found" if error.status_code == 404 else "error.generic")
    return render(request, "error.html", {"status": error.status_code, "key": key},
                  status_code=error.status_code)


async def _bad_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if not is_page(request.url.path):
        return await request_validation_exception_handler(request, error)
    fields = ", ".join(str(e.get("loc", ("",))[-1]) for e in error.errors())
    return render(request, "error.html", {"status": 400, "key": "error.bad_request",
                                          "fields": fields}, status_code=400)
