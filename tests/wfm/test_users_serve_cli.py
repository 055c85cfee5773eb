"""``wfm users create`` and ``wfm serve``: bad ``--db`` URLs, ``WFM_*`` settings and unreachable
databases end in one ``error:`` line naming the flag or variable, exit 2, never a traceback."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.db import make_engine, migrate
from api.models import Agent, User
from wfm_cli.commands.serve import shown_url
from wfm_cli.main import app


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``WFM_*`` setting of the developer's shell leaks into these tests."""
    import os

    for key in list(os.environ):
        if key.upper().startswith("WFM_"):
            monkeypatch.delenv(key)


@pytest.fixture()
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """``uvicorn.run`` replaced by a recorder, so ``wfm serve`` returns instead of serving."""
    calls: list[dict[str, object]] = []

    def run(application: object, **options: object) -> None:
        calls.append({"app": application, **options})

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result, expected: str, code: int = 2) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no Python traceback
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {expected}"], result.stderr


# ---- users create: the --db URL ------------------------------------------------------------
def test_users_create_names_db_when_the_url_is_not_a_url() -> None:
    result = invoke("users", "create", "--role", "planner", "--db", "notaurl")
    assert_one_line_error(result, "--db: must be a sqlite:// or postgresql:// URL, got 'notaurl'")


def test_users_create_says_the_directory_of_the_sqlite_file_does_not_exist(tmp_path) -> None:
    path = tmp_path / "nonexistent" / "dir" / "x.db"
    result = invoke("users", "create", "--role", "planner", "--db", f"sqlite:///{path}")
    assert_one_line_error(
        result, f"--db: cannot open database file {path} (directory does not exist)")
    assert not path.parent.exists()


def test_users_create_names_host_and_port_of_an_unreachable_postgresql() -> None:
    port = closed_port()
    result = invoke("users", "create", "--role", "planner", "--db",
                    f"postgresql+psycopg://wfm:secret@127.0.0.1:{port}/wfm")
    assert_one_line_error(
        result, f"--db: cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused)")
    assert "secret" not in result.output


def test_a_file_that_is_not_a_database_is_named(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for\n" * 100)
    result = invoke("users", "create", "--role", "planner", "--db", f"sqlite:///{path}")
    assert_one_line_error(result, f"--db: cannot open database file {path} "
                                  "(file is not a database)")


@pytest.mark.parametrize(("url", "expected"), [
    ("mysql://root:secret@db/wfm",
     "--db: must be a sqlite:// or postgresql:// URL, got 'mysql://root:***@db/wfm'"),
    ("sqlitex:///x.db", "--db: must be a sqlite:// or postgresql:// URL, got 'sqlitex:///x.db'"),
    ("postgresql+psycopg://u:p@db:abc/wfm",
     "--db: not a database URL (the port must be a number), got 'postgresql+psycopg://u:***@db:abc/wfm'"),  # noqa: E501
    ("postgresql+nodriver://u@db/wfm",
     "--db: unknown database driver 'postgresql+nodriver' (expected sqlite:///PATH or "
     "postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME)"),
])
def test_users_create_refuses_other_bad_urls_without_echoing_a_password(url, expected) -> None:
    result = invoke("users", "create", "--role", "planner", "--db", url)
    assert_one_line_error(result, expected)
    assert "secret" not in result.output


def test_db_url_from_the_environment_is_named_as_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("WFM_DB_URL", "bogus")
    result = invoke("users", "create", "--role", "planner")
    assert_one_line_error(result, "WFM_DB_URL: must be a sqlite:// or postgresql:// URL, "
                                  "got 'bogus'")


def test_json_format_also_reports_the_error_as_json() -> None:
    result = invoke("users", "create", "--role", "planner", "--db", "notaurl",
                    "--format", "json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload == {"error": "--db: must be a sqlite:// or postgresql:// URL, got 'notaurl'",
                       "exit_code": 2}


# ---- users create: role and agent id -------------------------------------------------------
def test_a_planner_with_an_agent_id_is_refused_and_nothing_is_stored(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    result = invoke("users", "create", "--role", "planner", "--agent-id", "A1", "--db", url)
    assert_one_line_error(result, "--agent-id: a planner acts for no agent, leave it out "
                                  "(got 'A1')")
    assert not (tmp_path / "users.db").exists()  # refused before the database is opened


def test_an_unknown_agent_gets_a_warning_once_agents_are_loaded(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    first = invoke("users", "create", "--role", "agent", "--agent-id", "GHOST", "--db", url)
    assert first.exit_code == 0, first.output
    assert "warning" not in first.stderr  # no agents uploaded yet: nothing to compare with
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        session.add_all([Agent(agent_id="A1", name="Ann", skills="sales"),
                         Agent(agent_id="B2", name="Bo", skills="sales")])
    known = invoke("users", "create", "--role", "agent", "--agent-id", "A1", "--db", url)
    assert known.exit_code == 0 and "warning" not in known.stderr
    ghost = invoke("users", "create", "--role", "agent", "--agent-id", "GHOST", "--db", url,
                   "--format", "json")
    assert ghost.exit_code == 0, ghost.output
    assert "warning: --agent-id: 'GHOST' is not among the 2 agents" in ghost.stderr
    assert set(json.loads(ghost.stdout)) == {"token", "user_id", "name"}  # no warning on stdout
    with Session(engine) as session:
        stored = session.execute(select(User.role, User.agent_id).order_by(User.id)).all()
    engine.dispose()
    assert stored == [("agent", "GHOST"), ("agent", "A1"), ("agent", "GHOST")]


# ---- serve ---------------------------------------------------------------------------------
def test_serve_names_db_when_the_url_is_not_a_url(fake_uvicorn) -> None:
    result = invoke("serve", "--db", "notaurl")
    assert_one_line_error(result, "--db: must be a sqlite:// or postgresql:// URL, got 'notaurl'")
    assert fake_uvicorn == []


def test_serve_names_a_variable_that_is_not_a_whole_number(tmp_path, monkeypatch,
                                                           fake_uvicorn) -> None:
    monkeypatch.setenv("WFM_MAX_BODY_BYTES", "abc")
    result = invoke("serve", "--port", "8799", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert_one_line_error(result, "WFM_MAX_BODY_BYTES: expected a whole number, got 'abc'")
    assert fake_uvicorn == []


def test_serve_lists_every_bad_setting_in_one_line(monkeypatch, fake_uvicorn) -> None:
    monkeypatch.setenv("WFM_MAX_BODY_BYTES", "0")
    monkeypatch.setenv("WFM_SOLVER_NUM_WORKERS", "99")
    result = invoke("serve", "--db", "notaurl")
    assert_one_line_error(result, "--db: must be a sqlite:// or postgresql:// URL, got 'notaurl'"
                                  "; WFM_MAX_BODY_BYTES: must be greater than 0, got '0'"
                                  "; WFM_SOLVER_NUM_WORKERS: must be at most 64, got '99'")


def test_serve_names_host_and_port_of_an_unreachable_postgresql(fake_uvicorn) -> None:
    port = closed_port()
    result = invoke("serve", "--db", f"postgresql://u:p@127.0.0.1:{port}/wfm")
    assert_one_line_error(
        result, f"--db: cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused)")
    assert fake_uvicorn == []


def test_serve_with_a_good_database_migrates_it_and_starts_uvicorn(tmp_path,
                                                                  fake_uvicorn) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    result = invoke("serve", "--db", url, "--port", "8799")
    assert result.exit_code == 0, result.output
    assert len(fake_uvicorn) == 1
    assert (fake_uvicorn[0]["host"], fake_uvicorn[0]["port"]) == ("127.0.0.1", 8799)
    engine = make_engine(url)
    assert {"users", "agents", "roster_cells"} <= set(inspect(engine).get_table_names())
    migrate(engine)  # already at the newest migration: a no-op
    engine.dispose()


def test_shown_url_hides_the_password() -> None:
    assert shown_url("postgresql+psycopg://wfm:s3cret@db:5432/wfm") == \
        "postgresql+psycopg://wfm:***@db:5432/wfm"
    assert shown_url("notaurl") == "notaurl"


def test_relative_sqlite_path_in_a_missing_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("users", "create", "--role", "planner", "--db", "sqlite:///missing/x.db")
    assert_one_line_error(
        result, "--db: cannot open database file missing/x.db (directory does not exist)")
    assert not Path("missing").exists()
