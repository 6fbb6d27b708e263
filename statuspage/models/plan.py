"""The communication plan's bookkeeping: job claims, the team's notification outbox, deadlines done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow


class JobClaim(db.Model):
    """One piece of side-effect work (a reminder, a deadline alert) and the version of it that was done.

    A job claims the work with a conditional UPDATE (`… WHERE key = ? AND version IS DISTINCT FROM ?`)
    in the same transaction as its effect, so two scheduler processes never both do it.
    """

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    # What the work was done for, e.g. the promised time; a new version is new work.
    version: Mapped[str | None] = mapped_column(String(40))
    done_at: Mapped[datetime | None]
    done_by: Mapped[str] = mapped_column(String(120), default="")


class Notification(db.Model):
    """A message to the team on one channel (log, email, webhook): an outbox row, sent once."""

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
    # pending → sending (claimed) → sent, or back to pending for a retry, or failed for good.
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    incident: Mapped[Incident | None] = relationship()


class DeadlineDone(db.Model):
    """A playbook deadline an incident has met: who marked it done, when, and a note."""

    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    done_by: Mapped[User | None] = relationship()
