"""Bad input is a 422 naming the field, never a 500 (issue 28).

NaN, Infinity and lone surrogates used to crash the 422 answer itself (its body echoed the
input, which JSON cannot carry); a NUL character reached PostgreSQL (``psycopg.DataError``).
NUL is refused at the edge, so SQLite and PostgreSQL answer alike: the tests run on SQLite and,
with ``WFM_TEST_POSTGRES_URL`` set, on PostgreSQL too (the database is emptied).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.config import Settings
from api.db import make_engine, migrate
from api.main import create_app
from api.store import Store
from tests.api.factories import FIXED_NOW, FIXED_START, Site, bearer, load_site, make_site, plan
from tests.api.factories import site_config as make_config

JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}
POSTGRES = os.environ.get("WFM_TEST_POSTGRES_URL")


def postgres_site(url: str) -> Site:
    """The loaded test site on the (emptied) PostgreSQL database at ``url``."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    store = Store(engine, make_config(), clock=lambda: FIXED_NOW.replace(tzinfo=None))
    _, planner = store.create_user(role="planner")
    agents = {a: bearer(store.create_user(role="agent", agent_id=a)[1]) for a in plan()}
    client = TestClient(create_app(Settings(db_url=url), store=store))
    load_site(client, bearer(planner), FIXED_START)
    return Site(client, store, FIXED_START, bearer(planner), agents)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason="set WFM_TEST_POSTGRES_URL to run on PostgreSQL"))])
def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    site = make_site(tmp_path) if request.param == "sqlite" else postgres_site(POSTGRES or "")
    yield site
    site.store.unit.engine.dispose()


def fields(response: Any) -> list[list[str | int]]:
    """The ``loc`` of every error in a validation 422 (the answer must be JSON)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    return [error["loc"] for error in response.json()["detail"]]


def post_json(site: Site, path: str, body: str, who: dict[str, str]) -> Any:
    return site.client.post(path, content=body.encode("utf-8"), headers={**who, **JSON})


# ---- NaN and Infinity --------------------------------------------------------------------
@pytest.mark.parametrize(("body", "field"), [
    ('{"kind": NaN, "counterpart_id": "A2", "dates": ["2030-01-09"]}', "kind"),
    ('{"kind": "swap", "counterpart_id": Infinity, "dates": ["2030-01-09"]}', "counterpart_id"),
    ('{"kind": "swap", "counterpart_id": "A2", "dates": [-Infinity]}', "dates"),
    ('{"kind": "swap", "counterpart_id": "A2", "dates": ["2030-01-09"], "reason": NaN}', "reason"),
])
def test_nan_and_infinity_in_a_swap_are_422_naming_the_field(site: Site, body: str,
                                                             field: str) -> None:
    response = post_json(site, "/api/v1/swaps", body, site.agents["A1"])
    assert field in fields(response)[0]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_solve_time_limit_must_be_a_finite_number(site: Site, value: str) -> None:
    response = post_json(site, "/api/v1/rosters/solve", f'{{"time_limit_seconds": {value}}}',
                         site.planner)
    assert fields(response) == [["body", "time_limit_seconds"]]
    assert response.json()["detail"][0]["msg"] == "Input should be a finite number"


def test_a_nan_body_is_422(site: Site) -> None:
    assert fields(post_json(site, "/api/v1/swaps", "NaN", site.agents["A1"])) == [["body"]]


# ---- lone surrogates ---------------------------------------------------------------------
@pytest.mark.parametrize(("path", "body", "who"), [
    ("/api/v1/swaps", '{"kind": "swap", "counterpart_id": "\\ud800", "dates": ["2030-01-09"]}',
     "A1"),
    ("/api/v1/time-off", '{"kind": "annual", "dates": ["2030-01-09"], "reason": "\\udfff"}',
     "A1"),
    ("/api/v1/rosters/solve", '{"reason": "\\ud83d"}', "planner"),
])
def test_a_lone_surrogate_is_422_naming_the_field(site: Site, path: str, body: str,
                                                  who: str) -> None:
    loc = fields(post_json(site, path, body, site.planner if who == "planner"
                           else site.agents[who]))
    assert loc[0][0] == "body" and loc[0][-1] in ("counterpart_id", "reason")


def test_a_lone_surrogate_as_a_key_is_422(site: Site) -> None:
    response = post_json(site, "/api/v1/swaps", '{"kind": "swap", "counterpart_id": "A2", '
                         '"dates": ["2030-01-09"], "\\ud800": 1}', site.agents["A1"])
    assert fields(response) == [["body"]]  # the key is the fault: pydantic names its object
    assert response.json()["detail"][0]["type"] == "string_unicode"


# ---- NUL ---------------------------------------------------------------------------------
NUL_QUERIES = [
    ("/api/v1/rosters/current?agent_id=A%00", ["query", "agent_id"]),
    ("/api/v1/adherence?agent_id=%00", ["query", "agent_id"]),
    ("/api/v1/swaps?agent_id=%00", ["query", "agent_id"]),
    ("/api/v1/time-off?agent_id=%00", ["query", "agent_id"]),
    ("/api/v1/time-off/balances?agent_id=%00", ["query", "agent_id"]),
    ("/api/v1/jobs/a%00b", ["path", "job_id"]),
]


@pytest.mark.parametrize(("url", "loc"), NUL_QUERIES)
def test_a_nul_in_a_query_or_path_parameter_is_422_naming_it(any_site: Site, url: str,
                                                             loc: list[str]) -> None:
    response = any_site.client.get(url, headers=any_site.planner)
    assert fields(response) == [loc]
    assert response.json()["detail"][0]["msg"] == "must not contain a NUL character"
    # the connection and the store still serve the next request
    assert any_site.client.get("/api/v1/rosters/current?agent_id=A1",
                               headers=any_site.planner).status_code == 200


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/swaps", '{"kind": "swap", "counterpart_id": "A\\u0000", "dates": ["2030-01-09"]}',
     "counterpart_id"),
    ("/api/v1/swaps", '{"kind": "swap", "counterpart_id": "A2", "dates": ["2030-01-09"], '
     '"reason": "a\\u0000b"}', "reason"),
    ("/api/v1/time-off", '{"kind": "annual\\u0000", "dates": ["2030-01-09"]}', "kind"),
])
def test_a_nul_in_a_json_string_is_422_naming_it(any_site: Site, path: str, body: str,
                                                 field: str) -> None:
    response = post_json(any_site, path, body, any_site.agents["A1"])
    assert fields(response) == [["body", field]]


def test_a_nul_in_a_solve_csv_is_422_naming_it(site: Site) -> None:
    response = post_json(site, "/api/v1/rosters/solve", '{"agents_csv": "agent_id\\u0000"}',
                         site.planner)
    assert fields(response) == [["body", "agents_csv"]]


def test_a_nul_in_an_import_reason_is_422(any_site: Site) -> None:
    response = any_site.client.post("/api/v1/rosters?reason=a%00", content="x",
                                    headers={**any_site.planner, **CSV})
    assert fields(response) == [["query", "reason"]]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/rosters", "agent_id,date,shift,queue\nA1,2030-01-07,DAY,sales\n"
                        "A1\x00,2030-01-08,DAY,sales\n"),
    ("/api/v1/agents", "agent_id,name,skills\nZ9,Z\x00name,sales\n"),
])
def test_a_nul_in_a_csv_upload_is_422_naming_the_line(any_site: Site, path: str,
                                                      body: str) -> None:
    response = any_site.client.post(path, content=body.encode(),
                                    headers={**any_site.planner, **CSV})
    assert response.status_code == 422, response.text
    line = 3 if "roster" in path else 2
    assert f"line {line}" in response.json()["detail"]
    assert "NUL" in response.json()["detail"]
    assert any_site.client.get("/healthz").json()["roster_version"] == 1


# ---- over a real server: the kept-alive connection survives ------------------------------
@pytest.mark.slow
def test_bad_input_keeps_the_connection_of_a_real_server(tmp_path: Path) -> None:
    """``wfm serve`` (on PostgreSQL with WFM_TEST_POSTGRES_URL): each bad request is a 422
    and the next request goes over the same kept-alive connection."""
    import http.client

    from tests.api.test_server import start_server

    server = start_server(tmp_path)
    try:
        host, port = server.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.auto_open = 0  # a closed connection raises instead of reconnecting
        connection.connect()
        socket_before = connection.sock
        planner, agent = server.planner, server.agents["A1"]
        bad = [
            ("GET", "/api/v1/rosters/current?agent_id=A%00", None, planner),
            ("GET", "/api/v1/jobs/a%00b", None, planner),
            ("POST", "/api/v1/swaps", b'{"kind": NaN, "counterpart_id": "A2", "dates": []}',
             agent),
            ("POST", "/api/v1/swaps", b'{"kind": "swap", "counterpart_id": "\\ud800", '
                                      b'"dates": ["2030-01-09"]}', agent),
            ("POST", "/api/v1/swaps", b'{"kind": "swap", "counterpart_id": "A\\u0000", '
                                      b'"dates": ["2030-01-09"]}', agent),
            ("POST", "/api/v1/rosters/solve", b'{"time_limit_seconds": Infinity}', planner),
        ]
        for method, url, body, who in bad:
            headers = {**who, "Content-Type": "application/json"}
            connection.request(method, url, body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 422, (url, response.read())
            response.read()
            connection.request("GET", "/api/v1/rosters/current?agent_id=A1", headers=planner)
            after = connection.getresponse()
            assert after.status == 200, (url, after.read())
            after.read()
        connection.request("POST", "/api/v1/agents", body="agent_id,name,skills\nZ9,Z\x00,s\n",
                           headers={**planner, **CSV})
        response = connection.getresponse()
        assert (response.status, b"line 2" in response.read()) == (422, True)
        assert connection.sock is socket_before
        connection.close()
    finally:
        server.stop()


# ---- pages: the same edge, answered with the 400 page ---------------------------------------
@pytest.mark.parametrize("url", ["/planner/swaps?agent=%00", "/planner/time-off?agent=%00",
                                 "/planner/jobs/a%00", "/planner/roster?q=a%00"])
def test_a_nul_in_a_page_parameter_is_the_400_page(any_site: Site, url: str) -> None:
    any_site.client.cookies.set("wfm_session",
                                any_site.planner["Authorization"].removeprefix("Bearer "))
    response = any_site.client.get(url)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")


def test_an_undeclared_query_parameter_with_a_nul_is_422_too(site: Site) -> None:
    response = site.client.get("/api/v1/swaps?whatever=%00", headers=site.planner)
    assert fields(response) == [["query", "whatever"]]
