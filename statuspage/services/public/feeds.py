"""RSS 2.0 and Atom 1.0 feeds (feedgen) and the maintenance calendar (iCalendar), read-time visible.

One feed entry per published update — incident updates, maintenance announcements and postmortems
alike — newest first, at most 50. An update whose display_at is still to come never appears.

Titles are plain text (`plain`): many readers show an RSS title as HTML once they have unescaped the
XML, so anything shaped like a tag is taken out of titles, names and categories; a lone "<" stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentComponent, IncidentUpdate, utcnow
from statuspage.services.clock import as_utc
from statuspage.services.formats import datetime_text
from statuspage.services.links import incident_url, public_url
from statuspage.services.markup import plain_text
from statuspage.services.public.status import visible_incidents
from statuspage.services.public.statuspage_json import pick_language
from statuspage.services.shop import get_shop
from statuspage.vocabulary import label

LIMIT = 50
FORMATS = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
# XML 1.0 refuses most control characters; C1 controls and non-characters confuse readers too.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_EPOCH = datetime(2000, 1, 1)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


@dataclass
class Feed:
    """A rendered feed and the time it last changed (for Last-Modified)."""

    body: bytes
    last_modified: datetime
    lang: str


def clean(text: str | None) -> str:
    """Drop the characters XML cannot carry; everything else (RTL, emoji, ]]>) is escaped by lxml."""
    return _NOT_XML.sub("", text or "")


def plain(text: str | None) -> str:
    """Return text a reader may show as HTML without harm: no tags, nothing that could open one."""
    text = clean(text)
    while True:  # "<<b>b>" becomes "<b>" on a first pass: repeat until nothing is left
        stripped = _TAG.sub("", text)
        if stripped == text:
            break
        text = stripped
    return " ".join(_TAG_START.sub("", text).split())


def published_updates(
    now: datetime, incident: Incident | None = None, component: Component | None = None
) -> list[IncidentUpdate]:
    """Return the newest public updates of published incidents (of one incident or component)."""
    query: Select = (
        select(IncidentUpdate)
        .join(Incident, IncidentUpdate.incident_id == Incident.id)
        .where(Incident.draft.is_(False), IncidentUpdate.display_at <= now)
        .options(selectinload(IncidentUpdate.incident).selectinload(Incident.components))
        .order_by(IncidentUpdate.display_at.desc(), IncidentUpdate.id.desc())
        .limit(LIMIT)
    )
    if incident is not None:
        query = query.where(IncidentUpdate.incident_id == incident.id)
    if component is not None:  # a group's feed follows every component in it
        ids = [component.id, *(child.id for child in component.children)]
        affected = select(IncidentComponent.incident_id).where(
            IncidentComponent.component_id.in_(ids)
        )
        query = query.where(IncidentUpdate.incident_id.in_(affected))
    return list(db.session.scalars(query))


def build_feed(
    fmt: str,
    path: str,
    lang: str | None,
    incident: Incident | None = None,
    component: Component | None = None,
) -> Feed:
    """Render the page's feed (or one incident's or component's) as RSS or Atom."""
    shop = get_shop()
    lang = pick_language(lang, shop)
    updates = published_updates(utcnow(), incident, component)
    stamps = [u.edited_at or u.display_at for u in updates] + [shop.updated_at or _EPOCH]
    changed = max(stamps)
    with force_locale(lang):
        title = gettext("%(shop)s status", shop=shop.name)
        subtitle = gettext("Incidents, maintenance and updates from %(shop)s", shop=shop.name)
    if incident is not None:
        title = f"{incident.title_in(lang, shop.default_language).text} · {title}"
    elif component is not None:
        title = f"{component.name_in(lang, shop.default_language).text} · {title}"
    fg = FeedGenerator()
    fg.id(public_url(path))
    fg.title(plain(title))
    fg.subtitle(plain(subtitle))
    fg.author({"name": plain(shop.name)})
    fg.link(href=_page_link(incident), rel="alternate")
    fg.link(
        href=public_url(path) + (f"?lang={lang}" if lang != shop.default_language else ""),
        rel="self",
    )
    fg.language(lang)
    fg.generator("Candor")
    fg.updated(as_utc(changed))
    fg.lastBuildDate(as_utc(changed))
    for update in updates:
        _add_entry(fg, update, lang, shop.default_language)
    body = fg.rss_str(pretty=False) if fmt == "rss" else fg.atom_str(pretty=False)
    return Feed(body=body, last_modified=changed, lang=lang)


def _promise(update: IncidentUpdate, lang: str) -> str:
    """Say when the next update is promised, as the page does ("Next update by 23 Nov 2026, 15:00 CET")."""
    if not update.next_update_at:
        return ""
    when = datetime_text(update.next_update_at, lang, get_shop().timezone, short=True)
    with force_locale(lang):
        text = f"{gettext('Next update by')} {when}"
    return f"<p><strong>{escape(text)}</strong></p>"


def _page_link(incident: Incident | None) -> str:
    """Return the public page a feed mirrors."""
    return incident_url(incident) if incident else public_url("/")


def _add_entry(fg: FeedGenerator, update: IncidentUpdate, lang: str, main_lang: str) -> None:
    """Add one update as an entry: status and title, sanitized HTML, permalink, time, categories.

    Title, body and component names are in the feed's language where written (else the default)."""
    incident = update.incident
    link = incident_url(incident, update)
    entry = fg.add_entry(order="append")
    entry.guid(link, permalink=True)
    title = incident.title_in(lang, main_lang).text
    entry.title(plain(f"[{label(update.status, lang)}] {title}"))
    entry.link(href=link, rel="alternate")
    entry.content(clean(update.html_for(lang) + _promise(update, lang)), type="html")
    entry.published(as_utc(update.display_at))
    entry.updated(as_utc(update.edited_at or update.display_at))
    impact = "maintenance" if incident.is_maintenance else incident.impact
    # RSS shows a category's label instead of its term, so neither carries one: terms read the same.
    entry.category(
        [{"term": impact, "scheme": public_url("/impact")}]
        + [
            {"term": plain(c.name_in(lang, main_lang).text), "scheme": public_url("/components")}
            for c in incident.components
        ]
    )


def maintenance_calendar(lang: str | None = None) -> tuple[str, datetime]:
    """Render the public scheduled maintenances as an iCalendar feed in the reader's language
    (`?lang=`, else the default one); return it and its last change.

    Titles and announcements are the ones written in that language (the main text where none was),
    each marked with the language it is really in (RFC 5545 LANGUAGE); Markdown links read as
    "text (url)", as in a plain-text e-mail.
    """
    now = utcnow()
    query = (
        visible_incidents(now)
        .where(Incident.is_maintenance.is_(True), Incident.scheduled_for.is_not(None))
        .order_by(func.coalesce(Incident.scheduled_for, Incident.started_at).desc())
        .limit(200)
    )
    shop = get_shop()
    lang = pick_language(lang, shop)
    with force_locale(lang):
        name = gettext("%(shop)s maintenance", shop=shop.name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Candor//Status page//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _prop("X-WR-CALNAME", name),
    ]
    changed = shop.updated_at or _EPOCH
    for maintenance in db.session.scalars(query):
        updates = [u for u in maintenance.updates if u.display_at <= now]
        stamp = max([maintenance.created_at] + [u.edited_at or u.display_at for u in updates])
        changed = max(changed, stamp)
        lines += _event(maintenance, updates, stamp, lang, shop.default_language)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines), changed


def _event(
    maintenance: Incident, updates: list[IncidentUpdate], stamp: datetime, lang: str, main: str
) -> list[str]:
    """Describe one maintenance window as a VEVENT, in the reader's language."""
    until = maintenance.scheduled_until or maintenance.scheduled_for
    url = incident_url(maintenance)
    title = maintenance.title_in(lang, main)
    latest = updates[0] if updates else None
    text = plain_text(latest.body_for(lang)) if latest else ""
    text_lang = latest.lang_for(lang, main) if latest else title.lang
    host = re.sub(r"^https?://", "", public_url("")).split("/")[0] or "candor"
    return [
        "BEGIN:VEVENT",
        f"UID:{maintenance.public_id}@{host}",
        f"DTSTAMP:{_ical_time(stamp)}",
        f"LAST-MODIFIED:{_ical_time(stamp)}",
        f"DTSTART:{_ical_time(maintenance.scheduled_for)}",
        f"DTEND:{_ical_time(until)}",
        _prop(f"SUMMARY;LANGUAGE={title.lang}", title.text),
        _prop(f"DESCRIPTION;LANGUAGE={text_lang}", f"{text}\n\n{url}".strip()),
        _prop("URL", url, escape=False),
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def _ical_time(value: datetime) -> str:
    """Format a stored UTC time as an iCalendar UTC date-time."""
    return value.strftime("%Y%m%dT%H%M%SZ")


def _prop(name: str, value: str, escape: bool = True) -> str:
    """Write one text property, escaped as RFC 5545 asks."""
    value = clean(value).replace("\r\n", "\n").replace("\r", "\n")
    if escape:
        value = (
            value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )
    return f"{name}:{value}"


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)
