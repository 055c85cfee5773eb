"""Issue 28, "Exports", through the planner's data page: the page's uploads take the API's
path (hour-only offsets, GBK files, unknown agents). Each test failed before its change."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import FIXTURES, upload


def test_page_upload_of_events_with_hour_only_offsets(planner: TestClient, app: FastAPI,
                                                      tmp_path: Path) -> None:
    """Was: a bare "Internal Server Error"."""
    lines = (FIXTURES / "events.csv").read_text(encoding="utf-8").splitlines()[:200]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines).replace("+08:00", "+08") + "\n", encoding="utf-8")
    answer = upload(planner, "events", path)
    assert answer.status_code == 200, answer.text
    assert len(app.state.store.events_frame()) == 199


def test_page_upload_of_a_gbk_agents_file(planner: TestClient, app: FastAPI,
                                          tmp_path: Path) -> None:
    """Was: "the file must be UTF-8 CSV text"."""
    path = tmp_path / "agents.csv"
    path.write_bytes((FIXTURES / "agents.csv").read_text(encoding="utf-8").encode("gbk"))
    answer = upload(planner, "agents", path)
    assert answer.status_code == 200, answer.text
    names = app.state.store.agents_frame().set_index("agent_id")["name"]
    assert names["A001"] == "田刚"
    assert 'id="upload-encoding"' in answer.text and "GB18030" in answer.text  # said, not hidden


def test_page_upload_of_events_for_an_unknown_agent(planner: TestClient, app: FastAPI,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "acd.csv"
    path.write_text("agent_id,timestamp,state\nA001,2026-11-23T08:15:00+08,login\n"
                    "X42,2026-11-23T08:16:00+08,login\n", encoding="utf-8")
    answer = upload(planner, "events", path)
    assert answer.status_code == 422
    assert re.search(r'id="error-line">3<', answer.text)
    assert "X42" in answer.text
    assert app.state.store.events_frame().empty
