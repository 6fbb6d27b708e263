"""The outboxes: the team's notices, subscribers' e-mail and webhook deliveries, each sent once.

Each row is written in the same transaction as the event it reports and sent later by the scheduler
(`services/delivery/outbox.py`); the shared columns come from `OutboxMixin`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.core import Incident, utcnow
from statuspage.models.outbox import OutboxMixin
from statuspage.models.subscribers import WebhookEndpoint


class Notification(OutboxMixin, db.Model):
    """A message to the team on one channel (log, email, webhook)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event's key plus the channel; sent as X-Candor-Event-Id so receivers can deduplicate.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # The subject and text as catalog messages with their values ({"subject": [msgid, values],
    # "text": […]}), so each member's e-mail is written in their language; None: English only.
    message: Mapped[dict | None] = mapped_column(JSON)

    incident: Mapped[Incident | None] = relationship()


class MailDelivery(OutboxMixin, db.Model):
    """One e-mail to one subscriber (an update, a confirmation) or a test to a team member."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "update:<update id>:<subscriber id>", "confirm:…", "test:…": unique, so nothing is queued twice.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident_update.id", ondelete="CASCADE"), index=True
    )
    # What the message needs besides the rows above (a confirmation's token, a test's recipient id).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # Not indexed, unlike the other outboxes: the table was created so (the schema stays as it is).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(OutboxMixin, db.Model):
    """One event POSTed to one endpoint: the delivery log row and its outbox entry.

    Besides the shared states, `cancelled`: the endpoint was disabled before the row was sent.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<event key>:<endpoint id>": unique, so an event reaches an endpoint once.
    key: Mapped[str] = mapped_column(String(160), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    response_code: Mapped[int | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
