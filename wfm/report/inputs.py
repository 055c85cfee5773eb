"""Check the report's tables against the site configuration before any figure is computed.

The report reads shift codes (nights, working days) and interval lengths (agent-hours) from the
configuration. Tables written for another site, or read without the site's ``--config``, would
otherwise give figures that look plausible and are wrong: unknown codes counted as not-night,
15-minute rows counted as 30-minute intervals. Every other command refuses such tables; so does
the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.staffing.requirements import check_interval_grid

CONFIG_HINT = "is --config the site's configuration?"
REST_CODES = ("OFF", "LEAVE")  # roster states that are not shifts


def canonical_shift_codes(roster: pd.DataFrame, config: SiteConfig, *,
                          label: str = "roster") -> pd.DataFrame:
    """The roster with each shift code spelled as the configuration does (any case matches).

    Raises ``InvalidInput`` naming the file, line and field of the first code that is neither
    a configured shift nor OFF/LEAVE, and the codes that are known.
    """
    spelled = {t.code.upper(): t.code for t in config.shifts}
    spelled.update({code: code for code in REST_CODES})
    codes = roster["shift"].astype(str).str.upper()
    unknown = ~codes.isin(spelled).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        more = int(unknown.sum()) - 1
        known = ", ".join([t.code for t in config.shifts] + list(REST_CODES))
        raise InvalidInput(f"unknown shift code {roster['shift'].iloc[row]!r}"
                           + (f" ({more} more row(s) like it)" if more else "")
                           + f"; known: {known} ({CONFIG_HINT})",
                           file=label, line=row + 2, field="shift")
    return roster.assign(shift=codes.map(spelled).to_numpy())


def check_interval_tables(config: SiteConfig, tables: dict[str, pd.DataFrame | None]) -> None:
    """Interval tables (forecast, requirement, coverage), keyed by file label, must start on
    the configured grid with no two rows of a queue closer than one interval."""
    for label, frame in tables.items():
        if frame is not None and len(frame):
            check_interval_grid(frame, config.interval_minutes, label=label)
