"""CSV upload bodies read into typed tables, refusing an upload that carries no data rows.

An upload without rows is never what the planner meant: most often the file was sent with
``curl -d``, which strips the newlines and turns the whole file into one long header line. It
would otherwise be accepted as "0 rows imported" (and, for a roster, a new version).
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pandas as pd

from api.validation import reject_nul
from wfm.errors import InvalidInput
from wfm.tables import TableSpec, parse_table, read_raw

HEADER_SHOWN = 6  # header names quoted in the message before "..."


def read_upload(body: str, spec: TableSpec, *, timezone: str | ZoneInfo,
                label: str) -> pd.DataFrame:
    """The typed table of a CSV body; ``InvalidInput`` (422) when it has no data rows.

    The row check runs before the columns are validated, so a body squashed onto one line is
    reported as such rather than as a missing column. A NUL character (which PostgreSQL text
    cannot store) is refused first, naming its line.
    """
    reject_nul(body, label=label)
    raw = read_raw(io.StringIO(body), label=label)
    if raw.empty:
        raise InvalidInput(no_rows_message(body, list(raw.columns), spec, label))
    return parse_table(raw, spec, timezone=timezone, label=label)


def no_rows_message(body: str, header: list[str], spec: TableSpec, label: str) -> str:
    """Say that nothing but a header arrived, what that header was, and the likely cause."""
    shown = ", ".join(header[:HEADER_SHOWN]) + (", ..." if len(header) > HEADER_SHOWN else "")
    message = (f"the {label} CSV has no data rows: received 1 line, the header has "
               f"{len(header)} column(s) ({shown})")
    if "\n" not in body and len(header) > len(spec.names):
        message += (f"; the {spec.name} table has {len(spec.names)} columns, so the rows "
                    "were probably joined onto the header line: did you send it with curl -d "
                    "instead of --data-binary?")
    return message
