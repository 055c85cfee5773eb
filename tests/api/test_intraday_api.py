"""``GET /api/v1/intraday`` (issue 25): the intraday view on the stored forecast, actuals and
roster, held to ``wfm intraday`` on the same data, to the intraday update's formula, to ``wfm
staff``'s requirement and to an independent Erlang C service level; and the bad input of
``POST /api/v1/actuals``."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.api.factories import Site, make_site, set_now, site_config
from wfm.staffing.requirements import compute_requirements
from wfm_cli.main import app

CSV = {"Content-Type": "text/csv"}
ACTUALS_HEADER = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
                  "handle_seconds,acw_seconds,wait_seconds\n")
OPEN = [f"{m // 60:02d}:{m % 60:02d}" for m in range(9 * 60, 16 * 60, 30)]  # 09:00..15:30
MORNING = {"09:00": 30, "09:30": 36, "10:00": 40, "10:30": 44}  # more than the 30 forecast


def forecast_csv(day: date, contacts: float = 30.0, aht_seconds: float = 240.0) -> str:
    rows = [f"{day}T{clock}:00,{queue},{contacts},{aht_seconds}\n"
            for clock in OPEN for queue in ("sales", "support")]
    return "interval_start,queue,contacts,aht_seconds\n" + "".join(rows)


def actuals_csv(day: date, offered: dict[str, int], queue: str = "sales") -> str:
    """Each contact answered, 200 s handle + 40 s after-contact work (AHT 240 s)."""
    return ACTUALS_HEADER + "".join(
        f"{day}T{clock}:00,{queue},{n},{n},0,{n},{n * 200},{n * 40},0\n"
        for clock, n in offered.items())


def local(day: date, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


def post(site: Site, path: str, body: str) -> dict[str, object]:
    response = site.client.post(path, content=body, headers={**site.planner, **CSV})
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def view(site: Site, day: date, queue: str = "") -> dict[str, object]:
    response = site.client.get(f"/api/v1/intraday?date={day}&queue={queue}",
                               headers=site.planner)
    assert response.status_code == 200, response.text
    return dict(response.json())


def by_clock(body: dict[str, object], queue: str = "sales") -> dict[str, dict[str, object]]:
    rows = body["intervals"]
    assert isinstance(rows, list)
    return {r["interval_start"][11:16]: r for r in rows if r["queue"] == queue}


def erlang_c_level(traffic: float, agents: int, aht: float, target: float = 20.0) -> float:
    """Service level by Erlang C, written out here (Erlang B recursion; Cooper, 1981)."""
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    c = b / (1 - traffic / agents * (1 - b))
    return 1 - c * math.exp(-(agents - traffic) * target / aht)


@pytest.fixture
def loaded(site: Site) -> Site:
    """A published forecast for the first Monday, its morning's actuals, the clock at 11:05."""
    post(site, "/api/v1/forecasts?model=mean_4w", forecast_csv(site.start))
    post(site, "/api/v1/actuals", actuals_csv(site.start, MORNING))
    set_now(site, local(site.start, "11:05"))
    return site


def test_the_view_per_interval_by_hand(loaded: Site) -> None:
    body = view(loaded, loaded.start)
    assert body["queues"] == ["sales", "support"] and body["live"] is False
    assert body["actuals_through"] == f"{loaded.start}T11:00:00+08:00"
    assert body["actuals_without_forecast"] == [] and body["models"] == ["mean_4w"]
    rows = by_clock(body)
    assert len(body["intervals"]) == 2 * 48  # the whole day, both queues
    assert [rows[c]["status"] for c in ("10:30", "11:00")] == ["actual", "coming"]
    assert [rows[c]["actual_offered"] for c in MORNING] == list(MORNING.values())
    # gamma-Poisson posterior mean with the stated spread: prior 1 / 0.15^2, 150 arrived
    # against 120 expected
    update = next(u for u in body["updates"] if u["queue"] == "sales")
    assert (update["day_sigma"], update["arrived"], update["expected"], update["through"]) == (
        0.15, 150, 120, "11:00")
    factor = (1 / 0.15**2 + 150) / (1 / 0.15**2 + 120)
    assert update["factor"] == pytest.approx(factor, abs=1e-4)
    for clock in OPEN[4:]:
        assert rows[clock]["reforecast_contacts"] == pytest.approx(30 * factor, abs=1e-3)
        assert rows[clock]["aht_planned_seconds"] == 240
    assert rows["09:00"]["aht_actual_seconds"] == 240
    # Monday: A1, A2, A6, A7 on DAY for sales (08:30-16:00), A3 on NIGHT
    assert rows["11:00"]["scheduled_agents"] == 4 and rows["16:30"]["scheduled_agents"] == 1
    assert rows["11:00"]["effective_agents"] == 2  # floor(4 x 0.7)
    support = by_clock(body, "support")
    assert support["11:00"]["scheduled_agents"] == 1 and support["11:00"]["status"] == "coming"
    # the requirement is wfm staff's on the re-forecast; the service level Erlang C's
    coming = pd.DataFrame([rows[c] for c in OPEN[4:]])
    staffed = compute_requirements(coming.assign(
        interval_start=pd.to_datetime(coming["interval_start"]),
        contacts=coming["reforecast_contacts"], aht_seconds=240.0), loaded.store.config)
    assert coming["required_agents"].tolist() == staffed["agents"].tolist()
    for row in coming.to_dict("records"):
        traffic = row["reforecast_contacts"] * 240 / 1800
        assert row["projected_service_level"] == pytest.approx(
            erlang_c_level(traffic, row["effective_agents"], 240), abs=1e-4)
        assert row["net_agents"] == row["effective_agents"] - row["required_agents"]
    totals = {t["queue"]: t for t in body["totals"]}
    assert totals["sales"]["actual_offered"] == 150 and totals["support"]["actual_offered"] == 0
    assert totals["all"]["forecast_contacts"] == 2 * 30 * len(OPEN)
    short = [p for p in body["periods"] if p["kind"] == "short"]
    assert short and all(p["start"] >= f"{loaded.start}T11:00" for p in short)
    assert by_clock(view(loaded, loaded.start, "sales")).keys() == rows.keys()
    assert {r["queue"] for r in view(loaded, loaded.start, "sales")["intervals"]} == {"sales"}


def test_erlang_a_site_projects_with_wfm_staffs_model(tmp_path: Path) -> None:
    """With ``patience_seconds`` the view staffs and projects by Erlang A, as ``wfm staff``
    and ``wfm erlang --patience`` do."""
    site = make_site(tmp_path, config=site_config(**{"service.patience_seconds": 90}))
    post(site, "/api/v1/forecasts?model=m", forecast_csv(site.start))
    post(site, "/api/v1/actuals", actuals_csv(site.start, MORNING))
    set_now(site, local(site.start, "11:05"))
    rows = by_clock(view(site, site.start))
    coming = pd.DataFrame([rows[c] for c in OPEN[4:]])
    staffed = compute_requirements(coming.assign(
        interval_start=pd.to_datetime(coming["interval_start"]),
        contacts=coming["reforecast_contacts"], aht_seconds=240.0), site.store.config)
    assert coming["required_agents"].tolist() == staffed["agents"].tolist()
    row = rows["12:00"]
    answer = CliRunner().invoke(app, [
        "erlang", "--contacts", str(row["reforecast_contacts"]), "--aht-seconds", "240",
        "--agents", str(row["effective_agents"]), "--patience", "90", "--format", "json"])
    assert answer.exit_code == 0, answer.output
    erlang = json.loads(answer.stdout)
    assert erlang["model"] == "erlang_a"
    assert row["projected_service_level"] == pytest.approx(erlang["service_level"], abs=1e-4)
    assert row["projected_service_level"] != pytest.approx(erlang_c_level(
        row["reforecast_contacts"] * 240 / 1800, row["effective_agents"], 240), abs=1e-3)


def test_actuals_of_an_interval_not_ended_wait_and_new_actuals_recompute(loaded: Site) -> None:
    post(loaded, "/api/v1/actuals", actuals_csv(loaded.start, {"11:00": 60}))
    before = by_clock(view(loaded, loaded.start))
    assert before["11:00"]["status"] == "coming"  # 11:00-11:30 has not ended at 11:05
    set_now(loaded, local(loaded.start, "11:31"))
    after = by_clock(view(loaded, loaded.start))
    assert after["11:00"]["actual_offered"] == 60
    factor = (1 / 0.15**2 + 210) / (1 / 0.15**2 + 150)
    assert after["12:00"]["reforecast_contacts"] == pytest.approx(30 * factor, abs=1e-3)
    post(loaded, "/api/v1/actuals", actuals_csv(loaded.start, {"11:00": 30}))  # re-sent
    again = by_clock(view(loaded, loaded.start))
    assert again["11:00"]["actual_offered"] == 30
    assert again["12:00"]["reforecast_contacts"] == pytest.approx(
        30 * (1 / 0.15**2 + 180) / (1 / 0.15**2 + 150), abs=1e-3)


def test_approved_changes_and_live_states_count(loaded: Site) -> None:
    post(loaded, "/api/v1/forecasts?model=m", forecast_csv(loaded.start + timedelta(days=1)))
    roster = f"agent_id,date,shift,queue\nA1,{loaded.start},LEAVE,\n"
    post(loaded, "/api/v1/rosters", roster)
    events = "agent_id,timestamp,state\n" + "".join(
        f"{a},{loaded.start}T{clock}:00,{state}\n" for a, clock, state in [
            ("A2", "08:29", "login"), ("A2", "08:30", "ready"), ("A6", "08:30", "ready"),
            ("A6", "10:50", "break"), ("A7", "08:31", "talk"), ("A7", "11:30", "logout")])
    post(loaded, "/api/v1/events", events)
    body = view(loaded, loaded.start)
    rows = by_clock(body)
    assert rows["11:00"]["scheduled_agents"] == 3  # A1 on leave now
    assert body["live"] is True
    assert rows["11:00"]["working_agents"] == 2  # A2 ready, A7 talking; A6 on a break
    assert rows["10:30"]["working_agents"] is None
    assert by_clock(body, "support")["11:00"]["working_agents"] == 0
    later = by_clock(view(loaded, loaded.start + timedelta(days=1)))
    assert all(r["working_agents"] is None for r in later.values())  # not today: no live data


def test_approved_time_off_for_part_of_a_shift_takes_its_intervals(site: Site) -> None:
    asked = site.client.post("/api/v1/time-off", json={
        "kind": "annual", "dates": [str(site.start)], "part": {"start": "13:00", "end": "15:00"},
        "reason": "dentist"}, headers=site.agents["A1"])
    assert asked.status_code == 201, asked.text
    approved = site.client.post(f"/api/v1/time-off/{asked.json()['id']}/approve", json={},
                                headers=site.planner)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    post(site, "/api/v1/forecasts?model=m", forecast_csv(site.start))
    set_now(site, local(site.start, "11:05"))
    rows = by_clock(view(site, site.start))
    assert [rows[c]["scheduled_agents"] for c in ("12:30", "13:00", "14:30", "15:00")] == [
        4, 3, 3, 4]


def test_another_day_counts_every_stored_actual(loaded: Site) -> None:
    set_now(loaded, local(loaded.start + timedelta(days=3), "09:00"))
    body = view(loaded, loaded.start)
    assert body["as_of"] is None and body["actuals_through"] == f"{loaded.start}T11:00:00+08:00"


def test_missing_forecast_roster_or_queue_is_404_naming_it(site: Site) -> None:
    far = site.start + timedelta(days=60)
    response = site.client.get(f"/api/v1/intraday?date={far}", headers=site.planner)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith(f"no intraday view for {far}: no published forecast")
    assert "no roster covers it" in detail
    post(site, "/api/v1/forecasts?model=m", forecast_csv(far))
    response = site.client.get(f"/api/v1/intraday?date={far}", headers=site.planner)
    assert response.status_code == 404 and "forecast" not in response.json()["detail"]
    response = site.client.get(f"/api/v1/intraday?date={site.start}", headers=site.planner)
    assert response.json()["detail"] == (
        f"no intraday view for {site.start}: no published forecast covers it "
        "(POST /api/v1/forecasts)")
    post(site, "/api/v1/forecasts?model=m", forecast_csv(site.start))
    response = site.client.get(f"/api/v1/intraday?date={site.start}&queue=chat",
                               headers=site.planner)
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"no intraday view for queue chat on {site.start}: the published forecast of the day "
        "has the queues sales, support")


def test_intraday_needs_a_planner_and_a_date(site: Site) -> None:
    response = site.client.get(f"/api/v1/intraday?date={site.start}", headers=site.agents["A1"])
    assert (response.status_code, response.json()["detail"]) == (403, "planner role required")
    assert site.client.get(f"/api/v1/intraday?date={site.start}").status_code == 401
    response = site.client.get("/api/v1/intraday?date=2030-02-30", headers=site.planner)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "query", "date"]
    assert site.client.get("/api/v1/intraday", headers=site.planner).status_code == 422


def test_openapi_documents_the_view_with_an_example(site: Site) -> None:
    document = site.client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/intraday"]["get"]
    assert operation["operationId"] == "intraday-read_intraday_view"
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    example = document["components"]["schemas"]["IntradayPublic"]["examples"][0]
    assert example["intervals"][0]["net_agents"] == -5


# ---- the same view from files -----------------------------------------------------------------

def test_wfm_intraday_from_files_gives_the_same_view(loaded: Site, tmp_path: Path) -> None:
    """The stored data written to files and run through ``wfm intraday --now --events``: the
    same table, column for column (working agents included)."""
    day = loaded.start
    events = ("agent_id,timestamp,state\n"
              f"A2,{day}T08:30:00+08:00,ready\nA6,{day}T08:31:00+08:00,talk\n"
              f"A6,{day}T10:00:00+08:00,lunch\nA5,{day}T09:00:00+08:00,acw\n"
              f"A7,{day}T11:20:00+08:00,talk\n")  # after 11:05: not yet
    post(loaded, "/api/v1/events", events)
    (tmp_path / "events.csv").write_text(events)
    (tmp_path / "forecast.csv").write_text(forecast_csv(day))
    (tmp_path / "actuals.csv").write_text(actuals_csv(day, MORNING))
    _, roster = loaded.store.roster_frame(date_from=day - timedelta(days=1), date_to=day)
    roster.to_csv(tmp_path / "roster.csv", index=False)
    (tmp_path / "site.toml").write_text('country = ""\n[rules]\nmin_rest_hours = 10\n')
    result = CliRunner().invoke(app, [
        "intraday", "--forecast", str(tmp_path / "forecast.csv"),
        "--actuals", str(tmp_path / "actuals.csv"), "--roster", str(tmp_path / "roster.csv"),
        "--date", str(day), "--now", "11:05", "--config", str(tmp_path / "site.toml"),
        "--events", str(tmp_path / "events.csv"), "-o", str(tmp_path / "intraday.csv")])
    assert result.exit_code == 0, result.output
    files = pd.read_csv(tmp_path / "intraday.csv")
    served = pd.DataFrame(view(loaded, day)["intervals"])
    assert list(served.columns) == list(files.columns)
    now = files[files["working_agents"].notna()]
    assert now["interval_start"].str[11:16].tolist() == ["11:00", "11:00"]
    assert now["working_agents"].tolist() == [1, 1]  # sales: A2 (A6 at lunch); support: A5
    served["interval_start"] = pd.to_datetime(served["interval_start"])
    files["interval_start"] = pd.to_datetime(files["interval_start"])
    pd.testing.assert_frame_equal(served, files, check_dtype=False)


# ---- bad actuals ------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "where"), [
    ("{day}T10:00:00,chat,5,5,0,5,1000,0,0", "actuals, line 3, field 'queue': unknown queue "
                                             "'chat' (the site's queues: sales, support)"),
    ("{day}T10:10:00,sales,5,5,0,5,1000,0,0", "actuals, line 3, field 'interval_start'"),
    ("{day}T10:30:00,sales,5,6,0,5,1000,0,0", "actuals, line 3, field 'answered'"),
])
def test_bad_actuals_are_422_naming_row_and_field_and_store_nothing(
        site: Site, row: str, where: str) -> None:
    body = actuals_csv(site.start, {"09:00": 5}) + row.format(day=site.start) + "\n"
    response = site.client.post("/api/v1/actuals", content=body,
                                headers={**site.planner, **CSV})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(where)
    assert site.store.actuals.frame(date_from=site.start, date_to=site.start).empty


def test_actuals_of_a_day_without_data_say_so(site: Site) -> None:
    """Actuals stored for a day with neither forecast nor roster: the view says what is
    missing instead of an empty table."""
    far = site.start + timedelta(days=60)
    post(site, "/api/v1/actuals", actuals_csv(far, {"09:00": 5}))
    response = site.client.get(f"/api/v1/intraday?date={far}", headers=site.planner)
    assert response.status_code == 404 and "no published forecast" in response.json()["detail"]


def test_utc_clock_near_midnight_is_the_site_day(loaded: Site) -> None:
    """The site's day, not UTC's: 00:30 in Shanghai is the previous evening in UTC."""
    set_now(loaded, datetime.combine(loaded.start, datetime.min.time(), tzinfo=UTC)
            - timedelta(hours=7, minutes=30))
    assert view(loaded, loaded.start)["as_of"].startswith(f"{loaded.start}T00:30")
