"""Remind a maintenance's subscribers before it starts: once, by e-mail and webhook, in their language.

The reminder falls due `reminder_minutes` before the start (the maintenance's own, else the
MAINTENANCE_REMINDER_MINUTES setting; 0: none). It goes to the subscribers who would get the maintenance's
updates (everything, one of its components or their group, or following it) and to the webhook endpoints of
those components. A maintenance announced after its reminder time gets no separate reminder: the
announcement itself just went out. `jobs.tick` runs `remind` in its own transaction; the reminder is
claimed in the job_claim ledger for this start time (`claim_version`), so several schedulers send it once,
and a maintenance moved to another start is reminded again for the new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select

from statuspage.extensions import db
from statuspage.models import Incident
from statuspage.models.delivery import MailDelivery, Notification
from statuspage.services.delivery import notify, subscribers, webhooks
from statuspage.services.delivery.claims import claim_version
from statuspage.services.delivery.team_text import N_, TeamText
from statuspage.services.links import admin_incident_url


def lead_minutes(incident: Incident) -> int:
    """Return how many minutes before its start a maintenance's subscribers are reminded (0: never)."""
    if incident.reminder_minutes is not None:
        return max(incident.reminder_minutes, 0)
    return max(int(current_app.config["MAINTENANCE_REMINDER_MINUTES"]), 0)


def reminder_time(incident: Incident) -> datetime | None:
    """Return when the reminder falls due, or None when there is none to send."""
    minutes = lead_minutes(incident)
    if not minutes or incident.scheduled_for is None:
        return None
    at = incident.scheduled_for - timedelta(minutes=minutes)
    announced = min((u.display_at for u in incident.updates), default=None)
    if announced is None or announced > at:  # announced at short notice: the announcement is enough
        return None
    return at


def due(now: datetime) -> list[int]:
    """Find the announced maintenances that have not started and whose reminder fell due."""
    upcoming = db.session.scalars(
        select(Incident).where(
            Incident.is_maintenance.is_(True), Incident.draft.is_(False),
            Incident.status == "scheduled", Incident.scheduled_for > now,
        )
    )  # fmt: skip
    return [i.id for i in upcoming if (at := reminder_time(i)) is not None and at <= now]


def remind(incident_id: int, now: datetime) -> list[Notification] | None:
    """Queue the reminder once (claimed for this start time) for subscribers and webhooks."""
    incident = db.session.get(Incident, incident_id)
    at = reminder_time(incident) if incident else None
    if at is None or at > now or incident.status != "scheduled" or incident.scheduled_for <= now:
        return None
    version = incident.scheduled_for.isoformat()
    if not claim_version(f"maintenance-reminder:{incident.public_id}", version, now):
        return None
    mailed = queue_mail(incident, version, now)
    hooked = webhooks.queue_maintenance_reminder(incident, lead_minutes(incident), now)
    if not mailed and not hooked:
        return None  # nobody to remind: no notice either (the claim still holds)
    text = TeamText(
        N_("Subscribers were reminded that “%(title)s” starts in %(minutes)s min (e-mails: "
           "%(mailed)s, webhooks: %(hooked)s). %(link)s"),
        title=incident.title, minutes=lead_minutes(incident), mailed=mailed, hooked=hooked,
        link=admin_incident_url(incident, "plan"),
    )  # fmt: skip
    subject = TeamText(N_("Maintenance reminder sent"))
    return notify.queue("maintenance.reminded", f"maintenance:{incident.public_id}:reminded:{version}",
                        incident, subject, text)  # fmt: skip


def queue_mail(incident: Incident, version: str, now: datetime) -> int:
    """Add one reminder e-mail per subscriber who wants news of the maintenance."""
    rows = [
        {
            "key": f"reminder:{incident.id}:{version}:{subscriber_id}"[:120],
            "kind": "reminder",
            "subscriber_id": subscriber_id,
            "payload": {"incident_id": incident.id, "minutes": lead_minutes(incident)},
            "next_try_at": now,
        }
        for subscriber_id in subscribers.wanting(incident, now)
    ]
    if rows:
        db.session.execute(insert(MailDelivery), rows)
    return len(rows)
