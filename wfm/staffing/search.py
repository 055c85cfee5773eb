"""What the Erlang C and chat staffing searches share: target validation, the load arrays and
the walk up from a lower bound to the fewest agents meeting the targets.

Both models improve with every agent added (service level and occupancy headroom rise, ASA
falls), so the answer is the first N from a bound known to fail or to be the least possible
(the stability bound) upward that meets the targets. The walk runs over all intervals at once
and drops an interval as soon as it is met; the model supplies only the test ``meets``, which
may keep its own state between steps (the Erlang B recurrence advances one agent per step).
Erlang A (``wfm.staffing.erlang_a``) bisects instead: its figures are costlier per N.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import Infeasible, InvalidInput
from wfm.validation import check_array

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: ``meets(state, agents)``: which of the open intervals (their ``state`` arrays) meet every
#: target at ``agents`` each; it may replace state arrays for the next step (``agents + 1``)
Meets = Callable[[dict[str, np.ndarray], IntArray], NDArray[np.bool_]]


def check_targets(target_level: float, max_occupancy: float, target_seconds: float,
                  asa_target_seconds: float) -> float:
    """The service-level target as a float, after checking every target's range.

    Raises
    ------
    InvalidInput
        ``target_level`` outside (0, 1), ``max_occupancy`` outside (0, 1], a negative time.
    """
    level = float(target_level)
    if not 0 < level < 1:
        raise InvalidInput(f"target_level must be in (0, 1), got {target_level!r}")
    if not 0 < max_occupancy <= 1:
        raise InvalidInput(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
    if target_seconds < 0 or asa_target_seconds < 0:
        raise InvalidInput("target_seconds and asa_target_seconds must be >= 0, got "
                           f"{target_seconds!r} and {asa_target_seconds!r}")
    return level


def load_arrays(traffic: ArrayLike, aht_seconds: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Traffic (``>= 0``) and AHT broadcast together, as floats in the input's shape.

    Raises
    ------
    InvalidInput
        A bad traffic value, or an AHT that is not a positive number where there is traffic
        (the message gives the position in the flattened input).
    """
    a = check_array("traffic", traffic, minimum=0.0)
    aht = np.asarray(aht_seconds, dtype=float)
    a, aht = np.broadcast_arrays(a, aht)
    bad = (a > 0) & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        index = int(np.flatnonzero(bad.ravel())[0])
        raise InvalidInput(f"aht_seconds must be a positive number where there is traffic, got "
                           f"{float(aht.ravel()[index])!r} at position {index}")
    return a.astype(float), aht.astype(float)


def walk_up(start: IntArray, cap: IntArray, traffic: FloatArray, meets: Meets,
            state: dict[str, np.ndarray], *, what: str) -> IntArray:
    """The smallest ``n >= start`` meeting the targets, per interval, all intervals at once.

    Parameters
    ----------
    start, cap
        First agents tried and the most allowed, per interval.
    traffic
        The intervals' traffic (for the message when one cannot be met).
    meets
        The model's test of a step (see ``Meets``).
    state
        Per-interval arrays the test reads (and may replace for the next step, e.g. a
        recurrence); the walk keeps them aligned with the open intervals, so every step works
        on contiguous arrays of the intervals still open. ``state["index"]`` is added: the
        open intervals' positions in the input.
    what
        The target in the message, e.g. ``"service target"``.

    Raises
    ------
    Infeasible
        An interval still open at ``cap`` agents.
    """
    found = np.zeros(start.shape, dtype=np.int64)
    n, top = start.astype(np.int64), cap
    state = {**state, "index": np.arange(start.size)}
    while n.size:
        ok = meets(state, n)
        if ok.any():
            found[state["index"][ok]] = n[ok]
            keep = ~ok
            n, top = n[keep], top[keep]
            state = {name: values[keep] for name, values in state.items()}
        over = n >= top
        if over.any():
            worst = int(state["index"][int(np.flatnonzero(over)[0])])
            raise Infeasible(f"{what} not reached with {int(cap[worst])} agents for traffic "
                             f"{traffic[worst]:.4g} Erlangs (max_agents)")
        n = n + 1
    return found
