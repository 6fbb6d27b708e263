"""When an update becomes public and what it promises: the rules every post, schedule and edit follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.services import ServiceError
from statuspage.services.clock import local_text
from statuspage.services.plan import Promise, default_next_update
from statuspage.services.shop import get_shop
from statuspage.vocabulary import FINAL


def promise_for(
    incident: Incident, status: str, next_update_at: datetime | None, display_at: datetime
) -> datetime | None:
    """Return a new update's promise: none when final, else the given time or the playbook cadence."""
    if status in FINAL:
        return None
    if next_update_at is None:
        return default_next_update(incident, status, display_at)
    if next_update_at <= display_at:
        raise ServiceError(
            "Promise the next update for a time after this update is published.",
            field="next_update_at",
        )
    if next_update_at > display_at + timedelta(days=366):
        raise ServiceError("Promise the next update within a year.", field="next_update_at")
    return next_update_at


def publication_time(display_at: datetime | None, now: datetime | None = None) -> datetime:
    """Return when an update becomes public: now, or a time still to come (never the past)."""
    now = now or utcnow()
    if display_at is None:
        return now
    if display_at < now - timedelta(minutes=1):
        raise ServiceError(
            "The publication time has passed; leave it empty to publish now.", field="display_at"
        )
    if display_at > now + timedelta(days=366):
        raise ServiceError("Updates can be scheduled up to a year ahead.", field="display_at")
    return max(display_at, now)


def check_queue(
    incident: Incident,
    status: str,
    display_at: datetime,
    now: datetime,
    exclude: IncidentUpdate | None = None,
) -> None:
    """Keep the closing update last: nothing after a scheduled one, none before scheduled updates."""
    queued = [
        u for u in incident.updates if u.effects_pending and u.display_at > now and u is not exclude
    ]
    for other in queued:
        if other.status in FINAL and other.display_at <= display_at:
            raise ServiceError(
                f"This incident is set to close at {local_text(other.display_at, get_shop().timezone)}; nothing can be "
                "published after that. Move or cancel that update in the queue first."
            )
    after = [u for u in queued if u.display_at >= display_at]
    if status in FINAL and after:
        raise ServiceError(
            f"{len(after)} update(s) are scheduled after this closing update; "
            "move or cancel them in the queue first."
        )


def posted_message(
    update: IncidentUpdate,
    answered: Promise | None,
    timezone: str,
    what: str = "Update",
    verb: str = "posted",
    now: datetime | None = None,
) -> str:
    """Tell the team what just happened: posted, or queued until when, and whether it keeps the promise.

    `answered` is the promise customers were waiting on when the update was made (None: none).
    """
    now = now or utcnow()
    queued = update.display_at > now
    said = (
        f"{what} scheduled for {local_text(update.display_at, timezone)}: not public until then."
        if queued
        else f"{what} {verb}."
    )
    if answered is None:
        return said
    due = local_text(answered.due_at, timezone)
    if update.display_at.replace(second=0, microsecond=0) <= answered.due_at:
        return f"{said} It {'will keep' if queued else 'keeps'} the promise of {due}."
    late = _span(update.display_at - answered.due_at)
    if queued:
        return f"{said} It will come {late} after the promised {due}: that promise will be late."
    return f"{said} It came {late} after the promised {due}: that promise is marked late."


def _span(value: timedelta) -> str:
    """Say how long a stretch of time is: "8 min", "2 h 5 min", "1 d 3 h 0 min"."""
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min"]
    return " ".join(p for p in parts if p) if minutes else "less than 1 min"
