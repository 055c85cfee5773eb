"""Language choice and number formats (babel's format_decimal is the reference)."""

from __future__ import annotations

import random
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal

from api.web.i18n import LOCALES, Translator, negotiate


@pytest.mark.parametrize(("cookie", "header", "expected"), [
    (None, "en-US,en;q=0.9,zh-CN;q=0.5", "en"),
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
    (None, "fr-FR, en;q=0.3, zh;q=0.7", "zh_CN"),  # the best supported by q-value
    (None, "de", "zh_CN"), (None, None, "zh_CN"), (None, "en;q=0", "zh_CN"),
    ("en", "zh-CN", "en"), ("zh_CN", "en", "zh_CN"), ("xx", "en", "en")])
def test_negotiate(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate(cookie, header) == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_match_babel(locale: str) -> None:
    t = Translator(locale, ZoneInfo("Asia/Shanghai"))
    rng = random.Random(5)
    values = [0, 7, 26964, 1234567, -3.25, 91.235, 0.005] + [
        round(rng.uniform(-1e6, 1e6), rng.randint(0, 4)) for _ in range(300)]
    for value in values:
        for digits in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            assert t.number(value, digits) == format_decimal(value, format=pattern,
                                                             locale=locale), (value, digits)


def test_missing_values_are_a_dash_and_dates_follow_the_locale() -> None:
    zh, en = (Translator(loc, ZoneInfo("Asia/Shanghai")) for loc in ("zh_CN", "en"))
    assert zh.number(None) == zh.percent(float("nan")) == "–"
    assert zh.percent(91.2345) == "91.23%"
    day = date(2026, 11, 23)
    assert (zh.date(day), zh.weekday(day), zh.day_month(day)) == ("2026年11月23日", "周一",
                                                                  "11月23日")
    assert (en.date(day), en.weekday(day), en.day_month(day)) == ("Nov 23, 2026", "Mon",
                                                                  "11/23")
    assert zh.moment("2026-11-23T00:30:00+00:00") == "2026/11/23 08:30"
