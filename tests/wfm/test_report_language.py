# ruff: noqa: F811 - the fixtures of test_report are imported and used by name
"""The report in the site's language (issue 28): ``language`` in site.toml (default zh-CN),
``wfm report --lang``, no English sentence in the Chinese report, and the shortfall in a
planner's words."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from tests.web.test_zh_pages import english_sentences
from tests.wfm.test_report import (  # noqa: F401 - fixtures
    CONFIG,
    adherence,
    agents,
    coverage,
    requirement,
    roster,
)
from wfm.config import SiteConfig, build_config
from wfm.report import build_report
from wfm.report.words import Words, catalog
from wfm.tables import COVERAGE, ROSTER, write_table
from wfm_cli.main import app


def test_site_language_defaults_to_chinese_and_is_checked() -> None:
    assert SiteConfig().language == "zh-CN"
    assert SiteConfig(language="en_GB").language == "en"
    with pytest.raises(ValueError, match="language must be one of zh-CN, en"):
        SiteConfig(language="fr")


def _full(tmp_path, language, requirement, coverage, adherence, roster,  # noqa: F811
          agents) -> str:
    import pandas as pd

    forecast = requirement[["interval_start", "queue", "contacts", "aht_seconds"]]
    history = forecast.assign(interval_start=forecast["interval_start"] - pd.Timedelta(days=7))
    return build_report(tmp_path / language, history=history, forecast=forecast,
                        requirement=requirement, roster=roster, coverage=coverage,
                        adherence=adherence, agents=agents, config=CONFIG, language=language,
                        kpis={"roster_status": "OPTIMAL"}).read_text("utf-8")


def test_the_chinese_report_says_nothing_in_english(tmp_path, requirement, coverage,  # noqa: F811
                                                    adherence, roster, agents) -> None:
    html = _full(tmp_path, "zh-CN", requirement, coverage, adherence, roster, agents)
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<h1>WFM 排班计划报告</h1>" in html
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    assert english_sentences(body) == []
    empty = build_report(tmp_path / "empty", language="zh-CN").read_text("utf-8")
    assert english_sentences(re.sub(r"<style>.*?</style>", "", empty, flags=re.S)) == []


def test_the_english_report_stays_english(tmp_path, requirement, coverage,  # noqa: F811
                                          adherence, roster, agents) -> None:
    html = _full(tmp_path, "en", requirement, coverage, adherence, roster, agents)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>WFM planning report</h1>" in html


def test_the_report_says_how_many_more_agents_and_when(tmp_path, coverage) -> None:  # noqa: F811
    # one interval short by one agent: Mon 11-23 08:30-09:00 -> hours 08:00-09:00
    zh = build_report(tmp_path / "zh", coverage=coverage, config=CONFIG,
                      language="zh-CN").read_text("utf-8")
    assert "排班人手不足：最忙时约还需 1 名坐席，共缺 0.5 人时。" in zh
    assert "<li>周一 11-23 08:00-09:00: 最多还缺 1 名坐席，共 0.5 人时</li>" in zh
    en = build_report(tmp_path / "en", coverage=coverage, config=CONFIG,
                      language="en").read_text("utf-8")
    assert ("The roster is short: about 1 more agent(s) at the busiest time, 0.5 agent-hours "
            "in all.") in en
    assert "<li>Mon 11-23 08:00-09:00: up to 1 more agent(s), 0.5 agent-hours</li>" in en


def test_wfm_report_lang_flag_and_site_key(tmp_path, coverage, roster) -> None:  # noqa: F811
    write_table(coverage, tmp_path / "coverage.csv", COVERAGE)
    write_table(roster, tmp_path / "roster.csv", ROSTER)
    site = tmp_path / "site.toml"
    site.write_text('language = "en"\n[[shifts]]\ncode = "DAY"\nstart = "08:30"\n'
                    'end = "16:00"\n[[shifts]]\ncode = "NIGHT"\nstart = "16:00"\n'
                    'end = "23:30"\n', encoding="utf-8")
    args = ["report", "--coverage", str(tmp_path / "coverage.csv"), "--roster",
            str(tmp_path / "roster.csv"), "--format", "json"]
    runner = CliRunner()
    by_site = runner.invoke(app, [*args, "--out", str(tmp_path / "a"), "--config", str(site)])
    assert by_site.exit_code == 0, by_site.output
    assert json.loads(by_site.stdout)["language"] == "en"
    assert '<html lang="en">' in (tmp_path / "a" / "report.html").read_text("utf-8")
    flag = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--config", str(site),
                               "--lang", "zh-CN"])
    assert flag.exit_code == 0, flag.output
    assert '<html lang="zh-CN">' in (tmp_path / "b" / "report.html").read_text("utf-8")
    bad = runner.invoke(app, [*args, "--out", str(tmp_path / "c"), "--lang", "fr"])
    assert bad.exit_code == 2
    assert "--lang" in bad.output


def test_the_report_catalog_fills_the_same_placeholders() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for english, chinese in catalog("zh-CN").items():
        assert fields(english) == fields(chinese), english
    assert Words("zh").weekday(__import__("datetime").date(2026, 11, 23)) == "周一"
    assert build_config({}).language == "zh-CN"


def test_the_service_kpi_section_in_chinese(tmp_path) -> None:
    from tests.wfm.test_kpi import CONFIG as KPI_CONFIG
    from tests.wfm.test_kpi import actuals
    from wfm.kpi import compute_kpis

    config = build_config(KPI_CONFIG)
    table = compute_kpis(actuals(), config).table
    html = build_report(tmp_path, kpi_table=table, config=config,
                        language="zh-CN").read_text("utf-8")
    section = html.split('<section id="service_kpis">', 1)[1].split("</section>", 1)[0]
    assert "<h2>来自实际数据的服务 KPI</h2>" in section and "<summary>定义</summary>" in section
    assert english_sentences(re.sub(r"\b(tel|web)\b", "", section)) == []  # queue names
