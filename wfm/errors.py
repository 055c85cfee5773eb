"""Exceptions shared by every layer of wfm.

Errors are exceptions, never sentinels. ``InvalidInput`` is a ``ValueError`` so that callers that
only know the standard library still catch it; it can carry the file, line and field it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class WfmError(Exception):
    """Base class of every error wfm raises on purpose."""


class InvalidInput(WfmError, ValueError):
    """Bad input: a parameter, a configuration key or a row of a data file.

    Parameters
    ----------
    message
        What is wrong, naming the parameter or field and echoing the bad value.
    file, line, field
        Where the bad value was read, when it came from a file (``line`` is 1-based and counts
        the header as line 1, as an editor does).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = message
        super().__init__(self._compose(message))

    def _compose(self, message: str) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {message}" if where else message


class Infeasible(WfmError):
    """No solution satisfies the hard rules (e.g. a roster or a staffing target)."""

    def __init__(self, message: str, *, conflicts: list[Any] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: machine-readable ``code`` plus a sentence for people.

    ``message`` is the English sentence (CLI, API, logs); ``params`` are the values it was
    built from (run length, limit, shift, queue ...: numbers, ids and ISO dates), so that a
    page can say the same in its own language with a per-code template
    (``explain.<code>`` in the web catalogs; ``params["variant"]`` picks
    ``explain.<code>.<variant>`` where one rule has several sentences). Not part of
    equality: two violations that say the same thing are the same.
    """

    code: str
    agent_id: str
    date: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "agent_id": self.agent_id, "date": self.date,
                "message": self.message}


class SwapRejected(WfmError):
    """A swap request breaks at least one roster rule."""

    def __init__(self, message: str, violations: list[Violation] | None = None) -> None:
        super().__init__(message)
        self.violations = violations or []


class NotFound(WfmError):
    """A referenced object (agent, swap, job ...) does not exist."""


class Conflict(WfmError):
    """The request is valid but not allowed in the current state (stale version, transition)."""


@dataclass
class DataProblem:
    """A data problem that was corrected or skipped (not fatal), reported with its line."""

    file: str
    line: int | None
    problem: str
    action: str
    extra: dict[str, Any] = field(default_factory=dict)
