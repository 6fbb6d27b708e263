"""The reader's language: ?lang= (remembered in a cookie), else Accept-Language, else the shop's default.

Only the languages the shop enabled are offered. The admin stays in English. A page whose language came
from ?lang= depends on its URL alone (cacheable by a CDN); one chosen by cookie or Accept-Language says so
with Vary.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request, url_for
from werkzeug.wrappers import Request

from statuspage import site_version
from statuspage.services.shop import get_shop

NAMES = {"en": "English", "ru": "Русский", "pl": "Polski", "lv": "Latviešu", "ar": "العربية"}
RTL = {"ar"}
COOKIE = "lang"
_STAFF_PREFIXES = ("/admin", "/login", "/logout")


def select_locale() -> str:
    """Pick the language for this request (Flask-Babel's locale selector)."""
    if "lang" in g:
        return g.lang
    default, enabled = language_settings()
    if not has_request_context():  # jobs and the CLI write in the shop's default language
        return default
    g.lang, g.lang_source = choose_language(request, default, enabled)
    return g.lang


def choose_language(asking: Request, default: str, enabled: list[str]) -> tuple[str, str]:
    """Return the language for a request and where it came from (url, cookie, header or staff)."""
    if asking.path.startswith(_STAFF_PREFIXES):
        return "en", "staff"
    asked = asking.args.get("lang")
    if asked in enabled:
        return asked, "url"
    if asking.cookies.get(COOKIE) in enabled:
        return asking.cookies[COOKIE], "cookie"
    return asking.accept_languages.best_match(enabled) or default, "header"


def language_settings() -> tuple[str, list[str]]:
    """Return the shop's default and enabled languages, read once per data version (no query on cache hits)."""
    state, version = site_version.snapshot(), site_version.current_version()
    if state.languages is None or state.languages[0] != version:
        shop = get_shop()
        state.languages = (version, shop.default_language, shop.language_list)
    return state.languages[1], state.languages[2]


def language_url(code: str) -> str:
    """Return this page in another language, keeping its other query arguments (e.g. ?page=2).

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
            "language_url": language_url,
        }

    @app.after_request
    def remember_language(response):
        source = g.get("lang_source")
        if source == "url":
            response.set_cookie(
                COOKIE, g.lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        elif source in ("cookie", "header"):
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
        return response
