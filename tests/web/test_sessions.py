"""Server-side sessions (issue 28): the cookie carries a session id, not the bearer token;
signing out and revoking a user end the session at once; the session id is no API token;
a password signs in beside a token."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store import Store
from api.web.session import SESSION_COOKIE
from tests.web.conftest import csrf_of, sign_in


def signed_in(app: FastAPI, token: str) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    sign_in(client, token)
    return client


def replay(app: FastAPI, cookie: str) -> TestClient:
    """Another browser that presents a copied session cookie."""
    client = TestClient(app, base_url="https://testserver")
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_the_session_cookie_is_not_the_token_and_no_api_token(
        app: FastAPI, token_of: Callable[..., str]) -> None:
    token = token_of("agent", "A001")
    client = signed_in(app, token)
    cookie = client.cookies[SESSION_COOKIE]
    assert cookie != token
    assert client.get("/me", follow_redirects=False).status_code == 200
    as_bearer = TestClient(app).get("/api/v1/swaps",
                                    headers={"Authorization": f"Bearer {cookie}"})
    assert as_bearer.status_code == 401
    assert as_bearer.json()["detail"] == "invalid token"


def test_sign_out_ends_the_session_for_a_copied_cookie_too(
        app: FastAPI, token_of: Callable[..., str]) -> None:
    client = signed_in(app, token_of("agent", "A001"))
    cookie = client.cookies[SESSION_COOKIE]
    csrf = csrf_of(client.get("/me").text)
    assert client.post("/logout", data={"csrf": csrf},
                       follow_redirects=False).headers["location"] == "/login"
    stale = replay(app, cookie).get("/me", follow_redirects=False)
    assert stale.status_code == 303 and stale.headers["location"].startswith("/login")


def test_revoking_a_user_ends_its_sessions_and_token_at_once(
        app: FastAPI, token_of: Callable[..., str]) -> None:
    store: Store = app.state.store
    token = token_of("agent", "A001")
    client = signed_in(app, token)
    api = TestClient(app)
    assert api.get("/api/v1/swaps", headers={"Authorization": f"Bearer {token}"}
                   ).status_code == 200  # the token is now in the process's cache
    user = store.user_for_token(token=token)
    assert user is not None
    store.revoke_user(user_id=user.id)
    assert client.get("/me", follow_redirects=False).status_code == 303
    answer = api.get("/api/v1/swaps", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_an_expired_session_signs_in_again(app: FastAPI, token_of: Callable[..., str]) -> None:
    store: Store = app.state.store
    client = signed_in(app, token_of("agent", "A001"))
    with store.unit.write() as session:
        from api.models import WebSession
        for row in session.query(WebSession):
            row.expires_at = row.created_at
    assert client.get("/me", follow_redirects=False).status_code == 303


def test_a_password_signs_in_beside_the_token(app: FastAPI,
                                              token_of: Callable[..., str]) -> None:
    store: Store = app.state.store
    token = token_of("agent", "A001")
    user = store.user_for_token(token=token)
    assert user is not None
    store.set_password(user_id=user.id, password="correct horse battery")
    client = TestClient(app, base_url="https://testserver")
    csrf = csrf_of(client.get("/login").text)
    wrong = client.post("/login", data={"login": "A001", "password": "wrong password",
                                        "csrf": csrf})
    assert wrong.status_code == 401
    right = client.post("/login", data={"login": "A001", "password": "correct horse battery",
                                        "csrf": csrf}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/me"
    assert client.get("/me", follow_redirects=False).status_code == 200
    assert "password" in client.get("/login").text


def test_the_audit_page_names_the_planner(app: FastAPI) -> None:
    from tests.web.conftest import FIXTURES, upload

    store: Store = app.state.store
    _, token = store.create_user(role="planner", name="李伟")
    client = signed_in(app, token)
    assert upload(client, "agents", FIXTURES / "agents.csv").status_code == 200
    page = client.get("/planner/audit").text
    assert '<span class="actor-name">李伟</span> (planner #1)' in page
