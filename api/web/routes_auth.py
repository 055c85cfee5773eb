"""Sign-in, sign-out, the language switch and the start page."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.models import User
from api.web.i18n import LANG_COOKIE, parse_locale
from api.web.render import render
from api.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE_SECONDS,
    CsrfChecked,
    PageUser,
    cookie_secure,
    new_login_csrf,
    session_token,
    user_of_session,
    user_of_token,
)

router = APIRouter(include_in_schema=False, tags=["pages"])
LANG_MAX_AGE_SECONDS = 365 * 24 * 3600


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go on to after a form (never another site: ``//host`` or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home_of(role: str) -> str:
    return "/planner/roster" if role == "planner" else "/me"


@router.get("/", response_class=HTMLResponse)
async def read_start(*, request: Request, store: StoreDep) -> Response:
    session_id = session_token(request)
    user = await user_of_session(store, session_id) if session_id else None
    return RedirectResponse(home_of(user.role) if user else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def read_login(*, request: Request, next: str = "/", error: str = "") -> Response:
    login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    response = render(request, "login.html", {
        "next": safe_next(next), "error": error, "login_csrf": login_csrf,
        "insecure": not cookie_secure(request)})
    response.set_cookie(LOGIN_CSRF_COOKIE, login_csrf, httponly=True, samesite="strict",
                        secure=cookie_secure(request), path="/login")
    return response


@router.post("/login", response_class=HTMLResponse)
async def sign_in(*, request: Request, store: StoreDep, token: Annotated[str, Form()] = "",
                  login: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                  csrf: Annotated[str, Form()] = "",
                  next: Annotated[str, Form()] = "/") -> Response:
    """Check the token (or the login and password) and start a server-side session; the
    cookie carries the session id, never the token."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return RedirectResponse("/login?error=login.error_csrf", status_code=303)
    token = token.strip()
    user: User | None = None
    if token:
        user = await user_of_token(store, token)
    elif login.strip() and password:
        user = await run_in_threadpool(store.user_for_password, login=login, password=password)
    if user is None:
        return render(request, "login.html", {
            "next": safe_next(next), "login_csrf": expected,
            "error": "login.error_token" if token else "login.error_password",
            "insecure": not cookie_secure(request)}, status_code=401)
    session_id = await run_in_threadpool(store.start_session, user=user)
    target = safe_next(next, home_of(user.role))
    if target in ("/", "/login"):
        target = home_of(user.role)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session_id, max_age=SESSION_MAX_AGE_SECONDS,
                        httponly=True, samesite="strict", secure=cookie_secure(request),
                        path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def sign_out(*, request: Request, store: StoreDep, user: PageUser) -> Response:
    """End the session in the store (a copied cookie stops working too) and drop the cookie."""
    session_id = session_token(request)
    if session_id:
        store.end_session(session_id=session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(*, request: Request, code: str, next: str = "/") -> Response:
    """Keep the chosen language in a cookie and go back to the page it was chosen on."""
    response = RedirectResponse(safe_next(next), status_code=303)
    locale = parse_locale(code)
    if locale:
        response.set_cookie(LANG_COOKIE, locale, max_age=LANG_MAX_AGE_SECONDS, samesite="lax",
                            secure=cookie_secure(request), path="/")
    return response

