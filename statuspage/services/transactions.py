"""Telling a passing database failure from a real one.

A write can fail for a moment without anything being wrong: SQLite answers "database is locked" when
another writer held the file longer than the busy timeout; PostgreSQL cancels one of two conflicting
transactions (serialization failure, deadlock) or loses a connection (restart, failover). Such a
failure is worth trying again a moment later, and when it persists the person is told "busy", never
shown an error page; anything else (a bug, a broken schema) is not retried.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

# PostgreSQL: serialization_failure, deadlock_detected, and the connection/shutdown classes.
_RETRY_CODES = {"40001", "40P01"}
_RETRY_CLASSES = ("08", "57P")
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


class DatabaseBusy(Exception):
    """The database stayed busy or unreachable through every try; nothing was changed."""


def is_transient(error: BaseException) -> bool:
    """Tell whether a database error is worth trying again in a moment."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code:
        return code in _RETRY_CODES or code.startswith(_RETRY_CLASSES)
    if type(original).__module__.startswith("sqlite3"):
        return any(words in str(original).lower() for words in _SQLITE_BUSY)
    # Other drivers: an OperationalError is about the server or the connection, not the statement.
    return isinstance(error, OperationalError)
