"""What the team is reminded of, once each: promised updates due soon or overdue, deadlines nearing or
passed, follow-ups that fell due.

Each pair is (find the candidates, act on one): `jobs.tick` runs the act in its own transaction. The act
claims its work (`claim_version`, or a conditional UPDATE) in the same transaction as the notice it
queues, so several schedulers send each reminder once. A reminder whose promise was kept meanwhile is not
sent (NotDue rolls the claim back), and of several alerts that fell due while no scheduler ran only the
latest is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.models.delivery import Notification
from statuspage.services import plan
from statuspage.services.delivery import notify
from statuspage.services.delivery.claims import NotDue, claim_version
from statuspage.services.delivery.team_text import N_, TeamText
from statuspage.services.links import admin_incident_url
from statuspage.services.shop import get_shop
from statuspage.vocabulary import FINAL


def open_incidents(now: datetime) -> list[int]:
    """Find the published incidents still open (they may owe customers an update)."""
    return list(
        db.session.scalars(
            select(Incident.id).where(Incident.draft.is_(False), Incident.status.not_in(FINAL))
        )
    )


def remind_promise(incident_id: int, now: datetime) -> list[Notification] | None:
    """Remind the team once when a promised update is due soon and once when it is overdue."""
    incident = db.session.get(Incident, incident_id)
    promise = plan.current_promise(incident, now) if incident else None
    if promise is None or promise.state not in ("soon", "overdue"):
        return None
    key, version = f"promise:{promise.made_by.public_id}", promise.due_at.isoformat()
    overdue = promise.state == "overdue"
    if not claim_version(f"{key}:{'overdue' if overdue else 'soon'}", version, now):
        return None
    if overdue:
        claim_version(
            f"{key}:soon", version, now
        )  # too late for "due soon": never send it after this
    db.session.expire(incident)  # the claim holds the lock: look again, the promise may be kept
    # ... as of now, not of the tick's start: an update posted meanwhile (a maintenance's automatic
    # start or end, by this tick or another scheduler's) keeps the promise and must be seen.
    again = plan.current_promise(incident, max(now, utcnow()))
    if again is None or again.made_by is not promise.made_by or again.state != promise.state:
        raise NotDue
    # Each member's e-mail is written in their language (team_text.py); the log and webhook in English.
    due, title, link = promise.due_at, incident.title, _link(incident)
    if overdue:
        subject = TeamText(N_("Overdue: the update promised for %(due)s"), due=due)
        text = TeamText(
            N_("🔴 The update promised for %(due)s on “%(title)s” is overdue. Customers are "
               "waiting: post it now. %(link)s"),
            due=due, title=title, link=link,
        )  # fmt: skip
    else:
        minutes = max(int((promise.due_at - now).total_seconds() // 60), 0)
        subject = TeamText(N_("Next update due in %(minutes)s min"), minutes=minutes)
        text = TeamText(
            N_("⏰ The next update on “%(title)s” is due in %(minutes)s min (promised for "
               "%(due)s). %(link)s"),
            title=title, minutes=minutes, due=due, link=link,
        )  # fmt: skip
    event = "reminder.overdue" if overdue else "reminder.soon"
    return notify.queue(event, f"{key}:{event}:{version}", incident, subject, text)


def incidents_with_deadlines(now: datetime) -> list[int]:
    """Find the incidents whose playbook has deadlines that may still need an alert."""
    return [i.id for i in plan.incidents_with_deadlines(now)]


def alert_deadlines(incident_id: int, now: datetime) -> list[Notification] | None:
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
        newly = [h for h in crossed if claim_version(f"{key}:{h}", version, now)]
        if not newly or newly[-1] != crossed[-1]:
            continue
        queued += _deadline_message(incident, deadline, newly[-1], f"{key}:{newly[-1]}:{version}")
    return queued or None


def _deadline_message(incident: Incident, deadline, hours: int, key: str) -> list[Notification]:
    """Queue the alert for one deadline threshold."""
    due, title, label, link = deadline.due_at, incident.title, str(deadline.label), _link(incident)
    if hours == 0:
        subject = TeamText(N_("Deadline passed: %(deadline)s"), deadline=label)
        text = TeamText(
            N_("🔴 Deadline passed on “%(title)s”: %(deadline)s (due %(due)s). Do it now and "
               "mark it done. %(link)s"),
            title=title, deadline=label, due=due, link=link,
        )  # fmt: skip
        return notify.queue("deadline.passed", key, incident, subject, text)
    subject = TeamText(N_("Deadline in %(hours)s h: %(deadline)s"), hours=hours, deadline=label)
    text = TeamText(
        N_("⏳ %(hours)s h left on “%(title)s”: %(deadline)s (due %(due)s). %(link)s"),
        hours=hours, title=title, deadline=label, due=due, link=link,
    )  # fmt: skip
    return notify.queue("deadline.soon", key, incident, subject, text)


def due_follow_ups(now: datetime) -> list[int]:
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


def remind_follow_up(entry_id: int, now: datetime) -> list[Notification] | None:
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
    text = TeamText(
        N_("📋 Follow-up due on “%(title)s”: %(action)s %(link)s"),
        title=incident.title, action=what, link=_link(incident),
    )  # fmt: skip
    subject = TeamText(N_("Follow-up due"))
    return notify.queue("follow_up.due", f"follow-up:{entry.id}", incident, subject, text)


def _link(incident: Incident) -> str:
    """Link to the incident's plan in the admin."""
    return admin_incident_url(incident, "plan")
