"""Playbook edits made in the browser, overriding the files' defaults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from statuspage.extensions import db
from statuspage.models.core import utcnow


class PlaybookOverride(db.Model):
    """An owner's edit of one playbook: template texts and cadence; deleting it resets to the files."""

    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    # {"investigating.en": "--- what_happened\n…"}
    templates: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"investigating": 30}
    cadence: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
