"""``wfm users create``: the token is printed once and only its hash is stored."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from api.db import make_engine
from api.models import User
from api.store import hash_token
from wfm_cli.main import app


def test_users_create_prints_token_once_and_stores_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    result = CliRunner().invoke(app, ["users", "create", "--role", "agent", "--agent-id", "A1",
                                      "--db", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    token = json.loads(result.stdout)["token"]
    assert len(token) >= 40
    with make_engine(url).connect() as connection:
        rows = connection.execute(select(User.token_hash, User.role, User.agent_id)).all()
    assert rows == [(hash_token(token), "agent", "A1")]
    assert token not in rows[0][0]


def test_users_create_agent_needs_agent_id(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["users", "create", "--role", "agent", "--db",
                                      f"sqlite:///{tmp_path / 'users.db'}"])
    assert result.exit_code == 2
    assert "an agent user needs --agent-id" in result.output


def test_users_create_text_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["users", "create", "--role", "planner", "--db",
                                      f"sqlite:///{tmp_path / 'users.db'}"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "created planner user 1"
    assert result.stdout.splitlines()[1].startswith("token (shown once): ")
