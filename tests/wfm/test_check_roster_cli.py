"""``wfm check-roster``: exit 0 on a legal roster, 1 with the violations listed, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfm_cli.main import app

runner = CliRunner()

AGENTS = "agent_id,name,skills,max_nights_per_week\nana,Ana,sales,\nbob,Bob,sales;presales,1\n"
CLEAN = """agent_id,date,shift,queue
ana,2026-11-23,NIGHT,sales
ana,2026-11-24,DAY,sales
ana,2026-11-25,OFF,
bob,2026-11-23,DAY,presales
bob,2026-11-24,OFF,
bob,2026-11-25,NIGHT,sales
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {"roster": write(tmp_path, "roster.csv", CLEAN),
            "agents": write(tmp_path, "agents.csv", AGENTS)}


def run(*args: str | Path) -> object:
    return runner.invoke(app, ["check-roster", *[str(a) for a in args]])


def test_clean_roster_exits_0(files: dict[str, Path]) -> None:
    result = run("--roster", files["roster"], "--agents", files["agents"])
    assert result.exit_code == 0, result.output
    assert "no violations" in result.stdout and "2 agents x 3 days" in result.stdout


def test_clean_roster_json(files: dict[str, Path]) -> None:
    result = run("--roster", files["roster"], "--agents", files["agents"], "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    fairness = summary.pop("fairness")
    assert summary == {"violations": [], "count": 0, "agents": 2, "days": 3, "notes": []}
    # ana and bob have different skills: two teams of one, each on its own share
    assert fairness["band"] == 1 and fairness["outside_band"] == []
    assert {(t["skills"], t["kind"]) for t in fairness["teams"]} == {
        (team, kind) for team in ("sales", "presales;sales") for kind in ("nights",
                                                                         "weekend_rest")}


TEAM = "agent_id,name,skills\nana,Ana,sales\ncy,Cy,sales\n"
UNEVEN = """agent_id,date,shift,queue
ana,2026-11-23,NIGHT,sales
ana,2026-11-24,NIGHT,sales
ana,2026-11-25,NIGHT,sales
cy,2026-11-23,DAY,sales
cy,2026-11-24,DAY,sales
cy,2026-11-25,DAY,sales
"""


def test_fair_share_band_is_a_note_or_with_hard_a_violation(tmp_path: Path) -> None:
    roster = write(tmp_path, "uneven.csv", UNEVEN)
    agents = write(tmp_path, "team.csv", TEAM)
    result = run("--roster", roster, "--agents", agents)
    assert result.exit_code == 0, result.output  # ana 3 nights, cy none: 1.5 each, band 1
    assert "fairness sales (2 agents) nights: fewest 0, median 1.5, most 3" in result.stdout
    assert "note: ana fair_share_nights" in result.stdout
    assert "note: cy fair_share_nights" in result.stdout
    config = write(tmp_path, "site.toml", '[roster]\nfairness_band = "hard"\n')
    hard = run("--roster", roster, "--agents", agents, "--config", config)
    assert hard.exit_code == 1, hard.output
    assert "ana  2026-11-23  fair_share_nights" in hard.stdout


def test_violations_exit_1_and_are_listed(files: dict[str, Path], tmp_path: Path) -> None:
    broken = CLEAN.replace("bob,2026-11-24,OFF,", "bob,2026-11-24,NIGHT,vip")
    roster = write(tmp_path, "broken.csv", broken)
    result = run("--roster", roster, "--agents", files["agents"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bob  2026-11-23  max_nights_per_week: bob works 2 night")
    assert lines[1].startswith("bob  2026-11-24  skill: bob works NIGHT on 2026-11-24 for queue "
                               "'vip'")
    assert lines[-1].startswith("2 violation(s)")


def test_violations_json(files: dict[str, Path], tmp_path: Path) -> None:
    broken = CLEAN.replace("ana,2026-11-24,DAY,sales", "ana,2026-11-24,DAY,presales")
    roster = write(tmp_path, "broken.csv", broken)
    result = run("--roster", roster, "--agents", files["agents"], "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["count"] == 1 and payload["agents"] == 2 and payload["days"] == 3
    (violation,) = payload["violations"]
    assert {k: violation[k] for k in ("code", "agent_id", "date")} == {
        "code": "skill", "agent_id": "ana", "date": "2026-11-24"}
    assert "presales" in violation["message"]


def test_previous_leave_and_fixed_are_used(files: dict[str, Path], tmp_path: Path) -> None:
    previous = write(tmp_path, "previous.csv", "agent_id,date,shift,queue\n" + "".join(
        f"ana,2026-11-{day},DAY,sales\n" for day in range(17, 23)))
    leave = write(tmp_path, "leave.csv", "agent_id,date,reason\nbob,2026-11-25,annual\n")
    fixed = write(tmp_path, "fixed.csv", "agent_id,date,shift\nbob,2026-11-23,NIGHT\n")
    base = ("--roster", files["roster"], "--agents", files["agents"])
    result = run(*base, "--previous", previous, "--leave", leave, "--fixed", fixed,
                 "--format", "json")
    assert result.exit_code == 1, result.output
    found = [(v["code"], v["agent_id"], v["date"]) for v in json.loads(result.stdout)["violations"]]
    # ana: DAY 17..22 then NIGHT 23, DAY 24 is 8 days in a row; the 7th is the 23rd. The week
    # of the 16th lies wholly in the previous roster (and its Monday is unknown): not judged.
    assert found == [("max_consecutive_days", "ana", "2026-11-23"),
                     ("fixed", "bob", "2026-11-23"), ("leave", "bob", "2026-11-25")]


def test_config_rules_apply(files: dict[str, Path], tmp_path: Path) -> None:
    site = write(tmp_path, "site.toml", "[rules]\nmin_rest_hours = 10\n")
    result = run("--roster", files["roster"], "--agents", files["agents"], "--config", site)
    assert result.exit_code == 1
    assert "ana  2026-11-24  min_rest_hours: ana rests 9 h" in result.stdout


@pytest.mark.parametrize(("roster_text", "expected"), [
    (CLEAN.replace("2026-11-24,DAY", "24/11/2026,DAY"), "line 3, field 'date'"),
    (CLEAN.replace("agent_id,date,shift,queue", "agent_id,day,shift,queue"), "date"),
    (CLEAN + "ana,2026-11-23,DAY,sales\n", "duplicate rows"),
])
def test_bad_roster_exits_2(files: dict[str, Path], tmp_path: Path, roster_text: str,
                            expected: str) -> None:
    roster = write(tmp_path, "bad.csv", roster_text)
    result = run("--roster", roster, "--agents", files["agents"])
    assert result.exit_code == 2
    assert "bad.csv" in result.stderr and expected in result.stderr


def test_missing_file_and_bad_config_exit_2(files: dict[str, Path], tmp_path: Path) -> None:
    missing = run("--roster", tmp_path / "nope.csv", "--agents", files["agents"])
    assert missing.exit_code == 2 and "nope.csv" in missing.stderr
    site = write(tmp_path, "site.toml", "[rules]\nmax_consecutive_dayz = 5\n")
    bad_config = run("--roster", files["roster"], "--agents", files["agents"], "--config", site,
                     "--format", "json")
    assert bad_config.exit_code == 2
    assert json.loads(bad_config.stdout)["exit_code"] == 2
    assert "max_consecutive_dayz" in bad_config.stderr


def test_previous_rows_inside_the_roster_are_named_not_silently_used(tmp_path: Path,
                                                                    files: dict[str, Path]
                                                                    ) -> None:
    previous = write(tmp_path, "published.csv", "agent_id,date,shift,queue\n"
                     "ana,2026-11-22,OFF,\nana,2026-11-23,DAY,sales\nbob,2026-11-24,DAY,sales\n")
    result = run("--roster", files["roster"], "--agents", files["agents"], "--previous",
                 previous, "--format", "json")
    assert result.exit_code == 0, result.output
    [note] = json.loads(result.stdout)["notes"]
    assert "2 row(s) of" in note and "first day 2026-11-23" in note


def test_header_only_roster_exits_2_instead_of_passing(files: dict[str, Path],
                                                      tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.csv", "agent_id,date,shift,queue\n")
    result = run("--roster", empty, "--agents", files["agents"])
    assert result.exit_code == 2, result.output
    assert "empty.csv: no rows" in result.output
    assert "no violations" not in result.output
