"""The intraday view: each column by hand on a small day, the re-forecast against ``wfm
forecast``'s intraday update, and ``wfm intraday`` end to end."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.wfm.test_forecast_selection import history_ending_at_noon
from wfm.calendar import local_naive
from wfm.config import build_config
from wfm.forecast import run_forecast
from wfm.intraday import INTRADAY_COLUMNS, UpdateSpread, describe_periods, intraday_view
from wfm_cli.main import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DAY = date(2026, 11, 24)
SITE = build_config({
    "timezone": "Asia/Shanghai", "interval_minutes": 30, "country": "",
    "service": {"level": 0.8, "answer_within_seconds": 20, "max_occupancy": 0.85,
                "shrinkage": 0.25},
    "shifts": [{"code": "EARLY", "start": "09:00", "end": "11:00", "breaks": [["10:30", 30]]}]})


def _at(clock: str) -> pd.Timestamp:
    return pd.Timestamp(f"{DAY} {clock}", tz="Asia/Shanghai")


def _erlang_c(traffic: float, agents: int) -> float:
    """Erlang B by its recursion, then C = B / (1 - rho (1 - B)) (Cooper, 1981)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    rho = traffic / agents
    return b / (1 - rho * (1 - b))


def _level(traffic: float, agents: int, aht: float, target: float = 20.0) -> float:
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1 - _erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target / aht)


def _needed(traffic: float, aht: float) -> int:
    n = max(1, math.floor(traffic) + 1)
    while _level(traffic, n, aht) < 0.8 or traffic / n > 0.85:
        n += 1
    return n


@pytest.fixture
def small_day() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    forecast = pd.DataFrame({
        "interval_start": [_at("09:00"), _at("09:30"), _at("10:00"), _at("10:30")],
        "queue": "voice", "contacts": 100.0, "aht_seconds": 180.0})
    actuals = pd.DataFrame({
        "interval_start": [_at("09:00"), _at("09:30")], "queue": "voice",
        "offered": [100, 130], "answered": [100, 125], "abandoned": [0, 5],
        "answered_within_target": [90, 100],
        "handle_seconds": [100 * 150.0, 125 * 170.0], "acw_seconds": [100 * 30.0, 125 * 30.0],
        "wait_seconds": [0.0, 0.0]})
    roster = pd.DataFrame({"agent_id": [f"A{i:02d}" for i in range(22)], "date": DAY,
                           "shift": "EARLY", "queue": "voice"})
    leave = pd.DataFrame({"agent_id": ["A00", "A01"], "date": [DAY, DAY]})
    return forecast, actuals, roster, leave


def test_each_column_of_a_small_day_by_hand(small_day) -> None:
    forecast, actuals, roster, leave = small_day
    view = intraday_view(forecast, actuals, roster, SITE, day=DAY, leave=leave)
    table = view.table
    assert list(table.columns) == INTRADAY_COLUMNS
    assert len(table) == 48  # the whole day, closed intervals at 0
    rows = table.set_index(local_naive(table["interval_start"]).strftime("%H:%M"))
    day = rows.loc[["09:00", "09:30", "10:00", "10:30"]]
    assert day["status"].tolist() == ["actual", "actual", "coming", "coming"]
    assert day["forecast_contacts"].tolist() == [100, 100, 100, 100]
    # past intervals show actuals; the rest is scaled by the gamma-Poisson posterior mean
    # (prior 1 / 0.15^2, Poisson counts: c = 1): 230 arrived against 200 expected
    factor = (1 / 0.15**2 + 230) / (1 / 0.15**2 + 200)
    assert day["reforecast_contacts"].tolist() == pytest.approx(
        [100, 130, 100 * factor, 100 * factor], abs=1e-3)
    assert view.updates["voice"] is not None
    assert view.updates["voice"].factor == pytest.approx(factor)
    assert day["actual_offered"].iloc[:2].tolist() == [100, 130]
    assert day["actual_offered"].iloc[2:].isna().all()
    assert day["aht_planned_seconds"].tolist() == [180] * 4
    assert day["aht_actual_seconds"].iloc[:2].tolist() == [180, 200]  # (handle + acw) / answered
    # 100 calls of 180 s in 30 min (10 Erlangs) need 14 agents (the callcentrehelper example)
    traffic = [10.0, 130 * 200 / 1800, 10 * factor, 10 * factor]
    assert day["required_agents"].iloc[0] == 14
    assert day["required_agents"].tolist() == [_needed(a, s) for a, s in
                                               zip(traffic, [180, 200, 180, 180], strict=True)]
    # 22 rostered, 2 on leave; 10:30 is everyone's break
    assert day["scheduled_agents"].tolist() == [20, 20, 20, 0]
    assert day["effective_agents"].tolist() == [15, 15, 15, 0]  # floor(20 x 0.75)
    assert (day["net_agents"] == day["effective_agents"] - day["required_agents"]).all()
    expected_levels = [_level(a, n, s) for a, n, s in
                       zip(traffic, [15, 15, 15, 0], [180, 200, 180, 180], strict=True)]
    assert day["projected_service_level"].tolist() == pytest.approx(expected_levels, abs=1e-4)
    closed = table[~table.index.isin(table.index[rows.index.isin(day.index)])]
    assert (closed["reforecast_contacts"] == 0).all() and (closed["required_agents"] == 0).all()
    # the day's totals
    totals = view.totals.set_index("queue")
    voice = totals.loc["voice"]
    assert voice["forecast_contacts"] == 400
    assert voice["reforecast_contacts"] == pytest.approx(230 + 200 * factor, abs=0.1)
    assert voice["actual_offered"] == 230
    assert voice["aht_actual_seconds"] == pytest.approx((18000 + 25000) / 225, abs=0.1)
    assert voice["scheduled_agent_hours"] == 30  # 20 agents x 3 half-hours
    short = sum(max(0, need - have) for need, have in zip(
        day["required_agents"], [15, 15, 15, 0], strict=True)) * 0.5
    assert voice["short_agent_hours"] == pytest.approx(short)
    # coming periods in words: 10:30 is short (everyone on break)
    assert any(p.kind == "short" and p.start == _at("10:30") for p in view.periods)
    assert "voice short 10:30-11:00" in describe_periods(view.periods)


def test_added_head_count_and_early_ends_change_the_staffing(small_day) -> None:
    """Accepted overtime extensions (``added``) and VTO early ends (``away``) move the head
    count before shrinkage, the service level and the totals, by hand: A02-A04 work on
    11:00-12:00; A05 ends at 10:00 and also has time off 10:00-11:00 (taken off once), and
    10:30 is everyone's break, so it loses nothing there."""
    forecast, actuals, roster, leave = small_day
    added = pd.DataFrame({"interval_start": [_at("11:00"), _at("11:30")], "queue": "voice",
                          "delta": [3, 3]})
    away = pd.DataFrame({"agent_id": ["A05", "A05"], "start": [_at("10:00"), _at("10:00")],
                         "end": [_at("11:00"), _at("11:00")]})
    base = intraday_view(forecast, actuals, roster, SITE, day=DAY, leave=leave)
    view = intraday_view(forecast, actuals, roster, SITE, day=DAY, leave=leave, added=added,
                         away=away)
    rows = view.table.set_index(local_naive(view.table["interval_start"]).strftime("%H:%M"))
    day = rows.loc[["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]]
    assert day["scheduled_agents"].tolist() == [20, 20, 19, 0, 3, 3, 0]
    assert day["effective_agents"].tolist() == [15, 15, 14, 0, 2, 2, 0]  # floor(N x 0.75)
    assert day["net_agents"].tolist() == (day["effective_agents"]
                                          - day["required_agents"]).tolist()
    factor = (1 / 0.15**2 + 230) / (1 / 0.15**2 + 200)
    assert day["projected_service_level"].iat[2] == pytest.approx(
        _level(10 * factor, 14, 180), abs=1e-4)
    hours = view.totals.set_index("queue").loc["voice", "scheduled_agent_hours"]
    assert hours == base.totals.set_index("queue").loc["voice", "scheduled_agent_hours"] + 2.5
    assert view.table.drop(columns=["scheduled_agents", "effective_agents", "net_agents",
                                    "projected_service_level"]).equals(
        base.table.drop(columns=["scheduled_agents", "effective_agents", "net_agents",
                                 "projected_service_level"]))


def test_now_hides_actuals_of_intervals_not_ended(small_day) -> None:
    forecast, actuals, roster, leave = small_day
    view = intraday_view(forecast, actuals, roster, SITE, day=DAY, leave=leave,
                         now=_at("09:45"))
    rows = view.table.set_index(local_naive(view.table["interval_start"]).strftime("%H:%M"))
    assert rows.loc["09:00", "status"] == "actual" and rows.loc["09:30", "status"] == "coming"
    factor = (1 / 0.15**2 + 100) / (1 / 0.15**2 + 100)
    assert rows.loc["09:30", "reforecast_contacts"] == pytest.approx(100 * factor)


def test_an_actuals_queue_the_forecast_lacks_is_refused(small_day) -> None:
    forecast, actuals, roster, _ = small_day
    bad = pd.concat([actuals, actuals.iloc[:1].assign(queue="chat")], ignore_index=True)
    with pytest.raises(ValueError, match="chat") as error:
        intraday_view(forecast, bad, roster, SITE, day=DAY, actuals_label="a.csv")
    assert "a.csv" in str(error.value) and "line 4" in str(error.value)


def test_required_agents_are_wfm_staffs_on_the_reforecast(small_day) -> None:
    """Erlang A (patience set): the view's requirement is ``wfm staff``'s on the re-forecast."""
    from wfm.staffing.requirements import compute_requirements

    forecast, actuals, roster, leave = small_day
    site = SITE.with_overrides(**{"service.patience_seconds": 90})
    view = intraday_view(forecast, actuals, roster, site, day=DAY, leave=leave)
    coming = view.table[(view.table["status"] == "coming")
                        & (view.table["forecast_contacts"] > 0)].reset_index(drop=True)
    staffed = compute_requirements(coming.assign(contacts=coming["reforecast_contacts"],
                                                 aht_seconds=coming["aht_planned_seconds"]),
                                   site)
    assert coming["required_agents"].tolist() == staffed["agents"].tolist()


def test_the_reforecast_is_the_forecast_intraday_update() -> None:
    """History ending at noon: ``wfm forecast``'s updated rest of day equals the view's."""
    site, start, before, morning = history_ending_at_noon()
    morning["contacts"] = np.round(morning["contacts"])  # whole contacts, as actuals count them
    plain, _ = run_forecast(before, site, start=start, weeks=1)
    updated, info = run_forecast(pd.concat([before, morning]), site, start=start, weeks=1)
    choice = info["default"].choice
    spread = UpdateSpread(choice.day_sigma, choice.dispersion, choice.block_dispersion)
    offered = morning["contacts"].astype(int).to_numpy()
    actuals = pd.DataFrame({
        "interval_start": morning["interval_start"].to_numpy(), "queue": "default",
        "offered": offered, "answered": offered, "abandoned": 0,
        "answered_within_target": offered,
        "handle_seconds": offered * morning["aht_seconds"].to_numpy(), "acw_seconds": 0.0,
        "wait_seconds": 0.0})
    roster = pd.DataFrame({"agent_id": [], "date": [], "shift": []})
    view = intraday_view(plain, actuals, roster, site, day=start,
                         spreads={"default": spread})
    update = info["default"].update
    assert view.updates["default"] is not None and update is not None
    assert view.updates["default"].factor == pytest.approx(update.factor, rel=1e-4)
    today = updated[local_naive(updated["interval_start"]).date == start].reset_index(drop=True)
    afternoon = local_naive(today["interval_start"]).hour >= 12
    assert view.table["reforecast_contacts"][afternoon].to_numpy() == pytest.approx(
        today["contacts"][afternoon].to_numpy(), rel=1e-3, abs=1e-2)
    assert (view.table["reforecast_contacts"][~afternoon].to_numpy()
            == view.table["actual_offered"][~afternoon].to_numpy()).all()


# ---- the command -----------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def fixture_forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("intraday") / "forecast.csv"
    result = runner.invoke(app, ["forecast", "--history", str(FIXTURES / "history.csv"),
                                 "--start", "2026-11-23", "-o", str(out),
                                 "--config", str(FIXTURES / "site.toml")])
    assert result.exit_code == 0, result.output
    return out


def _run(forecast: Path, out: Path, *extra: str) -> object:
    return runner.invoke(app, [
        "intraday", "--forecast", str(forecast), "--actuals", str(FIXTURES / "actuals.csv"),
        "--roster", str(FIXTURES / "roster_week.csv"), "--leave", str(FIXTURES / "leave.csv"),
        "--date", "2026-11-24", "--config", str(FIXTURES / "site.toml"), "-o", str(out),
        *extra])


def test_intraday_command_end_to_end(fixture_forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "intraday.csv"
    result = _run(fixture_forecast, out, "--now", "14:00", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["actuals_through"] == "14:00"
    assert {row["queue"] for row in summary["totals"]} == {"aftersales", "presales", "all"}
    table = pd.read_csv(out)
    assert list(table.columns) == INTRADAY_COLUMNS and len(table) == 96
    clock = table["interval_start"].str[11:16]
    past = table[(clock >= "08:30") & (clock < "14:00")]
    assert (past["status"] == "actual").all()
    assert (past["reforecast_contacts"] == past["actual_offered"]).all()
    actuals = pd.read_csv(FIXTURES / "actuals.csv")
    day = actuals[actuals["interval_start"].str.startswith("2026-11-24")
                  & (actuals["interval_start"].str[11:16] < "14:00")]
    assert past["actual_offered"].sum() == day["offered"].sum()
    assert (table["net_agents"] == table["effective_agents"] - table["required_agents"]).all()
    text = _run(fixture_forecast, tmp_path / "again.csv", "--queue", "presales")
    assert text.exit_code == 0, text.output
    assert "presales" in text.stdout and "coming:" in text.stdout


def test_intraday_command_bad_input_exits_2(fixture_forecast: Path, tmp_path: Path) -> None:
    result = _run(fixture_forecast, tmp_path / "x.csv", "--now", "25:00")
    assert result.exit_code == 2 and "--now" in result.output
    result = _run(fixture_forecast, tmp_path / "x.csv", "--queue", "nope")
    assert result.exit_code == 2 and "nope" in result.output
    result = _run(fixture_forecast, tmp_path / "x.csv", "--date", "2027-01-05")
    assert result.exit_code == 2 and "no rows" in result.output


def test_working_now_counts_the_last_state_of_the_day_by_now() -> None:
    from wfm.intraday import working_column, working_now

    roster = pd.DataFrame({"agent_id": ["A", "B", "C", "D", "E"], "date": DAY,
                           "shift": ["EARLY", "EARLY", "EARLY", "OFF", "EARLY"],
                           "queue": ["", "", "", "", ""]})
    yesterday = _at("09:00") - pd.Timedelta(days=1)
    events = pd.DataFrame({
        "agent_id": ["A", "A", "B", "B", "C", "D", "E"],
        "timestamp": [_at("09:00"), _at("09:40"), _at("09:00"), _at("10:10"), yesterday,
                      _at("09:00"), _at("09:05")],
        "state": ["ready", "break", "login", "logout", "talk", "ready", "acw"]})
    # A on a break, B still logged in (logout after now), C only yesterday, D not rostered
    assert working_now(events, roster, DAY, _at("10:00"), ["voice"]) == {"voice": 2}
    assert working_now(events[events["agent_id"] == "C"], roster, DAY, _at("10:00"),
                       ["voice"]) is None  # no event today: no live data
    table = pd.DataFrame({"interval_start": [_at("09:30"), _at("10:00"), _at("10:00")],
                          "queue": ["voice", "voice", "chat"]})
    column = working_column(table, {"voice": 2, "chat": 0}, _at("10:05"), 30)
    assert np.isnan(column[0]) and column[1:].tolist() == [2, 0]
