"""Every SQLAlchemy listener the app relies on, registered in one place by create_app.

Listeners on SQLAlchemy's `Session` and `Engine` classes are process-wide, so they are registered once
per process, in the order of LISTENERS:

1. SQLite connections get WAL, foreign keys and a busy timeout; the database file is made private
   (0600) before WAL starts, so its -wal and -shm files, which SQLite creates with the database's
   mode, are private too (they hold password hashes, secrets and subscribers' addresses).
2. Data derived from incidents follows every commit that touched incidents, whichever path made it
   (admin, API, scheduler): the daily uptime rollups and the playbook checklists (REFRESHERS).
3. The data version is bumped last, in the same transaction, so the render cache sees every write
   (site_version.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from statuspage import site_version
from statuspage.models import Incident, IncidentUpdate
from statuspage.services.aftercare import checklist
from statuspage.services.public import uptime

_TOUCHED = "touched_incidents"

# Called before commit with the incidents the transaction changed; their writes join the transaction.
REFRESHERS: tuple[Callable[[list[Incident]], None], ...] = (
    uptime.refresh_rollups,
    checklist.follow_incidents,
)


def sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Use WAL and enforce foreign keys on SQLite (several readers, one writer, no torn pages); a
    write waits DATABASE_BUSY_SECONDS for another before "database is locked"."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
            if name == "main" and path:
                _private(path)  # first: the WAL files are created with the database's mode
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_busy_milliseconds()}")
        cursor.close()


def _busy_milliseconds() -> int:
    """Return the app's busy timeout in milliseconds (5 s outside an app context)."""
    seconds = current_app.config["DATABASE_BUSY_SECONDS"] if has_app_context() else 5
    return max(0, int(float(seconds) * 1000))


def _private(database: str) -> None:
    """Make a database file and its WAL files readable by this user only (0600)."""
    for path in (database, database + "-wal", database + "-shm"):
        try:
            if os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                os.chmod(path, 0o600)
        except OSError:  # not there (yet), or not ours to change: nothing to do
            continue


def note_touched_incidents(session: Session, context) -> None:
    """Remember which incidents changed in this transaction."""
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Incident):
            touched.add(obj.id)
        elif isinstance(obj, IncidentUpdate):
            touched.add(obj.incident_id)


def refresh_derived_data(session: Session) -> None:
    """Run the refreshers on the incidents this transaction touched."""
    session.flush()
    touched = session.info.pop(_TOUCHED, set())
    incidents = [i for i in (session.get(Incident, n) for n in touched if n) if i is not None]
    if incidents:
        for refresher in REFRESHERS:
            refresher(incidents)
        session.flush()
        session.info.pop(_TOUCHED, None)  # the refreshers' own writes need no second pass


def forget_touched_incidents(session: Session) -> None:
    """Forget what a rolled-back transaction touched."""
    session.info.pop(_TOUCHED, None)


LISTENERS: tuple[tuple[type, str, Callable], ...] = (
    (Engine, "connect", sqlite_pragmas),
    (Session, "after_flush", note_touched_incidents),
    (Session, "before_commit", refresh_derived_data),
    (Session, "after_rollback", forget_touched_incidents),
    (Session, "after_flush", site_version.note_write),
    (Session, "do_orm_execute", site_version.note_bulk_write),
    (Session, "after_soft_rollback", site_version.forget_private),
    (Session, "before_commit", site_version.bump),
)


def register() -> None:
    """Register every listener once per process (create_app may run many times, e.g. in tests)."""
    for target, name, listener in LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
