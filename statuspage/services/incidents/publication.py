"""When an update becomes public and what it promises: the rules every post, schedule and edit follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.services import ServiceError, formats
from statuspage.services.clock import duration
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
            _("Promise the next update for a time after this update is published."),
            field="next_update_at",
        )
    if next_update_at > display_at + timedelta(days=366):
        raise ServiceError(_("Promise the next update within a year."), field="next_update_at")
    return next_update_at


def publication_time(display_at: datetime | None, now: datetime | None = None) -> datetime:
    """Return when an update becomes public: now, or a time still to come (never the past)."""
    now = now or utcnow()
    if display_at is None:
        return now
    if display_at < now - timedelta(minutes=1):
        raise ServiceError(
            _("The publication time has passed; leave it empty to publish now."),
            field="display_at",
        )
    if display_at > now + timedelta(days=366):
        raise ServiceError(_("Updates can be scheduled up to a year ahead."), field="display_at")
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
                _(
                    "This incident is set to close at %(time)s; nothing can be published after "
                    "that. Move or cancel that update in the queue first.",
                    time=_when(other.display_at, get_shop().timezone),
                )
            )
    after = [u for u in queued if u.display_at >= display_at]
    if status in FINAL and after:
        raise ServiceError(
            ngettext(
                "%(num)d update is scheduled after this closing update; move or cancel it in the "
                "queue first.",
                "%(num)d updates are scheduled after this closing update; move or cancel them in "
                "the queue first.",
                len(after),
            )
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

    `what` ("Update" or "Incident") and `verb` ("posted", "published", "resolved") name the event;
    `answered` is the promise customers were waiting on when the update was made (None: none).
    """
    now = now or utcnow()
    queued = update.display_at > now
    if queued:
        said = (
            _("Incident scheduled for %(time)s: not public until then.", time=_when(update.display_at, timezone))
            if what == "Incident"
            else _("Update scheduled for %(time)s: not public until then.", time=_when(update.display_at, timezone))
        )  # fmt: skip
    else:
        said = _DONE.get((what, verb), _DONE["Update", "posted"])()
    if answered is None:
        return said
    due = _when(answered.due_at, timezone)
    if update.display_at.replace(second=0, microsecond=0) <= answered.due_at:
        kept = (
            _("It will keep the promise of %(due)s.", due=due)
            if queued
            else _("It keeps the promise of %(due)s.", due=due)
        )
        return f"{said} {kept}"
    late = duration(answered.due_at, update.display_at)
    if queued:
        rest = _(
            "It will come %(late)s after the promised %(due)s: that promise will be late.",
            late=late,
            due=due,
        )
    else:
        rest = _(
            "It came %(late)s after the promised %(due)s: that promise is marked late.",
            late=late,
            due=due,
        )
    return f"{said} {rest}"


# What the team did, as one sentence each (translated when shown).
_DONE = {
    ("Update", "posted"): lambda: _("Update posted."),
    ("Update", "published"): lambda: _("Update published."),
    ("Incident", "published"): lambda: _("Incident published."),
    ("Incident", "resolved"): lambda: _("Incident resolved."),
}


def _when(value: datetime, timezone: str) -> str:
    """Write a time for the team, in their language and the shop's timezone: "10 Mar 2026, 15:00 CET"."""
    return formats.datetime_text(value, str(get_locale() or "en"), timezone, short=True)
