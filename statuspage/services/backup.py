"""Backups: a consistent copy of the SQLite database while the app runs; pg_dump for PostgreSQL.

A backup holds everything the database does (password hashes, TOTP and webhook secrets, subscribers'
addresses), so it is created readable by its owner only (0600), whatever the umask.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.engine import URL, make_url

from statuspage.services import ServiceError


def backup_sqlite(database_uri: str, target: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the SQLite database to target with SQLite's online backup API; return the path."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise ServiceError(pg_dump_hint(database_uri, target))
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise ServiceError(
            _("There is no SQLite database file at “%(path)s” to back up.", path=source_path)
        )
    target = Path(target)
    if target.exists() and not overwrite:
        raise ServiceError(
            _("%(path)s exists already; choose a new name or pass --force.", path=target)
        )
    if target.resolve() == Path(source_path).resolve():
        raise ServiceError(_("The backup cannot be the database itself."))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # Private from its first byte, whatever the umask (it holds everything the database does).
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=1024)  # in steps: writers are held up only for a moment
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise ServiceError(_("The copy failed its integrity check: %(result)s", result=ok))
    partial.replace(target)  # a half-written file never carries the final name
    return target


def pg_dump_hint(database_uri: str, target: str | Path) -> str:
    """Explain how to back up a non-SQLite database with its own tool (password left out)."""
    url = make_url(database_uri)
    if url.get_backend_name() != "postgresql":
        return _(
            "Backups of %(backend)s databases are not supported; use its own tools.",
            backend=url.get_backend_name(),
        )
    safe = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    command = shlex.join(
        [
            "pg_dump",
            "--format=custom",
            "--file",
            str(target),
            safe.render_as_string(hide_password=False),
        ]
    )
    return _(
        "This database is PostgreSQL: back it up with pg_dump (it takes a consistent snapshot "
        "while the app runs; give the password in PGPASSWORD or ~/.pgpass):\n  %(command)s",
        command=command,
    )
