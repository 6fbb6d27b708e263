"""Times entered in forms are in the shop's timezone; the database keeps naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from statuspage.models import utcnow
from statuspage.services import ServiceError


def parse_local(
    raw: str | None, timezone: str, *, future: bool = True, what: str = "The time"
) -> datetime | None:
    """Parse YYYY-MM-DDTHH:MM in the shop's timezone into naive UTC.

    Refuses the past when asked, years outside 2000–2200, and local times the clocks skip (DST).
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{what} must look like 2026-12-24T14:30.") from None
    if not 2000 <= local.year <= 2200:
        raise ServiceError(f"{what} must be a date between the years 2000 and 2200.")
    zone = ZoneInfo(timezone)
    aware = local if local.tzinfo else local.replace(tzinfo=zone)
    value = aware.astimezone(UTC).replace(tzinfo=None)
    if (
        local.tzinfo is None
        and value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) != local
    ):
        raise ServiceError(
            f"{what}: {raw} does not exist in {timezone} (the clocks jump forward then)."
        )
    if future and value <= utcnow():
        raise ServiceError(f"{what} is in the past; pick a time still to come.")
    return value


def to_local_input(value: datetime | None, timezone: str) -> str:
    """Format a stored UTC time for a datetime-local input in the shop's timezone."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
