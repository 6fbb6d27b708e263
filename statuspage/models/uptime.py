"""Stored daily rollups for the 90-day history bars."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from statuspage.extensions import db


class ComponentDay(db.Model):
    """One component on one shop-local day: its worst status and weighted minutes down."""

    component_id: Mapped[int] = mapped_column(
        ForeignKey("component.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    down_minutes: Mapped[float] = mapped_column(default=0.0)
    incidents: Mapped[list] = mapped_column(JSON, default=list)
