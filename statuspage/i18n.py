"""The reader's language: ?lang= (remembered in a cookie), else Accept-Language, else the shop's default.

Only the languages the shop enabled are offered. The admin stays in English. A page whose language came
from ?lang= depends on its URL alone (cacheable by a CDN); one chosen by cookie or Accept-Language says so
with Vary.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request

from .services.shop import get_shop

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
    if request.path.startswith(_STAFF_PREFIXES):
        g.lang, g.lang_source = "en", "staff"
        return g.lang
    asked = request.args.get("lang")
    if asked in enabled:
        g.lang, g.lang_source = asked, "url"
    elif request.cookies.get(COOKIE) in enabled:
        g.lang, g.lang_source = request.cookies[COOKIE], "cookie"
    else:
        best = request.accept_languages.best_match(enabled)
        g.lang, g.lang_source = best or default, "header"
    return g.lang


def language_settings() -> tuple[str, list[str]]:
    """Return the shop's default and enabled languages, remembered per data version (no query on cache hits)."""
    from .render_cache import current_version

    state = current_app.extensions["render_cache"]
    version = current_version()
    if state.get("languages", (None,))[0] != version:
        shop = get_shop()
        state["languages"] = (version, shop.default_language, shop.language_list)
    return state["languages"][1], state["languages"][2]


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
