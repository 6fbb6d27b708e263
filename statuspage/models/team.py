"""Invitations to join the team: a single-use, expiring link, stored only as a SHA-256 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.core import User, utcnow


class Invitation(db.Model):
    """An owner's invitation: whoever opens the link before it expires sets a password and joins."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(10), default="editor")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        """Tell whether the link still works: neither used, withdrawn nor expired."""
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
