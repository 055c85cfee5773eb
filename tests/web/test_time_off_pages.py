"""The time-off pages through the ASGI test client: the agent's pre-check, request, balances
and cancel; the planner's queue with the impact, approve and reject with a reason, sick leave
recorded on the day; roles and CSRF.

Expected figures are worked out by hand from the demo files (A001 works DAY 08:30-16:00 on
Nov 23-27 and 29, OFF on the 28th; the default kinds give annual 5 and personal 3 days a year),
never read back from the page code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.store import Store
from tests.web.conftest import FIXTURES, csrf_of

Client = Callable[[str], TestClient]
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def agent(planner: TestClient, client_for: Client, token_of: Callable[..., str]) -> TestClient:
    """A001 signed in, on the demo data the planner uploaded."""
    return client_for(token_of("agent", "A001"))


def ask(client: TestClient, **form: str) -> object:
    csrf = csrf_of(client.get("/me/time-off").text)
    return client.post("/me/time-off", data={"csrf": csrf, **form}, headers=ENGLISH,
                       follow_redirects=False)


def store_of(client: TestClient) -> Store:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


def cell(store: Store, agent_id: str, day: date) -> str:
    _, rows = store.roster_frame(agent_ids=[agent_id], date_from=day, date_to=day)
    return str(rows["shift"].iloc[0])


def test_the_pre_check_judges_without_recording(agent: TestClient) -> None:
    answer = ask(agent, kind="annual", first_date="2026-11-24", last_date="2026-11-25",
                 action="check")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert 'id="time-off-verdict"' in text and "Allowed: no rule is broken" in text
    assert "It takes 2 day(s) from your balance." in text  # two working days
    assert store_of(agent).list_time_off(status=None, agent_id="A001", page=1,
                                         page_size=10)[1] == 0


def test_the_pre_check_refuses_what_the_balance_does_not_hold(agent: TestClient) -> None:
    # the whole week holds 6 working days of A001; personal leave allows 3 a year
    answer = ask(agent, kind="personal", first_date="2026-11-23", last_date="2026-11-29",
                 action="check")
    text = answer.text  # type: ignore[attr-defined]
    assert "Not allowed" in text and "<code>balance</code>" in text
    assert "6 day(s) requested, 3 of 3 left in 2026" in text


def test_part_of_a_shift_is_charged_its_share(agent: TestClient) -> None:
    # the last 2 hours of a 450-minute DAY: ceil(1000 x 120 / 450) = 267 thousandths
    answer = ask(agent, kind="annual", first_date="2026-11-24", part_start="14:00",
                 part_end="16:00", action="check")
    assert "It takes 0.267 day(s) from your balance." in answer.text  # type: ignore[attr-defined]


def test_a_rest_day_change_shows_both_days_and_refuses_a_working_day(
        agent: TestClient) -> None:
    # A001's rest day is Sat 28: moving it to Sun 29 makes Nov 23-28 six working days in a
    # row (max_consecutive_days = 6) and keeps one rest day in the week
    moved = ask(agent, kind="rest_day", first_date="2026-11-28", last_date="2026-11-29",
                action="check").text  # type: ignore[attr-defined]
    assert "Allowed: no rule is broken" in moved
    assert ("<tr><td>Nov 28, 2026</td><td>OFF</td><td>DAY</td></tr>"
            "<tr><td>Nov 29, 2026</td><td>DAY</td><td>OFF</td></tr>") in moved
    assert "from your balance" not in moved  # a rest-day change costs no leave
    # Tue 24 is a working day, so it is no rest day to move
    wrong = ask(agent, kind="rest_day", first_date="2026-11-24", last_date="2026-11-28",
                action="check").text  # type: ignore[attr-defined]
    assert "<code>not_off</code>" in wrong


def test_request_approve_and_see_it_in_the_roster_and_the_balance(
        agent: TestClient, planner: TestClient) -> None:
    sent = ask(agent, kind="annual", first_date="2026-11-24", reason="family visit",
               action="send")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert sent.headers["location"] == "/me/time-off?message=mytimeoff.done_requested"  # type: ignore[attr-defined]
    mine = agent.get("/me/time-off", headers=ENGLISH).text
    request_id = int(re.search(r'id="time-off-(\d+)"', mine).group(1))  # type: ignore[union-attr]
    assert "family visit" in mine and "waiting" not in mine

    queue = planner.get("/planner/time-off", headers=ENGLISH).text
    assert f'id="approve-time-off-{request_id}"' in queue
    assert "interval(s) affected; lowest service level after" in queue
    assert f'<label for="to-reason-{request_id}">' in queue
    answer = planner.post(f"/planner/time-off/{request_id}/decide",
                          data={"csrf": csrf_of(queue), "decision": "approve",
                                "reason": "covered by A010"}, follow_redirects=False)
    assert answer.headers["location"] == "/planner/time-off?message=timeoff.done_approved"
    assert cell(store_of(planner), "A001", date(2026, 11, 24)) == "LEAVE"

    mine = agent.get("/me/time-off", headers=ENGLISH).text
    balances = mine.split('id="balances"', 1)[1].split("</table>", 1)[0]
    annual = re.search(r"<tr><td>Annual leave</td><td>([^<]*)</td><td>([^<]*)</td>"
                       r"<td>([^<]*)</td></tr>", balances)
    assert annual is not None and annual.groups() == ("5", "1", "4")
    assert "covered by A010" in mine and "approved" in mine


def test_reject_with_a_reason_shows_the_reason_to_the_agent(agent: TestClient,
                                                            planner: TestClient) -> None:
    ask(agent, kind="annual", first_date="2026-11-25", action="send")
    queue = planner.get("/planner/time-off").text
    request_id = int(re.search(r'id="reject-time-off-(\d+)"', queue).group(1))  # type: ignore[union-attr]
    planner.post(f"/planner/time-off/{request_id}/decide",
                 data={"csrf": csrf_of(queue), "decision": "reject",
                       "reason": "peak day, ask for another"})
    mine = agent.get("/me/time-off", headers=ENGLISH).text
    assert "peak day, ask for another" in mine and "rejected" in mine
    assert cell(store_of(planner), "A001", date(2026, 11, 25)) == "DAY"


def test_an_agent_cancels_a_waiting_request(agent: TestClient) -> None:
    ask(agent, kind="annual", first_date="2026-11-26", action="send")
    mine = agent.get("/me/time-off").text
    request_id = int(re.search(r'id="cancel-time-off-(\d+)"', mine).group(1))  # type: ignore[union-attr]
    answer = agent.post(f"/me/time-off/{request_id}/cancel", data={"csrf": csrf_of(mine)},
                        follow_redirects=False)
    assert answer.headers["location"] == "/me/time-off?message=mytimeoff.done_cancelled"
    assert store_of(agent).get_time_off(request_id=request_id).status == "cancelled"


def test_sick_leave_on_the_day_is_recorded_and_flagged(agent: TestClient,
                                                       planner: TestClient) -> None:
    store = store_of(agent)
    store.unit.clock = lambda: datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai, Monday
    answer = ask(agent, kind="sick", first_date="2026-11-23", reason="fever", action="send")
    assert answer.headers["location"] == "/me/time-off?message=mytimeoff.done_recorded"  # type: ignore[attr-defined]
    assert cell(store, "A001", date(2026, 11, 23)) == "LEAVE"
    flagged = planner.get("/planner/time-off", headers=ENGLISH).text
    section = flagged.split('id="flagged-h"', 1)[1].split('id="history-h"', 1)[0]
    assert "Sick leave recorded on the day (1)" in flagged
    assert "A001" in section and "fever" in section and "flagged: sick on the day" in section


def test_time_off_pages_keep_roles_and_csrf(agent: TestClient, planner: TestClient) -> None:
    assert agent.get("/planner/time-off").status_code == 403
    assert planner.get("/me/time-off").status_code == 403
    refused = agent.post("/me/time-off", data={"kind": "annual", "first_date": "2026-11-24",
                                               "action": "send"})
    assert refused.status_code == 403
    assert store_of(agent).list_time_off(status=None, agent_id=None, page=1,
                                         page_size=10)[1] == 0


def test_a_malformed_request_names_the_problem(agent: TestClient) -> None:
    answer = ask(agent, kind="annual", first_date="2026-11-26", last_date="2026-11-24",
                 action="check")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "the last date is before the first" in answer.text  # type: ignore[attr-defined]


def test_demo_roster_matches_the_hand_worked_facts() -> None:
    """The facts the tests above rely on, read from the demo file itself."""
    roster = pd.read_csv(FIXTURES / "roster_week.csv")
    a001 = roster[roster["agent_id"] == "A001"].set_index("date")["shift"]
    assert a001.to_dict() == {"2026-11-23": "DAY", "2026-11-24": "DAY", "2026-11-25": "DAY",
                              "2026-11-26": "DAY", "2026-11-27": "DAY", "2026-11-28": "OFF",
                              "2026-11-29": "DAY"}
