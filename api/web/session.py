"""Page sign-in: a server-side session per signed-in browser, and CSRF protection.

Signing in (with the token of ``wfm users create`` or a password) creates a session in the
store: a random id whose SHA-256 is stored with the user and an expiry. The cookie carries the
id only (``HttpOnly``, ``SameSite=Strict``, ``Secure`` where the browser can honour it); every
page request looks the session up, so signing out or revoking the user ends it at once, and the
id is no API token (the bearer lookup reads tokens only). Every form that changes something
carries a CSRF field derived from the session id (HMAC), which a page from another site cannot
read or compute; the sign-in form, which has no session yet, uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.models import User
from api.store.users import SESSION_SECONDS

SESSION_COOKIE = "wfm_session"
LOGIN_CSRF_COOKIE = "wfm_login_csrf"
SESSION_MAX_AGE_SECONDS = SESSION_SECONDS
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


class SignInRequired(Exception):
    """No (valid) session cookie on a page that needs one: answered by a redirect to sign-in."""


def csrf_token(session_id: str) -> str:
    """The CSRF field of a signed-in user's forms (HMAC of a fixed label with the session id)."""
    return hmac.new(session_id.encode(), b"wfm-page-forms", hashlib.sha256).hexdigest()[:40]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def cookie_secure(request: Request) -> bool:
    """Mark cookies ``Secure`` on HTTPS and on loopback hosts (which browsers treat as secure
    contexts); on plain HTTP to another host a Secure cookie would be dropped by the browser
    and sign-in would silently fail, so the sign-in page warns instead (serve behind TLS)."""
    return request.url.scheme == "https" or request.url.hostname in LOOPBACK_HOSTS


def session_token(request: Request) -> str | None:
    """The session id the browser's cookie carries (not a bearer token)."""
    return request.cookies.get(SESSION_COOKIE) or None


async def user_of_session(store: StoreDep, session_id: str) -> User | None:
    """The user of an open session (looked up in the store on every request)."""
    return await run_in_threadpool(store.user_for_session, session_id=session_id)


async def user_of_token(store: StoreDep, token: str) -> User | None:
    """The user of a bearer token, by the same store lookup the API's bearer dependency uses."""
    user = store.cached_user(token=token)
    if user is None:
        user = await run_in_threadpool(store.user_for_token, token=token)
    return user


async def get_page_user(request: Request, store: StoreDep) -> User:
    session_id = session_token(request)
    user = await user_of_session(store, session_id) if session_id else None
    if user is None:
        raise SignInRequired
    request.state.user = user
    return user


PageUser = Annotated[User, Depends(get_page_user)]


async def get_page_planner(user: PageUser) -> User:
    if user.role != "planner":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "forbidden.planner")
    return user


async def get_page_agent(user: PageUser) -> User:
    if user.role != "agent" or not user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "forbidden.agent")
    return user


PagePlanner = Annotated[User, Depends(get_page_planner)]
PageAgent = Annotated[User, Depends(get_page_agent)]


async def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Refuse (403) a form post whose CSRF field does not match the session."""
    token = session_token(request)
    if not token or not hmac.compare_digest(csrf, csrf_token(token)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "forbidden.csrf")


CsrfChecked = Depends(check_csrf)
