"""`flask --app wsgi backup PATH`: a consistent, self-contained copy while the app runs."""

from __future__ import annotations

import sqlite3

import pytest

from statuspage import create_app
from statuspage.extensions import db
from tests.helpers import incident


@pytest.fixture
def sqlite_only(app):
    """Skip when the suite runs on PostgreSQL."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite backups only")


def _titles(path) -> list[str]:
    """Read the incident titles from a database file."""
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT title FROM incident ORDER BY id")]


def test_backup_copies_everything_committed_into_one_checked_file(
    app, app_ctx, runner, tmp_path, sqlite_only
):
    incident(title="Checkout is down")
    incident(title="Parcels are late")
    target = tmp_path / "backups" / "candor-1.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up the database to {target}" in result.output
    assert _titles(target) == ["Checkout is down", "Parcels are late"]
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not (tmp_path / "backups" / "candor-1.db-wal").exists()
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_backup_leaves_out_a_transaction_still_open_and_does_not_wait_for_it(
    app, app_ctx, runner, tmp_path, sqlite_only
):
    incident(title="Committed")
    database = db.engine.url.database
    writer = sqlite3.connect(database, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE incident SET title = 'Half written'")
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "b.db")])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    assert _titles(tmp_path / "b.db") == ["Committed"]


def test_backup_never_overwrites_by_accident(app, app_ctx, runner, tmp_path, sqlite_only):
    target = tmp_path / "b.db"
    target.write_text("precious")
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert target.read_text() == "precious"
    forced = runner.invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _titles(target) == []
    itself = runner.invoke(args=["backup", db.engine.url.database, "--force"])
    assert itself.exit_code == 1 and "database itself" in itself.output


def test_a_restored_backup_serves_the_same_page(
    app, app_ctx, runner, tmp_path, monkeypatch, sqlite_only
):
    opened = incident(title="Checkout is down")
    runner.invoke(args=["backup", str(tmp_path / "restore.db")])
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path / "other"))
    restored = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/restore.db",
        }
    )
    with restored.app_context():
        page = restored.test_client().get(f"/incidents/{opened.public_id}")
        assert page.status_code == 200 and "Checkout is down" in page.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_backup_on_postgresql_prints_the_pg_dump_command(tmp_path, monkeypatch):
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": "postgresql://candor:s3cret@db.internal:5433/candor",
        }
    )
    with app.app_context():  # as `flask` provides; nothing connects to the database
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "candor.dump")])
    assert result.exit_code == 1
    assert "pg_dump --format=custom --file" in result.output
    assert "postgresql://candor@db.internal:5433/candor" in result.output
    assert "s3cret" not in result.output
