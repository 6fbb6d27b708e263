"""Small builders shared by tests."""

from __future__ import annotations

from statuspage.extensions import db
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident


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
