"""Every page in Chinese says nothing in English (issue 28).

The test drives the demo data into the states that show the most words (a roster that breaks
rules on the grid and in an import, swaps and time off in every status, sick leave recorded on
the day, the audit log, a failed and a refused upload, the error pages) and reads each page
in zh-CN.

The heuristic for "an untranslated English sentence": the page's text (tags dropped; the
``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes kept, since people read or
hear them) with ``<code>``, ``<script>``, ``<style>`` and elements marked ``lang="en"`` left
out, holds no run of three or more English words in a row (letters only, at least one of them
lower case, separated by spaces or light punctuation). Codes (``DAY``,
``max_consecutive_days``), commands (``wfm users create``), ids (``A001``), units and numbers
never form such a run; a sentence does. ``lang="en"`` marks
the one thing a page shows in English on purpose: a file reader's detail under a translated
lead sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.store import Store
from api.web.i18n import LANG_COOKIE
from tests.web.conftest import FIXTURES, csrf_of, upload

Client = Callable[[str], TestClient]
SKIPPED = {"code", "script", "style"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SPOKEN = ("title", "aria-label", "placeholder", "alt")
WORD = r"[A-Za-z]*[a-z][A-Za-z]*(?:'[a-z]+)?"
COMMAND = re.compile(r"\bwfm(?: [a-z][a-z-]*){1,2}")  # a command line is a code
ENGLISH_RUN = re.compile(rf"\b{WORD}(?:[ ,;:()\-]{{1,3}}{WORD}){{2,}}\b")


class _Text(HTMLParser):
    """The text people read on a page, without code, scripts and lang="en" detail."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped = (bool(self.stack and self.stack[-1]) or tag in SKIPPED
                   or (values.get("lang") or "").startswith("en"))
        if not skipped:
            self.parts.extend(str(values[a]) for a in SPOKEN if values.get(a))
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def english_sentences(html: str) -> list[str]:
    """The runs of three or more English words in the readable text of ``html``."""
    parser = _Text()
    parser.feed(html)
    text = re.sub(r"\s+", " ", " \n ".join(parser.parts))
    text = COMMAND.sub("", text)
    return ENGLISH_RUN.findall(text)


def test_english_sentences_finds_sentences_and_allows_codes() -> None:
    assert english_sentences("<p>the roster breaks 2 rule(s); fix it</p>") == [
        "the roster breaks", "rule(s); fix it"]
    assert english_sentences('<td title="A001 works 7 days in a row">x</td>') != []
    allowed = ('<p>坐席 A001 DAY 08:30-16:00 presales <code>max_consecutive_days</code> '
               '<span lang="en">line 3: bad date</span> 12 agent-hours</p>')
    assert english_sentences(allowed) == []


def zh(client: TestClient) -> TestClient:
    client.cookies.set(LANG_COOKIE, "zh_CN")
    return client


def _store(client: TestClient) -> Store:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def busy(planner: TestClient, client_for: Client, token_of: Callable[..., str],
         demo_dir: Path, tmp_path: Path) -> dict[str, TestClient]:
    """The demo site with something in every state a page words."""
    agent = zh(client_for(token_of("agent", "A001")))
    colleague = zh(client_for(token_of("agent", "A005")))
    zh(planner)
    # a roster row that breaks rules, imported with force (grid problems, audit "forced")
    lines = (FIXTURES / "roster_week.csv").read_text(encoding="utf-8").splitlines()
    broken = [re.sub(",OFF,?$", ",DAY,presales", line) if line.startswith("A001,") else line
              for line in lines]
    path = tmp_path / "broken_roster.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    assert upload(planner, "roster", path, force="true").status_code == 200
    # time off: one waiting, one rejected by the planner, one sick on the day
    for day in ("2026-11-24", "2026-11-25"):
        csrf = csrf_of(agent.get("/me/time-off").text)
        agent.post("/me/time-off", data={"csrf": csrf, "kind": "annual", "first_date": day,
                                         "action": "send"})
    queue = planner.get("/planner/time-off").text
    first = re.search(r'id="reject-time-off-(\d+)"', queue)
    assert first is not None
    planner.post(f"/planner/time-off/{first.group(1)}/decide",
                 data={"csrf": csrf_of(queue), "decision": "reject", "reason": ""})
    # a swap request to a colleague
    csrf = csrf_of(agent.get("/me/swaps").text)
    agent.post("/me/swaps", data={"csrf": csrf, "kind": "swap", "counterpart_id": "A005",
                                  "first_date": "2026-11-26", "action": "send"})
    mine = colleague.get("/me/swaps").text
    accept = re.search(r'action="/me/swaps/(\d+)/accept"', mine)
    assert accept is not None, "the swap request reached the colleague"
    colleague.post(f"/me/swaps/{accept.group(1)}/accept", data={"csrf": csrf_of(mine)})
    store = _store(agent)
    store.unit.clock = lambda: datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai, Monday
    csrf = csrf_of(colleague.get("/me/time-off").text)
    colleague.post("/me/time-off", data={"csrf": csrf, "kind": "sick",
                                         "first_date": "2026-11-23", "action": "send"})
    # an offer taken by the agent, and one still open (offer pages, schedule notice, audit)
    for start, end in (("16:00", "17:00"), ("16:00", "18:00")):
        planner.post("/planner/offers", data={
            "csrf": csrf_of(planner.get("/planner/offers").text), "kind": "overtime",
            "date": "2026-11-24", "start": start, "end": end, "queues": "presales",
            "agents_needed": "2"})
    offers = agent.get("/me/offers").text
    taken = re.search(r'id="accept-offer-(\d+)"', offers)
    assert taken is not None, "the agent may take the offer"
    agent.post(f"/me/offers/{taken.group(1)}/accept", data={"csrf": csrf_of(offers)})
    return {"planner": planner, "agent": agent, "colleague": colleague}


PLANNER_PAGES = ("/planner/roster?from=2026-11-23", "/planner/coverage?day=2026-11-23",
                 "/planner/swaps", "/planner/time-off", "/planner/time-off?status=rejected",
                 "/planner/adherence?from=2026-11-23&to=2026-11-29",
                 "/planner/adherence?from=2026-11-23&to=2026-11-29&agent=A001&day=2026-11-23",
                 "/planner/data",
                 "/planner/audit", "/planner/accuracy", "/planner/intraday", "/planner/offers",
                 "/planner/no-such-page",
                 "/planner/scenarios",
                 "/planner/scenarios?service_level=0.8,0.9&shrinkage=0.25,0.3",
                 "/planner/scenarios?shrinkage=2")
AGENT_PAGES = ("/me?from=2026-11-23", "/me/swaps", "/me/time-off", "/me/offers")


def test_every_page_in_chinese_has_no_english_sentence(busy: dict[str, TestClient],
                                                       demo_dir: Path) -> None:
    found: dict[str, list[str]] = {}
    pages = [("planner", p) for p in PLANNER_PAGES] + [
        (who, p) for who in ("agent", "colleague") for p in AGENT_PAGES]
    pending = busy["planner"].get("/planner/swaps").text
    assert 'id="swap-' in pending and "rules_ok" not in pending  # one awaits approval
    for who, path in pages:
        html = busy[who].get(path).text
        assert '<html lang="zh-CN"' in html, path
        if english_sentences(html):
            found[f"{who} {path}"] = english_sentences(html)
    planner = busy["planner"]
    # an upload refused for rule breaks, and one with a bad line
    lines = (FIXTURES / "roster_week.csv").read_text(encoding="utf-8").splitlines()
    refused_csv = demo_dir / "refused_roster.csv"
    refused_csv.write_text("\n".join(re.sub(",OFF,?$", ",DAY,presales", line)
                                     if line.startswith("A00") else line for line in lines)
                           + "\n", encoding="utf-8")
    for name, answer in (("refused", upload(planner, "roster", refused_csv)),
                         ("bad line", upload(planner, "roster", demo_dir / "bad_roster.csv"))):
        assert answer.status_code == 422
        if english_sentences(answer.text):
            found[name] = english_sentences(answer.text)
    # a finished solve that leaves the requirement short, and a failed one
    store = _store(planner)
    user = store.create_user(role="planner")[0]
    from api.store import Actor

    for status, error in (("done", None), ("failed", "no legal roster: agent A001 ..."),
                          ("queued", None), ("running", None), ("cancelled", None)):
        job = store.create_job(actor=Actor.of(user))  # queued (the page shows its position)
        if status == "running":  # a second attempt, after a restart cut the first off
            with store.unit.write() as session:
                row = session.get(type(job), job.id)
                row.status, row.attempts = "running", 2
        elif status != "queued":
            store.finish_job(job_id=job.id, status=status, error=error,
                             version=store.roster_frame()[0] if status == "done" else None)
        page = planner.get(f"/planner/jobs/{job.id}").text
        assert status != "done" or 'id="job-short"' in page
        if english_sentences(page):
            found[f"job {status}"] = english_sentences(page)
    # the live board at 10:00 on Monday, one agent out for an hour (issue 24)
    import pandas as pd

    clock = store.unit.clock
    store.unit.clock = lambda: datetime(2026, 11, 23, 2, 0)
    store.add_events(frame=pd.DataFrame({
        "agent_id": ["A001", "A001", "A005"],
        "timestamp": pd.to_datetime(["2026-11-23 08:30", "2026-11-23 09:00",
                                     "2026-11-23 08:29"]).tz_localize("Asia/Shanghai"),
        "state": ["ready", "not_ready", "talk"]}), actor=Actor.of(user))
    for who, path in (("planner", "/planner/live"), ("planner", "/planner/live/table"),
                      ("agent", "/me"), ("agent", "/me/live"), ("colleague", "/me/live")):
        html = busy[who].get(path).text
        assert "live." not in html, path  # every key found in the catalog
        if english_sentences(html):
            found[f"{who} {path}"] = english_sentences(html)
    assert 'class="late"' in busy["planner"].get("/planner/live/table").text
    assert busy["planner"].get("/planner/live/badge").text.strip() != ""
    store.unit.clock = clock
    anonymous = zh(TestClient(planner.app, base_url="https://testserver"))
    login = anonymous.get("/login").text
    if english_sentences(login):
        found["/login"] = english_sentences(login)
    assert found == {}
