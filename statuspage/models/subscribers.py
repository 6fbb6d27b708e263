"""Subscribers and webhooks: who gets pushed what, and the outboxes that deliver each message once.

Subscriber e-mail addresses are personal data: they live only in `subscriber.email`, are deleted on
unsubscribe (leaving a keyed hash in `suppression`), and never appear in logs or delivery errors.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models import Component, new_public_id, utcnow


class Subscriber(db.Model):
    """A person who asked for e-mail updates: everything, or chosen components."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(254))
    # HMAC-SHA256 of the normalized address with the secret key: finds an address without scanning.
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    all_components: Mapped[bool] = mapped_column(default=True)
    # None until the confirmation link was followed (double opt-in); nothing is sent before.
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    components: Mapped[list[Component]] = relationship(
        secondary="subscriber_component", order_by="Component.position"
    )


class SubscriberComponent(db.Model):
    """A component a subscriber chose."""

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("component.id", ondelete="CASCADE"), primary_key=True
    )


class Suppression(db.Model):
    """An address that unsubscribed, kept only as its keyed hash (the address itself is gone)."""

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailDelivery(db.Model):
    """One e-mail to one subscriber (an update, a confirmation) or a test to a team member: sent once."""

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
    # pending → sending → sent, or back to pending (temporary failure), or failed (permanent/last try).
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(db.Model):
    """A URL an owner registered for Statuspage-shaped events (all components, or one)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    component_id: Mapped[int | None] = mapped_column(ForeignKey("component.id", ondelete="CASCADE"))
    # Shared secret for the X-Candor-Signature HMAC; shown to owners so receivers can verify.
    secret: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    # Failed attempts in a row; WEBHOOK_DISABLE_AFTER of them disable the endpoint.
    failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    component: Mapped[Component | None] = relationship()


class WebhookDelivery(db.Model):
    """One event POSTed to one endpoint: the delivery log row and its outbox entry."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<event key>:<endpoint id>": unique, so an event reaches an endpoint once.
    key: Mapped[str] = mapped_column(String(160), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    # pending → sending → sent | failed | cancelled (the endpoint was disabled).
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    sent_at: Mapped[datetime | None]
    response_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    endpoint: Mapped[WebhookEndpoint] = relationship()


class ComponentSeen(db.Model):
    """The last component status the webhooks reported, so each change is reported once."""

    component_id: Mapped[int] = mapped_column(
        ForeignKey("component.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(24))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Fanout(db.Model):
    """An update that was fanned out to subscribers and webhooks (inserted once: the claim)."""

    update_id: Mapped[int] = mapped_column(
        ForeignKey("incident_update.id", ondelete="CASCADE"), primary_key=True
    )
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
