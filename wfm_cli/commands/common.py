"""What every CLI command shares: --config/--format options, error → exit code, output.

Exit status (DESIGN.md): 0 success, 1 a domain failure (violations, infeasible), 2 bad input.
Library code never prints; commands print a short human summary on stdout, or exactly one JSON
object with ``--format json``. Progress goes to stderr so that JSON stays parseable.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wfm.errors import Conflict, Infeasible, InvalidInput, NotFound, SwapRejected, WfmError

if TYPE_CHECKING:
    from wfm.config import SiteConfig

EXIT_OK = 0
EXIT_DOMAIN = 1
EXIT_BAD_INPUT = 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Site configuration TOML (defaults match DESIGN.md)."),
]
AnswerWithinOption = Annotated[
    float | None,
    typer.Option("--answer-within", help="Service-level target time, seconds (site default 20)."),
]
PatienceOption = Annotated[
    float | None,
    typer.Option("--patience", help="Average patience, seconds; > 0 switches to Erlang A."),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="text: human summary; json: one JSON object.")
]


def load_site(config_path: Path | None, *, flags: dict[str, str] | None = None,
              **overrides: Any) -> SiteConfig:
    """Load the site file and apply command-line overrides (dotted keys; None = not given).

    ``flags`` maps a dotted key to the flag that set it, so an error names ``--service-level``
    rather than the configuration key, and a percentage typed for a fraction gets a hint.
    """
    from wfm.config import load_config  # pydantic: only for a command that runs, not --help

    config = load_config(config_path)
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return config
    labels = {key: flag for key, flag in (flags or {}).items() if key in given}
    return config.with_overrides(labels, **given)


def progress(message: str) -> None:
    """A progress line on stderr (kept off stdout so JSON output stays clean)."""
    typer.echo(message, err=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def emit(summary: dict[str, Any], output_format: OutputFormat, human: list[str] | str) -> None:
    """Print the human summary, or ``summary`` as one JSON object."""
    if output_format == OutputFormat.json:
        typer.echo(json.dumps(_jsonable(summary), ensure_ascii=False))
    else:
        lines = [human] if isinstance(human, str) else human
        for line in lines:
            typer.echo(line)


def fail(message: str, code: int, output_format: OutputFormat = OutputFormat.text,
         extra: dict[str, Any] | None = None) -> None:
    """Report an error on stderr (and as JSON on stdout with --format json), then exit."""
    typer.echo(f"error: {message}", err=True)
    if output_format == OutputFormat.json:
        payload = {"error": message, "exit_code": code, **(extra or {})}
        typer.echo(json.dumps(_jsonable(payload), ensure_ascii=False))
    raise typer.Exit(code)


class _NoteOnStderr(logging.Handler):
    """The library's notes (a file read as GB18030, ...) as ``note: ...`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        progress(f"note: {record.getMessage()}")


@contextmanager
def cli_errors(output_format: OutputFormat = OutputFormat.text) -> Iterator[None]:
    """Map wfm errors to exit codes: bad input 2, domain failures 1; the readers' notes go to
    stderr meanwhile."""
    reader_log = logging.getLogger("wfm.tables")
    handler = _NoteOnStderr(logging.INFO)
    reader_log.addHandler(handler)
    try:
        yield
    except InvalidInput as error:
        fail(str(error), EXIT_BAD_INPUT, output_format)
    except (Infeasible, SwapRejected, Conflict, NotFound) as error:
        fail(str(error), EXIT_DOMAIN, output_format)
    except WfmError as error:
        fail(str(error), EXIT_DOMAIN, output_format)
    except OSError as error:
        fail(f"{error.filename or ''}: {error.strerror or error}", EXIT_BAD_INPUT, output_format)
    finally:
        reader_log.removeHandler(handler)


def default_sibling(path: Path, suffix: str) -> Path:
    """``<stem><suffix>`` beside ``path`` (e.g. roster.csv → roster.coverage.csv)."""
    return path.with_name(f"{path.stem}{suffix}")


def check_distinct_paths(outputs: dict[str, Path | None],
                         inputs: dict[str, Path | None]) -> None:
    """Refuse an output file that is an input or another output (a slip in a shell loop would
    otherwise overwrite the planner's history or the roster just written)."""
    seen: dict[Path, str] = {}
    for flag, path in inputs.items():
        if path is not None:
            seen.setdefault(Path(path).resolve(), flag)
    for flag, path in outputs.items():
        if path is None:
            continue
        key = Path(path).resolve()
        if key in seen:
            other = seen[key]
            role = "the input" if other in inputs else "the output"
            raise InvalidInput(f"{flag} {path} is the same file as {role} {other}; choose "
                               "another output path")
        seen[key] = flag


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


Command = Callable[..., None]
