"""Blueprints: thin views that parse the request, call one service, commit and render.

What they share (finding a row by its public id or answering 404, the page number) is in common.py.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint (after the bounded `int` converter their routes use)."""
    from statuspage.views import admin, alerts, api, api_v1, auth, feeds, public, subscribe
    from statuspage.views.common import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_v1.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(subscribe.bp)
