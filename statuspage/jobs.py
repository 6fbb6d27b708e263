"""Idempotent jobs: side effects only (scheduled updates' effects, maintenance transitions, reminders,
deadline alerts, team notifications). Visibility never depends on them: it is decided at read time.

Every piece of work is claimed with a conditional UPDATE in the same transaction as its effect, so any
number of scheduler processes can run `tick()` at once and each effect happens exactly once. Work missed
while no scheduler ran is found and done at the next tick; a reminder whose promise was kept meanwhile is
not sent, and of several alerts that fell due during the downtime only the latest is sent.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.models.plan import JobClaim, Notification
from statuspage.services import plan
from statuspage.services.delivery import mailer, notify, subscribers, webhooks
from statuspage.services.incidents import lifecycle as incidents
from statuspage.services.incidents import maintenance
from statuspage.services.shop import get_shop

log = logging.getLogger("statuspage.plan")


class _Skip(Exception):
    """The work turned out not to be due after it was claimed: roll the claim back."""


def tick(now: datetime | None = None) -> Counter:
    """Run every job once; return how many pieces of work each did."""
    now = now or utcnow()
    done: Counter = Counter()
    steps: list[tuple[str, Callable[[datetime], list[int]], Callable]] = [
        ("published", _due_updates, _publish),
        ("maintenance", _due_maintenance, _transition),
        ("reminders", _active_incidents, _remind),
        ("deadlines", _deadline_incidents, _alert_deadlines),
        ("follow_ups", _due_follow_ups, _remind_follow_up),
    ]
    for name, find, run in steps:
        for item in find(now):
            did, sent = _once(run, item, now)
            done[name] += did
            done["sent"] += sent
    done["sent"] += notify.deliver_due()  # retries and leftovers, at the current time
    _push(now, done)
    return done


def _push(now: datetime, done: Counter) -> None:
    """Fan newly public updates and component changes out to subscribers and webhooks, then send."""
    for update_id in subscribers.due_fanouts(now):
        try:
            done["fanned_out"] += _fan_out(update_id, now)
            db.session.commit()
        except Exception:  # retried next tick
            db.session.rollback()
            log.exception("fan-out of update %s failed; it will be retried", update_id)
    done["component_events"] += webhooks.report_component_changes(now)
    done["purged"] += subscribers.purge_unconfirmed(now)
    done["emailed"] += mailer.deliver_due()
    done["webhooks"] += webhooks.deliver_due()


def _fan_out(update_id: int, now: datetime) -> int:
    """Queue an update once (claimed in the ledger) for its subscribers and webhook endpoints."""
    update = db.session.get(IncidentUpdate, update_id)
    if update is None or not subscribers.claim_fanout(update, now):
        return 0
    subscribers.queue_update_mail(update, now)
    webhooks.queue_incident_event(update, now)
    return 1


def claim(key: str, version: str, now: datetime) -> bool:
    """Claim a piece of work (one version of it) for this transaction; False when it was done already."""
    upsert = {"sqlite": sqlite_insert, "postgresql": pg_insert}.get(
        db.session.get_bind().dialect.name
    )
    if upsert is not None:
        db.session.execute(upsert(JobClaim).values(key=key).on_conflict_do_nothing())
    elif db.session.get(JobClaim, key) is None:
        db.session.execute(insert(JobClaim).values(key=key))
    claimed = db.session.execute(
        sql_update(JobClaim)
        .where(JobClaim.key == key)
        .where((JobClaim.version.is_(None)) | (JobClaim.version != version))
        .values(version=version, done_at=now, done_by=notify.WORKER)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _once(run: Callable, item: int, now: datetime) -> tuple[int, int]:
    """Do one piece of work in its own transaction, then send what it queued: (done, sent)."""
    try:
        queued = run(item, now)
        db.session.commit()
    except _Skip:
        db.session.rollback()
        return 0, 0
    except Exception:  # one broken item must not stop the others; it is retried next tick
        db.session.rollback()
        log.exception("job %s failed for %s; it will be retried", run.__name__, item)
        return 0, 0
    if not queued:
        return 0, 0
    return 1, notify.deliver_due(ids=[n.id for n in queued])


def _due_updates(now: datetime) -> list[int]:
    """Find the public scheduled updates whose effects wait."""
    return list(
        db.session.scalars(
            select(IncidentUpdate.id)
            .join(Incident)
            .where(
                IncidentUpdate.effects_pending.is_(True),
                IncidentUpdate.display_at <= now,
                Incident.draft.is_(False),
            )
            .order_by(IncidentUpdate.display_at, IncidentUpdate.id)
        )
    )


def _publish(update_id: int, now: datetime) -> list[Notification] | None:
    """Apply a scheduled update's status and component changes, and tell the team it is public."""
    update = db.session.get(IncidentUpdate, update_id)
    if update is None or not incidents.apply_due_update(update, now):
        return None
    incident = update.incident
    text = (
        f"Scheduled update on “{incident.title}” is now public ({update.status}). {_link(incident)}"
    )
    return notify.queue(
        "update.published",
        f"update:{update.public_id}",
        incident,
        "Scheduled update published",
        text,
    )


def _due_maintenance(now: datetime) -> list[int]:
    """Find maintenances whose window started or ended and that have not moved on yet."""
    return list(
        db.session.scalars(
            select(Incident.id)
            .where(Incident.is_maintenance.is_(True), Incident.draft.is_(False))
            .where(
                ((Incident.status == "scheduled") & (Incident.scheduled_for <= now))
                | (
                    Incident.status.in_(("scheduled", *maintenance.RUNNING))
                    & (Incident.scheduled_until <= now)
                )
            )
            .order_by(Incident.scheduled_for, Incident.id)
        )
    )


def _transition(incident_id: int, now: datetime) -> list[Notification] | None:
    """Start or end a maintenance whose time has come (claimed by its status), posting the playbook text."""
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        return None
    ending = incident.scheduled_until is not None and incident.scheduled_until <= now
    update = maintenance.end(incident) if ending else maintenance.start(incident)
    if update is None:
        return None
    what = "ended" if ending else "started"
    text = f"Maintenance “{incident.title}” has {what}; the update was posted. {_link(incident)}"
    return notify.queue(
        f"maintenance.{what}", f"maintenance:{incident.public_id}:{what}", incident,
        f"Maintenance {what}", text,
    )  # fmt: skip


def _active_incidents(now: datetime) -> list[int]:
    """Find the published incidents still open (they may owe customers an update)."""
    return list(
        db.session.scalars(
            select(Incident.id).where(Incident.draft.is_(False), Incident.status.not_in(plan.FINAL))
        )
    )


def _remind(incident_id: int, now: datetime) -> list[Notification] | None:
    """Remind the team once when a promised update is due soon and once when it is overdue."""
    incident = db.session.get(Incident, incident_id)
    promise = plan.current_promise(incident, now) if incident else None
    if promise is None or promise.state not in ("soon", "overdue"):
        return None
    key, version = f"promise:{promise.made_by.public_id}", promise.due_at.isoformat()
    overdue = promise.state == "overdue"
    if not claim(f"{key}:{'overdue' if overdue else 'soon'}", version, now):
        return None
    if overdue:
        claim(f"{key}:soon", version, now)  # too late for "due soon": never send it after this
    db.session.expire(incident)  # the claim holds the lock: look again, the promise may be kept
    again = plan.current_promise(incident, now)
    if again is None or again.made_by is not promise.made_by or again.state != promise.state:
        raise _Skip
    due = plan.local_text(promise.due_at)
    if overdue:
        subject = f"Overdue: the update promised for {due}"
        text = f"🔴 The update promised for {due} on “{incident.title}” is overdue. Customers are waiting: post it now. {_link(incident)}"
    else:
        minutes = max(int((promise.due_at - now).total_seconds() // 60), 0)
        subject = f"Next update due in {minutes} min"
        text = f"⏰ The next update on “{incident.title}” is due in {minutes} min (promised for {due}). {_link(incident)}"
    event = "reminder.overdue" if overdue else "reminder.soon"
    return notify.queue(event, f"{key}:{event}:{version}", incident, subject, text)


def _deadline_incidents(now: datetime) -> list[int]:
    """Find the incidents whose playbook has deadlines that may still need an alert."""
    return [i.id for i in plan.incidents_with_deadlines(now)]


def _alert_deadlines(incident_id: int, now: datetime) -> list[Notification] | None:
    """Alert the team as each open deadline nears (DEADLINE_REMINDER_HOURS before) and passes."""
    incident = db.session.get(Incident, incident_id)
    lang = get_shop().default_language
    queued = []
    for deadline in plan.deadlines_for(incident, now, lang=lang) if incident else []:
        if deadline.state == "done":
            continue
        hours = plan.deadline_reminder_hours()
        thresholds = sorted({h for h in hours if h < deadline.hours} | {0}, reverse=True)
        crossed = [h for h in thresholds if now >= deadline.due_at - timedelta(hours=h)]
        version = deadline.due_at.isoformat()
        key = f"deadline:{incident.public_id}:{deadline.key}"
        newly = [h for h in crossed if claim(f"{key}:{h}", version, now)]
        if not newly or newly[-1] != crossed[-1]:
            continue
        queued += _deadline_message(incident, deadline, newly[-1], f"{key}:{newly[-1]}:{version}")
    return queued or None


def _deadline_message(incident: Incident, deadline, hours: int, key: str) -> list[Notification]:
    """Queue the alert for one deadline threshold."""
    due = plan.local_text(deadline.due_at)
    if hours == 0:
        subject = f"Deadline passed: {deadline.label}"
        text = f"🔴 Deadline passed on “{incident.title}”: {deadline.label} (due {due}). Do it now and mark it done. {_link(incident)}"
        return notify.queue("deadline.passed", key, incident, subject, text)
    subject = f"Deadline in {hours} h: {deadline.label}"
    text = (
        f"⏳ {hours} h left on “{incident.title}”: {deadline.label} (due {due}). {_link(incident)}"
    )
    return notify.queue("deadline.soon", key, incident, subject, text)


def _due_follow_ups(now: datetime) -> list[int]:
    """Find the checklist items that fell due and were not reminded yet."""
    return list(
        db.session.scalars(
            select(ChecklistEntry.id)
            .join(Incident)
            .where(
                ChecklistEntry.state == "open",
                ChecklistEntry.due_at <= now,
                ChecklistEntry.reminded_at.is_(None),
                Incident.draft.is_(False),
            )
            .order_by(ChecklistEntry.due_at, ChecklistEntry.id)
        )
    )


def _remind_follow_up(entry_id: int, now: datetime) -> list[Notification] | None:
    """Remind the team once of a follow-up that fell due (claimed by its reminded_at)."""
    claimed = db.session.execute(
        sql_update(ChecklistEntry)
        .where(
            ChecklistEntry.id == entry_id,
            ChecklistEntry.reminded_at.is_(None),
            ChecklistEntry.state == "open",
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    entry = db.session.get(ChecklistEntry, entry_id)
    db.session.refresh(entry)
    incident = entry.incident
    what = entry.text_in(get_shop().default_language)
    text = f"📋 Follow-up due on “{incident.title}”: {what} {_link(incident)}"
    return notify.queue("follow_up.due", f"follow-up:{entry.id}", incident, "Follow-up due", text)


def _link(incident: Incident) -> str:
    """Link to the incident's plan in the admin."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/admin/incidents/{incident.public_id}/plan"
