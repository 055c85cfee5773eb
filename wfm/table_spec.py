"""How a CSV table is described: its ``Column`` s and the ``TableSpec`` that groups them.

The data contracts themselves (``AGENTS``, ``ROSTER``, ...) and the readers and writers live in
``wfm.tables``, which re-exports these two names; the vectorised reader ``wfm.csv_reader`` needs
only the descriptions, so it imports them from here and the two modules do not import each
other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # datetime | date | float | int | str | list | bool
    required: bool = True  # the column must be present in the header
    allow_empty: bool = False  # an empty cell is allowed (becomes NaN/None/NaT)
    minimum: float | None = None
    choices: tuple[str, ...] | None = None
    case: str | None = None  # "upper" | "lower" | None
    whole: bool = False  # a float column of counts: a fractional value is an error


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]
