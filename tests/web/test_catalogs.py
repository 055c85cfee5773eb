"""Every page text exists in both languages: the catalogs hold the same keys, every key the
code and templates use is in them, and placeholders agree."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from api.schemas import TimeOffStatus
from api.web.i18n import LOCALES, catalog
from wfm.config import TimeOffSettings
from wfm.requests.status import SWAP_MACHINE
from wfm.requests.swaps import SWAP_KINDS
from wfm.requests.time_off import REST_DAY
from wfm.rules import RULE_CODES

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
FAMILIES = ("app", "nav", "login", "error", "forbidden", "violation", "rule", "kind", "status",
            "impact", "roster", "coverage", "swaps", "swap", "adherence", "data", "job", "audit",
            "mine", "myswaps", "timeoff", "mytimeoff", "leavekind", "explain", "offstatus",
            "note")
LITERAL_KEY = re.compile(rf"""["']((?:{'|'.join(FAMILIES)})\.[a-z_\-]+)["']""")
SWAP_CODES = ("no_assignment", "leave", "not_working", "not_off", "no_change", "min_notice")
TIME_OFF_CODES = ("part_outside_shift", "other_week", "balance", "team_limit")
JOB_STATUSES = ("queued", "running", "done", "failed")


def used_keys() -> set[str]:
    """Keys written out in the templates and the page modules, plus the families the
    templates build from data (rule codes, swap kinds and statuses, upload kinds)."""
    keys: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        keys.update(k for k in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
                    if not k.endswith(("_", ".", ".html")))
    keys.update(f"rule.{code}" for code in [*RULE_CODES, *SWAP_CODES, *TIME_OFF_CODES])
    keys.update(f"status.{status}" for status in get_args(TimeOffStatus))
    keys.update(f"offstatus.{status}" for status in get_args(TimeOffStatus))
    keys.update(f"explain.{code}" for code in [*RULE_CODES, *SWAP_CODES, *TIME_OFF_CODES])
    keys.update(f"leavekind.{kind}" for kind in [*TimeOffSettings().kinds, REST_DAY])
    keys.update(f"mytimeoff.done_{status}" for status in
                ("requested", "approved", "recorded", "cancelled"))
    keys.update({"timeoff.done_approved", "timeoff.done_rejected"})
    keys.update(f"kind.{kind}" for kind in SWAP_KINDS)
    keys.update(f"status.{to}" for _, to in SWAP_MACHINE.transitions.values())
    keys.add("status.requested")
    keys.update(f"job.{status}" for status in JOB_STATUSES)
    for kind in ("agents", "roster", "requirement", "events"):
        keys.update({f"data.upload_{kind}", f"data.columns_{kind}", f"data.imported_{kind}"})
    keys.update({"swap.done_applied", "swap.done_denied", "myswaps.done_sent",
                 "myswaps.done_accept", "myswaps.done_reject", "myswaps.done_cancel"})
    return keys


def test_catalogs_hold_the_same_keys() -> None:
    english, chinese = (set(catalog(locale)) for locale in LOCALES[::-1])
    assert sorted(english - chinese) == []
    assert sorted(chinese - english) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_is_in_the_catalog(locale: str) -> None:
    assert sorted(used_keys() - set(catalog(locale))) == []


def test_placeholders_agree_and_no_text_is_empty() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english, chinese = catalog("en"), catalog("zh_CN")
    for key, text in english.items():
        assert text.strip() and chinese[key].strip(), key
        assert fields(text) == fields(chinese[key]), key


def test_chinese_catalog_is_chinese() -> None:
    """Texts meant for people are translated, not copied (column lists may stay)."""
    chinese = catalog("zh_CN")
    untranslated = [k for k, v in chinese.items() if v == catalog("en")[k]
                    and not k.startswith(("data.columns_", "mine.week"))]
    assert untranslated == []


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "api" / "web" / "messages")
                                        .glob("*.json")), ids=lambda p: p.name)
def test_no_key_is_written_twice(path: Path) -> None:
    # json.load keeps the last of two equal keys silently: two branches adding the same key
    # left one translation unused (it happened with rule.max_consecutive_nights)
    import json

    seen: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        seen.extend(key for key, _ in items)
        return dict(items)

    json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=pairs)
    assert sorted(k for k in set(seen) if seen.count(k) > 1) == []
