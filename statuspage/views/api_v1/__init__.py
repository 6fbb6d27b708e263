"""The write API (/api/v1): routes, JSON payloads in and out, and its OpenAPI description."""

from statuspage.views.api_v1.routes import bp

__all__ = ["bp"]
