"""History at a glance: per component and day (in the shop's timezone), the worst status and the downtime.

Closed incidents are stored as rows (models.uptime.ComponentDay), rewritten for an incident's days whenever
the incident or one of its updates changes, so the public page reads at most 90 rows per component and
never scans the history. Open incidents are not stored: their impact grows every minute without any write,
so `bars` adds it at render time, up to now, for every day they span (one query, open incidents only).
Today's cell also reflects the component's live status.

The status page is cached until the data changes, the next scheduled update or the next local midnight
(`next_midnight`), whichever comes first. Within that time an open incident's minutes and the uptime
percentage do not grow; the day boundary does roll over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, Incident, utcnow
from statuspage.models.uptime import ComponentDay
from statuspage.services.clock import day_bounds, local_day
from statuspage.services.public.status import visible_incidents
from statuspage.vocabulary import FINAL, RUNNING, worst

DAYS = 90
# Share of a minute counted as down: a partial outage is 30 % down (as Statuspage counts it).
DOWN_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass
class Day:
    """One cell of a component's 90-day bar."""

    day: date
    status: str
    down_minutes: float
    incidents: list[
        dict
    ]  # {"title": main title, "translations": {lang: title}} (see `title_entry`)


def title_entry(incident: Incident) -> dict:
    """Keep an incident's title in every language it is written in, so each reader's bar names it
    in their own (the page picks one, falling back visibly to the main title)."""
    return {"title": incident.title, "translations": dict(incident.title_translations or {})}


def refresh(incidents: list[Incident], timezone: str) -> None:
    """Rewrite the stored days of every component these incidents touched, each day once."""
    cells = set()
    for incident in incidents:
        if incident.draft:
            continue
        start = local_day(incident.started_at, timezone)
        end = local_day(incident.resolved_at or utcnow(), timezone)
        component_ids = {c.id for c in incident.components} | {
            change["component_id"] for u in incident.updates for change in u.component_changes or []
        }
        for n in range((end - start).days + 1):
            cells |= {(component_id, start + timedelta(days=n)) for component_id in component_ids}
    for component_id, day in sorted(cells):
        _rewrite_day(component_id, day, timezone)


def _rewrite_day(component_id: int, day: date, timezone: str) -> None:
    """Recompute one component-day from the closed incidents overlapping it (open ones count at render)."""
    begin, finish = day_bounds(day, timezone)
    incidents = db.session.scalars(
        select(Incident)
        .where(
            Incident.draft.is_(False),
            Incident.status.in_(FINAL),
            Incident.started_at < finish,
            Incident.resolved_at > begin,
            Incident.components.any(Component.id == component_id),
        )
        .options(selectinload(Incident.updates))
    ).all()
    statuses, down, titles = [], 0.0, []
    for incident in incidents:
        status = _worst_status(incident, component_id)
        statuses.append(status)
        down += _down_minutes(incident.started_at, incident.resolved_at, begin, finish, status)
        titles.append(title_entry(incident))
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
                status=worst(statuses),
                down_minutes=round(down, 1),
                incidents=titles[:5],
            )
        )


def _worst_status(incident: Incident, component_id: int, now: datetime | None = None) -> str:
    """Return the worst status an incident gave a component (maintenance counts as under maintenance).

    With `now`, only updates public by then count (a scheduled update has not changed anything yet).
    """
    statuses = [
        change["new_status"]
        for update in incident.updates
        if now is None or update.display_at <= now
        for change in update.component_changes or []
        if change["component_id"] == component_id
    ]
    if incident.is_maintenance:
        statuses.append("under_maintenance")
    return worst(statuses, default="degraded_performance")


def bars(
    components: list[Component], timezone: str, days: int = DAYS
) -> dict[int, tuple[list[Day], float]]:
    """Return each component's last `days` cells and its uptime percentage.

    A fixed number of queries: the stored rows of the window, and the open incidents (see `_open_days`).
    """
    now = utcnow()
    today = local_day(now, timezone)
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
    live = _open_days(ids, first, now, timezone)
    result = {}
    for component in components:
        cells = []
        for n in range(days):
            day = first + timedelta(days=n)
            cell = _merge(day, stored.get((component.id, day)), live.get((component.id, day)))
            if day == today and worst([cell.status, component.status]) != cell.status:
                cell.status = component.status
            cells.append(cell)
        down = sum(c.down_minutes for c in cells)
        result[component.id] = (cells, round(100 * (1 - down / (days * 24 * 60)), 2))
    return result


def _open_days(
    ids: list[int], first: date, now: datetime, timezone: str
) -> dict[tuple[int, date], Day]:
    """Return the impact of the open, public incidents on these components per day since `first`, up to now.

    Only open incidents are read (a handful at most), and only the days of the window are computed, so the
    cost does not grow with the history, however long an incident stays open.
    """
    incidents = db.session.scalars(
        visible_incidents(now).where(
            Incident.status.not_in(FINAL),
            # An announced maintenance that has not started yet affects nothing (as on the page).
            or_(Incident.is_maintenance.is_(False), Incident.status.in_(RUNNING)),
            Incident.started_at < now,
            Incident.components.any(Component.id.in_(ids)),
        )
    )
    today, wanted = local_day(now, timezone), set(ids)
    cells: dict[tuple[int, date], Day] = {}
    for incident in incidents:
        start = max(local_day(incident.started_at, timezone), first)
        statuses = {
            c.id: _worst_status(incident, c.id, now) for c in incident.components if c.id in wanted
        }
        for n in range((today - start).days + 1):
            day = start + timedelta(days=n)
            begin, finish = day_bounds(day, timezone)
            for component_id, status in statuses.items():
                down = _down_minutes(incident.started_at, now, begin, finish, status)
                cell = Day(day, status, down, [title_entry(incident)])
                cells[(component_id, day)] = _merge(day, cells.get((component_id, day)), cell)
    return cells


def _merge(day: date, stored: ComponentDay | Day | None, live: Day | None) -> Day:
    """Combine a day's stored (closed incidents) and live (open incidents) impact into one cell."""
    parts = [p for p in (stored, live) if p is not None]
    status = worst(p.status for p in parts)
    down = round(sum(p.down_minutes for p in parts), 1)
    titles = [title for p in parts for title in p.incidents]
    return Day(day, status, down, titles[:5])


def _down_minutes(
    started: datetime, ended: datetime, begin: datetime, finish: datetime, status: str
) -> float:
    """Return the weighted minutes an incident from `started` to `ended` was down within [begin, finish)."""
    overlap = min(ended, finish) - max(started, begin)
    return max(overlap.total_seconds(), 0) / 60 * DOWN_WEIGHT.get(status, 0.0)


def next_midnight(timezone: str, now: datetime | None = None) -> datetime:
    """Return the next shop-local midnight as naive UTC: the bars move on by a day then."""
    return day_bounds(local_day(now or utcnow(), timezone), timezone)[1]


def refresh_rollups(incidents: list[Incident]) -> None:
    """Rewrite the rollups of the incidents a transaction changed."""
    from statuspage.services.shop import get_shop

    refresh(incidents, get_shop().timezone)
