"""The reader's language: ?lang= (remembered in a cookie), else Accept-Language, else the shop's default.

Only the languages the shop enabled are offered. The team's side (/admin, /login, /join) speaks
ADMIN_LANGUAGES whatever the shop publishes in: the member's own choice (Account), else the browser's.
The write API and alert intake always answer in English (tools parse them); the command line speaks
the terminal's language (`terminal_language`). A page chosen by cookie or
Accept-Language says so with Vary and stays cacheable by a CDN. A page asked for with ?lang= remembers
the choice in a cookie, so that response is marked `private` (no shared cache may store a Set-Cookie and
replay it to others): the reader's explicit choice keeps working on every later page, and every
`Cache-Control: public` response carries no cookie at all. (The per-process render cache still stores
it, without the cookie, and adds the cookie again on each hit.)
"""

from __future__ import annotations

import os
import time
from functools import lru_cache
from urllib.parse import parse_qsl

from flask import Flask, g, has_request_context, request, url_for
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import dump_cookie, parse_accept_header, parse_cookie
from werkzeug.wrappers import Request

from statuspage import site_version, vocabulary
from statuspage.services.shop import get_shop

NAMES = {"en": "English", "ru": "Русский", "pl": "Polski", "lv": "Latviešu", "ar": "العربية"}
RTL = {"ar"}
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600
_STAFF_PREFIXES = ("/admin", "/login", "/logout", "/join")
# The languages the admin is translated into, whatever the shop publishes in (vocabulary.py).
ADMIN_LANGUAGES = vocabulary.ADMIN_LANGUAGES
# Answers that tools parse (the write API, alert intake) speak English whatever Accept-Language says.
_MACHINE_PREFIXES = ("/api/v1", "/api/alerts")


def select_locale() -> str:
    """Pick the language for this request (Flask-Babel's locale selector)."""
    if "lang" in g:
        return g.lang
    default, enabled = language_settings()
    if not has_request_context():  # jobs and the CLI write in the shop's default language
        return default
    g.lang, g.lang_source = choose_language(request, default, enabled)
    if g.lang_source == "staff":
        g.lang = member_language() or g.lang
    return g.lang


def member_language() -> str | None:
    """Return the language the logged-in member chose for the admin, if any."""
    try:
        chosen = current_user.language if current_user.is_authenticated else None
    except Exception:  # no login manager (a bare app) or the database failed: the browser decides
        return None
    return chosen if chosen in ADMIN_LANGUAGES else None


def choose_language(asking: Request, default: str, enabled: list[str]) -> tuple[str, str]:
    """Return the language for a request and where it came from (url, cookie, header or staff)."""
    return language_of(asking.environ, default, enabled)


def language_of(environ: dict, default: str, enabled: list[str]) -> tuple[str, str]:
    """Return the language for a WSGI environ and its source; the replay layer calls this on every hit.

    It reads the environ directly (no request object) and parses only what is there: a query with
    "lang", a Cookie header naming it; Accept-Language values are matched once each (memoised).
    """
    path = "/" + (environ.get("PATH_INFO") or "").lstrip("/")
    if path.startswith(_MACHINE_PREFIXES):
        return "en", "api"
    if path.startswith(_STAFF_PREFIXES):
        header = environ.get("HTTP_ACCEPT_LANGUAGE") or ""
        return _best_match(header, ADMIN_LANGUAGES) or "en", "staff"
    query = environ.get("QUERY_STRING")
    if query and ("lang" in query or "%" in query):
        asked = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "lang"), None)
        if asked in enabled:
            return asked, "url"
    cookie = environ.get("HTTP_COOKIE")
    if cookie and COOKIE in cookie:
        remembered = parse_cookie(cookie).get(COOKIE)
        if remembered in enabled:
            return remembered, "cookie"
    header = environ.get("HTTP_ACCEPT_LANGUAGE") or ""
    return _best_match(header, tuple(enabled)) or default, "header"


@lru_cache(maxsize=512)
def _best_match(header: str, enabled: tuple[str, ...]) -> str | None:
    """Match an Accept-Language header against the enabled languages (browsers send few distinct ones)."""
    return parse_accept_header(header, LanguageAccept).best_match(enabled)


def terminal_language(environ: dict | None = None) -> str:
    """Return the language for command-line output: LC_ALL, LC_MESSAGES or LANG (the first one set,
    as gettext reads them) when it names one of the admin's languages, else English."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in ADMIN_LANGUAGES else "en"
    return "en"


def language_cookie(lang: str) -> str:
    """Return the Set-Cookie value that remembers an explicit choice (worked out once a second)."""
    return _cookie(lang, int(time.time()))


@lru_cache(maxsize=16)
def _cookie(lang: str, second: int) -> str:
    """Build the cookie; its Expires changes once a second."""
    return dump_cookie(COOKIE, lang, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True)


def language_settings() -> tuple[str, list[str]]:
    """Return the shop's default and enabled languages, read once per data version (no query on cache hits)."""
    state, version = site_version.snapshot(), site_version.current_version()
    if state.languages is None or state.languages[0] != version:
        shop = get_shop()
        state.languages = (version, shop.default_language, shop.language_list)
    return state.languages[1], state.languages[2]


def language_url(code: str) -> str:
    """Return this page in another language, keeping its other query arguments (e.g. ?page=2).

    A cached public page sees only the arguments it reads (render_cache), so only those are kept there.

    Left out: lang itself, the route's own arguments, and the names url_for takes (endpoint, _external,
    _scheme, …), which a crafted URL must not reach.
    """
    route = request.view_args or {}
    kept = {
        key: values
        for key, values in request.args.to_dict(flat=False).items()
        if key not in ("lang", "endpoint") and not key.startswith("_") and key not in route
    }
    return url_for(request.endpoint or "public.index", **kept, **route, lang=code)


def _keep_private(response) -> None:
    """Make a response that sets a cookie private: shared caches must not store it for others."""
    if "public" in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "private, max-age=0"


def register(app: Flask) -> None:
    """Install the language context and remember an explicit choice."""

    @app.context_processor
    def language_context():
        lang = select_locale()
        enabled = language_settings()[1]
        return {
            "lang": lang,
            "dir": "rtl" if lang in RTL else "ltr",
            "languages": [(code, NAMES.get(code, code)) for code in enabled],
            "language_names": NAMES,  # each language by its own name ("Polski"), for headings
            "language_url": language_url,
        }

    @app.after_request
    def remember_language(response):
        source = g.get("lang_source")
        if source == "url":
            response.headers.add("Set-Cookie", language_cookie(g.lang))
            _keep_private(response)
        elif source in ("cookie", "header"):
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
        return response
