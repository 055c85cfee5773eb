"""Rendering a page: the Jinja2 environment and what every template receives.

Every page gets ``t`` (the translator: texts, dates, numbers), ``user``, ``csrf`` (the form
field value), ``nav`` (the links for the user's role), the language switch links, and the
current path. Templates autoescape; charts arrive as SVG text made by ``wfm.report.svg``,
which escapes its own labels, and are marked safe where they are inserted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.models import User
from api.store import Store
from api.web.i18n import LANG_COOKIE, LANGUAGE_NAMES, LOCALES, Translator, negotiate
from api.web.session import csrf_token, session_token

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True

# Pages load nothing from elsewhere, run no inline script and cannot be framed; the browser
# enforces it (the offline promise holds even if a template slipped).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PLANNER_NAV = (("/planner/roster", "nav.roster"), ("/planner/coverage", "nav.coverage"),
               ("/planner/swaps", "nav.swaps"), ("/planner/time-off", "nav.time_off"),
               ("/planner/intraday", "nav.intraday"), ("/planner/offers", "nav.offers"),
               ("/planner/adherence", "nav.adherence"), ("/planner/live", "nav.live"),
               ("/planner/accuracy", "nav.accuracy"), ("/planner/scenarios", "nav.scenarios"),
               ("/planner/data", "nav.data"), ("/planner/audit", "nav.audit"))
AGENT_NAV = (("/me", "nav.my_schedule"), ("/me/swaps", "nav.my_swaps"),
             ("/me/time-off", "nav.my_time_off"), ("/me/offers", "nav.my_offers"))


def translator(request: Request, store: Store) -> Translator:
    locale = negotiate(request.cookies.get(LANG_COOKIE),
                       request.headers.get("accept-language"))
    return Translator(locale, store.config.tz)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with the page context (user, translator, navigation)."""
    store: Store = request.app.state.store
    t = translator(request, store)
    user: User | None = getattr(request.state, "user", None)
    token = session_token(request)
    nav = () if user is None else PLANNER_NAV if user.role == "planner" else AGENT_NAV
    matches = [href for href, _ in nav if request.url.path == href
               or request.url.path.startswith(href + "/")]
    current = max(matches, key=len) if matches else ""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    languages = [(LANGUAGE_NAMES[code], f"/lang/{code}?next={quote(here, safe='')}",
                  code == t.locale) for code in LOCALES]
    page = {"request": request, "t": t, "user": user, "nav": nav, "path": request.url.path,
            "csrf": csrf_token(token) if token and user else "", "languages": languages,
            "current": current,
            "site_tz": store.config.timezone}
    page.update(context or {})
    response = TEMPLATES.TemplateResponse(request, name, page, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # pages show one user's data
    response.headers.update(SECURITY_HEADERS)
    return response
