"""What the public sees, decided at read time: page indicator, component rollup, visible incidents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, utcnow
from statuspage.services.components import ordered_components
from statuspage.vocabulary import (
    COMPONENT_IMPACT,
    DESCRIPTIONS,
    FINAL,
    IMPACT_RANK,
    RUNNING,
    headline,
    worst,
)


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
    notice: bool = False  # an active incident is a notice (data breach, phishing, recall)

    @property
    def headline(self) -> str:
        """Return what the banner speaks of: the indicator, or an important notice."""
        return headline(self.indicator, self.notice)


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
    return worst(c.status for c in group.children)


def indicator(active: list[Incident], components: list[Component]) -> str:
    """Compute the page indicator from active incidents' impact and component statuses.

    A notice adds nothing: the shop works; its components say whether anything is down.
    """
    level = "none"
    for impact in [i.impact for i in active if not i.is_maintenance and not i.is_notice] + [
        COMPONENT_IMPACT.get(c.status, "none") for c in components
    ]:
        if IMPACT_RANK.get(impact, 0) > IMPACT_RANK[level]:
            level = impact
    if level == "none" and (
        any(i.is_maintenance and i.status in RUNNING for i in active)
        or any(c.status == "under_maintenance" for c in components)
    ):
        return "maintenance"
    return level


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
    active = [i for i in open_ if not i.is_maintenance or shown[i.id] in RUNNING]
    maintenances = [i for i in open_ if i.is_maintenance]
    level = indicator(active, [c for c in components if not c.is_group])
    notice = any(i.is_notice for i in active)
    status = PageStatus(
        level, DESCRIPTIONS[headline(level, notice)], components, active, maintenances, recent
    )
    status.updates, status.notice = updates, notice
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
