"""``wfm users create``: make a planner or agent identity and print its token once."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

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
    from api.store import Store


class Role(StrEnum):
    planner = "planner"
    agent = "agent"


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Manage API users (bearer tokens).", no_args_is_help=True)

    @users.command("create")
    def create(role: Annotated[Role, typer.Option(help="planner or agent.")],
               agent_id: Annotated[str | None, typer.Option(
                   "--agent-id", help="The agent this user acts for (role agent only).")] = None,
               db: DbOption = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """Create a user; the token is printed once and only its hash is stored."""
        with cli_errors(output_format):
            from api.store import Store

            if role == Role.planner and agent_id is not None:
                raise InvalidInput(f"--agent-id: a planner acts for no agent, leave it out "
                                   f"(got {agent_id!r})")
            settings = load_settings(db_url=db)
            source = db_source(db)
            engine = open_database(settings.db_url, source)
            try:
                store = Store(engine, settings.site())
                with database_errors(settings.db_url, source, "write to"):
                    if agent_id:
                        _warn_if_unknown_agent(store, agent_id)
                    user, token = store.create_user(role=role.value, agent_id=agent_id)
            finally:
                engine.dispose()
            emit({"token": token}, output_format,
                 [f"created {user.role} user {user.id}"
                  + (f" for agent {user.agent_id}" if user.agent_id else ""),
                  f"token (shown once): {token}"])

    app.add_typer(users, name="users")


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
