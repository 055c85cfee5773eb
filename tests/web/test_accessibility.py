"""Accessible markup on every page: each form field has a label, the page has a language, one
h1 and a main landmark, and every control is a native, keyboard-usable element."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import upload

PLANNER_PAGES = ("/planner/roster?from=2026-11-23&days=7", "/planner/coverage?day=2026-11-23",
                 "/planner/swaps", "/planner/adherence?from=2026-11-23&to=2026-11-29",
                 "/planner/data", "/planner/audit")
AGENT_PAGES = ("/me?week=2026-11-23", "/me/swaps")


class Page(HTMLParser):
    """Collects fields, labels and the landmarks of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.h1 = 0
        self.main = 0
        self.lang: str | None = None
        self.clickable_without_role: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main += 1
        elif tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append(a)
        if "onclick" in a:
            self.clickable_without_role.append(tag)


def check(html: str, where: str) -> None:
    page = Page()
    page.feed(html)
    assert page.lang in ("zh-CN", "en"), where
    assert page.h1 == 1 and page.main == 1, where
    unlabelled = [f for f in page.fields
                  if not (f.get("id") in page.labels or f.get("aria-label"))]
    assert unlabelled == [], where
    assert page.clickable_without_role == [], where


def test_every_field_is_labelled(planner: TestClient, client_for: Callable[[str], TestClient],
                                 token_of: Callable[..., str], app: object) -> None:
    check(TestClient(app).get("/login").text, "/login")  # type: ignore[arg-type]
    for path in PLANNER_PAGES:
        check(planner.get(path).text, path)
    agent = client_for(token_of("agent", "A001"))
    for path in AGENT_PAGES:
        check(agent.get(path).text, path)


def test_every_field_is_labelled_after_errors(planner: TestClient, demo_dir: Path) -> None:
    check(upload(planner, "roster", demo_dir / "bad_roster.csv").text, "upload error")
