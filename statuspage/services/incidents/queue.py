"""The queue of scheduled updates: edit, publish now or cancel one before it is due. The view commits.

Each verb first claims the update with a conditional UPDATE (still pending, still in the future), so an
edit racing the scheduler either wins before the update is due or is refused; never half of each.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, User, utcnow
from statuspage.models.delivery import Notification
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.delivery import notify
from statuspage.services.delivery.team_text import N_, TeamText, status
from statuspage.services.incidents.lifecycle import (
    _clean_body,
    _scheduled_snapshot,
    _target,
    apply_due_update,
)
from statuspage.services.incidents.publication import check_queue, promise_for, publication_time
from statuspage.services.links import admin_incident_url
from statuspage.services.markup import render_markdown


def reschedule(
    update: IncidentUpdate,
    *,
    body: str,
    display_at: datetime | None,
    next_update_at: datetime | None,
    user: User | None,
) -> None:
    """Change a scheduled update's text, time or promise before it is due."""
    now = utcnow()
    if display_at is None or display_at <= now:
        raise ServiceError(_("Pick a publication time still to come, or use “Publish now”."))
    display_at = publication_time(display_at, now)
    _claim(update, now)
    incident = update.incident
    hidden = incident.started_at > now
    check_queue(incident, update.status, display_at, now, exclude=update)
    before = {"body": update.body, **_scheduled_snapshot(update)}
    update.body = _clean_body(body)
    update.body_html = render_markdown(update.body)
    update.next_update_at = promise_for(incident, update.status, next_update_at, display_at)
    update.display_at = display_at
    _restart(incident, hidden)
    record(user, "update.reschedule", _target(incident), before, _scheduled_snapshot(update))


def publish_now(update: IncidentUpdate, *, user: User | None) -> None:
    """Publish a scheduled update at once, applying its status and component changes."""
    now = utcnow()
    _claim(update, now)
    incident = update.incident
    hidden = incident.started_at > now
    check_queue(incident, update.status, now, now, exclude=update)
    before = _scheduled_snapshot(update)
    if update.next_update_at is not None:  # keep the promised interval from publication
        update.next_update_at = now + (update.next_update_at - update.display_at)
    update.display_at = now
    _restart(incident, hidden)
    db.session.flush()
    apply_due_update(update, now)
    record(user, "update.publish_now", _target(incident), before, _scheduled_snapshot(update))


def cancel(update: IncidentUpdate, *, user: User | None) -> None:
    """Cancel a scheduled update; an incident whose only update it was goes with it (never public)."""
    now = utcnow()
    _claim(update, now)
    incident = update.incident
    hidden = incident.started_at > now
    before = {"body": update.body, **_scheduled_snapshot(update)}
    record(user, "update.cancel", _target(incident), before, None)
    incident.updates.remove(update)
    if not incident.updates:
        record(user, "incident.delete", _target(incident), {"title": incident.title}, None)
        db.session.delete(incident)
    else:
        _restart(incident, hidden)


def _claim(update: IncidentUpdate, now: datetime) -> None:
    """Lock a scheduled update that is still waiting, or refuse: it is already public."""
    claimed = db.session.execute(
        sql_update(IncidentUpdate)
        .where(
            IncidentUpdate.id == update.id,
            IncidentUpdate.effects_pending.is_(True),
            IncidentUpdate.display_at > now,
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ServiceError(_("This update is already public; correct its text instead."))
    db.session.refresh(update)


def _restart(incident, hidden: bool) -> None:
    """Keep an incident nobody has seen yet starting with its first update."""
    if hidden and incident.updates:
        incident.started_at = min(u.display_at for u in incident.updates)


def due_effects(now: datetime) -> list[int]:
    """Find the public scheduled updates whose effects wait."""
    return list(
        db.session.scalars(
            select(IncidentUpdate.id)
            .join(Incident)
            .where(
                IncidentUpdate.effects_pending.is_(True),
                IncidentUpdate.display_at <= now,
                Incident.draft.is_(False),
            )
            .order_by(IncidentUpdate.display_at, IncidentUpdate.id)
        )
    )


def apply_due(update_id: int, now: datetime) -> list[Notification] | None:
    """Apply a scheduled update's status and component changes, and tell the team it is public."""
    update = db.session.get(IncidentUpdate, update_id)
    if update is None or not apply_due_update(update, now):
        return None
    incident = update.incident
    # Each member reads it in their language (team_text.py); the log and the team webhook in English.
    text = TeamText(
        N_("Scheduled update on “%(title)s” is now public (%(status)s). %(link)s"),
        title=incident.title, status=status(update.status), link=admin_incident_url(incident, "plan"),
    )  # fmt: skip
    subject = TeamText(N_("Scheduled update published"))
    return notify.queue("update.published", f"update:{update.public_id}", incident, subject, text)
