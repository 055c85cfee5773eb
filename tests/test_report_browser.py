"""Render report.html in headless Chromium: screenshot, visible charts, no console errors.

Chromium prints page console messages on stderr with ``--enable-logging=stderr``; chart sizes
are read by a probe script added to a copy of the report (the report itself has no scripts)
whose result ``--dump-dom`` returns. Skipped when Debian's ``chromium`` is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from wfm.config import load_config
from wfm.report import SECTIONS, build_report
from wfm.staffing.requirements import compute_requirements
from wfm.tables import read_table
from wfm_cli.demo import FIXTURES_DIR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install -y chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0"]
PROBE = """<script>
const found = [...document.querySelectorAll('svg.chart')].map(function (svg) {
  const box = svg.getBoundingClientRect();
  return {title: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          marks: svg.querySelectorAll('path[d^="M"], rect, polygon').length};
});
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = JSON.stringify(found);
document.body.appendChild(out);
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=90)


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and ("Uncaught" in line or "rror" in line)]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report built from the fixtures (history, forecast, requirement, roster, agents)."""
    if not (FIXTURES_DIR / "site.toml").exists():
        pytest.skip("fixtures/ not present")
    config = load_config(FIXTURES_DIR / "site.toml")
    tz = config.timezone
    history = read_table(FIXTURES_DIR / "history.csv", "history", timezone=tz)
    last_week = history["interval_start"] >= history["interval_start"].max() - timedelta(days=6)
    forecast = history[last_week].assign(
        interval_start=lambda f: f["interval_start"] + pd.Timedelta(days=7),
        aht_seconds=lambda f: f["aht_seconds"].fillna(300.0))
    forecast["contacts_p10"] = forecast["contacts"] * 0.85
    forecast["contacts_p90"] = forecast["contacts"] * 1.15
    roster = read_table(FIXTURES_DIR / "roster_week.csv", "roster", timezone=tz)
    working = roster[~roster["shift"].isin(["OFF", "LEAVE"])]
    adherence = pd.DataFrame({  # made-up but well-formed rows: this test is about rendering
        "agent_id": working["agent_id"], "date": working["date"], "shift": working["shift"],
        "scheduled_minutes": 420.0, "logged_in_minutes": 440.0,  # 7.5 h minus the fixed meal
        "in_adherence_minutes": [350.0 + (i * 37) % 70 for i in range(len(working))],
        "adherence_pct": None, "conformance_pct": 96.0, "late_start_minutes": 0.0,
        "early_leave_minutes": 0.0, "overtime_minutes": 0.0, "absent": False, "episodes": 1})
    out = tmp_path_factory.mktemp("report")
    return build_report(out, language="en", history=history, forecast=forecast,
                        requirement=compute_requirements(forecast, config), roster=roster,
                        adherence=adherence,
                        agents=read_table(FIXTURES_DIR / "agents.csv", "agents", timezone=tz),
                        config=config)


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network


def test_screenshot_is_taken_without_console_errors(report, tmp_path):
    shot = tmp_path / "report.png"
    completed = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,4000",
                          report.as_uri())
    assert shot.exists(), completed.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert _console_errors(completed.stderr) == []


def test_charts_are_visible(report, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    completed = _chromium(tmp_path, "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe">(.*?)</pre>', completed.stdout, re.S)
    assert match, completed.stderr[-2000:]
    charts = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    titles = [chart["title"] for chart in charts]
    assert len(charts) >= 6, titles  # 2 forecast, 2 coverage, fairness, adherence
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 150, chart
        assert chart["marks"] > 2, chart
    assert any("Adherence per agent" in t for t in titles)
    assert _console_errors(completed.stderr) == []
    dom = completed.stdout
    for key, _ in SECTIONS:
        assert f'id="{key}"' in dom


LABEL_PROBE = """<script>
const charts = [...document.querySelectorAll('svg.chart')].map(function (svg) {
  const box = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('text.x-tick')].map(function (text) {
    const r = text.getBoundingClientRect();
    return {text: text.textContent, left: r.left, right: r.right};
  });
  return {title: svg.getAttribute('aria-label'), left: box.left, right: box.right,
          labels: labels};
});
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = JSON.stringify(charts);
document.body.appendChild(out);
</script>"""


def _probe(tmp_path: Path, report_path: Path, probe: str, width: int = 1400) -> list[dict]:
    """Run ``probe`` in a copy of the report and return the JSON it leaves in ``#probe``."""
    probed = tmp_path / "probed.html"
    probed.write_text(report_path.read_text(encoding="utf-8").replace("</body>",
                                                                      probe + "</body>"),
                      encoding="utf-8")
    completed = _chromium(tmp_path, f"--window-size={width},3000", "--dump-dom",
                          probed.as_uri())
    match = re.search(r'<pre id="probe">(.*?)</pre>', completed.stdout, re.S)
    assert match, completed.stderr[-2000:]
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def four_week_report(tmp_path_factory) -> Path:
    """Two weeks of history before a four-week forecast and coverage: six weeks of days on
    one time axis, where day labels could crowd each other."""
    config = load_config(None)

    def contacts(start: str, days: int) -> pd.DataFrame:
        starts = pd.date_range(start, periods=48 * days, freq="30min", tz=config.timezone)
        return pd.DataFrame({"interval_start": starts, "queue": "sales",
                             "contacts": [5.0 + (i % 48) for i in range(len(starts))],
                             "aht_seconds": 200.0})

    forecast = contacts("2026-10-26", 28)
    required = [(i % 48) // 6 for i in range(len(forecast))]
    coverage = pd.DataFrame({"interval_start": forecast["interval_start"], "queue": "sales",
                             "required": required, "scheduled": [3] * len(forecast)})
    coverage["shortfall"] = (coverage["required"] - coverage["scheduled"]).clip(lower=0)
    out = tmp_path_factory.mktemp("four_weeks")
    return build_report(out, language="en", history=contacts("2026-10-12", 14), forecast=forecast,
                        coverage=coverage, config=config)


@pytest.mark.parametrize("window", [1400, 700])
def test_day_labels_do_not_overlap_when_rendered(four_week_report, tmp_path, window):
    """Measured in the browser, so the width estimate the report uses is checked too."""
    charts = _probe(tmp_path, four_week_report, LABEL_PROBE, width=window)
    by_title = {chart["title"]: chart for chart in charts}
    forecast = by_title["sales: contacts per interval"]
    coverage = by_title["sales: agents required vs scheduled"]
    assert len(forecast["labels"]) >= 6 and len(coverage["labels"]) >= 6
    for chart in (forecast, coverage):
        labels = chart["labels"]
        for a, b in zip(labels, labels[1:], strict=False):
            assert a["right"] < b["left"], (chart["title"], a, b)
        assert labels[0]["left"] >= chart["left"] and labels[-1]["right"] <= chart["right"]


def test_four_week_report_screenshot(four_week_report, tmp_path):
    shot = tmp_path / "four_weeks.png"
    completed = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,1600",
                          four_week_report.as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000, completed.stderr[-2000:]
    assert _console_errors(completed.stderr) == []


def test_console_error_detection_works(tmp_path):
    """The check above would notice a broken page (guards against a silently blind test)."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>missingFunction();</script></body></html>")
    completed = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert _console_errors(completed.stderr), completed.stderr[-2000:]
