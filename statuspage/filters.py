"""Template filters and the context every page gets (shop, contacts, the status vocabulary)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, g
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from statuspage import vocabulary
from statuspage.models import utcnow
from statuspage.models.texts import Shown, pick
from statuspage.services import bidi, formats
from statuspage.services.clock import (
    as_utc,
    duration,
    localdate,
    localtime,
    sentence_time,
    to_local_input,
)
from statuspage.services.links import public_url
from statuspage.services.public.status import group_status
from statuspage.services.shop import contact_channels, get_shop

CONTACT_LABELS = {
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "hotline": _l("Hotline"),
    "chat": _l("Live chat"),
    "social": _l("Social media"),
    "address": _l("Address"),
}


def shop():
    """Return the shop, read once per request."""
    if "shop" not in g:
        g.shop = get_shop()
    return g.shop


def utc_iso(value: datetime | None) -> str:
    """Format a stored UTC time as ISO 8601 with offset."""
    return as_utc(value).isoformat() if value else ""


def utc_text(value: datetime | None) -> str:
    """Format a stored UTC time for people who think in UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def span(value: timedelta | None) -> str:
    """Say how long a stretch of time is in the page's language: "8 minutes", "2 hours 5 minutes"."""
    if value is None:
        return ""
    return formats.timedelta_text(abs(value), str(get_locale() or "en"))


def relative(value: datetime | None, now: datetime) -> str:
    """Say how far a time is from now in the page's language: "in 8 minutes", "2 hours ago", "now".

    countdown.js keeps it current in the browser with the same words (COUNTDOWN_WORDS)."""
    if value is None:
        return ""
    if abs((value - now).total_seconds()) < 60:
        return gettext("now")
    if value > now:
        return gettext("in %(span)s", span=span(value - now))
    return gettext("%(span)s ago", span=span(value - now))


def period(value: timedelta | float | int | None, unit: str = "minutes") -> str:
    """Say a stretch of time in the page's language: "1 day", "3 hours 20 minutes" (numbers in `unit`)."""
    return formats.timedelta_text(value, str(get_locale() or "en"), unit=unit)


def reader_lang() -> str:
    """Return the language this page is written in."""
    return str(get_locale() or shop().default_language)


def percent(value) -> str:
    """Write a percentage (0–100) the way the reader's language does: "99,95%"."""
    return formats.percent_text(value, reader_lang())


def hours_text(value) -> str:
    """Say a playbook's span (a number is hours) in the reader's language: "72 hours", "30 days"."""
    return formats.hours_text(value, reader_lang()) if value is not None else ""


def title_of(incident):
    """Return an incident's title in the reader's language (a fallback marked with its own lang)."""
    return incident.title_in(reader_lang(), shop().default_language)


def name_of(component):
    """Return a component's name in the reader's language (a fallback marked with its own lang)."""
    return component.name_in(reader_lang(), shop().default_language)


def description_of(component):
    """Return a component's description in the reader's language."""
    return component.description_in(reader_lang(), shop().default_language)


def names(components) -> Markup:
    """Join component names the way the reader's language joins a list ("A, B i C")."""
    shown = [str(escape(name_of(c))) for c in components]
    return Markup(formats.list_text(shown, reader_lang()))


def names_text(components) -> str:
    """Join component names as plain text (for attributes, subjects and feeds)."""
    return formats.list_text([name_of(c).text for c in components], reader_lang())


def day_titles(entries) -> list:
    """Return the incidents of a history day as `Shown` titles in the reader's language (rows
    written before titles were kept per language hold a plain string)."""
    lang, main = reader_lang(), shop().default_language
    return [
        pick(e.get("translations"), e.get("title", ""), lang, main)
        if isinstance(e, dict)
        else Shown(str(e), main)
        for e in entries or []
    ]


def day_titles_text(entries) -> str:
    """Join a history day's incident titles as plain text, as the reader's language joins a list."""
    return formats.list_text([t.text for t in day_titles(entries)], reader_lang())


def day_titles_html(entries) -> Markup:
    """Join a history day's incident titles for HTML, each fallback marked with its own language."""
    return Markup(formats.list_text([str(escape(t)) for t in day_titles(entries)], reader_lang()))


def own_lang(text_lang: str) -> Markup:
    """Return `lang`/`dir` attributes for a block whose text is in another language than the page."""
    if text_lang == reader_lang():
        return Markup("")
    return Markup(' lang="{}" dir="auto"').format(text_lang)


def isolate(text: str) -> str:
    """Isolate the left-to-right runs of plain text in a right-to-left language (e-mail text)."""
    return bidi.isolate_text(str(text or ""), reader_lang())


def back_arrow() -> str:
    """Return the arrow that points back (toward the start of the line) in the reader's direction."""
    return "→" if bidi.is_rtl(reader_lang()) else "←"


def forward_arrow() -> str:
    """Return the arrow that points forward (toward the end of the line) in the reader's direction."""
    return "←" if bidi.is_rtl(reader_lang()) else "→"


def local_input(value: datetime | None) -> str:
    """Format a stored UTC time for a datetime-local input in the shop's timezone."""
    return to_local_input(value, shop().timezone)


def register(app: Flask) -> None:
    """Install the filters and the shared template context."""
    app.jinja_env.filters.update(
        localtime=localtime, localdate=localdate, utc_iso=utc_iso, utc_text=utc_text, duration=duration,
        label=vocabulary.label, icon=vocabulary.icon, banner=vocabulary.banner,
        contact_label=lambda s: str(CONTACT_LABELS.get(s, s)),
    )  # fmt: skip

    # Templates read status lists from here (vocabulary.FINAL …), never typed by hand.
    app.jinja_env.globals.update(
        group_status=group_status, timedelta=timedelta, now=utcnow, vocabulary=vocabulary
    )
    # Absolute links from BASE_URL, never from the request's Host (cached pages are shared).
    app.jinja_env.globals.update(absolute_url=public_url)
    app.jinja_env.filters.update(
        span=span, relative=relative, local_input=local_input, period=period
    )
    # The reader's language: formats, texts per language, lists, right-to-left isolation.
    app.jinja_env.filters.update(
        percent=percent, title_of=title_of, name_of=name_of, description_of=description_of,
        names=names, names_text=names_text, own_lang=own_lang, isolate=isolate,
        day_titles_text=day_titles_text, day_titles_html=day_titles_html,
        sentence_time=sentence_time, hours_text=hours_text,
    )  # fmt: skip
    app.jinja_env.globals.update(back_arrow=back_arrow, forward_arrow=forward_arrow)

    @app.context_processor
    def inject_shop():
        current = shop()
        return {"shop": current, "contacts": contact_channels(current)}


def shop_timezone() -> str:
    """Tell Flask-Babel to show times in the shop's timezone."""
    return shop().timezone
