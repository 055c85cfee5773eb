"""Schedule adherence from actual login data (DESIGN.md, "Adherence").

``compute_adherence(roster, config, events=... | sessions=...)`` returns an ``AdherenceReport``:
the adherence table per agent, date and shift, per-agent and team summaries over the period, and
every data problem that was corrected or skipped, with its input line.
"""

from wfm.adherence.compute import (
    ADHERENCE_COLUMNS,
    UNSCHEDULED,
    AdherenceReport,
    compute_adherence,
)
from wfm.adherence.sessions import WORKING_STATES

__all__ = ["ADHERENCE_COLUMNS", "UNSCHEDULED", "WORKING_STATES", "AdherenceReport",
           "compute_adherence"]
