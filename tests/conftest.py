"""Fixtures: a fresh app and database per test (SQLite, or PostgreSQL when DATABASE_URL is set).

Contexts work as in production, so no test passes only because two requests shared state:

- `app` creates the database in an app context and closes it again; none is open during the test.
- `app_ctx` is the app context for the test's own code: a test that calls services, models or the
  builders in tests/helpers.py asks for it (fixtures that make rows, like `owner` and `clock`, ask
  for it themselves). It is not autouse: a test that only talks HTTP does without, and the name in
  a signature shows which tests reach past the views.
- Every test-client request and CLI command runs in a fresh app context of its own (its own `g`,
  database session and Flask-Babel cache), even while `app_ctx` is open. Flask alone would reuse
  the active context (`RequestContext.push` makes a new app context only when none is active), so
  the clients below run each call in an empty `contextvars.Context`, as a new worker thread would.
  Afterwards the test's session forgets what it had loaded, so the test reads what the request
  committed. A request cannot see what the test did not commit: commit first (a check says so).

Password hashing is cheap in every test (production keeps werkzeug's slow default); a test marked
`real_password_hashing` gets the real one.
"""

from __future__ import annotations

import contextvars
import os
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import pytest
from flask import has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, text
from werkzeug.security import generate_password_hash

from statuspage import create_app
from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.shop import saved_shop
from statuspage.services.team import users
from statuspage.services.team.users import create_user
from tests.helpers import T0
from tests.servers import Inbox, Receiver

PASSWORD = "correct horse battery"
# A session.info key: the test's session flushed writes it has not committed yet.
UNCOMMITTED = "uncommitted"


def _on_its_own(call, *args, **kwargs):
    """Run a request or command in a fresh app context of its own; then let the test re-read."""
    if has_app_context():
        session = db.session()
        if session.new or session.dirty or session.deleted or session.info.get(UNCOMMITTED):
            # The request could not see them, and would wait for the test's write lock.
            raise AssertionError("commit before a request or command: it has a session of its own")
    result = contextvars.Context().run(call, *args, **kwargs)
    if has_app_context():
        db.session.expire_all()
    return result


class Client(FlaskClient):
    """A test client whose every request gets its own app context, as in production."""

    def open(self, *args, **kwargs):
        """Send a request from outside the test's app context."""
        if self.preserve_context:  # `with client:` keeps the request's context for the test to read
            return super().open(*args, **kwargs)
        return _on_its_own(super().open, *args, **kwargs)


class CliRunner(FlaskCliRunner):
    """A CLI runner whose every command gets its own app context, as `flask …` gives it."""

    def invoke(self, *args, **kwargs):
        """Run a command from outside the test's app context, in one of its own."""
        return _on_its_own(self._in_app_context, *args, **kwargs)

    def _in_app_context(self, *args, **kwargs):
        """Push an app context for the command, as `flask` (FlaskGroup) does for every command."""
        with self.app.app_context():
            return super().invoke(*args, **kwargs)


@pytest.fixture
def app(tmp_path, monkeypatch):
    """Create an app bound to a fresh, empty database (no app context is left open)."""
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
    app.test_client_class, app.test_cli_runner_class = Client, CliRunner
    with app.app_context():
        _drop_everything()
        db.create_all()
    yield app
    with app.app_context():
        _drop_everything()
        db.engine.dispose()


def _drop_everything():
    """Drop the models' tables and Alembic's bookkeeping (PostgreSQL keeps one database for all tests)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def app_ctx(app):
    """Open an app context for the test's own code (services, models, helpers) until it ends."""
    with app.app_context() as context:
        session = db.session()
        event.listen(session, "after_flush", _flushed)
        event.listen(session, "after_transaction_end", _ended)
        yield context


def _flushed(session, flush_context) -> None:
    """Remember that the test's session holds writes not yet committed."""
    session.info[UNCOMMITTED] = True


def _ended(session, transaction) -> None:
    """Forget it when the outermost transaction commits or rolls back."""
    if transaction.parent is None:
        session.info.pop(UNCOMMITTED, None)


@pytest.fixture(autouse=True)
def fast_password_hashing(request, monkeypatch):
    """Hash passwords cheaply, unless the test is marked `real_password_hashing`."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    monkeypatch.setattr(
        users,
        "generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def client(app):
    """A test client (each request in its own app context)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner (each command in its own app context)."""
    return app.test_cli_runner()


@pytest.fixture
def owner(app_ctx):
    """An owner account."""
    user = create_user("owner@shop.test", PASSWORD, "owner")
    db.session.commit()
    return user


@pytest.fixture
def editor(app_ctx):
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
def clock(app_ctx, time_machine):
    """Freeze the clock at T0 (tests/helpers.py); `clock(minutes=…)` moves it on, returns utcnow()."""
    time_machine.move_to(T0, tick=False)

    def move(**delta):
        time_machine.move_to(T0 + timedelta(**delta), tick=False)
        return utcnow()

    return move


@pytest.fixture
def shop_in_berlin(app_ctx):
    """Put the shop in Europe/Berlin (T0 is 13:00 there)."""
    saved_shop().timezone = "Europe/Berlin"
    db.session.commit()


@pytest.fixture
def receiver(app):
    """A webhook receiver on 127.0.0.1 (tests/servers.py); set its `status`, `delay` or `hold_at`.

    127.0.0.1 is an internal address, which webhooks may not reach by default: the app is told
    explicitly to allow it (WEBHOOK_ALLOW_PRIVATE), as a shop with internal receivers would be.
    """
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with Receiver() as server:
        yield server


@pytest.fixture
def team_hook(app, receiver):
    """The receiver, configured as the team's webhook (reminders and notices go there)."""
    app.config["WEBHOOK_URL"] = receiver.url
    return receiver


@pytest.fixture
def inbox(app):
    """A real SMTP server the app sends to, plain SMTP on 127.0.0.1 (tests/servers.py)."""
    with Inbox() as server:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none")
        app.config.update(SMTP_FROM="status@shop.test")
        yield server


@pytest.fixture
def count_queries(app):
    """Record the SQL run inside a block by anyone: `with count_queries() as statements: …`."""
    with app.app_context():
        engine = db.engine

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


WRITE_VERBS = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


def writes(statements: list[str]) -> list[str]:
    """Return the statements that change data (INSERT, UPDATE, DELETE)."""
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITE_VERBS]
