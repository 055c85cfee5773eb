"""A planner's words on the pages (issue 28): rule explanations from a violation's parameters,
audit entries and system notes as sentences, time-off statuses worded for time off, and
complete status filters."""

from __future__ import annotations

from datetime import date
from typing import get_args
from zoneinfo import ZoneInfo

import pandas as pd

from api.schemas import SwapStatus, TimeOffStatus
from api.web.i18n import Translator, catalog
from api.web.routes_time_off import STATUSES
from tests.web.test_catalogs import SWAP_CODES, TIME_OFF_CODES
from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.rules import RULE_CODES, check_roster

ZH = Translator("zh_CN", ZoneInfo("Asia/Shanghai"))
EN = Translator("en", ZoneInfo("Asia/Shanghai"))
NEW_CODES = ("max_consecutive_nights",)  # added beside this work (issue 28)


def _seven_days_in_a_row() -> list[Violation]:
    days = pd.date_range("2026-11-23", periods=7).date
    roster = pd.DataFrame({"agent_id": "A1", "date": days, "shift": "DAY"})
    agents = pd.DataFrame({"agent_id": ["A1"], "name": ["x"], "skills": ["presales"]})
    config = SiteConfig.model_validate({
        "shifts": [{"code": "DAY", "start": "08:30", "end": "16:00"}],
        "rules": {"max_consecutive_days": 6, "min_rest_days_per_week": 1}})
    return check_roster(roster, agents, config)


def test_the_checker_keeps_the_values_of_its_sentences() -> None:
    found = {v.code: v for v in _seven_days_in_a_row()}
    run = found["max_consecutive_days"]
    assert run.params == {"agent": "A1", "run": 7, "limit": 6, "start": "2026-11-23",
                          "end": "2026-11-29"}
    assert found["min_rest_days_per_week"].params["rest"] == 0


def test_explain_says_a_violation_in_the_page_language() -> None:
    found = {v.code: v for v in _seven_days_in_a_row()}
    run = found["max_consecutive_days"]
    assert ZH.explain(run) == "连续工作 7 天（2026-11-23 至 2026-11-29，上限 6 天）。"
    assert EN.explain(run) == "Works 7 days in a row, 2026-11-23 to 2026-11-29 (at most 6)."
    week = found["min_rest_days_per_week"]
    assert ZH.explain(week) == "2026-11-23 至 2026-11-29 这一周只有 0 个休息日（至少 1 个）。"


def test_explain_without_parameters_and_for_an_unknown_code() -> None:
    bare = Violation("min_notice", "A1", "2026-11-23", "the shift starts at ... (minimum notice)")
    assert ZH.explain(bare) == "班次开始得太早：站点要求更早提出申请。"
    variant = Violation("leave", "A1", "2026-11-23", "x", {"variant": "worked", "shift": "DAY"})
    assert ZH.explain(variant) == "当天有已批准的假期，却排了 DAY 班。"
    unknown = Violation("brand_new", "A1", "2026-11-23", "an English sentence")
    assert EN.explain(unknown) == "an English sentence"
    assert ZH.explain(unknown) == "违反规则：brand_new。"


def test_a_locked_fair_share_note_says_why_in_both_languages() -> None:
    params = {"count": 12, "share": "2.0", "team": "sales", "band": 2, "before": 0,
              "weeks": 0}
    for code, variant, zh_text, en_text in (
            ("fair_share_nights", "locked", "接过其夜班", "take a night over"),
            ("fair_share_nights", "locked_below", "把夜班让给", "hand a night over to"),
            ("fair_share_weekend_rest", "locked_below", "把周末休息让给",
             "hand a weekend rest day over to")):
        note = Violation(code, "A1", "2026-11-23", "x", {**params, "variant": variant})
        plain = Violation(code, "A1", "2026-11-23", "x", params)
        assert zh_text in ZH.explain(note) and zh_text not in ZH.explain(plain)
        assert ZH.explain(note).startswith(ZH.explain(plain))
        assert en_text in EN.explain(note) and en_text not in EN.explain(plain)


def test_every_rule_code_has_an_explanation_in_both_catalogs() -> None:
    codes = {*RULE_CODES, *SWAP_CODES, *TIME_OFF_CODES, *NEW_CODES}
    for locale in ("en", "zh_CN"):
        missing = sorted(c for c in codes if f"explain.{c}" not in catalog(locale)
                         or f"rule.{c}" not in catalog(locale))
        assert missing == [], locale


def test_audit_entries_read_as_sentences_not_json() -> None:
    details = '{"time_off_id": 3, "kind": "sick", "before": [], "after": []}'
    assert ZH.audit("roster.time_off", details) == "把请假申请 #3（病假）应用到排班。"
    assert EN.audit("roster.time_off", details) == (
        "Applied time-off request #3 (Sick leave) to the roster.")
    forced = '{"rows": 14, "agents": 2, "forced": true}'
    assert ZH.audit("roster.import", forced) == "为 2 名坐席导入了 14 行排班，尽管违反规则。"
    assert ZH.audit("users.rotate", "{}") == "操作 users.rotate。"


def test_system_notes_are_translated_and_reasons_kept() -> None:
    note = "recorded on the day without approval; flagged for the planner"
    assert ZH.note(note, "recorded") == "当天登记，未经审批；已提醒计划员。"
    assert ZH.note("fever", "recorded") == "fever"
    assert ZH.note("A1 works 7 days in a row", "invalidated") == (
        "之后的排班变更使该申请违反了规则。")


def test_time_off_statuses_are_worded_for_time_off() -> None:
    """A planner rejects time off: no colleague declines it (the swap wording)."""
    assert ZH.t("offstatus.rejected") == "计划员已驳回"
    assert EN.t("offstatus.rejected") == "rejected by the planner"
    assert ZH.t("status.rejected") == "对方已拒绝"  # a swap: the colleague declined
    for status in get_args(TimeOffStatus):
        assert f"offstatus.{status}" in catalog("zh_CN")


def test_status_filters_offer_every_status() -> None:
    assert tuple(STATUSES) == get_args(TimeOffStatus)
    assert "rejected" in get_args(SwapStatus)


def test_time_off_page_words_a_rejection_for_time_off(planner, client_for,  # type: ignore[no-untyped-def]
                                                      token_of) -> None:
    from tests.web.conftest import csrf_of

    agent = client_for(token_of("agent", "A001"))
    csrf = csrf_of(agent.get("/me/time-off").text)
    agent.post("/me/time-off", data={"csrf": csrf, "kind": "annual", "first_date": "2026-11-24",
                                     "action": "send"})
    queue = planner.get("/planner/time-off").text
    request_id = queue.split('id="reject-time-off-', 1)[1].split('"', 1)[0]
    planner.post(f"/planner/time-off/{request_id}/decide",
                 data={"csrf": csrf_of(queue), "decision": "reject", "reason": ""})
    for client in (agent, planner):
        client.cookies.set("wfm_lang", "zh_CN")
    mine = agent.get("/me/time-off").text
    assert "计划员已驳回" in mine and "对方已拒绝" not in mine
    listed = planner.get("/planner/time-off?status=rejected").text
    assert '<option value="rejected" selected>计划员已驳回</option>' in listed
    swaps = planner.get("/planner/swaps").text
    for status in get_args(SwapStatus):
        assert f'<option value="{status}"' in swaps


def test_the_solve_page_says_how_many_more_agents_and_when(planner) -> None:  # type: ignore[no-untyped-def]
    """Issue 28: a finished solve on a short roster says so in agents, days and hours."""
    from api.store import Actor
    from wfm.coverage import staffing_gap

    store = planner.app.state.store
    planner_user = store.create_user(role="planner")[0]
    job = store.create_job(actor=Actor.of(planner_user))
    store.finish_job(job_id=job.id, status="done", version=store.roster_frame()[0])
    from api.web.charts import coverage_frame

    table = coverage_frame(store, date(2026, 11, 23), date(2026, 11, 29))
    gap = staffing_gap(table, timezone="Asia/Shanghai", interval_minutes=30)
    assert gap.short  # the demo roster leaves intervals short
    for lang, lead in (("zh_CN", f"排班人手不足：最忙时约还需 {gap.peak_agents} 名坐席"),
                       ("en", f"about {gap.peak_agents} more agent(s) at the busiest time")):
        planner.cookies.set("wfm_lang", lang)
        page = planner.get(f"/planner/jobs/{job.id}").text
        assert lead in page
        assert 'id="job-short-spans"' in page


def test_the_coverage_page_counts_shortfall_in_agent_hours(planner) -> None:  # type: ignore[no-untyped-def]
    """Issue 28: one unit for shortfall everywhere (the CLI's agent-hours)."""
    from api.web.charts import coverage_frame

    store = planner.app.state.store
    table = coverage_frame(store, date(2026, 11, 23), date(2026, 11, 23))
    queue = sorted(table["queue"].unique())[0]
    short = table[(table["queue"] == queue) & (table["shortfall"] > 0)]
    hours = short["shortfall"].sum() * 30 / 60
    planner.cookies.set("wfm_lang", "en")
    page = planner.get(f"/planner/coverage?day=2026-11-23&queue={queue}").text
    assert "agent-interval" not in page
    if len(short):
        assert f"{len(short)} interval(s) below requirement, {hours:,.1f} agent-hours short" in page
    assert "Shortfall (agent-hours)" in page
