"""The report's adherence section says why (issue 24): per agent, largest gap first, with the
name and the minutes lost by cause, and what the login data covers."""

from __future__ import annotations

import re

import pandas as pd

from tests.wfm.test_adherence import CONFIG, report
from wfm.report import build_report

D = "2026-11-23"


def test_report_lists_causes_by_gap_with_names_and_coverage(tmp_path):
    result = report(f"a1,{D},BRK\na2,{D},BRK\na3,{D},BRK\n",
                    f"a1,{D}T09:20:00,login\na1,{D}T16:45:00,logout\n"
                    f"a2,{D}T09:00:00,login\na2,{D}T10:00:00,not_ready\n"
                    f"a2,{D}T12:00:00,ready\na2,{D}T17:00:00,logout\n")
    agents = pd.DataFrame({"agent_id": ["a1", "a2", "a3"], "name": ["Ann", "Bo", "Cy"],
                           "skills": [("s",)] * 3})
    html = build_report(tmp_path, adherence=result, agents=agents, config=CONFIG,
                        language="en").read_text()
    section = html.split('id="adherence"', 1)[1]
    assert "have no events at all (a3)" in section   # a3: rostered, no data: warned
    why = section.split("Why minutes were lost", 1)[1].split("</table>", 1)[0]
    order = re.findall(r'<tr><td class="name">(a\d)</td><td class="name">(\w+)</td>', why)
    # a3 absent (420 lost), a2 not ready 120, a1 late 20 + early 15
    assert order == [("a3", "Cy"), ("a2", "Bo"), ("a1", "Ann")]
    a1 = re.search(r'<td class="name">a1</td>(.*?)</tr>', why).group(1)
    cells = [float(c) for c in re.findall(r"<td>(-?[\d.]+)</td>", a1)]
    # adherence, gap, lost, then the causes in CAUSES order; they add up to the lost minutes
    assert cells[2] == 35 and cells[3:] == [20, 15, 0, 0, 0, 0, 0, 0]
    chinese = build_report(tmp_path / "zh", adherence=result, agents=agents, config=CONFIG,
                           language="zh-CN").read_text()
    assert "各坐席损失分钟的原因" in chinese and "迟到" in chinese
