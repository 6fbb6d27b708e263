"""Absolute links for messages, feeds, JSON and e-mail, always built from the configured BASE_URL.

Never from the request's Host header: a link in a feed, an e-mail or a cached page outlives the request
that made it, and a forged Host must not end up in what customers read.
"""

from __future__ import annotations

from flask import current_app

from statuspage.models import Incident, IncidentUpdate


def public_url(path: str = "/") -> str:
    """Return an absolute URL of this status page for a path ("/history", "/unsubscribe/…")."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def incident_url(incident: Incident | str, update: IncidentUpdate | None = None) -> str:
    """Return an incident's public page (its public id will do), or one update's place on it."""
    public_id = incident if isinstance(incident, str) else incident.public_id
    anchor = f"#update-{update.public_id}" if update is not None else ""
    return public_url(f"/incidents/{public_id}{anchor}")


def admin_incident_url(incident: Incident, page: str = "") -> str:
    """Return an incident's page in the admin, or one of its pages there ("plan", "aftercare")."""
    return public_url(f"/admin/incidents/{incident.public_id}" + (f"/{page}" if page else ""))
