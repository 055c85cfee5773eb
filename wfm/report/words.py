"""The report's language: its sentences in zh-CN or English.

The report catalog is keyed by the English text (as gettext is): a sentence is written once,
in English, where it is used, and ``Words("zh-CN")`` looks up its translation in
``messages/zh_CN.json`` (``{name}`` placeholders are filled after the lookup). English needs
no catalog; a text missing from the Chinese one stays English, and a test keeps every text
the report writes in it.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from wfm.config import report_language

CATALOG_DIR = Path(__file__).parent / "messages"
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日")}


@cache
def catalog(language: str) -> dict[str, str]:
    """The translations of the report's English texts into ``language`` (none for English)."""
    if language == "en":
        return {}
    path = CATALOG_DIR / f"{language.replace('-', '_')}.json"
    texts: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return texts


class Words:
    """``w(text, **values)``: ``text`` (English) in the report's language, filled in."""

    def __init__(self, language: str) -> None:
        self.language = report_language(language)
        self.texts = catalog(self.language)

    def __call__(self, text: str, **values: object) -> str:
        said = self.texts.get(text, text)
        return said.format(**values) if values else said

    def weekday(self, day: date) -> str:
        """The short weekday name (Mon, 周一)."""
        return WEEKDAYS[self.language][day.weekday()]
