"""Template filters and the context every page gets (shop, contacts, labels)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, g
from flask_babel import format_date, format_datetime, format_timedelta, refresh
from flask_babel import lazy_gettext as _l

from statuspage.models import utcnow
from statuspage.services.public.status import group_status
from statuspage.services.shop import contact_channels, get_shop

LABELS = {
    "investigating": _l("Investigating"),
    "identified": _l("Identified"),
    "monitoring": _l("Monitoring"),
    "resolved": _l("Resolved"),
    "postmortem": _l("Postmortem"),
    "scheduled": _l("Scheduled"),
    "in_progress": _l("In progress"),
    "verifying": _l("Verifying"),
    "completed": _l("Completed"),
    "operational": _l("Operational"),
    "degraded_performance": _l("Degraded performance"),
    "partial_outage": _l("Partial outage"),
    "major_outage": _l("Major outage"),
    "under_maintenance": _l("Under maintenance"),
    "none": _l("None"),
    "minor": _l("Minor"),
    "major": _l("Major"),
    "critical": _l("Critical"),
    "maintenance": _l("Maintenance"),
}
# A text symbol per state, so status is never told by colour alone.
ICONS = {
    "operational": "✓", "none": "✓", "resolved": "✓", "completed": "✓", "postmortem": "✓",
    "degraded_performance": "◐", "minor": "◐", "monitoring": "◐", "identified": "!",
    "partial_outage": "▲", "major": "▲", "investigating": "?",
    "major_outage": "✕", "critical": "✕",
    "under_maintenance": "⚙", "maintenance": "⚙", "scheduled": "⚙", "in_progress": "⚙", "verifying": "⚙",
}  # fmt: skip


BANNERS = {
    "none": _l("All Systems Operational"),
    "minor": _l("Minor Service Outage"),
    "major": _l("Partial System Outage"),
    "critical": _l("Major Service Outage"),
    "maintenance": _l("Service Under Maintenance"),
}
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


def localtime(value: datetime | None, fmt: str = "d MMM y, HH:mm z") -> str:
    """Format a stored UTC time in the shop's timezone."""
    return format_datetime(value, fmt) if value else ""


def localdate(value) -> str:
    """Format a calendar day for the reader, e.g. "23 Nov 2026"."""
    return format_date(value, "d MMM y") if value else ""


def utc_iso(value: datetime | None) -> str:
    """Format a stored UTC time as ISO 8601 with offset."""
    return value.replace(tzinfo=UTC).isoformat() if value else ""


def utc_text(value: datetime | None) -> str:
    """Format a stored UTC time for people who think in UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def duration(start: datetime, end: datetime | None) -> str:
    """Say how long something lasted (or has lasted so far) in the reader's language: "2 hours 5 minutes"."""
    minutes = max(int(((end or utcnow()) - start).total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        (timedelta(days=days), "day"),
        (timedelta(hours=hours), "hour"),
        (timedelta(minutes=minutes), "minute"),
    ]
    shown = [
        format_timedelta(delta, granularity=unit, threshold=100) for delta, unit in parts if delta
    ]
    return " ".join(shown[:2]) or format_timedelta(
        timedelta(0), granularity="minute", threshold=100
    )


def register(app: Flask) -> None:
    """Install the filters and the shared template context."""
    app.jinja_env.filters.update(
        localtime=localtime, localdate=localdate, utc_iso=utc_iso, utc_text=utc_text, duration=duration,
        label=lambda s: str(LABELS.get(s, s)), icon=lambda s: ICONS.get(s, "•"),
        banner=lambda s: str(BANNERS.get(s, s)), contact_label=lambda s: str(CONTACT_LABELS.get(s, s)),
    )  # fmt: skip

    app.jinja_env.globals.update(group_status=group_status, timedelta=timedelta, now=utcnow)

    @app.before_request
    def fresh_request_caches():
        # Tests share one app context between requests; each request must see current settings.
        for key in ("shop", "lang", "lang_source", "render_version", "from_cache", "next_change"):
            g.pop(key, None)
        refresh()

    @app.context_processor
    def inject_shop():
        current = shop()
        return {"shop": current, "contacts": contact_channels(current)}


def shop_timezone() -> str:
    """Tell Flask-Babel to show times in the shop's timezone."""
    return shop().timezone
