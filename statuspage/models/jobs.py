"""Job claims: which side-effect work the scheduler's jobs have done, so each is done once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from statuspage.extensions import db


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
