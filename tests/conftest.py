"""Fixtures: a fresh app and database per test (SQLite, or PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import event, text

from statuspage import create_app
from statuspage.extensions import db
from statuspage.services.team.users import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """Create an app bound to a fresh, empty database."""
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path / "instance"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://status.test",
            "VERSION_CHECK_SECONDS": 0,  # every request sees the latest commit
        }
    )
    with app.app_context():
        _drop_everything()
        db.create_all()
        yield app
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _drop_everything():
    """Drop the models' tables and Alembic's bookkeeping (PostgreSQL keeps one database for all tests)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def owner(app):
    """An owner account."""
    user = create_user("owner@shop.test", PASSWORD, "owner")
    db.session.commit()
    return user


@pytest.fixture
def editor(app):
    """An editor account."""
    user = create_user("editor@shop.test", PASSWORD, "editor")
    db.session.commit()
    return user


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def login(self, email="owner@shop.test", password=PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, owner):
    """Auth helper, with an owner account ready."""
    return AuthActions(client)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a block: `with count_queries() as n: …; n[0]`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        calls = [0]

        def before(*args, **kwargs):
            calls[0] += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield calls
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
