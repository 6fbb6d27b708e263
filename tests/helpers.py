"""Small builders shared by tests."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from statuspage.extensions import db
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident
from statuspage.services.shop import saved_shop

T0 = datetime(
    2026, 3, 10, 12, 0, tzinfo=UTC
)  # where the `clock` fixture starts: 13:00 in Berlin (CET)


def at(minutes: float) -> datetime:
    """Return T0 plus some minutes, as stored (naive UTC)."""
    return T0.replace(tzinfo=None) + timedelta(minutes=minutes)


def component(name="Checkout", **kwargs):
    """Create and commit a component."""
    made = create_component(name=name, user=None, **kwargs)
    db.session.commit()
    return made


def incident(title="Checkout is down", body="We are looking into it.", components=None, **kwargs):
    """Open and commit an incident."""
    kwargs.setdefault("impact", "major")
    kwargs.setdefault("status", "investigating")
    made = open_incident(
        title=title, body=body, user=None, component_statuses=components or {}, **kwargs
    )
    db.session.commit()
    return made


def languages(codes: str) -> None:
    """Offer the public pages in these languages, e.g. "en,pl" (the default language stays as it is)."""
    saved_shop().languages = codes
    db.session.commit()


sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="holds SQLite's write lock"
)


@contextmanager
def write_lock(app, mode: str = "IMMEDIATE"):
    """Hold SQLite's write lock from another connection (as a long scheduler tick would)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=1, isolation_level=None)
    other.execute(f"BEGIN {mode}")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def at_once(app, send: Callable[[], object], times: int = 3) -> list:
    """Send the same request from several threads that all wait on the write lock, then return
    their answers (as if an agent clicked several times before the first click was done)."""
    answers = []
    with write_lock(app):
        clicks = [threading.Thread(target=lambda: answers.append(send())) for _ in range(times)]
        for thread in clicks:
            thread.start()
        threading.Event().wait(0.5)
    for thread in clicks:
        thread.join()
    return answers
