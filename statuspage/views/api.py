"""The public read API in the Statuspage v2 shape (/api/v2/*.json): GET and HEAD, cacheable, CORS-open.

`?lang=pl` picks the language of update bodies (unknown languages fall back to the default one);
`?candor=0` leaves out Candor's additions for clients that refuse unknown keys.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from statuspage.render_cache import cacheable
from statuspage.services.public import statuspage_json as v2
from statuspage.views.caching import public_response

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def allow_any_origin(response):
    """Let dashboards on any origin read the public API."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/")
@cacheable
def index():
    """Say which API versions exist."""
    return jsonify(
        {
            "versions": {"v1": "/api/v1/openapi.json", "v2": "/api/v2/summary.json"},
            "documentation": "/docs/api.md",
        }
    )


def _answer(build, *args):
    """Build one v2 document for this request and send it with ETag and Cache-Control."""
    ctx = v2.context(request.args.get("lang"), extras=request.args.get("candor") != "0")
    body, next_change = build(ctx, *args)
    return public_response(jsonify(body), next_change)


@bp.get("/v2/summary.json")
@cacheable(args=("candor",))
def summary():
    """Serve the status, all components, unresolved incidents and upcoming or active maintenance."""
    return _answer(v2.summary)


@bp.get("/v2/status.json")
@cacheable(args=("candor",))
def status():
    """Serve the page indicator and its description."""
    return _answer(v2.status)


@bp.get("/v2/components.json")
@cacheable(args=("candor",))
def components():
    """Serve every component and group."""
    return _answer(v2.components)


@bp.get("/v2/incidents.json")
@cacheable(args=("candor",))
def incidents():
    """Serve the 50 newest incidents, open or closed."""
    return _answer(v2.incidents)


@bp.get("/v2/incidents/unresolved.json")
@cacheable(args=("candor",))
def unresolved():
    """Serve the incidents still investigating, identified or monitoring."""
    return _answer(v2.incidents, True)


@bp.get("/v2/scheduled-maintenances.json")
@cacheable(args=("candor",))
def maintenances():
    """Serve the 50 newest scheduled maintenances, whatever their state."""
    return _answer(v2.maintenances, "all")


@bp.get("/v2/scheduled-maintenances/upcoming.json")
@cacheable(args=("candor",))
def upcoming():
    """Serve the maintenances still scheduled."""
    return _answer(v2.maintenances, "upcoming")


@bp.get("/v2/scheduled-maintenances/active.json")
@cacheable(args=("candor",))
def active():
    """Serve the maintenances in progress or verifying."""
    return _answer(v2.maintenances, "active")
