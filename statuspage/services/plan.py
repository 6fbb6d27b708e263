"""The communication plan: promised next updates (kept, late, due, overdue), deadlines, the timeline.

Everything here is computed at read time from the incident's updates, so it can never disagree with
what the public sees: a promise is kept when the next update became public by the promised time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, User
from statuspage.models.plan import DeadlineDone
from statuspage.services import ServiceError, formats
from statuspage.services.aftercare import checklist
from statuspage.services.audit import record
from statuspage.services.playbooks.loader import Playbook, all_playbooks, get_playbook
from statuspage.vocabulary import FINAL, UNFINISHED_MAINTENANCE

# Most urgent first: the dashboard lists overdue promises on top.
URGENCY = {"overdue": 0, "soon": 1, "open": 2, "covered": 3}


@dataclass
class Promise:
    """A promised next update: who promised it, for when, and what became of it."""

    made_by: IncidentUpdate
    due_at: datetime
    # planned (its update is not public yet), open, soon, overdue, covered (a scheduled update will
    # keep it), kept, late
    state: str
    answered_by: IncidentUpdate | None = None

    @property
    def late_by(self) -> timedelta | None:
        """Return how late the answering update was, if it was."""
        if self.state != "late" or self.answered_by is None:
            return None
        return self.answered_by.display_at - self.due_at


@dataclass
class BoardRow:
    """One active incident on the dashboard, with its current promise."""

    incident: Incident
    promise: Promise | None

    @property
    def state(self) -> str:
        """Say how urgent the incident's promise is (none when nothing is promised)."""
        return self.promise.state if self.promise else "none"


@dataclass
class DeadlineView:
    """A playbook deadline on one incident: when it falls due and whether it was met."""

    key: str
    label: str
    help: str
    hours: int
    due_at: datetime
    state: str  # done, open, soon, overdue
    done: DeadlineDone | None = None
    incident: Incident | None = None


@dataclass
class PlanItem:
    """One point on an incident's plan timeline."""

    at: datetime | None
    kind: str  # published, scheduled, promise, deadline, follow_up, window_start, window_end
    text: str
    state: str = ""
    update: IncidentUpdate | None = None
    key: str = ""


@dataclass
class Plan:
    """An incident's plan: past and future on one axis, with the current promise and deadlines."""

    items: list[PlanItem]
    promise: Promise | None
    deadlines: list[DeadlineView]
    outcomes: dict[int, Promise] = field(default_factory=dict)
    later: list[PlanItem] = field(default_factory=list)


def reminder_lead() -> timedelta:
    """Return how long before a promised time the team is reminded."""
    return timedelta(minutes=current_app.config["REMINDER_LEAD_MINUTES"])


def deadline_reminder_hours() -> list[int]:
    """Return the configured alert thresholds in hours before a deadline (a number or a list)."""
    value = current_app.config["DEADLINE_REMINDER_HOURS"]
    values = value if isinstance(value, list | tuple) else [value]
    return sorted({int(h) for h in values if isinstance(h, int | float) and h > 0}, reverse=True)


def cadence_minutes(kind: str | None, status: str) -> int | None:
    """Return the minutes to the next update after an update in this status (None when final)."""
    if status in FINAL:
        return None
    playbook = get_playbook(kind) if kind else None
    if playbook is not None and status in playbook.cadence:
        return playbook.cadence[status]
    return int(current_app.config["DEFAULT_NEXT_UPDATE_MINUTES"])


def default_next_update(
    incident: Incident | None, status: str, at: datetime, kind: str | None = None
) -> datetime | None:
    """Return the default promise for an update in this status: the playbook cadence from `at`.

    `incident` is None while a new one is being composed (then `kind` names its playbook). A
    maintenance never promises past its next automatic transition (start or end of the window).
    """
    minutes = cadence_minutes(incident.kind if incident else kind, status)
    if minutes is None:
        return None
    due = at + timedelta(minutes=minutes)
    if incident is not None and incident.is_maintenance:
        boundary = incident.scheduled_for if status == "scheduled" else incident.scheduled_until
        if boundary is not None and at < boundary < due:
            due = boundary
    return due


def promises(incident: Incident, now: datetime, lead: timedelta | None = None) -> list[Promise]:
    """Return every promise the incident's updates made, oldest first, with what became of it."""
    lead = reminder_lead() if lead is None else lead
    ordered = sorted(incident.updates, key=lambda u: (u.display_at, u.id))
    result = []
    for index, update in enumerate(ordered):
        if update.next_update_at is None:
            continue
        answer = ordered[index + 1] if index + 1 < len(ordered) else None
        due = update.next_update_at
        if update.display_at > now:
            state = "planned"
        elif answer is not None and answer.display_at <= now:
            # Promises are made to the minute ("by 14:30"): an update stamped 14:30 keeps it.
            kept = answer.display_at.replace(second=0, microsecond=0) <= due
            state = "kept" if kept else "late"
        elif (answer is not None and answer.display_at <= due) or (
            answer is None and _automatic_step_by(incident, due)
        ):
            state = "covered"
        elif now >= due:
            state = "overdue"
        else:
            state = "soon" if now >= due - lead else "open"
        result.append(Promise(update, due, state, answer))
    return result


def _automatic_step_by(incident: Incident, due: datetime) -> bool:
    """Tell whether a maintenance's own start or end will post an update by this time."""
    if not incident.is_maintenance:
        return False
    step = incident.scheduled_for if incident.status == "scheduled" else incident.scheduled_until
    return step is not None and step <= due


def current_promise(
    incident: Incident, now: datetime, lead: timedelta | None = None
) -> Promise | None:
    """Return the promise customers are waiting on now (the latest public update's), if any."""
    if incident.draft or incident.status in FINAL:
        return None
    visible = [u for u in incident.updates if u.display_at <= now]
    if not visible:
        return None
    latest = max(visible, key=lambda u: (u.display_at, u.id))
    return next((p for p in promises(incident, now, lead) if p.made_by is latest), None)


def board(incidents: list[Incident], now: datetime) -> list[BoardRow]:
    """Order active incidents by the urgency of their promise: overdue first, then due soon."""
    rows = [BoardRow(i, current_promise(i, now)) for i in incidents if i.is_active and not i.draft]
    return sorted(
        rows,
        key=lambda r: (
            URGENCY.get(r.state, 4),
            r.promise.due_at if r.promise else datetime.max,
        ),
    )


def active_board(now: datetime) -> list[BoardRow]:
    """Return every open, published incident with its promise, most urgent first."""
    active = db.session.scalars(
        select(Incident)
        .where(Incident.draft.is_(False), Incident.status.not_in(FINAL))
        .options(selectinload(Incident.updates))
    )
    return board(list(active), now)


def deadlines_for(
    incident: Incident,
    now: datetime,
    playbook: Playbook | None = None,
    lang: str = "en",
    done: dict[str, DeadlineDone] | None = None,
) -> list[DeadlineView]:
    """Return the playbook's deadlines for an incident, counted from awareness, soonest first.

    `done` is the incident's marks by key, when the caller loaded them for many incidents at once.
    """
    playbook = playbook or (get_playbook(incident.kind) if incident.kind else None)
    if playbook is None or not playbook.deadlines or incident.draft:
        return []
    if done is None:
        done = _deadlines_done([incident.id]).get(incident.id, {})
    soon = timedelta(hours=max(deadline_reminder_hours() or [24]))
    views = []
    for deadline in playbook.deadlines:
        due = incident.aware_at + timedelta(hours=deadline.hours)  # the law counts from awareness
        if deadline.key in done:
            state = "done"
        else:
            state = "overdue" if now >= due else "soon" if now >= due - soon else "open"
        views.append(
            DeadlineView(
                key=deadline.key,
                label=playbook.in_lang(deadline.label, lang),
                help=playbook.in_lang(deadline.help, lang),
                hours=deadline.hours,
                due_at=due,
                state=state,
                done=done.get(deadline.key),
                incident=incident,
            )
        )
    return sorted(views, key=lambda v: v.due_at)


def _deadlines_done(incident_ids: list[int]) -> dict[int, dict[str, DeadlineDone]]:
    """Return the deadlines marked done for these incidents, by incident and key (one query)."""
    done: dict[int, dict[str, DeadlineDone]] = {}
    if not incident_ids:
        return done
    for mark in db.session.scalars(
        select(DeadlineDone)
        .where(DeadlineDone.incident_id.in_(incident_ids))
        .options(selectinload(DeadlineDone.done_by))
    ):
        done.setdefault(mark.incident_id, {})[mark.key] = mark
    return done


def incidents_with_deadlines(
    now: datetime, playbooks: dict[str, Playbook] | None = None
) -> list[Incident]:
    """Return the published incidents whose playbook has deadlines that may still matter."""
    playbooks = all_playbooks()[0] if playbooks is None else playbooks
    kinds = [kind for kind, p in playbooks.items() if p.deadlines]
    if not kinds:
        return []
    longest = max(d.hours for kind in kinds for d in playbooks[kind].deadlines)
    since = now - timedelta(hours=longest) - timedelta(days=30)
    return list(
        db.session.scalars(
            select(Incident)
            .where(
                Incident.kind.in_(kinds), Incident.draft.is_(False), Incident.started_at >= since
            )
            .order_by(Incident.started_at)
        )
    )


def open_deadlines(now: datetime, lang: str = "en") -> list[DeadlineView]:
    """Return every deadline not met yet across recent incidents, soonest first (a fixed number of queries)."""
    playbooks = all_playbooks()[0]
    incidents = incidents_with_deadlines(now, playbooks)
    done = _deadlines_done([incident.id for incident in incidents])
    views = [
        view
        for incident in incidents
        for view in deadlines_for(
            incident, now, playbooks[incident.kind], lang, done.get(incident.id, {})
        )
        if view.state != "done"
    ]
    return sorted(views, key=lambda v: v.due_at)


def mark_deadline_done(incident: Incident, key: str, note: str, *, user: User | None) -> None:
    """Record that a deadline was met: who, when and a note."""
    playbook = get_playbook(incident.kind) if incident.kind else None
    deadline = next((d for d in (playbook.deadlines if playbook else []) if d.key == key), None)
    if deadline is None:
        raise ServiceError(gettext("This incident has no such deadline."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise ServiceError(gettext("The note is too long (2000 characters at most)."), field="note")
    exists = db.session.scalar(
        select(DeadlineDone).where(DeadlineDone.incident_id == incident.id, DeadlineDone.key == key)
    )
    if exists is not None:
        raise ServiceError(gettext("This deadline is already marked done."))
    db.session.add(
        DeadlineDone(
            incident_id=incident.id, key=key, note=note, done_by_id=user.id if user else None
        )
    )
    target = f"incident {incident.public_id}: {incident.title}"
    record(user, "deadline.done", target, None, {"deadline": key, "note": note})


def scheduled_updates(now: datetime) -> list[IncidentUpdate]:
    """Return every update waiting to be published, soonest first (the queue)."""
    return list(
        db.session.scalars(
            select(IncidentUpdate)
            .join(Incident)
            .where(IncidentUpdate.display_at > now, Incident.draft.is_(False))
            .options(selectinload(IncidentUpdate.incident))
            .order_by(IncidentUpdate.display_at, IncidentUpdate.id)
        )
    )


def upcoming_transitions(now: datetime) -> list[tuple[datetime, Incident, str]]:
    """Return the automatic maintenance starts and ends still to come: (when, maintenance, what)."""
    maintenances = db.session.scalars(
        select(Incident).where(
            Incident.is_maintenance.is_(True),
            Incident.draft.is_(False),
            Incident.status.in_(UNFINISHED_MAINTENANCE),
        )
    )
    result = []
    for m in maintenances:
        if m.status == "scheduled" and m.scheduled_for:
            result.append((m.scheduled_for, m, "starts"))
        if m.scheduled_until:
            result.append((m.scheduled_until, m, "ends"))
    return sorted(result, key=lambda item: item[0])


def plan_for(incident: Incident, now: datetime, lang: str = "en") -> Plan:
    """Lay out an incident's plan: published and scheduled updates, promises, window, deadlines."""
    playbook = get_playbook(incident.kind) if incident.kind else None
    outcomes = {p.made_by.id: p for p in promises(incident, now)}
    items = [
        PlanItem(
            u.display_at,
            "scheduled" if u.display_at > now else "published",
            u.body,
            u.status,
            update=u,
        )
        for u in incident.updates
    ]
    items += [
        PlanItem(p.due_at, "promise", "Next update promised", p.state, update=p.made_by)
        for p in outcomes.values()
    ]
    if incident.is_maintenance and incident.scheduled_for and incident.scheduled_until:
        items.append(
            PlanItem(incident.scheduled_for, "window_start", gettext("Maintenance starts"))
        )
        items.append(PlanItem(incident.scheduled_until, "window_end", gettext("Maintenance ends")))
    deadlines = deadlines_for(incident, now, playbook, lang)
    items += [PlanItem(d.due_at, "deadline", d.label, d.state, key=d.key) for d in deadlines]
    follow_ups, later = _follow_ups(incident, playbook, lang)
    items += follow_ups
    order = ("published", "scheduled", "window_start", "promise", "deadline", "follow_up")
    items.sort(
        key=lambda i: (
            i.at,
            order.index(i.kind) if i.kind in order else len(order),
            i.update.id if i.update else 0,
        )
    )
    return Plan(items, current_promise(incident, now), deadlines, outcomes, later)


def _after_resolution(hours: int) -> str:
    """Say when a follow-up falls due, in the team's language: "30 days after resolution"."""
    span = formats.hours_text(hours, str(get_locale() or "en"))
    return gettext("%(span)s after resolution", span=span)


def _follow_ups(
    incident: Incident, playbook: Playbook | None, lang: str
) -> tuple[list[PlanItem], list[PlanItem]]:
    """Place the checklist on the timeline (the playbook's, until it is attached); items due after a
    resolution still to come wait in a list of their own."""
    placed, later = [], []
    attached = checklist.entries(incident) if incident.id else []
    rows = [(e.due_at, e.text_in(lang), e.state, e.key or str(e.id), e.hours) for e in attached]
    if not attached and playbook is not None:
        for item in playbook.checklist:
            start = incident.aware_at if item.after == "opened" else incident.resolved_at
            due = start + timedelta(hours=item.hours) if start else None
            rows.append((due, playbook.in_lang(item.text, lang), "open", item.key, item.hours))
    for due, text, state, key, hours in rows:
        if due is None:
            later.append(PlanItem(None, "follow_up", text, _after_resolution(hours), key=key))
        else:
            placed.append(PlanItem(due, "follow_up", text, state, key=key))
    return placed, later
