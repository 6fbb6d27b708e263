"""The data version: one number every public write bumps, and each process's snapshot of it.

Every commit that writes something the public may see bumps `site_version.version` in the same
transaction (`bump`, registered as a before-commit listener by events.py). Each process re-reads the
number once per tick of VERSION_CHECK_SECONDS on the wall clock (0.5 s: in [:00.0, :00.5) and
[:00.5, :01.0) of every second) and keeps, with it, what it derived from that version (the shop's
languages). The render cache and i18n read this snapshot; neither reaches into the other.

Ticks on the wall clock, not "every 0.5 s since this process last looked", so that a front cache can be
told exactly how long an answer holds: an answer shows the data as of its process's last check, so it
may be kept to the end of that check's second and no longer (`front_expires`, sent to nginx as
`X-Accel-Expires: @<epoch second>`). nginx counts in whole seconds; a check made in the new second is
what the copy it fetches next shows, so an update is through nginx within 1 s of its commit.

A transaction that writes only private bookkeeping (outboxes, subscribers) calls `private_write()` so
the public pages stay cached. This module sits beside the models: services may import it.
"""

from __future__ import annotations

import math
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
    checked: float = float("-inf")  # epoch seconds (wall clock) of the last check
    # (version, default language, enabled languages), read once per version.
    languages: tuple[int, str, list[str]] | None = None
    # X-Accel-Expires for answers showing this check's data: "@<epoch second>" (front_expires).
    front_expires: str = "0"

    def is_fresh(self, interval: float) -> bool:
        """Tell whether the version was checked in the current tick and the languages belong to it."""
        return (
            self.languages is not None
            and self.languages[0] == self.version
            and _same_tick(self.checked, interval)
        )


def front_expires(checked: float, interval: float) -> str:
    """Return until when a front cache may keep an answer showing the data checked at `checked`.

    The end of the check's second (nginx's "@N" holds through second N): a later copy is fetched after
    the next tick began, so it shows a newer check. With ticks longer than a second, the tick's end.
    """
    second = math.floor(checked)
    if interval > 1:
        second = max(second, math.floor((checked // interval + 1) * interval) - 1)
    return f"@{second}"


def init_app(app: Flask) -> Snapshot:
    """Give the app its per-process snapshot."""
    snapshot = app.extensions["site_version"] = Snapshot()
    return snapshot


def snapshot() -> Snapshot:
    """Return this process's snapshot."""
    return current_app.extensions["site_version"]


def current_version() -> int:
    """Return the data version, re-read from the database once per tick of VERSION_CHECK_SECONDS (once a request)."""
    if has_request_context() and "render_version" in g:
        return g.render_version
    state = snapshot()
    interval = current_app.config["VERSION_CHECK_SECONDS"]
    if state.version is None or not _same_tick(state.checked, interval):
        # Noted before the read: the answer shows at least what was committed by then.
        checked = time.time()
        state.version = (
            db.session.scalar(select(SiteVersion.version).where(SiteVersion.id == 1)) or 0
        )
        state.checked = checked
    # Worked out on every check and every request through Flask: tests change the interval.
    state.front_expires = front_expires(state.checked, interval)
    if has_request_context():
        g.render_version, g.front_expires = state.version, state.front_expires
    return state.version


def _same_tick(checked: float, interval: float) -> bool:
    """Tell whether `checked` lies in the current tick of the wall clock (never, for interval 0)."""
    return interval > 0 and time.time() // interval == checked // interval


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
