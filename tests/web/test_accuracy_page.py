"""The forecast-accuracy page (issue 23): forecast against actual per day and week, WAPE,
bias and the drift flag, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient

from api.web.i18n import LANG_COOKIE
from tests.web.test_zh_pages import english_sentences, zh

CSV = {"Content-Type": "text/csv"}
DAY = date(2026, 11, 2)  # a Monday
ACTUALS_HEADER = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
                  "handle_seconds,acw_seconds,wait_seconds\n")


def load(api: TestClient, token: str, *, forecast: float, days: int = 10) -> None:
    """A published forecast (``forecast`` a day) and ``days`` days of 100 contacts."""
    auth = {"Authorization": f"Bearer {token}", **CSV}
    dates = [DAY + timedelta(days=k) for k in range(14)]
    body = "interval_start,queue,contacts,aht_seconds\n" + "".join(
        f"{d}T10:00:00,presales,{forecast},300\n" for d in dates)
    assert api.post("/api/v1/forecasts?model=median_4w", content=body,
                    headers=auth).status_code == 201
    body = ACTUALS_HEADER + "".join(f"{d}T10:00:00,presales,100,100,0,90,30000,0,0\n"
                                    for d in dates[:days])
    assert api.post("/api/v1/actuals", content=body, headers=auth).status_code == 200


def test_accuracy_page_flags_drift_in_both_languages(
        client_for: Callable[[str], TestClient], token_of: Callable[..., str]) -> None:
    token = token_of("planner")
    planner = client_for(token)
    load(planner, token, forecast=115)
    planner.cookies.set(LANG_COOKIE, "en")
    html = planner.get("/planner/accuracy").text
    assert 'href="/planner/accuracy"' in html  # in the navigation
    assert 'id="accuracy-chart"' in html and "<svg" in html
    assert 'id="accuracy-drift"' in html and "Drift: the forecast runs +15.00% above" in html
    assert "median_4w" in html and "Mon" in html
    chinese = zh(planner).get("/planner/accuracy").text
    assert "预测漂移" in chinese
    assert english_sentences(chinese) == []
    queue = planner.get("/planner/accuracy?queue=presales").text
    assert "预测漂移" in queue and english_sentences(queue) == []


def test_accuracy_page_without_drift_and_empty(
        client_for: Callable[[str], TestClient], token_of: Callable[..., str]) -> None:
    token = token_of("planner")
    planner = zh(client_for(token))
    empty = planner.get("/planner/accuracy").text
    assert "还没有覆盖相同时段的已发布预测" in empty and english_sentences(empty) == []
    load(planner, token, forecast=101)
    html = planner.get("/planner/accuracy").text
    assert "没有漂移" in html and english_sentences(html) == []
    few = planner.get(f"/planner/accuracy?to={DAY + timedelta(days=3)}").text
    assert "至少 7 天才判断漂移" in few


def test_accuracy_page_is_for_planners(client_for: Callable[[str], TestClient],
                                       token_of: Callable[..., str]) -> None:
    agent = client_for(token_of("agent", "A001"))
    assert agent.get("/planner/accuracy").status_code == 403


def test_audit_words_publications_and_actuals_in_chinese(
        client_for: Callable[[str], TestClient], token_of: Callable[..., str]) -> None:
    token = token_of("planner")
    planner = zh(client_for(token))
    load(planner, token, forecast=100)
    html = planner.get("/planner/audit").text
    assert "发布了预测 1（median_4w，自" in html and "导入了 10 行实际话务" in html
    assert english_sentences(html) == []


def test_accuracy_page_flags_holidays_ahead_with_no_history_in_both_languages(
        client_for: Callable[[str], TestClient], token_of: Callable[..., str]) -> None:
    """Four weeks of actuals in December with no holiday; the published forecast runs into
    New Year's Day 2027, which those actuals have never shown: the page says it is forecast
    as an ordinary Friday and how to state otherwise, in English and in Chinese."""
    token = token_of("planner")
    planner = client_for(token)
    auth = {"Authorization": f"Bearer {token}", **CSV}
    first = date(2026, 11, 30)
    ahead = [date(2026, 12, 28) + timedelta(days=k) for k in range(14)]
    body = "interval_start,queue,contacts,aht_seconds\n" + "".join(
        f"{d}T10:00:00,presales,100,300\n" for d in ahead)
    assert api_post(planner, "/api/v1/forecasts?model=mean_4w", body, auth) == 201
    body = ACTUALS_HEADER + "".join(
        f"{first + timedelta(days=k)}T10:00:00,presales,100,100,0,90,30000,0,0\n"
        for k in range(28))
    assert api_post(planner, "/api/v1/actuals", body, auth) == 200
    planner.cookies.set(LANG_COOKIE, "en")
    html = planner.get("/planner/accuracy?to=2026-12-27").text
    assert 'id="accuracy-unseen"' in html
    assert ("New Year&#39;s Day</span> Jan 1, 2027, queue presales: forecast as an "
            "ordinary Fri") in html
    assert 'day_factors = {"New Year&#39;s Day" = "closed"}' in html
    chinese = zh(planner).get("/planner/accuracy?to=2026-12-27").text
    assert "即将到来且没有历史的节假日" in chinese and "按普通" in chinese
    assert english_sentences(chinese) == []
    # a published forecast with no holiday ahead says so (the client now reads Chinese)
    quiet = planner.get("/planner/accuracy?to=2027-01-03").text
    assert 'id="accuracy-unseen"' not in quiet and "没有缺少历史的节假日" in quiet


def api_post(client: TestClient, path: str, body: str, headers: dict[str, str]) -> int:
    return client.post(path, content=body, headers=headers).status_code
