"""``wfm roster`` through typer's CliRunner: files written, JSON summary, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
from typer.testing import CliRunner

from solvers.roster.instances import InstanceParameters, make_instance
from wfm.config import SiteConfig
from wfm.rules import check_roster
from wfm.tables import AGENTS, FIXED, LEAVE, REQUIREMENT, ROSTER, read_table, write_table
from wfm_cli.main import app

from .factories import day, rows

runner = CliRunner()


def _write_inputs(tmp_path, params: InstanceParameters):
    instance = make_instance(params, SiteConfig())
    paths = {name: tmp_path / f"{name}.csv" for name in ("requirement", "agents", "leave")}
    write_table(instance.requirement, paths["requirement"], REQUIREMENT)
    write_table(instance.agents, paths["agents"], AGENTS)
    write_table(instance.leave, paths["leave"], LEAVE)
    return instance, paths


def test_roster_cli_writes_roster_and_coverage(tmp_path):
    params = InstanceParameters(num_agents=12, num_days=7, with_previous=False, random_seed=4)
    _, paths = _write_inputs(tmp_path, params)
    out = tmp_path / "plan" / "roster.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--leave",
                                 str(paths["leave"]), "--time-limit", "2", "--format", "json",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert {"objective", "best_bound", "gap", "seconds", "shortfall_agent_hours",
            "worst_interval"} <= set(summary)
    coverage = tmp_path / "plan" / "roster.coverage.csv"
    assert out.exists() and coverage.exists()

    roster = read_table(out, ROSTER)
    agents = read_table(paths["agents"], AGENTS)
    leave = read_table(paths["leave"], LEAVE)
    assert len(roster) == 12 * 7
    assert check_roster(roster, agents, SiteConfig(), leave=leave) == []


def test_roster_cli_text_summary_and_progress(tmp_path):
    params = InstanceParameters(num_agents=6, num_days=3, with_previous=False, random_seed=5)
    _, paths = _write_inputs(tmp_path, params)
    out = tmp_path / "roster.csv"
    coverage = tmp_path / "cov.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--time-limit", "1",
                                 "--coverage-out", str(coverage), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "status" in result.stdout and "gap" in result.stdout
    assert "aggregate model" in result.stderr
    assert coverage.exists()


def test_roster_cli_infeasible_fixed_exits_1_naming_the_agent(tmp_path):
    params = InstanceParameters(num_agents=4, num_days=7, with_previous=False, random_seed=6)
    instance, paths = _write_inputs(tmp_path, params)
    agent = instance.agents["agent_id"][1]
    fixed = rows([(agent, day(d), "DAY") for d in range(7)], queue="sales")
    write_table(fixed, tmp_path / "fixed.csv", FIXED)
    out = tmp_path / "roster.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--fixed",
                                 str(tmp_path / "fixed.csv"), "-o", str(out)])
    assert result.exit_code == 1
    assert agent in result.stderr and "min_rest_days_per_week" in result.stderr
    assert not out.exists()


def test_roster_cli_bad_input_exits_2(tmp_path):
    (tmp_path / "agents.csv").write_text("agent_id,name\nA1,Ann\n")
    params = InstanceParameters(num_agents=2, num_days=1, with_previous=False)
    _, paths = _write_inputs(tmp_path, params)
    (tmp_path / "agents.csv").write_text("agent_id,name\nA1,Ann\n")
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(tmp_path / "agents.csv"), "-o",
                                 str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "skills" in result.stderr


def test_a_previous_roster_reaching_into_the_horizon_is_an_error_naming_file_and_line(tmp_path):
    """Re-planning mid-period with the published roster as --previous would silently re-plan
    days the previous roster shows; the CLI says which row and what to do instead."""
    params = InstanceParameters(num_agents=4, num_days=3, with_previous=False, random_seed=6)
    instance, paths = _write_inputs(tmp_path, params)
    first = instance.requirement["interval_start"].min().date()
    agent = str(instance.agents["agent_id"].iloc[0])
    previous = tmp_path / "published.csv"
    previous.write_text(f"agent_id,date,shift,queue\n{agent},{first - timedelta(days=1)},"
                        f"OFF,\n{agent},{first},DAY,\n")
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--previous", str(previous),
                                 "-o", str(out)])
    assert result.exit_code == 2
    assert (f"published.csv, line 3, field 'date': 1 previous-roster row(s) fall inside the "
            f"horizon {first}..") in result.stderr
    assert "--fixed" in result.stderr and not out.exists()


def test_a_requirement_off_the_site_grid_is_refused_and_a_missing_day_is_named(tmp_path):
    params = InstanceParameters(num_agents=4, num_days=3, with_previous=False, random_seed=8)
    instance, paths = _write_inputs(tmp_path, params)
    requirement = instance.requirement
    days = requirement["interval_start"].dt.tz_localize(None).dt.normalize()
    middle = sorted(days.unique())[1]
    write_table(requirement[days != middle], paths["requirement"], REQUIREMENT)
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--time-limit", "1",
                                 "--format", "json", "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert f"no interval on {middle.date()};" in warning
    shifted = requirement.assign(interval_start=requirement["interval_start"]
                                 + pd.Timedelta(minutes=15))
    write_table(shifted, paths["requirement"], REQUIREMENT)
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    assert "is not on the 30-minute grid" in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_coverage_out_equal_to_the_roster_or_an_input_is_refused(tmp_path):
    params = InstanceParameters(num_agents=2, num_days=1, with_previous=False, random_seed=9)
    _, paths = _write_inputs(tmp_path, params)
    same = tmp_path / "same.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "-o", str(same),
                                 "--coverage-out", str(same)])
    assert result.exit_code == 2 and "the same file as the output -o/--output" in result.stderr
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "-o", str(tmp_path / "r.csv"),
                                 "--coverage-out", str(paths["requirement"])])
    assert result.exit_code == 2 and "the same file as the input --requirement" in result.stderr
    assert not same.exists() and not (tmp_path / "r.csv").exists()


def test_the_summary_shortfall_is_the_coverage_tables_and_the_worst_interval_has_its_offset(
        tmp_path):
    params = InstanceParameters(num_agents=3, num_days=2, with_previous=False, random_seed=10)
    instance, paths = _write_inputs(tmp_path, params)
    write_table(instance.requirement.assign(
        scheduled_agents=instance.requirement["scheduled_agents"] + 4),
        paths["requirement"], REQUIREMENT)  # more than three agents can cover
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["roster", "--requirement", str(paths["requirement"]),
                                 "--agents", str(paths["agents"]), "--time-limit", "2",
                                 "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    coverage = pd.read_csv(tmp_path / "r.coverage.csv")
    assert summary["shortfall_agent_hours"] == coverage["shortfall"].sum() * 30 / 60 > 0
    worst = summary["worst_interval"]
    assert worst["shortfall"] == coverage["shortfall"].max()
    assert worst["interval_start"].endswith("+08:00")
    assert isinstance(summary["time_limit_reached"], list)


def test_a_short_roster_says_how_many_more_agents_and_when(tmp_path, roomy_cap):
    """Issue 28: not only agent-hours and a gap, but agents, days and hours. The two runs must
    make the same roster, so no wall-clock cap may cut either short (``roomy_cap``)."""
    params = InstanceParameters(num_agents=3, num_days=2, with_previous=False, random_seed=10)
    instance, paths = _write_inputs(tmp_path, params)
    write_table(instance.requirement.assign(
        scheduled_agents=instance.requirement["scheduled_agents"] + 4),
        paths["requirement"], REQUIREMENT)  # more than three agents can cover
    out = tmp_path / "r.csv"
    args = ["roster", "--requirement", str(paths["requirement"]), "--agents",
            str(paths["agents"]), "--time-limit", "2", "-o", str(out)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    gap = json.loads(result.stdout)["staffing_gap"]
    coverage = pd.read_csv(tmp_path / "r.coverage.csv")
    assert gap["agent_hours"] == coverage["shortfall"].sum() * 30 / 60
    assert gap["peak_agents"] >= coverage["shortfall"].max() >= 4
    assert gap["spans"] and {"first_day", "last_day", "start", "end", "peak_agents"} <= set(
        gap["spans"][0])
    text = runner.invoke(app, args)
    assert f"short: about {gap['peak_agents']} more agent(s) at the busiest time" in text.stdout
