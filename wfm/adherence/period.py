"""The adherence period, and the activity that falls outside it (skipped, and reported).

Rows are kept when their date (the shift's date, or the calendar date of work attributed to no
shift) is inside the period. Activity attributed to a row outside it is skipped, and each
stretch of it is reported: one problem per contiguous run of logged-in time attributed to one
row, naming the agent, the time span, the minutes, where it was attributed and the period, so
that nothing leaves the figures without a word (a login on the night after the last day, the
part of a session that runs past midnight of the last day).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from wfm.adherence.attribution import Pieces
from wfm.adherence.schedule import NS_PER_MINUTE, format_many_ns
from wfm.adherence.sessions import problems_frame
from wfm.errors import InvalidInput


def period_bounds(roster: pd.DataFrame, table: pd.DataFrame, date_from: date | None,
                  date_to: date | None,
                  data_days: tuple[date, ...] | None = None) -> tuple[date, date]:
    """``date_from``..``date_to``, each defaulting to the first/last date the login data
    spans (``data_days``: its first and last local date), or without login data to the
    roster's first/last date."""
    dates = (list(data_days) if data_days else list(roster["date"]) or list(table["date"])
             or [date.today()])
    first = date_from if date_from is not None else min(dates)
    last = date_to if date_to is not None else max(dates)
    if last < first:  # one of them defaulted to the roster's span
        given = "--from" if date_from is not None else "--to"
        raise InvalidInput(f"the period {first}..{last} is empty: {given} "
                           f"{date_from or date_to} lies outside the default period "
                           f"{min(dates)}..{max(dates)} (the dates the login data spans, "
                           "else the roster's); give both --from and --to")
    return first, last


def _minutes(value_ns: int) -> str:
    return f"{round(value_ns / NS_PER_MINUTE, 2):g}"


def _attributed_to(shift: str, day: date, on_shift: bool) -> str:
    if on_shift:
        return f"attributed to shift {shift} on {day}"
    return f"attributed to no shift, on {day} ({shift})"


def skipped_activity(pieces: Pieces, piece_row: np.ndarray, in_period: np.ndarray,
                     table: pd.DataFrame, tz: str, first_day: date,
                     last_day: date) -> pd.DataFrame:
    """One problem per contiguous stretch of activity attributed to a row outside the period.

    ``piece_row`` is each piece's row in ``table`` (``agent_id, date, shift, on_shift``);
    ``in_period`` flags the rows inside the period. The problem's line is the input line that
    began the stretch.
    """
    outside = np.flatnonzero(~in_period[piece_row])
    if len(outside) == 0:
        return problems_frame(np.zeros(0, np.int64), np.zeros(0, object), "", "")
    segments = pieces.segments
    row, start, end = piece_row[outside], segments.start_ns[outside], segments.end_ns[outside]
    order = np.lexsort((start, row))
    row, start, end = row[order], start[order], end[order]
    working = segments.working[outside][order]
    line = segments.line[outside][order]
    new_run = np.ones(len(row), dtype=bool)
    new_run[1:] = (row[1:] != row[:-1]) | (start[1:] != end[:-1])
    heads = np.flatnonzero(new_run)
    tails = np.append(heads[1:], len(row)) - 1
    logged_ns = np.add.reduceat(end - start, heads)
    working_ns = np.add.reduceat(np.where(working, end - start, 0), heads)
    run_row = row[heads]
    starts, ends = format_many_ns(start[heads], tz), format_many_ns(end[tails], tz)
    agent_ids = table["agent_id"].to_numpy(object)[run_row]
    shifts = table["shift"].to_numpy(object)[run_row]
    days = table["date"].to_numpy(object)[run_row]
    on_shift = table["on_shift"].to_numpy(bool)[run_row]
    text = np.array([
        f"activity outside the period {first_day}..{last_day}: logged in {starts[k]}.."
        f"{ends[k]} ({_minutes(logged_ns[k])} min, {_minutes(working_ns[k])} working), "
        f"{_attributed_to(shifts[k], days[k], on_shift[k])}"
        for k in range(len(heads))], dtype=object)
    return problems_frame(line[heads], agent_ids, text, "skipped")
