"""``[adherence.states]``: a site's ACD state names and AUX codes mapped to wfm's states."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.states import ACD_STATES, DEFAULT_STATE_NAMES, map_states
from wfm.tables import LOGIN_EVENTS, read_table_text
from wfm_cli.main import app


def events(*states: str) -> pd.DataFrame:
    return pd.DataFrame({"agent_id": ["a1"] * len(states),
                         "timestamp": pd.date_range("2026-11-23 09:00", periods=len(states),
                                                    freq="min"),
                         "state": list(states)})


@pytest.mark.parametrize(("name", "state"), [
    ("Available", "ready"), ("AVAILABLE", "ready"), ("  on   Hold ", "hold"),
    ("After Call Work", "acw"), ("Wrap-Up", "acw"), ("Not Ready", "not_ready"),
    ("AUX", "not_ready"), ("Lunch", "lunch"), ("Log Out", "logout"), ("Sign In", "login"),
    ("小休", "break"), ("示忙", "not_ready"), ("示闲", "ready"), ("通话", "talk"),
    ("话后处理", "acw"), ("午餐", "lunch"), ("会议", "meeting"), ("培训", "training"),
    ("登录", "login"), ("登出", "logout"), ("LOGIN", "login"), ("not_ready", "not_ready"),
])
def test_map_states_knows_the_common_english_and_chinese_names(name, state):
    assert list(map_states(events(name))["state"]) == [state]


def test_every_default_name_maps_to_a_wfm_state():
    assert set(DEFAULT_STATE_NAMES.values()) == set(ACD_STATES)
    assert all(DEFAULT_STATE_NAMES[s] == s for s in ACD_STATES)


def test_map_states_site_mapping_wins_over_the_default():
    site = {"AUX 3": "training", "Available": "not_ready", "小休": "lunch"}
    got = map_states(events("aux 3", "available", "小休", "Talk"), site)
    assert list(got["state"]) == ["training", "not_ready", "lunch", "talk"]


def test_map_states_unknown_state_names_its_line_value_and_mapping():
    frame = events("Available", "AUX 3", "Dancing", "AUX 3", "小休2")
    with pytest.raises(InvalidInput) as error:
        map_states(frame, label="acd.csv")
    assert str(error.value) == (
        "acd.csv, line 3, field 'state': unknown state 'AUX 3'; add \"AUX 3\" = \"not_ready\" "
        "(or the wfm state it means: login, logout, ready, talk, acw, hold, break, lunch, "
        "meeting, training, not_ready) under [adherence.states] in the site file "
        "(2 more unknown state(s): 'Dancing' on line 4, '小休2' on line 6)")


def test_map_states_suggests_from_the_name():
    with pytest.raises(InvalidInput, match='add "Meal 2" = "lunch"'):
        map_states(events("Meal 2"))


def test_config_adherence_states_are_checked():
    config = build_config({"adherence": {"states": {"AUX 3": "Not_Ready"}}})
    assert config.adherence.states == {"AUX 3": "not_ready"}
    with pytest.raises(InvalidInput, match="'AUX 4' maps to 'coffee', which must be one of login"):
        build_config({"adherence": {"states": {"AUX 4": "coffee"}}})
    with pytest.raises(InvalidInput, match="'aux 3' and 'AUX 3' are the same name"):
        build_config({"adherence": {"states": {"AUX 3": "break", "aux 3": "lunch"}}})


def test_the_events_table_reads_any_state_text():
    frame = read_table_text("agent_id,timestamp,state\na1,2026-11-23T09:00:00,AUX 3\n",
                            "login events")
    assert list(frame["state"]) == ["AUX 3"]
    assert LOGIN_EVENTS.names == ["agent_id", "timestamp", "state"]


def test_wfm_adherence_maps_the_site_states(tmp_path):
    (tmp_path / "roster.csv").write_text("agent_id,date,shift\na1,2026-11-23,DAY\n")
    (tmp_path / "site.toml").write_text(
        '[[shifts]]\ncode = "DAY"\nstart = "09:00"\nend = "17:00"\n'
        '[adherence.states]\n"AUX 3" = "not_ready"\n')
    # DAY 09:00-17:00 (480): AUX 3 for 30 minutes is not ready
    (tmp_path / "events.csv").write_text(
        "agent_id,timestamp,state\na1,2026-11-23T09:00:00,Available\n"
        "a1,2026-11-23T10:00:00,AUX 3\na1,2026-11-23T10:30:00,通话\n"
        "a1,2026-11-23T17:00:00,Log Out\n")
    out = tmp_path / "a.csv"
    args = ["adherence", "--roster", str(tmp_path / "roster.csv"), "--events",
            str(tmp_path / "events.csv"), "-o", str(out)]
    result = CliRunner().invoke(app, [*args, "--config", str(tmp_path / "site.toml")])
    assert result.exit_code == 0, result.output
    assert "lost 30.00 min: not ready 30.00" in result.output
    # without the site's mapping: exit 2, naming the line, the value and the mapping to add
    out.unlink()
    (tmp_path / "plain.toml").write_text(
        '[[shifts]]\ncode = "DAY"\nstart = "09:00"\nend = "17:00"\n')
    result = CliRunner().invoke(app, [*args, "--config", str(tmp_path / "plain.toml")])
    assert result.exit_code == 2
    assert "line 3, field 'state': unknown state 'AUX 3'; add \"AUX 3\" = \"not_ready\"" in (
        " ".join(result.output.split()))
    assert not out.exists()


def test_planner_guide_lists_the_default_names():
    from pathlib import Path

    from wfm.states import _DEFAULTS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "planner-guide.md").read_text()
    for state, names in _DEFAULTS.items():
        assert f"| `{state}` | {names} |" in guide, state
