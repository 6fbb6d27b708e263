"""The trust report: how well the shop communicated, per incident and over time."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError, clock
from statuspage.services.safe_text import csv_cell


@dataclass
class IncidentFigures:
    """One incident's communication figures (minutes, counts, percentages)."""

    public_id: str
    title: str
    kind: str
    started_at: datetime
    minutes_to_first_update: float | None
    updates: int
    promises: int
    promises_kept: int
    kept_percent: float | None
    longest_silence_minutes: float | None
    minutes_to_resolution: float | None
    checklist_done_percent: float | None
    overdue_follow_ups: int


def figures(incident: Incident, checklist: list[ChecklistEntry], now: datetime) -> IncidentFigures:
    """Compute one incident's figures from its public updates and its checklist."""
    updates = sorted(
        (u for u in incident.updates if u.display_at <= now), key=lambda u: u.display_at
    )
    times = [u.display_at for u in updates]
    promises = [
        (u.next_update_at, nxt.display_at)
        for u, nxt in zip(updates, updates[1:], strict=False)
        if u.next_update_at
    ]
    pending = updates[-1].next_update_at if updates and updates[-1].next_update_at else None
    if pending and pending < now:  # a promise that has passed with no update is a broken one
        promises.append((pending, now))
    kept = sum(1 for promised, actual in promises if actual <= promised)
    end = incident.resolved_at or now
    gaps = [(b - a) for a, b in zip(times, [*times[1:], end], strict=False)]
    counted = [e for e in checklist if e.state != "skipped"]
    return IncidentFigures(
        public_id=incident.public_id,
        title=incident.title,
        kind=incident.kind or "",
        started_at=incident.started_at,
        minutes_to_first_update=_minutes(times[0] - incident.started_at) if times else None,
        updates=len(updates),
        promises=len(promises),
        promises_kept=kept,
        kept_percent=round(100 * kept / len(promises), 1) if promises else None,
        longest_silence_minutes=_minutes(max(gaps)) if gaps else None,
        minutes_to_resolution=_minutes(incident.resolved_at - incident.started_at)
        if incident.resolved_at
        else None,
        checklist_done_percent=round(
            100 * sum(e.state == "done" for e in counted) / len(counted), 1
        )
        if counted
        else None,
        overdue_follow_ups=sum(
            1 for e in checklist if e.state == "open" and e.due_at and e.due_at < now
        ),
    )


def day_start(day: str, timezone: str, *, following: bool = False) -> datetime | None:
    """Return when a local day (YYYY-MM-DD) starts, as naive UTC; None for no day.

    `following` gives the start of the next day instead: the bound for an "until" that includes its day.
    The day after is counted on the calendar, in the shop's timezone, so a DST day still ends at midnight.
    """
    if not day:
        return None
    try:
        chosen = date.fromisoformat(day.strip())
    except ValueError:
        raise ServiceError(gettext("A date must look like 2026-12-24.")) from None
    if not 2000 <= chosen.year <= 2200:
        raise ServiceError(gettext("A date must be between the years 2000 and 2200."))
    if following:
        chosen += timedelta(days=1)
    return clock.day_start(chosen, timezone)


def report(
    since: datetime | None = None, until: datetime | None = None, kind: str | None = None
) -> list[IncidentFigures]:
    """Compute the figures of every published incident in a period (and of one kind), newest first.

    `since` is included and `until` is not: pass the start of the day after the last day wanted.
    """
    now = utcnow()
    query = (
        select(Incident)
        .where(Incident.draft.is_(False), Incident.is_maintenance.is_(False))
        .options(selectinload(Incident.updates))
        .order_by(Incident.started_at.desc())
    )
    if since:
        query = query.where(Incident.started_at >= since)
    if until:
        query = query.where(Incident.started_at < until)
    if kind:
        query = query.where(Incident.kind == kind)
    incidents = db.session.scalars(query).all()
    by_incident: dict[int, list[ChecklistEntry]] = defaultdict(list)
    ids = [i.id for i in incidents]
    for entry in (
        db.session.scalars(select(ChecklistEntry).where(ChecklistEntry.incident_id.in_(ids)))
        if ids
        else []
    ):
        by_incident[entry.incident_id].append(entry)
    return [figures(i, by_incident[i.id], now) for i in incidents]


def monthly(rows: list[IncidentFigures]) -> list[dict]:
    """Sum the figures per month for the chart: incidents, promises kept %, median-ish first-update time."""
    months: dict[str, list[IncidentFigures]] = defaultdict(list)
    for row in rows:
        months[row.started_at.strftime("%Y-%m")].append(row)
    result = []
    for month in sorted(months):
        items = months[month]
        promises = sum(r.promises for r in items)
        firsts = sorted(
            r.minutes_to_first_update for r in items if r.minutes_to_first_update is not None
        )
        result.append({
            "month": month,
            "incidents": len(items),
            "kept_percent": round(100 * sum(r.promises_kept for r in items) / promises, 1) if promises else None,
            "first_update_minutes": firsts[len(firsts) // 2] if firsts else None,
        })  # fmt: skip
    return result


def to_csv(rows: list[IncidentFigures]) -> str:
    """Write the figures as CSV (one line per incident)."""
    out = io.StringIO()
    fields = list(IncidentFigures.__dataclass_fields__)
    # Every text cell quoted and defused: a spreadsheet splitting on `;` or tab sees no formula either.
    writer = csv.DictWriter(out, fieldnames=fields, quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    for row in rows:
        data = asdict(row)
        data["started_at"] = row.started_at.isoformat(timespec="minutes")
        writer.writerow({key: csv_cell(value) for key, value in data.items()})
    return out.getvalue()


def _minutes(delta: timedelta) -> float:
    """Express a duration in minutes, one decimal."""
    return round(delta.total_seconds() / 60, 1)
