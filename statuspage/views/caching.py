"""HTTP caching for public surfaces: ETag, 304 and a max-age that never outlives a scheduled update."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, make_response, request

from statuspage.models import utcnow


def cache_seconds(next_change: datetime | None) -> int:
    """Return how long a public response may be cached: never past the next scheduled update."""
    seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
    if next_change is not None:
        seconds = min(seconds, max(int((next_change - utcnow()).total_seconds()), 0))
    return seconds


def public_response(body, next_change: datetime | None, mimetype: str | None = None):
    """Wrap a public body with ETag, conditional GET and Cache-Control."""
    g.next_change = next_change  # the render cache keeps this response until then at most
    response = make_response(body)
    if mimetype:
        response.mimetype = mimetype
    # Browsers revalidate every time (a cheap 304 thanks to the ETag), so a reload always shows the
    # latest update; shared caches (CDN, proxy) may keep the page for a short while.
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={cache_seconds(next_change)}"
    response.vary.add("Accept-Language")
    response.add_etag()
    return response.make_conditional(request)
