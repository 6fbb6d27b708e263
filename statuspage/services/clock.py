"""Time, in one place: the database keeps naive UTC; people read and type the shop's local time.

Every conversion between the two goes through here (`to_local`, `from_local`, `local_day`, `day_bounds`),
as do the formats machines read (`as_utc`, `iso`) and the shop-local text used in team messages
(`local_text`), and the reader-facing text in the request's language and the shop's timezone
(`localtime`, `localdate`, `duration`, through Flask-Babel; filters.py makes them template filters).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_datetime, format_timedelta, get_locale, get_timezone
from flask_babel import gettext as _

from statuspage.models import utcnow
from statuspage.services import ServiceError, bidi, formats


def as_utc(value: datetime) -> datetime:
    """Mark a stored naive UTC time as UTC (an aware time is returned as it is)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def to_local(value: datetime, timezone: str | ZoneInfo) -> datetime:
    """Return a stored UTC time as an aware time in a timezone."""
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    return as_utc(value).astimezone(zone)


def from_local(value: datetime, timezone: str) -> datetime:
    """Return a local time (naive: in the timezone; aware: as it says) as stored naive UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_day(value: datetime, timezone: str) -> date:
    """Return the local calendar day of a stored UTC time."""
    return to_local(value, timezone).date()


def day_start(day: date, timezone: str) -> datetime:
    """Return the first instant of a local day as naive UTC (a midnight the clocks skip maps onto
    the day's first real instant: fold=0 keeps the old offset)."""
    return from_local(datetime.combine(day, time.min), timezone)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Return a local day's start and end as naive UTC (DST-safe)."""
    return day_start(day, timezone), day_start(day + timedelta(days=1), timezone)


def iso(value: datetime | None, tz: ZoneInfo | None = None) -> str | None:
    """Format a stored UTC time as ISO 8601 with milliseconds and offset (null stays null)."""
    if value is None:
        return None
    return (to_local(value, tz) if tz else as_utc(value)).isoformat(timespec="milliseconds")


def local_text(value: datetime, timezone: str) -> str:
    """Format a stored UTC time in a timezone for the team's messages, e.g. "10 Mar 2026, 15:00 CET"."""
    local = to_local(value, timezone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def parse_local(
    raw: str | None, timezone: str, *, future: bool = True, what: str | None = None
) -> datetime | None:
    """Parse YYYY-MM-DDTHH:MM in the shop's timezone into naive UTC.

    Refuses the past when asked, years outside 2000–2200, and local times the clocks skip (DST).
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    what = what or _("The time")
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise ServiceError(_("%(what)s must look like 2026-12-24T14:30.", what=what)) from None
    if not 2000 <= local.year <= 2200:
        raise ServiceError(_("%(what)s must be a date between the years 2000 and 2200.", what=what))
    value = from_local(local, timezone)
    if local.tzinfo is None and to_local(value, timezone).replace(tzinfo=None) != local:
        raise ServiceError(
            _(
                "%(what)s: %(time)s does not exist in %(zone)s (the clocks jump forward then).",
                what=what,
                time=raw,
                zone=timezone,
            )
        )
    if future and value <= utcnow():
        raise ServiceError(_("%(what)s is in the past; pick a time still to come.", what=what))
    return value


def to_local_input(value: datetime | None, timezone: str) -> str:
    """Format a stored UTC time for a datetime-local input in the shop's timezone."""
    if value is None:
        return ""
    return to_local(value, timezone).strftime("%Y-%m-%dT%H:%M")


def localtime(value: datetime | None, fmt: str | None = None) -> str:
    """Format a stored UTC time in the shop's timezone and the reader's language ("10 Mar 2026,
    15:00 CET"; formats.py holds each language's pattern); `fmt` asks for a CLDR pattern instead.
    In a right-to-left language the digits and the zone are isolated ("14:30 CET" stays one run)."""
    if not value:
        return ""
    if fmt is not None:
        return format_datetime(value, fmt)
    lang = str(get_locale() or "en")
    return bidi.isolate_text(formats.datetime_text(value, lang, get_timezone(), short=True), lang)


def sentence_time(value: datetime | None) -> str:
    """Format a stored UTC time the way a sentence says it: "10 March 2026 at 15:00 CET"."""
    if not value:
        return ""
    lang = str(get_locale() or "en")
    return bidi.isolate_text(formats.datetime_text(value, lang, get_timezone()), lang)


def localdate(value) -> str:
    """Format a calendar day for the reader, e.g. "23 Nov 2026", "23.11.2026."."""
    return formats.date_text(value, str(get_locale() or "en"), short=True) if value else ""


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
