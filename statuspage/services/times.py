"""Times entered in forms are in the shop's timezone; the database keeps naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..models import utcnow
from . import ServiceError


def parse_local(
    raw: str | None, timezone: str, *, future: bool = True, what: str = "The time"
) -> datetime | None:
    """Parse YYYY-MM-DDTHH:MM in the shop's timezone into naive UTC; refuse the past when asked."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{what} must look like 2026-12-24T14:30.") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    try:
        value = local.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. year 1 or 9999 in a far-off timezone
        raise ServiceError(f"{what} is out of range.") from None
    if future and value <= utcnow():
        raise ServiceError(f"{what} is in the past; pick a time still to come.")
    return value


def to_local_input(value: datetime | None, timezone: str) -> str:
    """Format a stored UTC time for a datetime-local input in the shop's timezone."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
