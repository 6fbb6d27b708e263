"""The data version: one number every public write bumps, and each process's snapshot of it.

Every commit that writes something the public may see bumps `site_version.version` in the same
transaction (`bump`, registered as a before-commit listener by events.py). Each process re-reads the
number at most every VERSION_CHECK_SECONDS and keeps, with it, what it derived from that version (the
shop's languages). The render cache and i18n read this snapshot; neither reaches into the other.

A transaction that writes only private bookkeeping (outboxes, subscribers) calls `private_write()` so
the public pages stay cached. This module sits beside the models: services may import it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from statuspage.extensions import db
from statuspage.models.cache import SiteVersion

_WROTE = "wrote"
_PRIVATE = "private_write"


@dataclass
class Snapshot:
    """What one process knows of the data version, and when it last checked."""

    version: int | None = None
    checked: float = 0.0
    # (version, default language, enabled languages), read once per version.
    languages: tuple[int, str, list[str]] | None = None

    def is_fresh(self, interval: float) -> bool:
        """Tell whether the version was checked within the interval and the languages belong to it."""
        return (
            self.languages is not None
            and self.languages[0] == self.version
            and time.monotonic() - self.checked <= interval
        )


def init_app(app: Flask) -> Snapshot:
    """Give the app its per-process snapshot."""
    snapshot = app.extensions["site_version"] = Snapshot()
    return snapshot


def snapshot() -> Snapshot:
    """Return this process's snapshot."""
    return current_app.extensions["site_version"]


def current_version() -> int:
    """Return the data version, re-read from the database at most every VERSION_CHECK_SECONDS (once a request)."""
    if has_request_context() and "render_version" in g:
        return g.render_version
    state = snapshot()
    if (
        state.version is None
        or time.monotonic() - state.checked > current_app.config["VERSION_CHECK_SECONDS"]
    ):
        state.version = (
            db.session.scalar(select(SiteVersion.version).where(SiteVersion.id == 1)) or 0
        )
        state.checked = time.monotonic()
    if has_request_context():
        g.render_version = state.version
    return state.version


def private_write(session: Session | None = None) -> None:
    """Mark the current transaction as writing nothing the public sees (outboxes, subscribers): no bump."""
    (session or db.session).info[_PRIVATE] = True


# Session listeners (registered by events.py).


def note_write(session: Session, context) -> None:
    """Remember that this transaction wrote something."""
    session.info[_WROTE] = True


def note_bulk_write(state) -> None:
    """Bulk UPDATE/DELETE statements (job claims) write too."""
    if state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def forget_private(session: Session, previous_transaction) -> None:
    """A rolled-back transaction's mark must not carry over to the next one."""
    session.info.pop(_PRIVATE, None)


def bump(session: Session) -> None:
    """Bump the data version in the same transaction as the writes."""
    if session.info.pop(_PRIVATE, False):
        session.info.pop(_WROTE, None)
        return
    if not (session.info.pop(_WROTE, False) or session.new or session.dirty or session.deleted):
        return
    bumped = session.execute(
        update(SiteVersion).where(SiteVersion.id == 1).values(version=SiteVersion.version + 1)
    )
    if bumped.rowcount == 0:
        session.add(SiteVersion(id=1, version=1))
    session.info.pop(_WROTE, None)
