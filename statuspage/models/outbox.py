"""The columns every outbox shares; `services/delivery/outbox.py` is the engine that works them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from statuspage.models.core import utcnow


class OutboxMixin:
    """A message waiting to be sent once: its state, attempts, schedule and who holds its claim.

    pending → sending (claimed) → sent, or back to pending for a retry, or failed for good.
    """

    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When this row's own send began and who sends it: a claim older than JOB_LEASE_SECONDS is abandoned.
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
