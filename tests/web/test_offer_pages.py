"""The offer pages: a planner publishes an overtime offer through the form, an agent sees it on
its page with what it changes, takes it (first come first served: a colleague's late accept is
refused with the reason), the schedule shows the notice, and the planner's page shows the fill
state and the overtime hours per agent. The store does the work, as for the API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.web.i18n import catalog
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]


def test_publish_accept_and_totals_through_the_pages(planner: TestClient, client_for: Client,
                                                     token_of: Callable[..., str]) -> None:
    page = planner.get("/planner/offers?from=2026-11-23").text
    assert 'id="offer-form"' in page and 'href="/planner/offers"' in page
    answer = planner.post("/planner/offers", data={
        "csrf": csrf_of(page), "kind": "overtime", "date": "2026-11-26", "start": "16:00",
        "end": "17:00", "queues": "presales", "agents_needed": "1", "reason": "evening"},
        follow_redirects=False)
    assert answer.status_code == 303, answer.text
    agent = client_for(token_of("agent", "A001"))
    mine = agent.get("/me/offers").text
    assert 'id="accept-offer-1"' in mine and "16:00" in mine and "17:00" in mine
    night = client_for(token_of("agent", "A002"))  # works NIGHT 16:00-23:30 that day
    assert 'id="accept-offer-1"' not in night.get("/me/offers").text
    refused = night.post("/me/offers/1/accept",
                         data={"csrf": csrf_of(night.get("/me/offers").text)})
    assert refused.status_code == 422
    assert catalog("zh_CN")["rule.already_working"] in refused.text
    assert catalog("zh_CN")["explain.already_working"] in refused.text
    taken = agent.post("/me/offers/1/accept", data={"csrf": csrf_of(mine)},
                       follow_redirects=False)
    assert taken.status_code == 303
    schedule = agent.get("/me?week=2026-11-23").text
    assert 'id="offers-taken"' in schedule
    assert catalog("zh_CN")["offers.taken.extend_after"].split("{")[0] in schedule
    colleague = client_for(token_of("agent", "A005"))
    late = colleague.post("/me/offers/1/accept",
                          data={"csrf": csrf_of(colleague.get("/me/offers").text)})
    assert late.status_code == 409
    assert catalog("zh_CN")["offers.refused_filled"] in late.text
    shown = planner.get("/planner/offers?from=2026-11-23").text
    assert "1 / 1" in shown and 'id="offer-totals"' in shown and "A001" in shown


def test_publishing_a_past_offer_is_refused_on_the_page(planner: TestClient) -> None:
    page = planner.get("/planner/offers").text
    answer = planner.post("/planner/offers", data={
        "csrf": csrf_of(page), "kind": "vto", "date": "2026-11-01", "start": "14:00",
        "end": "16:00", "queues": "presales", "agents_needed": "1"})
    assert answer.status_code == 422
    assert "past" in answer.text  # the store's reason, under the translated lead


def test_offer_pages_need_the_role(planner: TestClient, client_for: Client,
                                   token_of: Callable[..., str]) -> None:
    agent = client_for(token_of("agent", "A001"))
    assert agent.get("/planner/offers").status_code == 403
    assert planner.get("/me/offers").status_code == 403
