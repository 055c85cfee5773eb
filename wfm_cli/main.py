"""The ``wfm`` command line.

Each command lives in its own module under ``wfm_cli/commands/`` and registers itself on
``app``; commands that need ``solvers`` or ``api`` import them inside the command body, so ``wfm``
itself never imports OR-Tools or FastAPI at start-up. This package is the top floor of the
layout (DESIGN.md, "Layout"): it may import ``wfm``, ``solvers`` and ``api``; none of them imports
it.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="wfm",
    help="Workforce management for contact centers: forecast, staff, roster, adherence, swaps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("forecast", "staff", "erlang", "roster", "check_roster", "adherence",
                   "serve", "users", "demo", "report", "kpi", "intraday", "worker", "plan",
                   "scenarios")


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        module_name = f"wfm_cli.commands.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:  # command not built yet
                continue
            raise
        module.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
