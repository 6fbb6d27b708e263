"""Secrets at rest: the SQLite database, its WAL files, the secret key and backups are readable by the
app's own user only (0600), whatever the umask — they hold password hashes, TOTP and webhook secrets and
subscribers' addresses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from statuspage import create_app
from statuspage.extensions import db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual umask (022): new files would be world-readable unless the app says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_its_wal_files_and_the_secret_key_are_private(
    tmp_path, monkeypatch, loose_umask
):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STATUSPAGE_SQLALCHEMY_DATABASE_URI", raising=False)
    monkeypatch.delenv("STATUSPAGE_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True})
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        files = sorted(instance.glob("candor.db*"))
        assert {p.name for p in files} >= {"candor.db", "candor.db-wal", "candor.db-shm"}
        for path in files:
            assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
        db.engine.dispose()
    assert _mode(instance / "secret_key") == 0o600


def test_an_existing_world_readable_database_is_made_private(tmp_path, monkeypatch, loose_umask):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "candor.db").touch(mode=0o644)
    os.chmod(instance / "candor.db", 0o644)
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'candor.db'}"})  # fmt: skip
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        db.engine.dispose()
    assert _mode(instance / "candor.db") == 0o600


def test_backups_are_private(app, runner, tmp_path, loose_umask):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite backups (PostgreSQL: pg_dump)")
    target = tmp_path / "backups" / "candor.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600
