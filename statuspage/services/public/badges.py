"""Badges (shields-style SVG, shields.io endpoint JSON) and the embeddable banner's data."""

from __future__ import annotations

import html
import re
from datetime import datetime
from xml.sax.saxutils import escape

import nh3
from flask import current_app
from flask_babel import force_locale, gettext

from statuspage import vocabulary
from statuspage.models import utcnow
from statuspage.services.clock import iso
from statuspage.services.links import incident_url, public_url
from statuspage.services.public.status import page_status, visible_updates
from statuspage.services.public.statuspage_json import pick_language
from statuspage.services.shop import get_shop

# shields.io's named colours, by page indicator.
COLORS = {
    "none": ("brightgreen", "#4c1"),
    "minor": ("yellow", "#dfb317"),
    "major": ("orange", "#fe7d37"),
    "critical": ("red", "#e05d44"),
    "maintenance": ("blue", "#007ec6"),
    vocabulary.NOTICE: ("blueviolet", "#8a2be2"),
}
RTL = {"ar", "fa", "he", "ur"}
_NARROW, _WIDE = set("fijlrt.,:;!|'() "), set("mwMW@%")


def _current(label: str | None, lang: str | None) -> tuple[str, str, str, datetime | None]:
    """Return the badge's label, message, indicator and when it may next change.

    The message is the page's banner, in English unless a language the page publishes is asked for.
    """
    status = page_status(utcnow(), current_app.config["RECENT_DAYS"])
    lang = pick_language(lang, get_shop()) if lang else "en"
    message = vocabulary.banner(status.headline, lang).lower()
    return _clean_label(label), message, status.headline, status.next_change


def badge_data(label: str | None = None, lang: str | None = None) -> tuple[dict, datetime | None]:
    """Return the shields.io endpoint document for the current page indicator."""
    left, message, indicator, next_change = _current(label, lang)
    data = {
        "schemaVersion": 1,
        "label": left,
        "message": message,
        "color": COLORS[indicator][0],
        "cacheSeconds": 300,  # shields.io's minimum
    }
    return data, next_change


def badge_svg(label: str | None = None, lang: str | None = None) -> tuple[str, datetime | None]:
    """Draw the current page indicator as a flat, shields-style SVG badge."""
    left, right, indicator, next_change = _current(label, lang)
    lw, rw = (_text_width(left) + 10 if left else 0), _text_width(right) + 10
    total = lw + rw
    title = escape(f"{left}: {right}" if left else right, {'"': "&quot;"})
    texts = "".join(
        f'<text x="{x * 10:.0f}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
        f'textLength="{(w - 10) * 10}">{escape(t)}</text>'
        f'<text x="{x * 10:.0f}" y="140" transform="scale(.1)" textLength="{(w - 10) * 10}">'
        f"{escape(t)}</text>"
        for t, x, w in ((left, lw / 2, lw), (right, lw + rw / 2, rw))
        if t
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{COLORS[indicator][1]}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        f'text-rendering="geometricPrecision" font-size="110">{texts}</g></svg>'
    )
    return svg, next_change


def _clean_label(label: str | None) -> str:
    """Accept a custom left-hand label (?label=), short and printable; default "status"."""
    if label is None:
        return "status"
    return re.sub(r"[\x00-\x1f\x7f]", "", label).strip()[:40]


def _text_width(text: str) -> int:
    """Estimate the width of Verdana 11px text, as shields does, in pixels."""
    return round(
        sum(4 if c in _NARROW else 10 if c in _WIDE else 7.5 if c.isupper() else 6.6 for c in text)
    )


def embed_data(raw_lang: str | None) -> tuple[dict, datetime | None]:
    """Return what the storefront banner shows: the active incidents, in the visitor's language."""
    shop = get_shop()
    lang = pick_language(raw_lang, shop)
    now = utcnow()
    status = page_status(now, current_app.config["RECENT_DAYS"])
    items = []
    for incident in status.active:
        latest = (status.updates.get(incident.id) or visible_updates(incident, now))[0]
        items.append(
            {
                "id": incident.public_id,
                "update_id": latest.public_id,
                "title": incident.title,
                "status": latest.status,
                "status_label": vocabulary.label(latest.status, lang),
                "impact": "maintenance"
                if incident.is_maintenance
                else vocabulary.impact_word(incident.impact, incident.is_notice),
                "notice": incident.is_notice,
                "text": excerpt(latest.html_for(lang)),
                "url": incident_url(incident),
                "updated_at": iso(latest.edited_at or latest.display_at),
            }
        )
    data = {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "indicator": status.indicator,
        "description": vocabulary.banner(status.headline, lang),
        "page_url": public_url("/"),
        "labels": _button_labels(lang),
        "incidents": items,
    }
    return data, status.next_change


def _button_labels(lang: str) -> dict[str, str]:
    """Name the banner's two buttons in the visitor's language."""
    with force_locale(lang):
        return {"details": gettext("Details"), "dismiss": gettext("Dismiss")}


def excerpt(body_html: str, limit: int = 200) -> str:
    """Turn sanitized HTML into one line of plain text, cut at a word boundary."""
    text = " ".join(html.unescape(nh3.clean(body_html, tags=set())).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
