"""Fixtures of the page tests: the demo files (fixtures/ plus a requirement made from them by
the forecast and staffing code) and a service on a fresh SQLite store whose clock stands
before the demo week, so swaps in it have the notice they need."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.config import Settings
from api.db import make_engine, migrate
from api.main import create_app
from api.store import Store
from wfm.config import load_config
from wfm.tables import REQUIREMENT, write_table

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DEMO_NOW = datetime(2026, 11, 20, 2, 0)  # naive UTC: Friday before the demo week (Nov 23-29)
DEMO_FILES = ("agents.csv", "roster_week.csv", "events.csv", "leave.csv")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo files a planner uploads: agents, requirement, roster and login events."""
    from wfm.forecast import forecast_contacts, load_history
    from wfm.staffing.requirements import compute_requirements

    out = tmp_path_factory.mktemp("demo")
    for name in DEMO_FILES:
        shutil.copy(FIXTURES / name, out / name)
    config = load_config(FIXTURES / "site.toml")
    history = load_history(FIXTURES / "history.csv", config)
    forecast = forecast_contacts(history, config, start=datetime(2026, 11, 23).date(), weeks=1)
    write_table(compute_requirements(forecast, config), out / "requirement.csv", REQUIREMENT)
    lines = (FIXTURES / "roster_week.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = "A001,2026-11-32,DAY,presales"  # line 6 of the file: a date that does not exist
    (out / "bad_roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def make_app(db_path: Path, now: datetime = DEMO_NOW) -> FastAPI:
    """The service (API and pages) on a fresh database with the demo site and a fixed clock."""
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    config = load_config(FIXTURES / "site.toml")
    store = Store(engine, config, clock=lambda: now)
    return create_app(Settings(db_url=f"sqlite:///{db_path}",  # type: ignore[call-arg]
                               site_config=FIXTURES / "site.toml"), store=store)


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return make_app(tmp_path / "web.db")


@pytest.fixture
def token_of(app: FastAPI) -> Callable[..., str]:
    """A new user's token: ``token_of("planner")``, ``token_of("agent", "A001")``."""
    store: Store = app.state.store

    def create(role: str, agent_id: str | None = None) -> str:
        return store.create_user(role=role, agent_id=agent_id)[1]
    return create


def sign_in(client: TestClient, token: str) -> None:
    """Sign in through the form (its CSRF cookie and field) as a browser does."""
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"token": token, "csrf": csrf, "next": "/"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def client_for(app: FastAPI) -> Callable[[str], TestClient]:
    """A signed-in browser-like client (HTTPS base URL, so Secure cookies are sent)."""
    def make(token: str) -> TestClient:
        client = TestClient(app, base_url="https://testserver")
        sign_in(client, token)
        return client
    return make


def upload(client: TestClient, kind: str, path: Path, **form: str) -> Any:
    """Upload a CSV through the data page's form."""
    csrf = csrf_of(client.get("/planner/data").text)
    return client.post(f"/planner/data/upload/{kind}", data={"csrf": csrf, **form},
                       files={"file": (path.name, path.read_bytes(), "text/csv")})


@pytest.fixture
def planner(client_for: Callable[[str], TestClient], token_of: Callable[..., str],
            demo_dir: Path) -> TestClient:
    """A signed-in planner with the demo agents, requirement and roster loaded."""
    client = client_for(token_of("planner"))
    for kind, path in (("agents", FIXTURES / "agents.csv"),
                       ("requirement", demo_dir / "requirement.csv"),
                       ("roster", FIXTURES / "roster_week.csv")):
        assert upload(client, kind, path).status_code == 200
    return client


