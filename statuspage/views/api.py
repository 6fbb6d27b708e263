"""JSON API (Statuspage v2 read API and the write API grow here); errors answer in JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/")
def index():
    """Say which API versions exist."""
    return jsonify({"versions": ["v2"], "documentation": "/README.md#api"})
