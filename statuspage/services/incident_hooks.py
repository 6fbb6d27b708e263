"""Keep data derived from incidents in step: each commit that touched incidents runs the registered refreshers.

This is how the daily uptime rollups and the checklists follow every change, whichever path made it
(admin, API, scheduler jobs), without each service having to remember them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import Incident, IncidentUpdate

Refresher = Callable[[list[Incident]], None]
_refreshers: list[Refresher] = []
_KEY = "touched_incidents"


def on_incident_change(refresher: Refresher) -> Refresher:
    """Register a function called before commit with the incidents changed in the transaction."""
    _refreshers.append(refresher)
    return refresher


@event.listens_for(Session, "after_flush")
def _note(session: Session, context) -> None:
    """Remember which incidents changed in this transaction."""
    touched = session.info.setdefault(_KEY, set())
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Incident):
            touched.add(obj.id)
        elif isinstance(obj, IncidentUpdate):
            touched.add(obj.incident_id)


@event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    """Run the refreshers on the incidents this transaction touched."""
    session.flush()
    touched = session.info.pop(_KEY, set())
    incidents = [i for i in (session.get(Incident, n) for n in touched if n) if i is not None]
    if incidents:
        for refresher in _refreshers:
            refresher(incidents)
        session.flush()
        session.info.pop(_KEY, None)  # the refreshers' own writes need no second pass


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """Forget what a rolled-back transaction touched."""
    session.info.pop(_KEY, None)
