"""What the public sees, decided at read time: page indicator, component rollup, visible incidents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, utcnow
from statuspage.services.components import ordered_components

IMPACT_RANK = {"none": 0, "minor": 1, "major": 2, "critical": 3}
_COMPONENT_IMPACT = {
    "operational": "none",
    "under_maintenance": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
_STATUS_RANK = {
    "operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3,
    "major_outage": 4,
}  # fmt: skip
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}
ACTIVE_MAINTENANCE = ("in_progress", "verifying")
FINAL = ("resolved", "postmortem", "completed")


@dataclass
class PageStatus:
    """Everything the front page shows."""

    indicator: str
    description: str
    components: list[Component]
    active: list[Incident]
    maintenances: list[Incident]
    recent: list[Incident]
    next_change: datetime | None = None
    updates: dict[int, list[IncidentUpdate]] = field(default_factory=dict)


def visible_incidents(now: datetime) -> Select:
    """Select the incidents the public may see: published, with at least one update due."""
    due = exists().where(
        IncidentUpdate.incident_id == Incident.id, IncidentUpdate.display_at <= now
    )
    return (
        select(Incident)
        .where(Incident.draft.is_(False), due)
        .options(selectinload(Incident.components), selectinload(Incident.updates))
    )


def visible_updates(incident: Incident, now: datetime) -> list[IncidentUpdate]:
    """Return an incident's public updates, newest first."""
    return [u for u in incident.updates if u.display_at <= now]


def group_status(group: Component) -> str:
    """Return a group's status: the worst of its components'."""
    statuses = [c.status for c in group.children] or ["operational"]
    return max(statuses, key=lambda s: _STATUS_RANK.get(s, 0))


def indicator(active: list[Incident], components: list[Component]) -> str:
    """Compute the page indicator from active incidents' impact and component statuses."""
    worst = "none"
    for impact in [i.impact for i in active if not i.is_maintenance] + [
        _COMPONENT_IMPACT.get(c.status, "none") for c in components
    ]:
        if IMPACT_RANK.get(impact, 0) > IMPACT_RANK[worst]:
            worst = impact
    if worst == "none" and (
        any(i.is_maintenance and i.status in ACTIVE_MAINTENANCE for i in active)
        or any(c.status == "under_maintenance" for c in components)
    ):
        return "maintenance"
    return worst


def page_status(now: datetime | None = None, recent_days: int = 14) -> PageStatus:
    """Gather the front page in a fixed number of queries, whatever the history's size."""
    now = now or utcnow()
    components = ordered_components()
    open_ = list(
        db.session.scalars(
            visible_incidents(now)
            .where(Incident.status.not_in(FINAL))
            .order_by(Incident.started_at.desc())
        )
    )
    since = now - timedelta(days=recent_days)
    recent = list(
        db.session.scalars(
            visible_incidents(now)
            .where(Incident.status.in_(FINAL), Incident.started_at >= since)
            .order_by(Incident.started_at.desc())
        )
    )
    updates = {i.id: visible_updates(i, now) for i in open_ + recent}
    # A due update the scheduler has not applied yet already speaks for its incident (read time).
    shown = {i.id: updates[i.id][0].status if updates[i.id] else i.status for i in open_}
    closed = [i for i in open_ if shown[i.id] in FINAL and i.started_at >= since]
    open_ = [i for i in open_ if shown[i.id] not in FINAL]
    recent = sorted(recent + closed, key=lambda i: i.started_at, reverse=True)
    active = [i for i in open_ if not i.is_maintenance or shown[i.id] in ACTIVE_MAINTENANCE]
    maintenances = [i for i in open_ if i.is_maintenance]
    level = indicator(active, [c for c in components if not c.is_group])
    status = PageStatus(level, DESCRIPTIONS[level], components, active, maintenances, recent)
    status.updates = updates
    status.next_change = next_scheduled_display(now)
    return status


def next_scheduled_display(now: datetime) -> datetime | None:
    """Return when the next scheduled update becomes public (caches must expire by then)."""
    return db.session.scalar(
        select(IncidentUpdate.display_at)
        .where(IncidentUpdate.display_at > now)
        .order_by(IncidentUpdate.display_at)
        .limit(1)
    )
