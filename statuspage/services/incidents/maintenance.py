"""Maintenance windows: announce, start, end (early), extend; each transition posts the playbook's text.

The start and the end are claimed with a conditional UPDATE on the maintenance's status, so the
scheduler and a team member pressing "End now" at the same moment never both post an update.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, User, new_public_id, utcnow
from statuspage.models.delivery import Notification
from statuspage.models.texts import cleaned
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.clock import local_text, to_local_input
from statuspage.services.delivery import notify
from statuspage.services.delivery.team_text import N_, TeamText
from statuspage.services.incidents.lifecycle import open_maintenance, post_update
from statuspage.services.links import admin_incident_url, incident_url
from statuspage.services.plan import default_next_update
from statuspage.services.playbooks.composer import compose, facts_for
from statuspage.services.playbooks.loader import get_playbook
from statuspage.services.shop import get_shop
from statuspage.vocabulary import UNFINISHED_MAINTENANCE

DEFAULT_KIND = "planned-maintenance"
FALLBACK = {
    "scheduled": "We are planning work on our shop from {start} to {end}. We will post here when it "
    "starts and when it is finished.",
    "in_progress": "The planned work has started and should be finished by {end}.",
    "completed": "The planned work is finished and everything works again. Thank you for your patience.",
    "extended": "The work is taking longer than planned. We now expect to finish by {end}.",
}


def plan_maintenance(
    *,
    title: str,
    body: str,
    user: User | None,
    components: list[Component],
    scheduled_for: datetime | None,
    scheduled_until: datetime | None,
    what_changes: str = "",
    display_at: datetime | None = None,
    kind: str | None = DEFAULT_KIND,
    reminder_minutes: int | None = None,
    what_changes_in: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> Incident:
    """Announce a maintenance; with no text of its own, the playbook's announcement in every language.

    `reminder_minutes`: remind its subscribers this long before it starts (None: the setting; 0: never).
    `what_changes_in` and `titles` are the gain and the title in the shop's other languages (a
    message in another language never borrows the default language's words).
    """
    if reminder_minutes is not None and not 0 <= reminder_minutes <= 7 * 24 * 60:
        raise ServiceError(
            _("The reminder must come between 0 minutes and a week before the start.")
        )
    if scheduled_for is None or scheduled_until is None:
        raise ServiceError(_("A maintenance needs a start and an end time."))
    if not [c for c in components if not c.is_group]:
        raise ServiceError(_("Choose the components the work makes unavailable."))
    shop = get_shop()
    playbook = get_playbook(kind)
    if playbook is not None and not playbook.maintenance:
        raise ServiceError(_("“%(kind)s” is not a maintenance playbook.", kind=kind))
    variables = {
        "window_start": to_local_input(scheduled_for, shop.timezone),
        "window_end": to_local_input(scheduled_until, shop.timezone),
        "what_changes": (what_changes or "").strip(),
        **{f"what_changes.{lang}": t.strip() for lang, t in (what_changes_in or {}).items() if t},
    }
    draft = Incident(
        title=title, kind=kind, is_maintenance=True, variables=variables, status="scheduled",
        components=components, scheduled_for=scheduled_for, scheduled_until=scheduled_until,
        started_at=display_at or utcnow(), public_id=new_public_id(),
    )  # fmt: skip
    next_update_at = default_next_update(draft, "scheduled", draft.started_at)
    translations: dict[str, str] = {}
    if not (body or "").strip():
        body, translations = texts(draft, "scheduled", next_update_at, strict=True)
    incident = open_maintenance(
        title=title, body=body, user=user, components=components, scheduled_for=scheduled_for,
        scheduled_until=scheduled_until, display_at=display_at,
        kind=kind if playbook else None, variables=variables, translations=translations,
        next_update_at=next_update_at, public_id=draft.public_id,
    )  # fmt: skip
    incident.reminder_minutes = reminder_minutes
    incident.title_translations = cleaned(titles)
    return incident


def start(incident: Incident, *, user: User | None = None) -> IncidentUpdate | None:
    """Start a maintenance: components go under maintenance and the playbook's text is posted.

    Return None when it had already started or ended (someone else did it first).
    """
    now = utcnow()
    if not _claim(incident, ("scheduled",), now):
        return None
    components = [c for c in incident.components if not c.is_group]
    next_update_at = default_next_update(incident, "in_progress", now)
    body, translations = texts(incident, "in_progress", next_update_at)
    return post_update(
        incident, status="in_progress", body=body, user=user, translations=translations,
        component_statuses={c: "under_maintenance" for c in components},
        next_update_at=next_update_at,
    )  # fmt: skip


def end(incident: Incident, *, user: User | None = None) -> IncidentUpdate | None:
    """End a maintenance: components go back to their statuses before it, unless changed meanwhile.

    A maintenance whose whole window passed while nobody ran the jobs ends without ever starting.
    Return None when it had already ended.
    """
    if not _claim(incident, UNFINISHED_MAINTENANCE, utcnow()):
        return None
    restore, seen = {}, set()
    for update in sorted(incident.updates, key=lambda u: (u.display_at, u.id)):
        for change in update.component_changes if update.status == "in_progress" else []:
            if change["new_status"] != "under_maintenance" or change["component_id"] in seen:
                continue
            seen.add(change["component_id"])
            component = db.session.get(Component, change["component_id"])
            if component is not None and component.status == "under_maintenance":
                restore[component] = change["old_status"]
    body, translations = texts(incident, "completed", None)
    return post_update(
        incident, status="completed", body=body, user=user, translations=translations,
        component_statuses=restore,
    )  # fmt: skip


def extend(
    incident: Incident, *, until: datetime | None, body: str = "", user: User | None
) -> IncidentUpdate:
    """Move a maintenance's end and tell customers, in an update, when it now ends."""
    now = utcnow()
    if until is None or until <= now:
        raise ServiceError(_("The new end must be in the future."))
    if incident.scheduled_for and until <= incident.scheduled_for:
        raise ServiceError(_("The maintenance must end after it starts."))
    if not _claim(incident, UNFINISHED_MAINTENANCE, now):
        raise ServiceError(_("This maintenance has already ended."))
    before = {"until": incident.scheduled_until.isoformat() if incident.scheduled_until else None}
    incident.scheduled_until = until
    tz = get_shop().timezone
    incident.variables = {**(incident.variables or {}), "window_end": to_local_input(until, tz)}
    text = (body or "").strip() or FALLBACK["extended"].format(end=local_text(until, tz))
    update = post_update(incident, status=incident.status, body=text, user=user)
    record(
        user,
        "maintenance.extend",
        f"incident {incident.public_id}",
        before,
        {"until": until.isoformat()},
    )
    return update


def texts(
    incident: Incident, stage: str, next_update_at: datetime | None, strict: bool = False
) -> tuple[str, dict[str, str]]:
    """Compose a stage's text from the playbook in every language: (default language, others).

    Falls back to a plain sentence when the playbook cannot compose it, unless strict (then it says why).
    """
    shop = get_shop()
    playbook = get_playbook(incident.kind)
    if playbook is not None and stage in playbook.stages:
        link = incident_url(incident)
        facts = facts_for(incident, next_update_at, link)
        composition = compose(
            playbook, stage, shop.language_list, incident.variables or {}, facts, shop
        )
        if not composition.errors and composition.messages:
            messages = {lang: m.text for lang, m in composition.messages.items()}
            body = messages.pop(shop.default_language, "") or messages.pop(next(iter(messages)))
            return body, messages
        if strict:
            problems = "; ".join(f"{k}: {v}" for k, v in composition.errors.items())
            raise ServiceError(
                _(
                    "The announcement cannot be written from the playbook (%(problems)s).",
                    problems=problems,
                )
            )
    start_text = local_text(incident.scheduled_for, shop.timezone) if incident.scheduled_for else ""
    end_text = (
        local_text(incident.scheduled_until, shop.timezone) if incident.scheduled_until else ""
    )
    return FALLBACK[stage].format(start=start_text, end=end_text), {}


def _claim(incident: Incident, statuses: tuple[str, ...], now: datetime) -> bool:
    """Lock a maintenance still in one of these statuses (a conditional UPDATE); False if it moved on."""
    claimed = db.session.execute(
        sql_update(Incident)
        .where(
            Incident.id == incident.id,
            Incident.is_maintenance.is_(True),
            Incident.draft.is_(False),
            Incident.status.in_(statuses),
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(incident)
        return False
    db.session.refresh(incident)
    return True


def due_transitions(now: datetime) -> list[int]:
    """Find maintenances whose window started or ended and that have not moved on yet."""
    return list(
        db.session.scalars(
            select(Incident.id)
            .where(Incident.is_maintenance.is_(True), Incident.draft.is_(False))
            .where(
                ((Incident.status == "scheduled") & (Incident.scheduled_for <= now))
                | (Incident.status.in_(UNFINISHED_MAINTENANCE) & (Incident.scheduled_until <= now))
            )
            .order_by(Incident.scheduled_for, Incident.id)
        )
    )


def run_transition(incident_id: int, now: datetime) -> list[Notification] | None:
    """Start or end a maintenance whose time has come (claimed by its status), posting the playbook text."""
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        return None
    ending = incident.scheduled_until is not None and incident.scheduled_until <= now
    update = end(incident) if ending else start(incident)
    if update is None:
        return None
    what = "ended" if ending else "started"
    link = admin_incident_url(incident, "plan")
    # Each member reads it in their language (team_text.py); the log and the team webhook in English.
    if ending:
        subject = TeamText(N_("Maintenance ended"))
        text = TeamText(N_("Maintenance “%(title)s” has ended; the update was posted. %(link)s"),
                        title=incident.title, link=link)  # fmt: skip
    else:
        subject = TeamText(N_("Maintenance started"))
        text = TeamText(N_("Maintenance “%(title)s” has started; the update was posted. %(link)s"),
                        title=incident.title, link=link)  # fmt: skip
    return notify.queue(
        f"maintenance.{what}", f"maintenance:{incident.public_id}:{what}", incident, subject, text
    )
