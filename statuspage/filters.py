"""Template filters and the context every page gets (shop, contacts, labels)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, g
from flask_babel import format_datetime, refresh

from .services.shop import contact_channels, get_shop
from .services.status import group_status

LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
    "none": "None",
    "minor": "Minor",
    "major": "Major",
    "critical": "Critical",
    "maintenance": "Maintenance",
}
# A text symbol per state, so status is never told by colour alone.
ICONS = {
    "operational": "✓", "none": "✓", "resolved": "✓", "completed": "✓", "postmortem": "✓",
    "degraded_performance": "◐", "minor": "◐", "monitoring": "◐", "identified": "!",
    "partial_outage": "▲", "major": "▲", "investigating": "?",
    "major_outage": "✕", "critical": "✕",
    "under_maintenance": "⚙", "maintenance": "⚙", "scheduled": "⚙", "in_progress": "⚙", "verifying": "⚙",
}  # fmt: skip


def shop():
    """Return the shop, read once per request."""
    if "shop" not in g:
        g.shop = get_shop()
    return g.shop


def localtime(value: datetime | None, fmt: str = "d MMM y, HH:mm z") -> str:
    """Format a stored UTC time in the shop's timezone."""
    return format_datetime(value, fmt) if value else ""


def utc_iso(value: datetime | None) -> str:
    """Format a stored UTC time as ISO 8601 with offset."""
    return value.replace(tzinfo=UTC).isoformat() if value else ""


def utc_text(value: datetime | None) -> str:
    """Format a stored UTC time for people who think in UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def duration(start: datetime, end: datetime | None) -> str:
    """Say how long something lasted (or has lasted so far), e.g. "2 h 5 min"."""
    from .models import utcnow

    minutes = int(((end or utcnow()) - start).total_seconds() // 60)
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return " ".join(p for p in parts if p) if (days or hours) else f"{minutes} min"


def register(app: Flask) -> None:
    """Install the filters and the shared template context."""
    app.jinja_env.filters.update(
        localtime=localtime, utc_iso=utc_iso, utc_text=utc_text, duration=duration, label=lambda s: LABELS.get(s, s),
        icon=lambda s: ICONS.get(s, "•"),
    )  # fmt: skip

    app.jinja_env.globals["group_status"] = group_status

    @app.before_request
    def fresh_request_caches():
        # Tests share one app context between requests; each request must see current settings.
        g.pop("shop", None)
        refresh()

    @app.context_processor
    def inject_shop():
        current = shop()
        return {"shop": current, "contacts": contact_channels(current)}


def shop_timezone() -> str:
    """Tell Flask-Babel to show times in the shop's timezone."""
    return shop().timezone
