"""The work clock of a shift: its scheduled work time, with the fixed breaks taken out.

Out-of-adherence episodes are runs on this clock (``metrics``), so that being away from before
a break until after it is one episode; exceptions are mapped onto it too (``exceptions``).
"""

from __future__ import annotations

import numpy as np


def work_clock(time_ns: np.ndarray, start_ns: np.ndarray, end_ns: np.ndarray,
               break_start_ns: np.ndarray, break_end_ns: np.ndarray) -> np.ndarray:
    """Scheduled work time from ``start`` up to ``time`` (clipped to the window)."""
    clipped = np.clip(time_ns, start_ns, end_ns)
    taken = np.clip(clipped[:, None] - break_start_ns, 0, break_end_ns - break_start_ns)
    return clipped - start_ns - taken.sum(axis=1)
