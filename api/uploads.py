"""CSV upload bodies read into typed tables, refusing an upload that carries no data rows.

Every CSV upload, the JSON routes' ``text/csv`` bodies and the planner pages' files alike, is
read here from its bytes: ``wfm.tables.decode_csv`` detects the encoding (UTF-8, UTF-8 with BOM,
UTF-16/32 with BOM, GB18030/GBK), the same way the command line reads a file.

An upload without rows is never what the planner meant: most often the file was sent with
``curl -d``, which strips the newlines and turns the whole file into one long header line. It
would otherwise be accepted as "0 rows imported" (and, for a roster, a new version).
"""

from __future__ import annotations

import io
import logging
from typing import Annotated
from zoneinfo import ZoneInfo

import pandas as pd
from fastapi import Depends, Request, Response

from api.validation import reject_nul
from wfm.errors import InvalidInput
from wfm.tables import ENCODING_NAMES, TableSpec, decode_csv, header_names, parse_table, read_raw

HEADER_SHOWN = 6  # header names quoted in the message before "..."
ENCODING_HEADER = "X-CSV-Encoding"  # set on an upload's answer when it was not plain UTF-8
PLAIN = ("utf-8", "utf-8-sig")  # no note for UTF-8, with or without a byte order mark
log = logging.getLogger(__name__)


async def read_csv_bytes(request: Request) -> bytes:
    """The raw request body (decoded by ``read_upload``, not here)."""
    return await request.body()


CsvBytes = Annotated[bytes, Depends(read_csv_bytes)]


def read_upload(body: str | bytes, spec: TableSpec, *, timezone: str | ZoneInfo,
                label: str, response: Response | None = None) -> pd.DataFrame:
    """The typed table of a CSV body; ``InvalidInput`` (422) when it has no data rows.

    The row check runs before the columns are validated, so a body squashed onto one line is
    reported as such rather than as a missing column. A NUL character (which PostgreSQL text
    cannot store) is refused first, naming its line. The encoding used is in
    ``frame.attrs["encoding"]``; when it is not UTF-8 it is logged and, given ``response``,
    named in its ``X-CSV-Encoding`` header.
    """
    encoding = "utf-8"
    if isinstance(body, bytes):
        body, encoding = decode_csv(body, label)
    reject_nul(body, label=label)
    first_end = body.find("\n")
    if body.strip() and (first_end < 0 or not body[first_end:].strip()):
        header = header_names(body)
        raise InvalidInput(no_rows_message(body, header, spec, label))
    raw = read_raw(io.StringIO(body), label=label)
    if raw.empty:
        raise InvalidInput(no_rows_message(body, list(raw.columns), spec, label))
    frame = parse_table(raw, spec, timezone=timezone, label=label)
    frame.attrs["encoding"] = encoding
    if encoding not in PLAIN:
        log.info("%s: read as %s", label, ENCODING_NAMES[encoding])
        if response is not None:
            response.headers[ENCODING_HEADER] = encoding
    return frame


def encoding_note(frame: pd.DataFrame) -> str | None:
    """The encoding's name ("GB18030 (GBK)") when the table was not plain UTF-8, else None
    (a page words it in its own language)."""
    encoding = frame.attrs.get("encoding", "utf-8")
    return None if encoding in PLAIN else ENCODING_NAMES[encoding]


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
