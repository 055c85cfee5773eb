"""A CSV upload without data rows is refused: nothing imported, no new version."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.factories import Site, agents_csv, requirement_csv, roster_csv

CSV = {"Content-Type": "text/csv"}


def upload(site: Site, path: str, body: str):  # type: ignore[no-untyped-def]
    return site.client.post(path, content=body, headers={**site.planner, **CSV})


def version(site: Site) -> int:
    return int(site.client.get("/healthz").json()["roster_version"])


def as_curl_d(text: str) -> str:
    """What ``curl -d @file`` sends: the file with every CR and LF removed."""
    return text.replace("\r", "").replace("\n", "")


def test_header_only_roster_is_422_and_keeps_the_version(site: Site) -> None:
    before = version(site)
    response = upload(site, "/api/v1/rosters", "agent_id,date,shift,queue\n")
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("the roster CSV has no data rows")
    assert "received 1 line, the header has 4 column(s) (agent_id, date, shift, queue)" in detail
    assert "curl -d" not in detail  # a plain header-only file is not the curl mistake
    assert version(site) == before


def test_roster_sent_with_curl_d_is_422_and_names_the_likely_cause(site: Site) -> None:
    before = version(site)
    body = as_curl_d(roster_csv(site.start))
    response = upload(site, "/api/v1/rosters", body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    columns = len(body.split(","))
    assert detail.startswith("the roster CSV has no data rows")
    assert f"the header has {columns} column(s) (agent_id, date, shift, queueA1, " in detail
    assert "did you send it with curl -d instead of --data-binary?" in detail
    assert version(site) == before


def test_roster_import_answers_the_row_count(site: Site) -> None:
    body = roster_csv(site.start)
    response = upload(site, "/api/v1/rosters", body)
    assert response.status_code == 200, response.text
    assert response.json() == {"version": version(site), "rows": body.count("\n") - 1}


def test_events_without_rows_are_422_and_store_nothing(site: Site) -> None:
    response = upload(site, "/api/v1/events", "agent_id,timestamp,state\n")
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("the events CSV has no data rows")
    squashed = upload(site, "/api/v1/events", "agent_id,timestamp,state"
                      "A1,2030-01-07T08:40:00,loginA1,2030-01-07T16:00:00,logout")
    assert squashed.status_code == 422, squashed.text
    assert "curl -d instead of --data-binary" in squashed.json()["detail"]
    assert len(site.store.events_frame()) == 0


@pytest.mark.parametrize("path,body", [
    ("/api/v1/agents", agents_csv().splitlines()[0] + "\n"),
    ("/api/v1/requirements", requirement_csv(date(2030, 1, 7)).splitlines()[0] + "\r\n\r\n"),
])
def test_other_csv_uploads_without_rows_are_422(site: Site, path: str, body: str) -> None:
    response = upload(site, path, body)
    assert response.status_code == 422, response.text
    assert "CSV has no data rows: received 1 line" in response.json()["detail"]
