"""Blueprints: thin views that parse the request, call one service, commit and render."""

from flask import Flask, abort, request


def register(app: Flask) -> None:
    """Register every blueprint."""
    from statuspage.views import admin, api, api_v1, auth, feeds, public, subscribe

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_v1.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(subscribe.bp)


def page_number() -> int:
    """Return ?page= as a number (1 when absent or not a number).

    A page beyond any archive is 404 before it reaches the database, where a huge number would overflow.
    """
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= 1_000_000:
        abort(404)
    return number
