"""Feeds, badges, the maintenance calendar and the embeddable banner: public, cacheable, CORS-open."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from statuspage.models import Component, Incident, utcnow
from statuspage.render_cache import cacheable
from statuspage.services.clock import as_utc
from statuspage.services.public import badges, feeds
from statuspage.services.public.status import next_scheduled_display, visible_incidents
from statuspage.views.caching import cache_seconds, public_response
from statuspage.views.common import get_or_404

bp = Blueprint("feeds", __name__)


@bp.after_request
def allow_any_origin(response):
    """Let feed readers, dashboards and storefronts on any origin read these public documents."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# The last decorator registers first, so url_for() builds the canonical (Statuspage) address.
@bp.get("/feed.rss")
@bp.get("/history.rss")
@cacheable
def history_rss():
    """Serve the whole page's RSS feed: every published update, newest first."""
    return _history("rss")


@bp.get("/feed.atom")
@bp.get("/history.atom")
@cacheable
def history_atom():
    """Serve the whole page's Atom feed."""
    return _history("atom")


@bp.get("/incidents/<public_id>/feed.rss")
@cacheable
def incident_rss(public_id: str):
    """Serve one incident's RSS feed."""
    return _incident_feed(public_id, "rss")


@bp.get("/incidents/<public_id>/feed.atom")
@cacheable
def incident_atom(public_id: str):
    """Serve one incident's Atom feed."""
    return _incident_feed(public_id, "atom")


@bp.get("/components/<public_id>/feed.rss")
@cacheable
def component_rss(public_id: str):
    """Serve the RSS feed of the incidents affecting one component."""
    return _component_feed(public_id, "rss")


@bp.get("/components/<public_id>/feed.atom")
@cacheable
def component_atom(public_id: str):
    """Serve the Atom feed of the incidents affecting one component."""
    return _component_feed(public_id, "atom")


def _history(fmt: str):
    """Build and send the page's feed."""
    return _feed(fmt, feeds.build_feed(fmt, f"/history.{fmt}", request.args.get("lang")))


def _incident_feed(public_id: str, fmt: str):
    """Build and send a published incident's feed, or 404."""
    found = get_or_404(Incident, public_id, visible_incidents(utcnow()))
    lang = request.args.get("lang")
    return _feed(fmt, feeds.build_feed(fmt, request.path, lang, incident=found))


def _component_feed(public_id: str, fmt: str):
    """Build and send a component's feed, or 404."""
    found = get_or_404(Component, public_id)
    lang = request.args.get("lang")
    return _feed(fmt, feeds.build_feed(fmt, request.path, lang, component=found))


@bp.get("/maintenance.ics")
@cacheable
def maintenance_calendar():
    """Serve the scheduled maintenances as an iCalendar feed."""
    text, changed = feeds.maintenance_calendar(request.args.get("lang"))
    response = current_app.response_class(text, mimetype="text/calendar")
    return _cached(response, next_scheduled_display(utcnow()), changed)


@bp.get("/badge.svg")
@cacheable(args=("label",))
def badge_svg():
    """Serve the current status as a shields-style SVG badge."""
    svg, next_change = badges.badge_svg(request.args.get("label"), request.args.get("lang"))
    return public_response(svg, next_change, mimetype="image/svg+xml")


@bp.get("/badge.json")
@cacheable(args=("label",))
def badge_json():
    """Serve the current status in the shields.io endpoint format."""
    data, next_change = badges.badge_data(request.args.get("label"), request.args.get("lang"))
    return public_response(jsonify(data), next_change)


@bp.get("/embed.json")
@cacheable
def embed_json():
    """Serve what the storefront banner shows; visitors' browsers may keep it briefly."""
    data, next_change = badges.embed_data(request.args.get("lang"))
    return _cached(jsonify(data), next_change)


@bp.get("/embed.js")
@cacheable
def embed_js():
    """Serve the banner script for the shop's storefront."""
    script = Path(current_app.static_folder) / "embed.js"
    response = current_app.response_class(script.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)


def _feed(fmt: str, feed: feeds.Feed):
    """Send a feed with ETag, Last-Modified and a short shared cache lifetime."""
    response = current_app.response_class(feed.body, mimetype=feeds.FORMATS[fmt])
    return _cached(response, next_scheduled_display(utcnow()), feed.last_modified)


def _cached(response, next_change: datetime | None, last_modified: datetime | None = None):
    """Answer conditionally; browsers and readers may also keep it (never past a scheduled update)."""
    if last_modified is not None:
        response.last_modified = as_utc(last_modified)
    response = public_response(response, next_change)
    seconds = cache_seconds(next_change)
    response.headers["Cache-Control"] = f"public, max-age={seconds}, s-maxage={seconds}"
    return response
