"""Page languages: message catalogs (zh-CN, English), the choice of language, and dates, times
and numbers in the site's timezone and the chosen locale (babel).

The catalogs are flat JSON files ``messages/<locale>.json`` mapping a key to a text with
``{name}`` placeholders; both hold the same keys (a test checks it). The language is the
``wfm_lang`` cookie when set (the switch on every page), otherwise the best match of the
browser's ``Accept-Language``, otherwise Chinese: the centers this serves are Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache
from numbers import Real
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import get_decimal_symbol, get_group_symbol

CATALOG_DIR = Path(__file__).parent / "messages"
LOCALES = ("zh_CN", "en")  # babel names; the first is the default
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
LANG_COOKIE = "wfm_lang"
DAY_MONTH = {"zh_CN": "M月d日", "en": "M/d"}


@cache
def catalog(locale: str) -> dict[str, str]:
    """The messages of ``locale`` (read once)."""
    text = (CATALOG_DIR / f"{locale}.json").read_text(encoding="utf-8")
    messages: dict[str, str] = json.loads(text)
    return messages


def parse_locale(value: str | None) -> str | None:
    """A supported locale named by ``value`` (``zh-CN``, ``zh``, ``en-GB``, ...), else None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The page locale: the cookie's choice, else the browser's preferred supported language
    (``Accept-Language`` q-values), else the default (zh-CN)."""
    chosen = parse_locale(cookie)
    if chosen:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = parse_locale(tag)
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return sorted(ranked)[0][2] if ranked else LOCALES[0]


@cache
def _babel(locale: str) -> Locale:
    """The parsed babel locale (babel parses a locale name again on every call given as text,
    which costs more than the formatting itself on pages with many dates)."""
    return Locale.parse(locale)


@lru_cache(maxsize=8192)
def _format_date(day: dt.date, style: str, locale: str) -> str:
    """babel's ``format_date``, kept: a page writes the same few dates many times, and each
    call looks up the locale's patterns again."""
    return format_date(day, format=style, locale=_babel(locale))


@cache
def _symbols(locale: str) -> tuple[str, str]:
    return get_decimal_symbol(locale), get_group_symbol(locale)


@dataclass(frozen=True)
class Translator:
    """Texts and formats for one page: ``t(key, **values)``, dates, times and numbers.

    A key missing from the catalog is shown as the key itself (the catalog test keeps that
    from shipping), so a page never fails on a missing text.
    """

    locale: str
    tz: ZoneInfo

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.locale]

    def t(self, key: str, **values: object) -> str:
        text = catalog(self.locale).get(key, key)
        return text.format(**values) if values else text

    def explain(self, violation: object) -> str:
        """A rule violation as a sentence in this language.

        The catalog's per-code templates are tried most specific first:
        ``explain.<code>.<variant>`` (``params["variant"]``), ``explain.<code>.detail`` (the
        violation's ``params``), ``explain.<code>`` (no placeholders: it holds for any
        violation of the rule, e.g. one built where no parameters were kept). A code no
        catalog knows falls back to the English message in English, and to the rule's title
        elsewhere.
        """
        code = str(getattr(violation, "code", ""))
        params = dict(getattr(violation, "params", None) or {})
        variant = params.get("variant")
        texts = catalog(self.locale)
        keys = ([f"explain.{code}.{variant}"] if variant else []) + (
            [f"explain.{code}.detail"] if params else []) + [f"explain.{code}"]
        for key in keys:
            if key in texts:
                try:
                    return texts[key].format(**params)
                except (KeyError, IndexError, ValueError):
                    continue
        if self.locale == "en":
            return str(getattr(violation, "message", "")) or self.t(f"rule.{code}")
        return self.t("explain.fallback", rule=texts.get(f"rule.{code}", code))

    def note(self, note: str | None, status: str = "") -> str:
        """A request history note in this language (``note_text``)."""
        return note_text(self, note or "", status)

    def audit(self, action: str, details: str | dict[str, object]) -> str:
        """An audit entry as a sentence in this language (``audit_text``)."""
        return audit_text(self, action, details)

    def date(self, day: dt.date | None, style: str = "medium") -> str:
        return "" if day is None else _format_date(day, style, self.locale)

    def weekday(self, day: dt.date) -> str:
        return _format_date(day, "EEE", self.locale)

    def day_month(self, day: dt.date) -> str:
        """A short day label for grid headers (11/23, 11月23日)."""
        return _format_date(day, DAY_MONTH[self.locale], self.locale)

    def datetime(self, when: dt.datetime | None) -> str:
        """A moment in the site's timezone (naive values are UTC, as the database stores)."""
        if when is None:
            return ""
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo("UTC"))
        return format_datetime(when, format="medium", tzinfo=self.tz, locale=_babel(self.locale))

    def moment(self, value: object) -> str:
        """An interval start or other instant (ISO text, ``datetime`` or ``Timestamp``; a
        naive value is site time) as a short local date and time."""
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(when, dt.datetime):
            return str(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        return format_datetime(when, format="short", tzinfo=self.tz, locale=_babel(self.locale))

    def time(self, when: dt.datetime) -> str:
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo("UTC"))
        return format_time(when, format="HH:mm", tzinfo=self.tz, locale=_babel(self.locale))

    def number(self, value: object, digits: int = 0) -> str:
        """A number with the locale's grouping; a dash for None, NaN or no number at all."""
        if not isinstance(value, Real) or value != value:
            return "–"
        # Python's grouping with the locale's symbols from babel: the same text as babel's
        # format_decimal for these locales, at a fraction of its cost (tables of 1,000 agents)
        decimal, group = _symbols(self.locale)
        exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
        text = f"{exact:,.{digits}f}"
        return text.translate({ord(","): group, ord("."): decimal})

    def days(self, value: object) -> str:
        """A number of days to the thousandth (balances count part days), trailing zeros
        dropped: 2, 0.267, 4.5."""
        text = self.number(value, 3)
        decimal = _symbols(self.locale)[0]
        return text.rstrip("0").rstrip(decimal) if decimal in text else text

    def percent(self, value: object) -> str:
        """A 0-100 percentage with 2 decimals (DESIGN.md), as the locale writes it."""
        text = self.number(value, 2)
        return text if text == "–" else text + "%"


# Notes the service itself writes into request histories (English in the database); a page
# shows them in its language. Any other note is a person's reason, shown as written.
SYSTEM_NOTES = {
    "recorded on the day without approval; flagged for the planner": "note.recorded_on_the_day",
    "auto-approved: no rule broken, coverage kept": "note.auto_coverage",
    "auto-approved: no rule broken, service level kept": "note.auto_service_level",
    "offer accepted: first come, first served": "note.offer_accepted",
}


def note_text(t: Translator, note: str, status: str = "") -> str:
    """A history note in the page's language: a system note translated; the problem that
    invalidated a request (the checker's English sentence) replaced by a sentence saying so
    outside English; a person's words as they wrote them."""
    key = SYSTEM_NOTES.get(note.strip())
    if key:
        return t.t(key)
    if status == "invalidated" and note and t.locale != "en":
        return t.t("note.invalidated")
    return note


def audit_text(t: Translator, action: str, details: str | dict[str, object]) -> str:
    """An audit entry as a sentence: the template ``audit.do.<action>`` (``.forced`` when the
    change was forced through rule breaks) filled from the entry's details, never raw JSON.
    An action no catalog knows is named by its code."""
    if isinstance(details, str):
        try:
            loaded = json.loads(details) if details else {}
        except ValueError:
            loaded = {}
        details = loaded if isinstance(loaded, dict) else {}
    values: dict[str, object] = {}
    for name, value in details.items():
        if isinstance(value, list):
            values[name] = len(value)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values[name] = value
    if "job_id" in values:
        values["job_id"] = str(values["job_id"])[:8]
    if "kind" in values:
        kind = str(values["kind"])
        values["kind"] = t.t(f"leavekind.{kind}") if f"leavekind.{kind}" in catalog(
            t.locale) else t.t(f"kind.{kind}") if f"kind.{kind}" in catalog(t.locale) else kind
    texts = catalog(t.locale)
    keys = ([f"audit.do.{action}.forced"] if details.get("forced") else []) + [
        f"audit.do.{action}"]
    for key in keys:
        if key in texts:
            try:
                return texts[key].format(**values)
            except (KeyError, IndexError, ValueError):
                continue
    return t.t("audit.do.other", action=action)
