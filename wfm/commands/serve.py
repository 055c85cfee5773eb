"""``wfm serve``: the shift-swap HTTP API on uvicorn (FastAPI, imported lazily)."""

from __future__ import annotations

from typing import Annotated

import typer

from wfm.commands.common import ConfigOption, cli_errors, progress

DbOption = Annotated[str | None, typer.Option(
    "--db", help="SQLAlchemy URL (default: $WFM_DB_URL or sqlite:///./wfm.db).")]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(db: DbOption = None,
              host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
              config: ConfigOption = None) -> None:
        """Run the HTTP API (OpenAPI docs at /docs); migrates the database first."""
        with cli_errors():
            import uvicorn

            from api.config import Settings
            from api.main import create_app

            overrides = {k: v for k, v in (("db_url", db), ("site_config", config)) if v}
            settings = Settings(**overrides)  # type: ignore[arg-type]
            application = create_app(settings)
            progress(f"wfm serve: {settings.db_url} on http://{host}:{port} (docs at /docs)")
            uvicorn.run(application, host=host, port=port, log_level="warning")
