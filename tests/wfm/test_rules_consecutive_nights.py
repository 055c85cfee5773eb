"""``max_consecutive_nights`` in the checker: hand-worked rosters, passing and violating side by
side (default shifts: DAY 08:30-16:00, NIGHT 16:00-23:30, a night shift)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.wfm.test_rules import MONDAY, agents, days, found, iso, roster
from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.rules import RULE_CODES, RULES, check_roster

MAX_3 = build_config({"rules": {"max_consecutive_nights": 3, "min_rest_days_per_week": 0}})


def test_off_by_default() -> None:
    loose = build_config({"rules": {"min_rest_days_per_week": 0}})
    assert check_roster(roster(days("NNNNNNO")), agents("ana"), loose) == []


def test_four_nights_in_a_row_with_max_3() -> None:
    assert check_roster(roster(days("NNNODNNN")), agents("ana"), MAX_3) == []
    violations = check_roster(roster(days("NNNNO")), agents("ana"), MAX_3)
    assert found(violations) == [("max_consecutive_nights", "ana", iso(3))]
    assert violations[0].message == ("ana works 4 night shifts in a row "
                                     "2026-11-23..2026-11-26 (max 3)")


def test_a_rest_day_a_day_shift_or_an_unknown_day_ends_the_run() -> None:
    for pattern in ("NNNONNN", "NNNDNN", "NNN.NNN"):
        assert check_roster(roster(days(pattern)), agents("ana"), MAX_3) == [], pattern


def test_one_violation_per_run() -> None:
    violations = check_roster(roster(days("NNNNNODNNNN")), agents("ana"),
                              build_config({"rules": {"max_consecutive_nights": 3,
                                                      "max_consecutive_days": 7,
                                                      "min_rest_days_per_week": 0}}))
    assert found(violations) == [("max_consecutive_nights", "ana", iso(3)),
                                 ("max_consecutive_nights", "ana", iso(10))]
    assert "5 night shifts in a row 2026-11-23..2026-11-27" in violations[0].message


def test_the_previous_roster_counts() -> None:
    tail = roster(days("DNN", first=MONDAY - timedelta(days=3)))
    violations = check_roster(roster(days("NNO")), agents("ana"), MAX_3, previous=tail)
    assert found(violations) == [("max_consecutive_nights", "ana", iso(1))]
    assert "4 night shifts in a row 2026-11-21..2026-11-24" in violations[0].message
    assert check_roster(roster(days("NOO")), agents("ana"), MAX_3, previous=tail) == []


def test_a_run_already_too_long_before_the_horizon_is_reported_on_its_first_day() -> None:
    tail = roster(days("NNNN", first=MONDAY - timedelta(days=4)))
    violations = check_roster(roster(days("NOO")), agents("ana"), MAX_3, previous=tail)
    assert found(violations) == [("max_consecutive_nights", "ana", iso(0))]
    # the previous roster alone breaks the rule, but the horizon starts with a rest day
    assert check_roster(roster(days("ONN")), agents("ana"), MAX_3, previous=tail) == []


def test_registered_with_its_configuration_key() -> None:
    rule = next(r for r in RULES if r.code == "max_consecutive_nights")
    assert rule.config_key == "rules.max_consecutive_nights"
    assert rule.family == "consecutive_nights"
    assert "max_consecutive_nights" in RULE_CODES


def test_the_limit_is_not_negative() -> None:
    with pytest.raises(InvalidInput, match="max_consecutive_nights"):
        build_config({"rules": {"max_consecutive_nights": -1}})


def test_the_rules_reach_covers_a_long_night_limit() -> None:
    # the API loads the stored roster this far around a change: a nights limit longer than the
    # working-days limit must widen it, or a run of nights before the change is not seen
    from wfm.config import Rules
    from wfm.rules import days_rules_reach

    assert days_rules_reach(Rules()) == 7
    assert days_rules_reach(Rules(max_consecutive_days=9)) == 9
    assert days_rules_reach(Rules(max_consecutive_days=6, max_consecutive_nights=12)) == 12
