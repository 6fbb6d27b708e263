"""Candor: crisis communication planner and public status page for online shops."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from statuspage import config
from statuspage.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app: defaults → instance/config.py → STATUSPAGE_* env → test config."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("STATUSPAGE_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(config.defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("STATUSPAGE")
    if test_config:
        app.config.update(test_config)
    _finish_config(app)

    db.init_app(app)
    from statuspage import filters, i18n, render_cache

    filters.register(app)  # its per-request reset runs before anything reads the request's state
    render_cache.register(app)  # early: it stores responses after every later hook has run
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=filters.shop_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    from statuspage import security

    security.init_app(app)

    from statuspage import cli, errors, events, views

    events.register()

    views.register(app)
    errors.register(app)
    i18n.register(app)
    cli.register(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill in the settings that depend on the instance folder or the environment."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL") or (
            "sqlite:///" + str(Path(app.instance_path) / "candor.db")
        )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):  # psycopg 3 is the driver we ship
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + url[len("postgresql://") :]
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config["PLAYBOOKS_DIR"] = app.config["PLAYBOOKS_DIR"] or str(ROOT / "incidents")
    app.config.update(config.FIXED)  # HttpOnly, SameSite=Lax: whatever the overrides said


def _instance_secret(path: Path) -> str:
    """Read the secret key from the instance folder, generating it once (never in the repo), created
    readable by this user only (0600) from the first byte."""
    if not path.exists():
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text().strip()
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()
