"""``wfm users``: create, list, revoke and rotate API users, set their passwords, and give
every agent of an agents file a user at once (``import``).

A token is printed once, for one user (``create``, ``rotate``); ``import`` never prints tokens:
it writes them to a new file readable only by its owner (mode 0600, never overwritten) for the
planner to hand out one by one. Passwords are read from a hidden prompt, or from the first
line of stdin when it is not a terminal, and never taken as a flag value (it would stay in the
shell's history).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wfm.errors import InvalidInput
from wfm_cli.commands.common import FormatOption, OutputFormat, cli_errors, emit, progress
from wfm_cli.commands.serve import (
    DbOption,
    database_errors,
    db_source,
    load_settings,
    open_database,
)

if TYPE_CHECKING:
    from api.models import User
    from api.store import Store


class Role(StrEnum):
    planner = "planner"
    agent = "agent"


UserId = Annotated[int, typer.Argument(help="The user's id (see `wfm users list`).", min=1)]


@contextmanager
def opened_store(db: str | None, doing: str = "write to") -> Iterator[Store]:
    """The service's store on ``--db`` (migrated), with database errors as one line."""
    from api.store import Store

    settings = load_settings(db_url=db)
    source = db_source(db)
    engine = open_database(settings.db_url, source)
    try:
        with database_errors(settings.db_url, source, doing):
            yield Store(engine, settings.site())
    finally:
        engine.dispose()


def read_password() -> str:
    """A password from a hidden prompt (asked twice), or the first line of piped stdin."""
    if sys.stdin.isatty():
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    if not line:
        raise InvalidInput("password: none given (type it at the prompt or pipe one line)")
    return line.rstrip("\r\n")


def user_record(user: User, sessions: int = 0) -> dict[str, Any]:
    return {"id": user.id, "role": user.role, "agent_id": user.agent_id, "name": user.name,
            "created_at": user.created_at.isoformat(timespec="seconds") + "Z",
            "revoked_at": (user.revoked_at.isoformat(timespec="seconds") + "Z"
                           if user.revoked_at else None),
            "password": user.password_hash is not None, "sessions": sessions}


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Manage API users (bearer tokens, passwords, sessions).",
                        no_args_is_help=True)

    @users.command("create")
    def create(role: Annotated[Role, typer.Option(help="planner or agent.")],
               agent_id: Annotated[str | None, typer.Option(
                   "--agent-id", help="The agent this user acts for (role agent only).")] = None,
               name: Annotated[str, typer.Option(
                   help="The name the audit shows (an agent's defaults to the agents "
                        "table's).")] = "",
               password: Annotated[bool, typer.Option(
                   "--password", help="Also set a password for page sign-in (prompted, or "
                                      "one line on stdin).")] = False,
               db: DbOption = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """Create a user; the token is printed once and only its hash is stored."""
        with cli_errors(output_format):
            if role == Role.planner and agent_id is not None:
                raise InvalidInput(f"--agent-id: a planner acts for no agent, leave it out "
                                   f"(got {agent_id!r})")
            secret = read_password() if password else None
            with opened_store(db) as store:
                if agent_id:
                    _warn_if_unknown_agent(store, agent_id)
                user, token = store.create_user(role=role.value, agent_id=agent_id,
                                                name=name, password=secret)
            emit({"token": token, "user_id": user.id, "name": user.name}, output_format,
                 [f"created {user.role} user {user.id}"
                  + (f" for agent {user.agent_id}" if user.agent_id else "")
                  + (f" ({user.name})" if user.name else "")
                  + (" with a password" if secret is not None else ""),
                  f"token (shown once): {token}"])

    @users.command("list")
    def list_users(db: DbOption = None, output_format: FormatOption = OutputFormat.text) -> None:
        """Every user: id, role, agent, name, created, revoked, password, open sessions."""
        with cli_errors(output_format):
            with opened_store(db, "read from") as store:
                sessions = store.user_session_counts()
                records = [user_record(u, sessions.get(u.id, 0)) for u in store.list_users()]
            lines = [f"{'id':>4}  {'role':<8}{'agent':<10}{'name':<20}{'created':<22}"
                     f"{'status':<10}password  sessions"]
            for r in records:
                lines.append(f"{r['id']:>4}  {r['role']:<8}{r['agent_id'] or '-':<10}"
                             f"{r['name'] or '-':<20}{r['created_at']:<22}"
                             f"{'revoked' if r['revoked_at'] else 'active':<10}"
                             f"{'yes' if r['password'] else 'no':<10}{r['sessions']}")
            emit({"users": records}, output_format, lines if records else "no users")

    @users.command("revoke")
    def revoke(user_id: UserId, db: DbOption = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """End a user's token and page sessions (at once in this database; a running server
        stops answering the token within a second)."""
        with cli_errors(output_format):
            with opened_store(db) as store:
                user = store.revoke_user(user_id=user_id)
            emit({"user_id": user.id, "revoked": True}, output_format,
                 f"revoked user {user.id} ({user.role}"
                 + (f" {user.agent_id}" if user.agent_id else "") + "): its token and "
                 "sessions no longer work")

    @users.command("rotate")
    def rotate(user_id: UserId, db: DbOption = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """Give a user a new token (printed once); the old token and its sessions end."""
        with cli_errors(output_format):
            with opened_store(db) as store:
                user, token = store.rotate_user(user_id=user_id)
            emit({"user_id": user.id, "token": token}, output_format,
                 [f"rotated the token of user {user.id}; the old one no longer works",
                  f"token (shown once): {token}"])

    @users.command("set-password")
    def set_password(user_id: UserId, db: DbOption = None,
                     output_format: FormatOption = OutputFormat.text) -> None:
        """Set a user's page sign-in password (prompted, or one line on stdin)."""
        with cli_errors(output_format):
            secret = read_password()
            with opened_store(db) as store:
                user = store.set_password(user_id=user_id, password=secret)
            emit({"user_id": user.id, "password": True}, output_format,
                 f"set the password of user {user.id}; its open sessions ended")

    @users.command("import")
    def import_agents(
            agents: Annotated[Path, typer.Option(
                "--agents", help="The agents CSV (agent_id, name, skills, ...).")],
            out: Annotated[Path, typer.Option(
                "--out", help="A new file for the tokens (agent_id, name, user_id, token), "
                              "made readable only by you; never overwritten.")],
            db: DbOption = None,
            output_format: FormatOption = OutputFormat.text) -> None:
        """Create an agent user for every agent of the file that has none; write their
        tokens, once, to a new owner-only file (never to the terminal)."""
        with cli_errors(output_format):
            from wfm.tables import AGENTS, read_table

            frame = read_table(agents, AGENTS)
            rows = [(str(a), "" if n is None or n != n else str(n))
                    for a, n in zip(frame["agent_id"], frame["name"], strict=True)]
            handle = _new_private_file(out)
            try:
                with opened_store(db) as store:
                    created, skipped = store.create_agent_users(agents=rows)
                text = io.StringIO()
                writer = csv.writer(text, lineterminator="\n")
                writer.writerow(["agent_id", "name", "user_id", "token"])
                for user, token in created:
                    writer.writerow([user.agent_id, user.name, user.id, token])
                handle.write(text.getvalue())
                handle.close()
            except BaseException:
                handle.close()
                out.unlink(missing_ok=True)
                raise
            lines = [f"created {len(created)} agent users; their tokens are in {out} "
                     "(mode 0600: hand each agent its own line, then delete the file)"]
            if skipped:
                lines.append(f"skipped {len(skipped)} agents that already have a user: "
                             + ", ".join(skipped[:20]) + (" ..." if len(skipped) > 20 else ""))
            emit({"created": len(created), "skipped": skipped, "file": str(out)},
                 output_format, lines)

    app.add_typer(users, name="users")


def _new_private_file(path: Path) -> io.TextIOWrapper:
    """Open a new file that only its owner may read or write (refuses an existing one)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(f"--out: {path} already exists; tokens are written once to a new "
                           "file (move or delete the old one)") from None
    os.fchmod(fd, 0o600)  # whatever the umask
    return open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by the caller)


def _warn_if_unknown_agent(store: Store, agent_id: str) -> None:
    """Warn (stderr) when agents are loaded but ``agent_id`` is not one of them.

    Not an error: tokens are often made before the agents table is uploaded.
    """
    if len(store.agents_frame(agent_ids=[agent_id])):
        return
    known = len(store.agents_frame())
    if known:
        progress(f"warning: --agent-id: {agent_id!r} is not among the {known} agents in the "
                 "database; the user is created anyway (upload the agent to use its token)")
