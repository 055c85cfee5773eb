"""Parameter checks with messages that name the parameter, echo its value and state the range.

Every public numerical entry point validates its scalars here, so the messages are uniform and
pinned by tests (``tests/wfm/test_validation.py``).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

from wfm.errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd


def check_number(name: str, value: Any) -> float:
    """Return ``value`` as a float; reject bools, non-numbers, NaN and infinity."""
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise InvalidInput(f"{name} must be a number, got {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise InvalidInput(f"{name} must be a finite number, got {value!r}")
    return number


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    number = check_number(name, value)
    if number <= 0:
        raise InvalidInput(f"{name} must be a positive number, got {value!r}")
    return number


def check_non_negative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    number = check_number(name, value)
    if number < 0:
        raise InvalidInput(f"{name} must be a non-negative number, got {value!r}")
    return number


def check_in_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """A finite number in the interval between ``low`` and ``high``."""
    number = check_number(name, value)
    above = number >= low if low_inclusive else number > low
    below = number <= high if high_inclusive else number < high
    if not (above and below):
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        raise InvalidInput(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return number


def check_probability(name: str, value: Any) -> float:
    """A fraction strictly between 0 and 1 (a target such as 0.8 for 80%)."""
    return check_in_range(name, value, 0.0, 1.0, low_inclusive=False, high_inclusive=False)


def check_non_negative_int(name: str, value: Any) -> int:
    """An integer >= 0 (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise InvalidInput(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_array(name: str, values: Any, *, minimum: float | None = None,
                strictly: bool = False) -> np.ndarray:
    """A float array with no NaN/inf and, optionally, every value above ``minimum``."""
    array = np.asarray(values, dtype=float)
    bad = ~np.isfinite(array)
    if minimum is not None:
        bad |= (array <= minimum) if strictly else (array < minimum)
    if bad.any():
        index = int(np.flatnonzero(bad.ravel())[0])
        shown = float(array.ravel()[index])
        rule = "finite"
        if minimum is not None:
            rule = f"finite and {'>' if strictly else '>='} {minimum:g}"
        raise InvalidInput(f"{name} must be {rule}, got {shown!r} at position {index}")
    return array


def check_known_agents(frame: pd.DataFrame | None, agents: pd.DataFrame, *, table: str,
                       label: str) -> None:
    """Refuse rows of ``frame`` (leave, fixed, login events: as ``wfm.tables.read_table``
    returns them, row i is line i + 2) whose ``agent_id`` is not in the agents table.

    Such a row is a typo or an export of another team, and the consumers would otherwise pass
    over it in silence (leave for an unknown agent protects nobody). ``InvalidInput`` names the
    first such line, its agent, and how many more rows are like it.
    """
    if frame is None or frame.empty:
        return
    known = set(agents["agent_id"].astype(str))
    unknown = ~frame["agent_id"].astype(str).isin(known).to_numpy()
    if not unknown.any():
        return
    first = int(np.flatnonzero(unknown)[0])
    count = int(unknown.sum())
    others = sorted(set(frame["agent_id"].astype(str)[unknown]))
    more = (f" ({count - 1} more row(s) for agents not in the agents table: "
            f"{', '.join(others[:10])}{', ...' if len(others) > 10 else ''})" if count > 1
            else "")
    raise InvalidInput(f"the {table} names agent {frame['agent_id'].iloc[first]!r}, who is not "
                       f"in the agents table{more}", file=label, line=first + 2,
                       field="agent_id")
