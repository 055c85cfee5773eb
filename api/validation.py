"""Input checked at the edge, and request errors answered as the OpenAPI document says.

Every request value that can reach the database is declared with the constraints it is held
to, so that ``/openapi.json`` states what the service accepts (issue 28):

- text (JSON strings, query and path parameters) must not contain NUL, which PostgreSQL text
  cannot store (``NO_NUL``); ``reject_nul_in_request`` holds every other query, path and form
  value to the same rule, pages included, and ``reject_nul`` CSV bodies;
- dates are ISO ``YYYY-MM-DD`` strings from 1900-01-01 to 2999-12-31 (``IsoDate``), never a
  number read as a Unix timestamp;
- numbers are finite (``allow_inf_nan=False`` where a model takes a float).

``api.main`` answers what FastAPI raises before a handler runs with these: a validation error
is 422 ``{"detail": [{"loc", "msg", "type"}]}`` (``api.schemas.ValidationFailed``) without the
rejected input, which JSON may be unable to carry (NaN, a lone surrogate) and which could be a
10 MiB body; a body FastAPI cannot parse is the same 422 instead of an undocumented 400; and a
405 lists in ``Allow`` every method the path serves (Starlette lists only those of the first
route on the path: ``OPTIONS /api/v1/swaps`` answered ``Allow: POST`` though GET is served).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from wfm.errors import InvalidInput

NO_NUL = r"^[^\x00]*$"
NUL_MESSAGE = "must not contain a NUL character"
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # dates outside are 422
DATE_PATTERN = r"^(19\d\d|2\d\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Let only a ``YYYY-MM-DD`` string (or a date) through to pydantic's date parsing, which
    alone also reads numbers as Unix timestamps and accepts datetimes."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError("date_format", "Input should be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(
    ge=EARLIEST, le=LATEST, description="an ISO date, YYYY-MM-DD, from 1900-01-01 to 2999-12-31",
    json_schema_extra={"pattern": DATE_PATTERN})]
DateFrom = Annotated[IsoDate | None, Query(alias="from")]
DateTo = Annotated[IsoDate | None, Query(alias="to")]
AgentIdQuery = Annotated[str | None, Query(pattern=NO_NUL)]
ReasonQuery = Annotated[str, Query(max_length=2000, pattern=NO_NUL,
                                   description="why (kept in the audit)")]


def reject_nul(text: str, *, label: str) -> None:
    """``InvalidInput`` (422) naming the line when a CSV text holds a NUL character."""
    at = text.find("\x00")
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        raise InvalidInput(f"{label}, line {line}: the text contains a NUL character "
                           "(\\x00), which is not allowed")


async def reject_nul_in_request(request: Request) -> None:
    """App-wide dependency: a NUL in any query or path parameter, or in a form field, is a
    validation error naming it, declared or not (the API answers 422, a page its 400 page).

    The API's own parameters also declare ``NO_NUL``; this catches what they do not reach:
    undeclared parameters and the pages' queries and forms, whose values reach the database.
    """
    errors = [_nul_error("query", name) for name, value in request.query_params.multi_items()
              if "\x00" in name or "\x00" in value]
    errors += [_nul_error("path", name) for name, value in request.path_params.items()
               if isinstance(value, str) and "\x00" in value]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once: FastAPI reuses it for Form() parameters
        errors += [_nul_error("body", name) for name, value in form.multi_items()
                   if "\x00" in name or (isinstance(value, str) and "\x00" in value)]
    if errors:
        raise RequestValidationError(errors)


def _nul_error(where: str, name: str) -> dict[str, Any]:
    return {"type": "string_pattern_mismatch", "loc": (where, name), "msg": NUL_MESSAGE,
            "ctx": {"pattern": NO_NUL}}


def error_list(error: RequestValidationError) -> list[dict[str, Any]]:
    """The errors as ``{"loc", "msg", "type"}``, without the input and always JSON-safe."""
    out = []
    for item in error.errors():
        message = str(item.get("msg", ""))
        kind = str(item.get("type", ""))
        ctx = item.get("ctx") or {}
        if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
            message = NUL_MESSAGE
        elif kind == "json_invalid" and ctx.get("error"):
            message = f"{message}: {ctx['error']}"
        out.append({"loc": [_safe(part) for part in item.get("loc", ())],
                    "msg": _safe(message), "type": kind})
    return out


def body_unreadable(cause: BaseException) -> list[dict[str, Any]]:
    """The error list of a body FastAPI could not parse (not UTF-8, nested too deep ...)."""
    return [{"loc": ["body"], "type": "json_invalid",
             "msg": f"JSON decode error: {_safe(type(cause).__name__)}"}]


def _safe(part: object) -> str | int:
    """A location part or message that UTF-8 JSON can carry (a lone surrogate is escaped)."""
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    return str(part).encode("utf-8", "backslashreplace").decode("utf-8")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this request's path, sorted (FastAPI keeps included
    routers whole, so their routes are walked with ``iter_route_contexts``)."""
    path = request.url.path
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(route.methods or ())
    return sorted(methods)
