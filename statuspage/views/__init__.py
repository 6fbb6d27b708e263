"""Blueprints: thin views that parse the request, call one service, commit and render."""

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint."""
    from . import admin, api, auth, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
