"""Fan-out: an update that became public is queued once for its subscribers' e-mail and webhooks."""

from __future__ import annotations

from datetime import datetime

from statuspage.extensions import db
from statuspage.models import IncidentUpdate
from statuspage.services.delivery import subscribers, webhooks


def fan_out(update_id: int, now: datetime) -> int:
    """Queue an update once (claimed in the ledger) for its subscribers and webhook endpoints."""
    update = db.session.get(IncidentUpdate, update_id)
    if update is None or not subscribers.claim_fanout(update, now):
        return 0
    subscribers.queue_update_mail(update, now)
    webhooks.queue_incident_event(update, now)
    return 1
