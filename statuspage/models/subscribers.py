"""Subscribers and webhook endpoints: who gets pushed what (the outboxes are in `delivery.py`).

Subscriber e-mail addresses are personal data: they live only in `subscriber.email`, are deleted on
unsubscribe (leaving a keyed hash in `suppression`), and never appear in logs or delivery errors.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.core import Component, Incident, new_public_id, utcnow


class Subscriber(db.Model):
    """A person who asked for e-mail updates: everything, chosen components, or followed incidents.

    Someone who only follows incidents has `all_components` false and no components; when the last
    incident they follow ends, the subscriber (and the address) is deleted.
    """

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


class IncidentFollow(db.Model):
    """A subscriber following one incident alone; ended once its final update was sent."""

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # When the follow was confirmed: only updates that became public after it are sent.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship()


class Suppression(db.Model):
    """An address that unsubscribed, kept only as its keyed hash (the address itself is gone)."""

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
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
