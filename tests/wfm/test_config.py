"""Site configuration: defaults from DESIGN.md, TOML loading, and messages naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config import SiteConfig, build_config, load_config
from wfm.errors import InvalidInput


def test_defaults_match_the_design() -> None:
    config = SiteConfig()
    assert config.timezone == "Asia/Shanghai" and config.interval_minutes == 30
    assert config.country == "CN"
    assert (config.service.level, config.service.answer_within_seconds) == (0.80, 20)
    assert (config.service.max_occupancy, config.service.shrinkage) == (0.85, 0.30)
    assert [(s.code, s.start, s.end) for s in config.shifts] == [
        ("DAY", "08:30", "16:00"), ("NIGHT", "16:00", "23:30")]
    assert config.shifts[0].duration_minutes == 450
    assert (config.rules.max_consecutive_days, config.rules.min_rest_days_per_week,
            config.rules.min_rest_hours) == (6, 1, 9)
    assert config.adherence.target_pct == 92 and config.swaps.min_notice_hours == 24
    assert config.swaps.auto_approve is False


def test_load_toml_with_queue_overrides(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("""
interval_minutes = 15
promotion_dates = ["2026-11-11"]
[service]
level = 0.9
[queues.presales]
answer_within_seconds = 15
[[shifts]]
code = "EARLY"
start = "07:00"
end = "15:00"
breaks = [["11:00", 30]]
[[shifts]]
code = "LATE"
start = "22:00"
end = "06:00"
""", encoding="utf-8")
    config = load_config(path)
    assert config.interval_minutes == 15
    presales = config.service_for("presales")
    assert presales.answer_within_seconds == 15 and presales.level == 0.9
    assert config.service_for("aftersales").answer_within_seconds == 20
    assert config.shift("EARLY").paid_minutes == 450
    assert config.shift("LATE").duration_minutes == 480  # crosses midnight


@pytest.mark.parametrize(("data", "message"), [
    ({"shifts": [{"code": "A", "start": "08:00", "end": "08:00"}]},
     "shifts.0: shift A: end 08:00 equals start 08:00"),
    ({"service": {"max_occupancy": 1.2}},
     "service.max_occupancy: Input should be less than or equal to 1"),
    ({"service": {"max_occupancy": 0}},
     "service.max_occupancy: Input should be greater than 0"),
    ({"interval_minutes": 7},
     "interval_minutes: interval_minutes must divide a day (1440 minutes) evenly, e.g. 15 or 30,"
     " got 7"),
    ({"colour": "blue"}, "colour: unknown key"),
    ({"service": {"levle": 0.8}}, "service.levle: unknown key"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
    ({"shifts": [{"code": "OFF", "start": "08:00", "end": "09:00"}]},
     "shift code 'OFF' is reserved"),
    ({"shifts": [{"code": "D", "start": "25:00", "end": "16:00"}]},
     "start must be a clock time HH:MM or H:MM (00:00-23:59), got '25:00'"),
    ({"shifts": [{"code": "D", "start": "08:00", "end": "16:00", "breaks": [["17:00", 30]]}]},
     "break 17:00+30min is not inside 08:00-16:00"),
    ({"promotion_dates": ["11-11"]}, "promotion_dates must hold ISO dates YYYY-MM-DD, got '11-11'"),
    ({"country": "XX"}, "country 'XX' has no holiday calendar"),
    ({"shifts": [{"code": "D", "start": "08:00", "end": "16:00"},
                 {"code": "D", "start": "09:00", "end": "17:00"}]},
     "shift codes must be unique, repeated: D"),
])
def test_invalid_configuration_names_the_key(data: dict, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        build_config(data, source="site.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("site.toml: ")


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("level = = 1", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_config(broken)


def test_command_line_overrides_are_validated() -> None:
    config = SiteConfig().with_overrides(**{"service.level": 0.9, "service.shrinkage": None})
    assert config.service.level == 0.9 and config.service.shrinkage == 0.30
    with pytest.raises(InvalidInput, match="service.level"):
        SiteConfig().with_overrides(**{"service.level": 1.5})


def test_forecast_section_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[forecast]\nholiday_factor = 0.5\npromotion_factor = 3\n", encoding="utf-8")
    config = load_config(path)
    assert config.forecast.holiday_factor == 0.5 and config.forecast.promotion_factor == 3
    assert SiteConfig().forecast.promotion_factor == 2.0
    with pytest.raises(InvalidInput, match="forecast.holiday_factr: unknown key"):
        build_config({"forecast": {"holiday_factr": 0.5}})


def test_a_shift_may_end_at_24_00_and_overlapping_breaks_are_refused() -> None:
    late = build_config({"shifts": [{"code": "LATE", "start": "16:00", "end": "24:00"}]})
    assert late.shifts[0].duration_minutes == 480
    with pytest.raises(InvalidInput, match=r"shift E: breaks at 12:00 and 12:15 overlap"):
        build_config({"shifts": [{"code": "E", "start": "08:00", "end": "16:00",
                                  "breaks": [["12:15", 30], ["12:00", 30]]}]})


def test_a_site_closed_on_holidays_may_say_so_with_a_zero_holiday_factor() -> None:
    from wfm.forecast.settings import settings_for

    assert settings_for(SiteConfig(), holiday_factor=0).holiday_factor == 0


def test_a_roster_weight_too_large_for_the_solver_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"roster weight 'coverage' must be at most 1e\+06"):
        build_config({"roster": {"weights": {"coverage": 1e15}}})
    assert build_config({"roster": {"weights": {"coverage": 1e6}}}).roster.weights == {
        "coverage": 1e6}


def test_shift_codes_are_case_insensitive_like_the_roster_files() -> None:
    """Roster files are read upper-cased (day = DAY); a site that spells its codes in lower
    case must still find them, and two codes differing only in case are one code twice."""
    site = build_config({"shifts": [{"code": "e", "start": "08:00", "end": "16:00"}]})
    assert site.shift("E").start == "08:00"
    with pytest.raises(InvalidInput, match=r"shift codes must be unique, repeated: D"):
        build_config({"shifts": [{"code": "d", "start": "08:00", "end": "16:00"},
                                 {"code": "D", "start": "16:00", "end": "23:00"}]})
