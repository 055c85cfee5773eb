"""``wfm users list | revoke | rotate | import | set-password`` and ``create --name
--password`` (issue 28): a site's accounts run from the command line."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.db import make_engine, migrate
from api.store import Store
from tests.api.factories import site_config
from wfm_cli.main import app

AGENTS_CSV = "agent_id,name,skills\nA001,王芳,presales\nA002,李强,aftersales\nA003,张伟,presales\n"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith("WFM_"):
            monkeypatch.delenv(key)


def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin)


def open_store(db: Path) -> Store:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    return Store(engine, site_config())


def create(db: Path, *args: str, stdin: str | None = None) -> dict[str, object]:
    result = invoke("users", "create", "--db", f"sqlite:///{db}", "--format", "json", *args,
                    stdin=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_users_create_takes_a_name_and_list_shows_it(tmp_path: Path) -> None:
    db = tmp_path / "wfm.db"
    created = create(db, "--role", "planner", "--name", "Li Wei")
    assert created["user_id"] == 1 and created["name"] == "Li Wei"
    result = invoke("users", "list", "--db", f"sqlite:///{db}", "--format", "json")
    assert result.exit_code == 0, result.output
    users = json.loads(result.stdout)["users"]
    assert users == [{"id": 1, "role": "planner", "agent_id": None, "name": "Li Wei",
                      "created_at": users[0]["created_at"], "revoked_at": None,
                      "password": False, "sessions": 0}]
    text = invoke("users", "list", "--db", f"sqlite:///{db}")
    assert "Li Wei" in text.stdout and str(created["token"]) not in text.stdout


def test_users_revoke_ends_the_token(tmp_path: Path) -> None:
    db = tmp_path / "wfm.db"
    token = str(create(db, "--role", "planner")["token"])
    result = invoke("users", "revoke", "1", "--db", f"sqlite:///{db}")
    assert result.exit_code == 0, result.output
    assert "revoked user 1" in result.stdout
    assert open_store(db).user_for_token(token=token) is None
    unknown = invoke("users", "revoke", "9", "--db", f"sqlite:///{db}")
    assert unknown.exit_code == 1 and "user 9 not found" in unknown.stderr


def test_users_rotate_prints_a_new_token_once_and_the_old_one_ends(tmp_path: Path) -> None:
    db = tmp_path / "wfm.db"
    old = str(create(db, "--role", "planner")["token"])
    result = invoke("users", "rotate", "1", "--db", f"sqlite:///{db}", "--format", "json")
    assert result.exit_code == 0, result.output
    new = json.loads(result.stdout)["token"]
    store = open_store(db)
    assert new != old and store.user_for_token(token=old) is None
    user = store.user_for_token(token=new)
    assert user is not None and user.id == 1


def test_users_import_writes_tokens_once_to_an_owner_only_file(tmp_path: Path) -> None:
    db = tmp_path / "wfm.db"
    agents = tmp_path / "agents.csv"
    agents.write_text(AGENTS_CSV, encoding="utf-8")
    out = tmp_path / "tokens.csv"
    create(db, "--role", "agent", "--agent-id", "A002")  # already has a user: skipped
    result = invoke("users", "import", "--agents", str(agents), "--out", str(out),
                    "--db", f"sqlite:///{db}")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["agent_id"], r["name"]) for r in rows] == [("A001", "王芳"), ("A003", "张伟")]
    for row in rows:  # never printed in bulk
        assert row["token"] not in result.stdout and row["token"] not in result.stderr
    assert "created 2 agent users" in result.stdout and "A002" in result.stdout
    store = open_store(db)
    user = store.user_for_token(token=rows[0]["token"])
    assert user is not None and user.agent_id == "A001" and user.name == "王芳"
    again = invoke("users", "import", "--agents", str(agents), "--out", str(out),
                   "--db", f"sqlite:///{db}")
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert len(store.list_users()) == 3  # nothing created by the refused run


def test_users_set_password_reads_stdin_and_create_takes_one(tmp_path: Path) -> None:
    db = tmp_path / "wfm.db"
    create(db, "--role", "planner", "--name", "Li Wei", "--password",
           stdin="a long planner secret\n")
    store = open_store(db)
    assert store.user_for_password(login="Li Wei", password="a long planner secret") is not None
    create(db, "--role", "agent", "--agent-id", "A001")
    result = invoke("users", "set-password", "2", "--db", f"sqlite:///{db}",
                    stdin="agent secret 123\n")
    assert result.exit_code == 0, result.output
    user = store.user_for_password(login="A001", password="agent secret 123")
    assert user is not None and user.id == 2
    short = invoke("users", "set-password", "2", "--db", f"sqlite:///{db}", stdin="short\n")
    assert short.exit_code == 2 and "password: must be 10" in short.stderr
