"""``wfm serve``: the shift-swap HTTP API on uvicorn (FastAPI, imported lazily).

Also what ``wfm users create`` shares with it: reading the service settings and opening the
database. A bad ``--db`` URL, a bad ``WFM_*`` variable or a database that cannot be opened
becomes a one-line ``InvalidInput`` naming the flag or variable (exit 2), not a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wfm.errors import InvalidInput
from wfm_cli.commands.common import ConfigOption, cli_errors, progress

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from api.config import Settings

DbOption = Annotated[str | None, typer.Option(
    "--db", help="SQLAlchemy URL (default: $WFM_DB_URL or sqlite:///./wfm.db).")]

FLAGS = {"db_url": "--db", "site_config": "--config"}  # settings a command-line flag can set
POSTGRESQL_PORT = 5432


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(db: DbOption = None,
              host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
              config: ConfigOption = None) -> None:
        """Run the HTTP API (OpenAPI docs at /docs); migrates the database first."""
        with cli_errors():
            import uvicorn

            from api.main import create_app
            from api.store import Store

            settings = load_settings(db_url=db, site_config=config)
            engine = open_database(settings.db_url, db_source(db))
            application = create_app(settings, store=Store(engine, settings.site()))
            progress(f"wfm serve: {shown_url(settings.db_url)} on http://{host}:{port} "
                     "(docs at /docs)")
            uvicorn.run(application, host=host, port=port, log_level="warning")


# ---- settings ------------------------------------------------------------------------------
def setting_source(name: str, given: dict[str, Any]) -> str:
    """What the user would change to fix setting ``name``: its flag, or its variable."""
    return FLAGS.get(name, f"--{name}") if name in given else f"WFM_{name.upper()}"


def db_source(db: str | None) -> str:
    """``--db`` unless the URL came from ``WFM_DB_URL`` (the default URL is --db's too)."""
    from_environment = any(key.upper() == "WFM_DB_URL" for key in os.environ)
    return "WFM_DB_URL" if db is None and from_environment else "--db"


def load_settings(**flags: Any) -> Settings:
    """``api.config.Settings`` from the flags given (None = not given) and ``WFM_*`` variables.

    Raises ``InvalidInput`` naming every bad flag or variable, and checks that the database
    URL parses and its driver is installed, so that a typo fails before anything is opened.
    """
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from api.config import Settings

    given = {name: value for name, value in flags.items() if value is not None}
    try:
        settings = Settings(**given)
    except ValidationError as error:
        problems = [_setting_problem(problem, given) for problem in error.errors()]
        raise InvalidInput("; ".join(problems)) from None
    except SettingsError as error:
        raise InvalidInput(f"WFM_* settings: {error}") from None
    check_db_url(settings.db_url, setting_source("db_url", given))
    return settings


def _setting_problem(problem: Any, given: dict[str, Any]) -> str:
    """One pydantic error as ``SOURCE: what is wrong, got VALUE``."""
    name = str(problem["loc"][0]) if problem["loc"] else "settings"
    value = problem.get("input")
    shown = shown_url(value) if name == "db_url" and isinstance(value, str) else value
    context = problem.get("ctx") or {}
    kind = problem["type"]
    limits = {"greater_than": ("greater than", "gt"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if kind == "value_error":
        reason = str(context.get("error", problem["msg"]))
        reason = reason.removeprefix(f"{name} ")
        if isinstance(value, str) and shown != value:
            reason = reason.replace(value, str(shown))
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        reason = f"expected a whole number, got {shown!r}"
    elif kind in ("float_parsing", "float_type"):
        reason = f"expected a number, got {shown!r}"
    elif kind in limits:
        words, key = limits[kind]
        reason = f"must be {words} {context.get(key)}, got {shown!r}"
    else:
        message = str(problem["msg"])
        reason = f"{message[:1].lower()}{message[1:]}, got {shown!r}"
    return f"{setting_source(name, given)}: {reason}"


# ---- database ------------------------------------------------------------------------------
def shown_url(url: str) -> str:
    """``url`` with any password masked, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # unparseable: mask what looks like user:password@
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def check_db_url(url: str, source: str) -> None:
    """Refuse a URL that does not parse, is not SQLite/PostgreSQL, or whose driver is missing."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"{source}: not a database URL (expected {example}), "
                           f"got {url!r}") from None
    except ValueError:  # SQLAlchemy parses the port with int()
        raise InvalidInput(f"{source}: not a database URL (the port must be a number), "
                           f"got {shown_url(url)!r}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(f"{source}: must be a sqlite:// or postgresql:// URL, "
                           f"got {shown_url(url)!r}")
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise InvalidInput(f"{source}: unknown database driver {parsed.drivername!r} "
                           f"(expected {example})") from None
    except ImportError as error:
        raise InvalidInput(f"{source}: the driver of {parsed.drivername} is not installed "
                           f"(no module {error.name!r}); postgresql+psycopg:// uses psycopg, "
                           "which wfm's dev extra installs") from None


@contextmanager
def database_errors(url: str, source: str, doing: str) -> Iterator[None]:
    """Turn a SQLAlchemy or Alembic failure into one ``InvalidInput`` line naming ``source``."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise InvalidInput(f"{source}: {_database_problem(url, detail, doing)}") from None
    except CommandError as error:
        raise InvalidInput(f"{source}: cannot {doing} {_where(url)} ({error})") from None


def open_database(url: str, source: str) -> Engine:
    """An engine for ``url`` that has connected once and whose schema is migrated."""
    from api.db import make_engine, migrate

    engine = make_engine(url)
    try:
        with database_errors(url, source, "connect to"):
            engine.connect().close()
        with database_errors(url, source, "migrate"):
            migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _where(url: str) -> str:
    """The database of ``url`` in words: a file, or PostgreSQL at host:port."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"database file {parsed.database}" if parsed.database else "in-memory database"
    host = parsed.host or "the local socket"
    return f"PostgreSQL at {host}:{parsed.port or POSTGRESQL_PORT}"


def _database_problem(url: str, detail: str, doing: str) -> str:
    """Why the database could not be used, in one line (no password)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = parsed.database if parsed.database not in (None, "", ":memory:") else None
        if file is not None and "unable to open" in detail:
            detail = _sqlite_reason(Path(file), detail)
        opening = "open" if doing == "connect to" else doing
        return f"cannot {opening} {_where(url)} ({detail})"
    reason = re.sub(r'^(connection failed: )?connection to server at "[^"]*", port \d+ '
                    r"failed: ", "", detail)
    reason = re.sub(r"^FATAL:\s+", "", reason)
    reason = reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason
    return f"cannot {doing} {_where(url)} ({reason})"


def _sqlite_reason(path: Path, detail: str) -> str:
    """Why SQLite could not open ``path`` (relative paths are from the working directory)."""
    parent = path.parent
    if not parent.exists():
        return "directory does not exist"
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if path.is_dir():
        return "it is a directory"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return detail
