"""The agent's swap page offers only the colleagues a swap is legal with, with what each
works, and the receiver of a request sees both shifts (issue 28)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store import Store

Client = Callable[[str], TestClient]
DAY = "2026-11-23"


def options(html: str) -> set[str]:
    select = html.split('id="counterpart"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([^"]+)"', select))


def test_the_page_offers_only_legal_partners_with_their_shifts(
        planner: TestClient, client_for: Client, token_of: Callable[..., str],
        app: FastAPI) -> None:
    store: Store = app.state.store
    agent = client_for(token_of("agent", "A001"))
    plain = agent.get("/me/swaps").text
    assert 'id="counterpart"' not in plain  # no list of every colleague before a date
    html = agent.get(f"/me/swaps?kind=swap&first_date={DAY}").text
    from datetime import date
    colleagues = [a for a in store.agents_frame()["agent_id"] if a != "A001"]
    legal = {a for a in colleagues if store.check_swap(
        kind="swap", requester_id="A001", counterpart_id=a, dates=[date(2026, 11, 23)]).ok}
    assert legal and len(legal) < len(colleagues)
    assert options(html) == legal
    assert "A002" not in options(html)  # aftersales only: the skill rule
    table = html.split('id="partner-table"', 1)[1].split("</table>", 1)[0]
    row = table.split('id="partner-A005"', 1)[1].split("</tr>", 1)[0]
    assert "DAY2" in row and "DAY" in row.replace("DAY2", "")


def test_the_receiver_sees_what_it_gives_up_and_gets(
        planner: TestClient, client_for: Client, token_of: Callable[..., str]) -> None:
    from tests.web.conftest import csrf_of

    requester = client_for(token_of("agent", "A001"))
    csrf = csrf_of(requester.get("/me/swaps").text)
    sent = requester.post("/me/swaps", data={"kind": "swap", "counterpart_id": "A005",
                                             "first_date": DAY, "csrf": csrf,
                                             "action": "send"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    receiver = client_for(token_of("agent", "A005"))
    html = receiver.get("/me/swaps").text
    item = html.split('id="tome-h"', 1)[1].split("</li>", 1)[0]
    gives = item.split('class="you-give"', 1)[1].split("</span>", 1)[0]
    gets = item.split('class="you-get"', 1)[1].split("</span>", 1)[0]
    assert "DAY2" in gives and "11月23日" in gives
    assert "DAY" in gets and "DAY2" not in gets and "11月23日" in gets
    mine = requester.get("/me/swaps").text.split('id="mine-h"', 1)[1]
    assert "DAY2" in mine.split('class="you-get"', 1)[1].split("</span>", 1)[0]
