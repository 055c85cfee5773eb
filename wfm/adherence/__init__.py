"""Schedule adherence from actual login data (DESIGN.md, "Adherence").

``compute_adherence(roster, config, events=... | sessions=...)`` returns an ``AdherenceReport``:
the adherence table per agent, date and shift, per-agent and team summaries over the period, and
every data problem that was corrected or skipped, with its input line.

Decisions the definitions leave open (each module's docstring has the details):

* Event states are first mapped to wfm's (``wfm.states``: the site's ``[adherence.states]``
  over default English and Chinese names); an unknown state is an error naming its line.
* Working states are ``login``, ``ready``, ``talk``, ``hold``, ``acw``; any other state is logged
  in but not working; with only login/logout, logged-in time is working (``sessions``).
* A scheduled fixed break is outside the ratio: whatever the agent does then (break state,
  logged out, or working) is neither adherent nor out of adherence. Working through it counts
  in conformance but not as overtime. Being away from before a break until after it is one
  episode (``metrics``).
* ``episodes`` counts the out-of-adherence episodes longer than the grace.
* DESIGN.md's "late start = first working minute − shift start; early leave = shift end − last
  working minute (both ≥ 0); absent = scheduled and no working minute" is read as "working minute
  *during the shift's scheduled time* ``[start, end)``" (a fixed break inside it counts as inside):
  a login before the start or after the end is overtime only, so a short login before the shift
  does not hide a late start, and a no-show who only touched the system outside the window is
  ``absent`` (late start and early leave 0). Clipping to ≥ 0 is then automatic (``metrics``).
* Wall-clock times repeated by the autumn DST change (shift starts, ends and breaks) are taken at
  their first occurrence, the earlier instant, as the rule checker and the coverage table do;
  wall-clock times skipped in spring move forward (``schedule``).
* Activity is a session (contiguous logged-in time); one reaching over two shifts is cut half-way
  between them (``attribution``). Work attributed to no shift gets a row with shift
  ``UNSCHEDULED`` on its calendar date, or ``OFF``/``LEAVE`` when the roster says so; those rows
  are listed only when there was a login, and all their working time is overtime.
* An open session is closed at the end of its shift (nearest within 3 h), else at the end of the
  data or of its calendar day, whichever is earlier, and never after the agent's next login.
* The period defaults to the roster's dates; activity attributed outside it is skipped and
  reported, one problem per contiguous stretch with its agent, time span and minutes.
* Every lost minute (scheduled − in adherence) has one cause: late start, early leave,
  absence, a break or lunch that ran over a fixed break, another non-working state (not ready,
  an unscheduled break, a meeting), or other (logged out mid-shift); ``reasons`` defines them.
  A lost minute inside an exception a supervisor made (``exceptions``) is ``excused`` instead
  and counts as in adherence.
* Without a period the period is the dates the login data spans; what the data covers (its
  span, agents without any data, shifts it covers in part) is reported (``coverage``).
  The table's minutes are exact; ``rounded_rows`` rounds them to 2 decimals for writing.
* Period summaries count only work attributed to shifts in conformance and overtime; work
  attributed to no shift is reported on its own (``unscheduled_working_minutes``).
"""

from wfm.adherence.activity import Activity, attributed_activity
from wfm.adherence.compute import (
    ADHERENCE_COLUMNS,
    REASON_COLUMNS,
    UNSCHEDULED,
    AdherenceReport,
    compute_adherence,
    rounded_rows,
)
from wfm.adherence.coverage import coverage_warnings
from wfm.adherence.exceptions import EXCEPTION_COLUMNS
from wfm.adherence.sessions import WORKING_STATES
from wfm.adherence.summary import reason_items

__all__ = ["ADHERENCE_COLUMNS", "EXCEPTION_COLUMNS", "REASON_COLUMNS", "UNSCHEDULED",
           "WORKING_STATES", "Activity", "AdherenceReport", "attributed_activity",
           "compute_adherence", "coverage_warnings", "reason_items", "rounded_rows"]
