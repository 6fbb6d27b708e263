"""The data version: bumped by every write, so each process knows when its rendered pages are stale."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from statuspage.extensions import db


class SiteVersion(db.Model):
    """One row counting committed writes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
