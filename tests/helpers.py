"""Small builders shared by tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from statuspage.extensions import db
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident
from statuspage.services.shop import saved_shop

T0 = datetime(
    2026, 3, 10, 12, 0, tzinfo=UTC
)  # where the `clock` fixture starts: 13:00 in Berlin (CET)


def at(minutes: float) -> datetime:
    """Return T0 plus some minutes, as stored (naive UTC)."""
    return T0.replace(tzinfo=None) + timedelta(minutes=minutes)


def component(name="Checkout", **kwargs):
    """Create and commit a component."""
    made = create_component(name=name, user=None, **kwargs)
    db.session.commit()
    return made


def incident(title="Checkout is down", body="We are looking into it.", components=None, **kwargs):
    """Open and commit an incident."""
    kwargs.setdefault("impact", "major")
    kwargs.setdefault("status", "investigating")
    made = open_incident(
        title=title, body=body, user=None, component_statuses=components or {}, **kwargs
    )
    db.session.commit()
    return made


def languages(codes: str) -> None:
    """Offer the public pages in these languages, e.g. "en,pl" (the default language stays as it is)."""
    saved_shop().languages = codes
    db.session.commit()
