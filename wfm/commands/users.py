"""``wfm users create``: make a planner or agent identity and print its token once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from wfm.commands.common import FormatOption, OutputFormat, cli_errors, emit
from wfm.commands.serve import DbOption


class Role(StrEnum):
    planner = "planner"
    agent = "agent"


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Manage API users (bearer tokens).", no_args_is_help=True)

    @users.command("create")
    def create(role: Annotated[Role, typer.Option(help="planner or agent.")],
               agent_id: Annotated[str | None, typer.Option(
                   "--agent-id", help="The agent this user acts for (role agent).")] = None,
               db: DbOption = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """Create a user; the token is printed once and only its hash is stored."""
        with cli_errors(output_format):
            from api.config import Settings
            from api.db import make_engine, migrate
            from api.store import Store

            settings = Settings(**({"db_url": db} if db else {}))  # type: ignore[arg-type]
            engine = make_engine(settings.db_url)
            migrate(engine)
            user, token = Store(engine, settings.site()).create_user(role=role.value,
                                                                      agent_id=agent_id)
            engine.dispose()
            emit({"token": token}, output_format,
                 [f"created {user.role} user {user.id}"
                  + (f" for agent {user.agent_id}" if user.agent_id else ""),
                  f"token (shown once): {token}"])

    app.add_typer(users, name="users")
