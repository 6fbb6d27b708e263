"""History at a glance: per component and day (in the shop's timezone), the worst status and the downtime.

Rows are stored (models.uptime.ComponentDay) and rewritten for an incident's days whenever the incident
or one of its updates changes, so the public page reads at most 90 rows per component and never scans
the history. Today's cell also reflects the component's live status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Component, Incident, utcnow
from ..models.uptime import ComponentDay
from .incident_hooks import on_incident_change

DAYS = 90
RANK = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4}  # fmt: skip
# Share of a minute counted as down: a partial outage is 30 % down (as Statuspage counts it).
DOWN_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass
class Day:
    """One cell of a component's 90-day bar."""

    day: date
    status: str
    down_minutes: float
    incidents: list[str]


def refresh(incidents: list[Incident], timezone: str) -> None:
    """Rewrite the stored days of every component these incidents touched, each day once."""
    cells = set()
    for incident in incidents:
        if incident.draft:
            continue
        start = _local_day(incident.started_at, timezone)
        end = _local_day(incident.resolved_at or utcnow(), timezone)
        component_ids = {c.id for c in incident.components} | {
            change["component_id"] for u in incident.updates for change in u.component_changes or []
        }
        for n in range((end - start).days + 1):
            cells |= {(component_id, start + timedelta(days=n)) for component_id in component_ids}
    for component_id, day in sorted(cells):
        _rewrite_day(component_id, day, timezone)


def _rewrite_day(component_id: int, day: date, timezone: str) -> None:
    """Recompute one component-day from the incidents overlapping it."""
    begin, finish = _utc_bounds(day, timezone)
    incidents = db.session.scalars(
        select(Incident)
        .where(
            Incident.draft.is_(False),
            Incident.started_at < finish,
            (Incident.resolved_at.is_(None)) | (Incident.resolved_at > begin),
            Incident.components.any(Component.id == component_id),
        )
        .options(selectinload(Incident.updates))
    ).all()
    worst, down, titles = "operational", 0.0, []
    for incident in incidents:
        status = _worst_status(incident, component_id)
        if RANK.get(status, 0) > RANK[worst]:
            worst = status
        overlap = min(incident.resolved_at or utcnow(), finish) - max(incident.started_at, begin)
        down += max(overlap.total_seconds(), 0) / 60 * DOWN_WEIGHT.get(status, 0.0)
        titles.append(incident.title)
    db.session.execute(
        delete(ComponentDay).where(
            ComponentDay.component_id == component_id, ComponentDay.day == day
        )
    )
    if incidents:
        db.session.add(
            ComponentDay(
                component_id=component_id,
                day=day,
                status=worst,
                down_minutes=round(down, 1),
                incidents=titles[:5],
            )
        )


def _worst_status(incident: Incident, component_id: int) -> str:
    """Return the worst status an incident gave a component (maintenance counts as under maintenance)."""
    statuses = [
        change["new_status"]
        for update in incident.updates
        for change in update.component_changes or []
        if change["component_id"] == component_id
    ]
    if incident.is_maintenance:
        statuses.append("under_maintenance")
    return max(statuses or ["degraded_performance"], key=lambda s: RANK.get(s, 0))


def bars(
    components: list[Component], timezone: str, days: int = DAYS
) -> dict[int, tuple[list[Day], float]]:
    """Return each component's last `days` cells and its uptime percentage, in one query."""
    today = _local_day(utcnow(), timezone)
    first = today - timedelta(days=days - 1)
    ids = [c.id for c in components]
    stored: dict[tuple[int, date], ComponentDay] = {
        (row.component_id, row.day): row
        for row in db.session.scalars(
            select(ComponentDay).where(
                ComponentDay.component_id.in_(ids), ComponentDay.day >= first
            )
        )
    }
    result = {}
    for component in components:
        cells = []
        for n in range(days):
            day = first + timedelta(days=n)
            row = stored.get((component.id, day))
            status = row.status if row else "operational"
            if day == today and RANK.get(component.status, 0) > RANK.get(status, 0):
                status = component.status
            cells.append(
                Day(
                    day,
                    status,
                    row.down_minutes if row else 0.0,
                    list(row.incidents) if row else [],
                )
            )
        down = sum(c.down_minutes for c in cells)
        result[component.id] = (cells, round(100 * (1 - down / (days * 24 * 60)), 2))
    return result


def _local_day(value: datetime, timezone: str) -> date:
    """Return the shop-local calendar day of a stored UTC time."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def _utc_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Return a local day's start and end as naive UTC (DST-safe)."""
    zone = ZoneInfo(timezone)
    begin = datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)
    finish = (
        datetime.combine(day + timedelta(days=1), time.min, zone)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )
    return begin, finish


@on_incident_change
def _refresh_rollups(incidents: list[Incident]) -> None:
    """Rewrite the rollups of the incidents a transaction changed."""
    from .shop import get_shop

    refresh(incidents, get_shop().timezone)
