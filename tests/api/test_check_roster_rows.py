"""``wfm.rules.check_roster_rows`` (the small-input path used by swap checks) finds exactly
what ``check_roster`` finds, on random small rosters."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.config import build_config
from wfm.rules import check_roster, check_roster_rows

CONFIGS = [
    build_config({"country": ""}),
    build_config({"country": "", "timezone": "Europe/Berlin",
                  "shifts": [{"code": "DAY", "start": "08:30", "end": "16:00"},
                             {"code": "NIGHT", "start": "22:00", "end": "06:00"},
                             {"code": "EVE", "start": "01:30", "end": "09:30"}],
                  "rules": {"max_consecutive_days": 3, "min_rest_days_per_week": 2,
                            "min_rest_hours": 11}}),
    build_config({"country": "", "rules": {"min_rest_days_per_week": 0,
                                           "max_consecutive_days": 2}}),
]
AGENT_IDS = ("ana", "bo", "cy")
SHIFTS = ("DAY", "NIGHT", "EVE", "OFF", "LEAVE", "day", "off", "BOGUS")
QUEUES = ("", "sales", "support")
# around the 2026 spring DST change in Europe and a year end
STARTS = (date(2026, 3, 16), date(2026, 10, 19), date(2026, 12, 21))

rows_strategy = st.lists(st.tuples(st.sampled_from((*AGENT_IDS, "zed")), st.integers(0, 24),
                                   st.sampled_from(SHIFTS), st.sampled_from(QUEUES)),
                         max_size=60)
agent_strategy = st.fixed_dictionaries({
    "skills": st.lists(st.sampled_from(QUEUES[1:]), max_size=2, unique=True).map(tuple),
    "max_nights_per_week": st.one_of(st.none(), st.integers(0, 3)),
    "start": st.one_of(st.none(), st.integers(-3, 20)),
    "end": st.one_of(st.none(), st.integers(0, 27)),
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy, people=st.lists(agent_strategy, min_size=3, max_size=3),
       known=st.integers(1, 3), config_index=st.integers(0, len(CONFIGS) - 1),
       start=st.sampled_from(STARTS), queues=st.one_of(st.none(), st.just(["sales"]),
                                                       st.just(["sales", "support"])),
       only=st.one_of(st.none(), st.lists(st.sampled_from((*AGENT_IDS, "zed")), max_size=3)),
       dense=st.booleans())
def test_small_path_matches_check_roster(rows: list[tuple[str, int, str, str]],
                                         people: list[dict[str, object]], known: int,
                                         config_index: int, start: date,
                                         queues: list[str] | None, only: list[str] | None,
                                         dense: bool) -> None:
    config = CONFIGS[config_index]
    if dense:  # whole fortnights of one agent, so weekly and run rules have something to judge
        rows = [("ana", d, rows[d % len(rows)][2] if rows else "DAY", "sales")
                for d in range(21)] + rows
    records = [(agent, start + timedelta(days=d), shift, queue) for agent, d, shift, queue in rows]
    agents = pd.DataFrame([
        {"agent_id": agent_id, "name": agent_id, "skills": p["skills"],
         "max_nights_per_week": p["max_nights_per_week"],
         "start_date": None if p["start"] is None else start + timedelta(days=p["start"]),
         "end_date": None if p["end"] is None else start + timedelta(days=p["end"])}
        for agent_id, p in zip(AGENT_IDS[:known], people, strict=False)])
    agents["max_nights_per_week"] = agents["max_nights_per_week"].astype("Int64")
    frame = pd.DataFrame(records, columns=["agent_id", "date", "shift", "queue"])
    expected = check_roster(frame, agents, config, requirement_queues=queues, agent_ids=only)
    got = check_roster_rows(records, agents, config, requirement_queues=queues, agent_ids=only)
    assert got == expected
    records_agents = agents.to_dict("records")
    assert check_roster_rows(records, records_agents, config, requirement_queues=queues,
                             agent_ids=only) == expected
