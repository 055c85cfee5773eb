"""The pages in a real browser (Debian chromium, headless, through chromedriver).

One walk through the whole loop, as a planner and two agents would do it in their own browser
sessions: sign in, upload the demo files (a bad roster row is shown with its line and field),
read the grid and the coverage chart, an agent checks and sends a swap, the colleague accepts,
the planner approves and the grid shows the change; a day of annual
leave checked, sent and approved; an agent cannot open planner pages; the
language switch; a roster solve watched to the end. A screenshot of every page is written to
``tmp/artifacts`` (``WFM_ARTIFACTS``) for review.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import Browser, missing_reason, serve
from tests.web.conftest import FIXTURES, make_app

pytestmark = pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))

SWAP_DAY = "2026-11-23"  # Monday of the demo week: A001 works DAY, A005 works DAY2 (presales)


def upload(browser: Browser, kind: str, path: Path) -> str:
    browser.open("/planner/data")
    browser.find(f"#file-{kind}").send_keys(str(path))
    browser.click(f"#submit-{kind}")
    return browser.text("#upload-result")


def cell_text(browser: Browser, agent_id: str, column: int) -> str:
    row = next(r for r in browser.find_all("#roster-grid tbody tr")
               if r.text.startswith(agent_id))
    return str(row.find_elements("css selector", "td")[column].text)


def test_pages_in_chromium(tmp_path: Path, demo_dir: Path) -> None:
    app = make_app(tmp_path / "browser.db")
    store = app.state.store
    planner_token = store.create_user(role="planner")[1]
    a001_token = store.create_user(role="agent", agent_id="A001")[1]
    a005_token = store.create_user(role="agent", agent_id="A005")[1]
    with serve(app) as url:
        planner = Browser(url, language="zh-CN")
        agent = Browser(url, language="zh-CN")
        try:
            # -- the planner signs in (Chinese from Accept-Language) and loads the demo files
            planner.open("/planner/roster")
            assert planner.path.startswith("/login")
            planner.screenshot("01-login")
            planner.sign_in(planner_token)
            assert planner.path.startswith("/planner/roster")
            assert "排班表" in planner.text("h1")
            assert "120 名坐席" in upload(planner, "agents", FIXTURES / "agents.csv")
            assert "672 行需求" in upload(planner, "requirement", demo_dir / "requirement.csv")
            assert "840 行" in upload(planner, "roster", FIXTURES / "roster_week.csv")
            assert "26,964" in upload(planner, "events", FIXTURES / "events.csv")
            planner.screenshot("02-data-uploaded")

            # -- a roster with a bad row: the row is named, nothing is imported
            result = upload(planner, "roster", demo_dir / "bad_roster.csv")
            assert planner.text("#error-file") == "bad_roster.csv"
            assert planner.text("#error-line") == "6"
            assert planner.text("#error-field") == "date"
            assert "2026-11-32" in result and "未保存任何内容" in result
            planner.screenshot("03-data-bad-row")

            # -- the roster grid and the coverage chart
            planner.open(f"/planner/roster?from={SWAP_DAY}&days=7")
            assert cell_text(planner, "A001", 0) == "DAY"
            assert cell_text(planner, "A005", 0) == "DAY2"
            assert len(planner.find_all("#roster-grid tbody tr")) == 120
            assert "DAY" in planner.text("#roster-grid tfoot")
            planner.screenshot("04-roster-grid")
            planner.open(f"/planner/coverage?day={SWAP_DAY}&queue=presales")
            chart = planner.find("#coverage-chart svg")
            assert "presales" in str(chart.get_attribute("aria-label"))
            assert planner.find_all("#coverage-chart svg path")
            planner.screenshot("05-coverage")

            # -- an agent, in its own session: own schedule only, no planner pages
            agent.sign_in(a001_token)
            assert agent.path == "/me"
            agent.open(f"/me?week={SWAP_DAY}")
            assert "DAY" in agent.text("table.schedule")
            agent.screenshot("06-my-schedule")
            agent.open("/planner/roster")
            assert "仅限排班主管" in agent.text("main")
            assert not agent.find_all("#roster-grid")
            agent.screenshot("07-agent-forbidden")

            # -- the agent checks a swap with A005, then sends it
            agent.open("/me/swaps")
            agent.find("#kind option[value='swap']").click()
            agent.driver.execute_script(
                f"document.getElementById('first-date').value = '{SWAP_DAY}'")
            agent.click("#find-partners")  # only the colleagues the swap is legal with
            assert agent.find_all("#partner-A005")
            agent.find("#counterpart option[value='A005']").click()
            agent.click("#check-swap")
            assert "可以" in agent.text("#check-verdict"), agent.text("#check-result")
            agent.screenshot("08-swap-checked")
            agent.click("#send-swap")
            assert "申请已发送" in agent.text("main")
            agent.screenshot("09-swap-sent")

            # -- the colleague accepts in the same browser after the agent signs out
            agent.click("#sign-out")
            assert agent.path.startswith("/login")
            agent.sign_in(a005_token)
            agent.open("/me/swaps")
            agent.click("button[id^='accept-']")
            assert "已同意" in agent.text("main")

            # -- the planner sees the rule check and impact, and approves with a reason
            planner.open("/planner/swaps")
            assert "未违反规则" in planner.text("article.swap")
            planner.screenshot("10-swap-queue")
            planner.find("article.swap input[name='reason']").send_keys("同一时段互换")
            planner.click("button[id^='approve-']")
            assert "换班已批准" in planner.text("main")
            planner.open(f"/planner/roster?from={SWAP_DAY}&days=7")
            assert cell_text(planner, "A001", 0) == "DAY2"
            assert cell_text(planner, "A005", 0) == "DAY"

            # -- the requester sees the status; adherence, audit and English
            agent.click("#sign-out")
            agent.sign_in(a001_token)
            agent.open("/me/swaps")
            assert "已批准并生效" in agent.text("main")
            agent.screenshot("11-my-swaps")

            # -- the agent checks and asks for a day of annual leave; the planner sees its
            # impact and approves; the grid shows LEAVE and the balance the day taken
            agent.open("/me/time-off")
            agent.find("#to-kind option[value='annual']").click()
            agent.driver.execute_script(
                "document.getElementById('to-first').value = '2026-11-25'")
            agent.click("#check-time-off")
            assert "可以" in agent.text("#time-off-verdict"), agent.text("#time-off-check")
            agent.screenshot("11a-time-off-checked")
            agent.find("#to-reason").send_keys("家里有事")
            agent.click("#send-time-off")
            assert "已发送" in agent.text("main")
            planner.open("/planner/time-off")
            assert "之后最低服务水平" in planner.text("article.swap")
            planner.screenshot("11b-time-off-queue")
            planner.click("button[id^='approve-time-off-']")
            assert "休假已写入排班" in planner.text("main")
            planner.open(f"/planner/roster?from={SWAP_DAY}&days=7")
            assert cell_text(planner, "A001", 2) == "LEAVE"
            agent.open("/me/time-off")
            assert "已批准" in agent.text("main")
            agent.screenshot("11c-my-time-off")
            planner.open("/planner/adherence?from=2026-11-23&to=2026-11-29")
            assert planner.find("#adherence-chart svg")
            planner.screenshot("12-adherence")
            planner.open("/planner/audit")
            assert "roster.swap" in planner.text("#audit-table")
            planner.screenshot("13-audit")
            planner.open(f"/planner/roster?from={SWAP_DAY}&days=7")
            planner.click(".langs a[href^='/lang/en']")
            assert planner.text("h1") == "Roster"
            assert planner.path.startswith("/planner/roster")
            planner.screenshot("14-roster-english")

            # -- a roster solve, watched on the data page until it ends
            planner.open("/planner/data")
            time_limit = planner.find("#time-limit")
            time_limit.clear()
            time_limit.send_keys("3")
            planner.click("#start-solve")
            status = planner.wait_for("#job-status", timeout=60, text="done")
            assert status.text == "done", planner.text("#job")
            planner.screenshot("15-solve-done")

            # -- nothing was refused by the pages' content security policy, nothing failed
            # (the refused uploads and the 403 page answer 4xx on purpose)
            for browser in (planner, agent):
                errors = [e["message"] for e in browser.driver.get_log("browser")
                          if e["level"] == "SEVERE" and "with a status of 4" not in e["message"]]
                assert errors == []
        finally:
            planner.close()
            agent.close()
