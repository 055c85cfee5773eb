"""The ``wfm.rules`` package as a whole: the registry, ``--list-rules``, and the checker on an
agent subset agreeing with the checker on the whole roster."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.wfm.test_rules import RANDOM_SHIFTS, random_case
from wfm.config import build_config
from wfm.rules import (
    RULE_CODES,
    RULES,
    Violation,
    check_roster,
    check_roster_rows,
    rules_table_lines,
)
from wfm_cli.main import app

COLUMNS = ["agent_id", "date", "shift", "queue"]
MONDAY = date(2026, 11, 23)


# ---- the registry -----------------------------------------------------------------------------

def test_registry_codes_are_distinct_and_match_rule_codes() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert list(RULE_CODES) == codes
    assert all(rule.statement and rule.family for rule in RULES)


def test_registry_config_keys_name_real_settings() -> None:
    config = build_config({})
    for rule in RULES:
        if rule.config_key is None:
            continue
        value: object = config
        for part in rule.config_key.split("."):
            value = getattr(value, part)  # raises when the key does not exist


def test_a_roster_breaking_every_rule_reports_every_registered_code() -> None:
    config = build_config({"country": "", "rules": {"min_rest_hours": 10,
                                                    "max_consecutive_nights": 1}})
    day = [MONDAY + timedelta(days=i) for i in range(8)]
    rows = [("ana", d, "DAY", "sales") for d in day[:7]]  # 7 days in a row, no rest that week
    rows += [("ana", day[7], "NIGHT", "sales"),
             ("bo", day[0], "NIGHT", "sales"), ("bo", day[1], "DAY", "sales"),  # 9 h rest
             ("bo", day[2], "DAY", "vip"),  # not a skill
             ("bo", day[3], "DAY", ""),  # several queues, none named
             ("bo", day[4], "BOGUS", "sales"), ("bo", day[5], "OFF", ""),
             ("bo", day[5], "DAY", "sales"),  # second row
             ("bo", day[6], "LEAVE", ""),  # not approved
             ("cy", day[0], "DAY", "sales"),  # after cy's contract
             ("ghost", day[0], "OFF", "")]
    rows += [("ghost", day[1], "NIGHT", "sales"), ("ghost", day[2], "NIGHT", "sales")]  # max 1
    agents = pd.DataFrame({"agent_id": ["ana", "bo", "cy"], "skills": [("sales", "presales")] * 3,
                           "max_nights_per_week": pd.array([None, 0, None], dtype="Int64"),
                           "end_date": [None, None, MONDAY - timedelta(days=1)]})
    leave = pd.DataFrame({"agent_id": ["ana"], "date": [day[2]]})
    fixed = pd.DataFrame({"agent_id": ["ana"], "date": [day[3]], "shift": ["OFF"], "queue": [""]})
    found = check_roster(pd.DataFrame(rows, columns=COLUMNS), agents, config, leave=leave,
                         fixed=fixed)
    # the fairness rules need their own settings and a team: tests/wfm/test_rules_fairness.py
    team_rules = {"fair_share_nights", "fair_share_weekend_rest", "weekly_blocks"}
    assert {v.code for v in found} == set(RULE_CODES) - team_rules


# ---- wfm check-roster --list-rules ------------------------------------------------------------

runner = CliRunner()


def test_list_rules_prints_every_rule_with_its_key() -> None:
    result = runner.invoke(app, ["check-roster", "--list-rules"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "config", "key", "statement"]
    assert len(lines) == len(RULES) + 1
    for rule, line in zip(RULES, lines[1:], strict=True):
        assert line.split()[:2] == [rule.code, rule.config_key or "-"]
        assert line.endswith(rule.statement)


def test_list_rules_json() -> None:
    result = runner.invoke(app, ["check-roster", "--list-rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["count"] == len(RULES)
    assert payload["rules"][10] == {"code": "min_rest_hours", "config_key": "rules.min_rest_hours",
                                    "statement": RULE_CODES["min_rest_hours"],
                                    "family": "rest_hours"}


def test_check_without_a_roster_is_bad_input() -> None:
    result = runner.invoke(app, ["check-roster", "--agents", "agents.csv"])
    assert result.exit_code == 2
    assert "missing option --roster" in result.stderr


# ---- subsets agree with the whole -------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case(), st.lists(st.sampled_from(["a", "b", "c", "ghost"]), max_size=4,
                               unique=True))
def test_checker_on_an_agent_subset_agrees_with_the_whole_roster(case, subset) -> None:
    rows, previous, leave, fixed, staff, rules, requirement_queues = case
    config = build_config({"shifts": RANDOM_SHIFTS, "rules": rules,
                           "timezone": "Europe/Berlin"})
    tables = {"previous": pd.DataFrame(previous, columns=COLUMNS),
              "leave": pd.DataFrame(leave, columns=["agent_id", "date"]),
              "fixed": pd.DataFrame(fixed, columns=COLUMNS)}
    roster = pd.DataFrame(rows, columns=COLUMNS)
    whole = check_roster(roster, staff, config, requirement_queues=requirement_queues, **tables)
    expected = [v for v in whole if v.agent_id in subset]
    # the same input, restricted to the subset
    assert check_roster(roster, staff, config, requirement_queues=requirement_queues,
                        agent_ids=subset, **tables) == expected
    # only the subset's rows, when they span the same horizon
    mine = roster[roster["agent_id"].isin(subset)]
    if len(mine) and mine["date"].min() == roster["date"].min() and (
            mine["date"].max() == roster["date"].max()):
        own = {name: frame[frame["agent_id"].isin(subset)] for name, frame in tables.items()}
        assert check_roster(mine, staff, config, requirement_queues=requirement_queues,
                            **own) == expected
    # the plain-values entry point, on the rows of the subset (no previous, leave or fixed)
    plain = [v for v in check_roster(roster, staff, config, requirement_queues=requirement_queues)
             if v.agent_id in subset]
    assert check_roster_rows(rows, staff.to_dict("records"), config,
                             requirement_queues=requirement_queues, agent_ids=subset) == plain


# The example hypothesis found (issue 27, --hypothesis-seed=19): agent b's row opens the horizon
# on a Sunday and a's run starts on the Monday after. The grid of a subset started at a's first
# known day, so the horizon's first day fell before the grid and a's run went unreported.
SUNDAY = MONDAY + timedelta(days=6)
RUN_OF_FOUR = [("b", SUNDAY, "OFF", "")] + [
    ("a", SUNDAY + timedelta(days=i), "DAY", "") for i in range(1, 5)] + [
    ("a", SUNDAY + timedelta(days=5), "OFF", "")]
RUN_CONFIG = build_config({"country": "", "rules": {"max_consecutive_days": 1,
                                                     "min_rest_days_per_week": 0}})
RUN_AGENTS = pd.DataFrame({"agent_id": ["a", "b"], "skills": ["sales", "sales"]})
RUN_VIOLATION = Violation("max_consecutive_days", "a", "2026-12-01",
                          "a works 4 days in a row 2026-11-30..2026-12-03 (max 1)")


def test_checker_on_a_subset_reports_a_run_starting_after_the_horizon_start() -> None:
    roster = pd.DataFrame(RUN_OF_FOUR, columns=COLUMNS)
    whole = check_roster(roster, RUN_AGENTS, RUN_CONFIG)
    assert whole == [RUN_VIOLATION]
    assert check_roster(roster, RUN_AGENTS, RUN_CONFIG, agent_ids=["a"]) == whole
    assert check_roster_rows(RUN_OF_FOUR, RUN_AGENTS, RUN_CONFIG, agent_ids=["a"]) == whole


def test_checker_reports_a_run_when_an_unknown_shift_opens_the_horizon() -> None:
    # the same root cause on the whole roster: the only row of the first day is not a template
    rows = [("a", SUNDAY, "BOGUS", "")] + RUN_OF_FOUR[1:]
    found = check_roster(pd.DataFrame(rows, columns=COLUMNS), RUN_AGENTS, RUN_CONFIG)
    assert [v.code for v in found] == ["unknown_shift", "max_consecutive_days"]
    assert found[1] == RUN_VIOLATION


def test_planner_guide_quotes_the_rule_list() -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "planner-guide.md"
    text = guide.read_text(encoding="utf-8")
    assert "\n".join(rules_table_lines()) in text
