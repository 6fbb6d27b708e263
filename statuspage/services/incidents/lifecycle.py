"""Incident lifecycle: open, update (now or scheduled), resolve, reopen, edit, drafts. The view commits once.

A scheduled update is a row with a future display_at: public once it is due (read time). Its status and
component changes wait (effects_pending) until a job applies them, exactly once, when it is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, User, new_public_id, utcnow
from statuspage.models.texts import cleaned
from statuspage.services import ServiceError
from statuspage.services.aftercare.checklist import open_now_items
from statuspage.services.audit import record
from statuspage.services.incidents.publication import check_queue, promise_for, publication_time
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks.messages import BLANK
from statuspage.services.safe_text import one_line
from statuspage.services.shop import get_shop
from statuspage.vocabulary import (
    COMPONENT_STATUSES,
    FINAL,
    IMPACTS,
    MAINTENANCE_START,
    OPEN_STATUSES,
    TRANSITIONS,
    label,
)

ComponentStatuses = dict[Component, str]


class AlreadyPublished(ServiceError):
    """What the form publishes exists already (a double click, Back then submit): show it, once."""

    def __init__(self, incident: Incident, message: str | None = None) -> None:
        super().__init__(message or _("This incident was published already."))
        self.incident = incident


def open_incident(
    *,
    title: str,
    impact: str,
    status: str,
    body: str,
    user: User | None,
    component_statuses: ComponentStatuses | None = None,
    draft: bool = False,
    kind: str | None = None,
    variables: dict | None = None,
    translations: dict | None = None,
    next_update_at: datetime | None = None,
    display_at: datetime | None = None,
    began_at: datetime | None = None,
    became_aware_at: datetime | None = None,
    notice: bool = False,
    title_translations: dict | None = None,
) -> Incident:
    """Open an incident with its first update, now or at a time (or as a draft nobody else sees).

    `began_at` is when the problem began (None: not known), `became_aware_at` when the team learned
    of it (None: now, the moment of opening); `notice` marks a notice rather than an outage;
    `title_translations` is the title in the shop's other languages.
    """
    title = _clean_title(title)
    now = utcnow()
    became_aware_at = became_aware_at or now
    check_times(began_at, became_aware_at, now)
    display_at = publication_time(display_at)
    if draft and display_at > utcnow():
        raise ServiceError(
            _("A draft cannot be scheduled: save it as a draft or schedule it, not both.")
        )
    if impact not in IMPACTS:
        raise ServiceError(_("Unknown impact “%(impact)s”.", impact=impact))
    if status not in OPEN_STATUSES:
        raise ServiceError(_("A new incident starts as investigating, identified or monitoring."))
    component_statuses = component_statuses or {}
    incident = Incident(
        title=title,
        impact=impact,
        status=status,
        kind=kind,
        variables=variables or {},
        draft=draft,
        components=list(component_statuses),
        started_at=display_at,
        began_at=began_at,
        became_aware_at=became_aware_at,
        is_notice=notice,
        title_translations=cleaned(title_translations),
    )
    if status == "monitoring":
        incident.monitoring_at = display_at
    db.session.add(incident)
    _add_update(
        incident, status, body, user, component_statuses, translations, next_update_at, display_at
    )
    db.session.flush()
    record(
        user,
        "incident.draft" if draft else "incident.open",
        _target(incident),
        None,
        {**snapshot(incident), **_times(incident)},
    )
    return incident


def post_update(
    incident: Incident,
    *,
    status: str,
    body: str,
    user: User | None,
    component_statuses: ComponentStatuses | None = None,
    translations: dict | None = None,
    next_update_at: datetime | None = None,
    display_at: datetime | None = None,
    confirm_open_items: bool = False,
    public_id: str | None = None,
) -> IncidentUpdate:
    """Post an update now or schedule it; the transition table decides which status it may bring.

    Resolving while checklist items for during the crisis are open needs confirm_open_items (audited).
    `public_id` is the id the form reserved for this update: sent again (a double click), it raises
    AlreadyPublished instead of posting the same update twice.
    """
    if public_id and db.session.scalar(
        select(IncidentUpdate.id).where(IncidentUpdate.public_id == public_id)
    ):
        raise AlreadyPublished(incident, _("This update was published already."))
    now = utcnow()
    apply_due_updates(incident, now)
    if status not in TRANSITIONS.get(incident.status, ()):
        if incident.status in FINAL:
            raise ServiceError(_("This incident is closed. Reopen it to post a new update."))
        raise ServiceError(
            _(
                "An incident cannot move from “%(old)s” to “%(new)s”.",
                old=label(incident.status),
                new=label(status),
            )
        )
    if status == "resolved":  # a maintenance window ends on its own: no confirmation there
        _check_open_items(incident, user, confirm_open_items)
    display_at = publication_time(display_at, now)
    check_queue(incident, status, display_at, now)
    before = snapshot(incident)
    component_statuses = component_statuses or {}
    scheduled = display_at > now  # its status and component changes wait until it is due
    if scheduled and incident.draft:
        raise ServiceError(_("Publish the draft before scheduling updates on it."))
    if not scheduled:
        for component in component_statuses:
            if component not in incident.components:
                incident.components.append(component)
        _set_status(incident, status)
    update = _add_update(
        incident, status, body, user, component_statuses, translations, next_update_at, display_at
    )
    if public_id:
        update.public_id = public_id
    db.session.flush()
    if scheduled:
        record(user, "update.schedule", _target(incident), None, _scheduled_snapshot(update))
    else:
        record(user, "incident.update", _target(incident), before, snapshot(incident))
    return update


def resolve(
    incident: Incident,
    *,
    body: str,
    user: User | None,
    component_statuses: ComponentStatuses | None = None,
    translations: dict | None = None,
    display_at: datetime | None = None,
    confirm_open_items: bool = False,
    public_id: str | None = None,
) -> IncidentUpdate:
    """Resolve an incident (now or at a time); its components return to operational unless told otherwise.

    `public_id` is the id the form reserved for the closing update (see `post_update`)."""
    final = "completed" if incident.is_maintenance else "resolved"
    statuses = {c: "operational" for c in incident.components}
    statuses.update(component_statuses or {})
    return post_update(
        incident,
        status=final,
        body=body,
        user=user,
        component_statuses=statuses,
        translations=translations,
        display_at=display_at,
        confirm_open_items=confirm_open_items,
        public_id=public_id,
    )


class OpenChecklistItems(ServiceError):
    """Resolving would leave checklist items for during the crisis undone."""


def _check_open_items(incident: Incident, user: User | None, confirmed: bool) -> None:
    """Refuse to resolve with crisis checklist items open, unless confirmed; a confirmation is recorded."""
    still_open = open_now_items(incident)
    if not still_open:
        return
    if not confirmed:
        raise OpenChecklistItems(
            ngettext(
                "%(num)d checklist item for during the crisis is still open (see After the crisis). "
                "Tick it off, or confirm that you resolve anyway.",
                "%(num)d checklist items for during the crisis are still open (see After the "
                "crisis). Tick them off, or confirm that you resolve anyway.",
                len(still_open),
            ),
            field="confirm_open_items",  # said beside the box that confirms it
        )
    record(user, "incident.resolve_with_open_items", _target(incident), None,
           {"open": [entry.text_in("en") for entry in still_open]})  # fmt: skip


def open_maintenance(
    *,
    title: str,
    body: str,
    user: User | None,
    components: list[Component],
    scheduled_for: datetime | None,
    scheduled_until: datetime | None,
    display_at: datetime | None = None,
    kind: str | None = None,
    variables: dict | None = None,
    translations: dict | None = None,
    next_update_at: datetime | None = None,
    public_id: str | None = None,
) -> Incident:
    """Announce a planned maintenance, now or at a time; a job starts and ends it on its own."""
    title = _clean_title(title)
    now = utcnow()
    display_at = publication_time(display_at, now)
    if scheduled_for is None or scheduled_until is None:
        raise ServiceError(_("A maintenance needs a start and an end time."))
    if scheduled_for <= now:
        raise ServiceError(_("The maintenance must start in the future."))
    if scheduled_until <= scheduled_for:
        raise ServiceError(_("The maintenance must end after it starts."))
    if display_at > scheduled_for:
        raise ServiceError(_("Announce the maintenance before it starts."))
    incident = Incident(
        title=title, impact="maintenance", status=MAINTENANCE_START, kind=kind,
        public_id=public_id or new_public_id(),
        is_maintenance=True, variables=variables or {}, started_at=display_at,
        components=[c for c in components if not c.is_group],
        scheduled_for=scheduled_for, scheduled_until=scheduled_until,
    )  # fmt: skip
    db.session.add(incident)
    _add_update(
        incident, MAINTENANCE_START, body, user, {}, translations, next_update_at, display_at
    )
    db.session.flush()
    window = {"from": scheduled_for.isoformat(), "until": scheduled_until.isoformat()}
    record(user, "maintenance.plan", _target(incident), None, {**snapshot(incident), **window})
    return incident


def check_times(began_at: datetime | None, became_aware_at: datetime, now: datetime) -> None:
    """Refuse times that cannot be: awareness in the future, or a start after the team knew."""
    if became_aware_at > now + timedelta(minutes=1):
        raise ServiceError(
            _("“Became aware at” is in the future: say when the team learned of it.")
        )
    if began_at is not None and began_at > became_aware_at:
        raise ServiceError(
            _(
                "“Began at” is after “Became aware at”: the problem cannot begin after you knew of it."
            )
        )


def set_times(
    incident: Incident,
    *,
    began_at: datetime | None,
    became_aware_at: datetime | None,
    user: User | None,
) -> bool:
    """Correct when the problem began and when the team became aware (audited); deadlines follow.

    Returns whether anything changed. Open checklist items due from the opening move with awareness.
    """
    aware = became_aware_at or incident.aware_at
    check_times(began_at, aware, utcnow())
    before = _times(incident)
    if began_at == incident.began_at and aware == incident.aware_at:
        return False
    incident.began_at, incident.became_aware_at = began_at, aware
    for entry in open_now_items(incident):
        entry.due_at = aware + timedelta(hours=entry.hours)
    record(user, "incident.times", _target(incident), before, _times(incident))
    return True


def _times(incident: Incident) -> dict:
    """Return the audited times of an incident."""
    began = incident.began_at.isoformat() if incident.began_at else None
    return {"began_at": began, "became_aware_at": incident.aware_at.isoformat()}


def reopen(incident: Incident, *, status: str, body: str, user: User | None) -> IncidentUpdate:
    """Reopen a resolved incident explicitly, with an update saying why."""
    if incident.status != "resolved":
        raise ServiceError(_("Only a resolved incident can be reopened."))
    if status not in OPEN_STATUSES:
        raise ServiceError(_("Reopen as investigating, identified or monitoring."))
    incident.status = "investigating"
    incident.resolved_at = None
    update = post_update(incident, status=status, body=body, user=user)
    record(user, "incident.reopen", _target(incident), None, snapshot(incident))
    return update


def edit_update(
    update: IncidentUpdate, *, body: str, user: User | None, translations: dict | None = None
) -> None:
    """Correct an update's text, and its other languages; the edit is recorded and shown as edited.

    `translations` maps a language to its corrected text; an empty text drops that language, whose
    readers then see the default language rather than an uncorrected translation.
    """
    body = _clean_body(body)
    before = {"body": update.body, "translations": _texts(update)}
    texts = before["translations"] | {
        lang: (t or "").strip() for lang, t in (translations or {}).items()
    }
    if body == update.body and texts == before["translations"]:
        return
    update.body = body
    update.body_html = render_markdown(body, main_language())
    update.translations = _render_translations(texts)
    update.edited_at = utcnow()
    after = {"body": body, "translations": _texts(update)}
    record(user, "update.edit", _target(update.incident), before, after)


def publish_draft(incident: Incident, *, user: User | None) -> None:
    """Publish a draft incident now: its updates become public and component changes apply."""
    if not incident.draft:
        raise ServiceError(_("This incident is already published."))
    blanks = sorted({b for u in incident.updates for t in _all_texts(u) for b in BLANK.findall(t)})
    if blanks:  # a draft composed without a person (an alert) may still have values to fill in
        raise ServiceError(
            _("Fill in the blanks first (edit the update): %(blanks)s.", blanks=", ".join(blanks))
        )
    now = utcnow()
    incident.draft = False
    incident.started_at = now
    for update in incident.updates:
        if update.next_update_at is not None:  # keep the promised interval from publication
            update.next_update_at += now - update.display_at
        update.display_at = now
        update.effects_pending = False
        _apply_component_changes(update)
    record(user, "incident.publish", _target(incident), None, snapshot(incident))


def delete_draft(incident: Incident, *, user: User | None) -> None:
    """Delete a draft incident; published incidents are history and cannot be deleted."""
    if not incident.draft:
        raise ServiceError(
            _("Only drafts can be deleted; a published incident stays in the history.")
        )
    record(user, "incident.delete", _target(incident), snapshot(incident), None)
    db.session.delete(incident)


def snapshot(incident: Incident) -> dict:
    """Return the audited fields of an incident."""
    return {
        "title": incident.title,
        "status": incident.status,
        "impact": incident.impact,
        "draft": incident.draft,
        "components": [c.name for c in incident.components],
        **({"notice": True} if incident.is_notice else {}),
    }


def _add_update(
    incident, status, body, user, component_statuses, translations, next_update_at, display_at=None
):
    """Create an update, with its rendered HTML, its promise and its component changes."""
    body = _clean_body(body)
    display_at = display_at or utcnow()
    scheduled = display_at > utcnow()
    changes = []
    for component, new_status in component_statuses.items():
        if new_status not in COMPONENT_STATUSES:
            raise ServiceError(_("Unknown component status “%(status)s”.", status=new_status))
        changes.append(
            {"component_id": component.id, "old_status": component.status, "new_status": new_status}
        )
    update = IncidentUpdate(
        incident=incident,
        status=status,
        body=body,
        body_html=render_markdown(body, main_language()),
        author_id=user.id if user else None,
        component_changes=changes,
        translations=_render_translations(translations or {}),
        display_at=display_at,
        next_update_at=promise_for(incident, status, next_update_at, display_at),
        effects_pending=scheduled,
    )
    db.session.add(update)
    if not incident.draft and not scheduled:
        _apply_component_changes(update)
    return update


def apply_due_updates(incident: Incident, now: datetime) -> None:
    """Apply the effects of the incident's scheduled updates that are already public, oldest first."""
    due = [u for u in incident.updates if u.effects_pending and u.display_at <= now]
    for update in sorted(due, key=lambda u: (u.display_at, u.id)):
        apply_due_update(update, now)


def apply_due_update(update: IncidentUpdate, now: datetime | None = None) -> bool:
    """Apply a public scheduled update's status and component changes, exactly once (claimed).

    A later public update wins: its status stays, and components it changed are left alone.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        sql_update(IncidentUpdate)
        .where(
            IncidentUpdate.id == update.id,
            IncidentUpdate.effects_pending.is_(True),
            IncidentUpdate.display_at <= now,
        )
        .values(effects_pending=False)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    set_committed_value(update, "effects_pending", False)
    incident = update.incident
    db.session.refresh(incident)
    order = (update.display_at, update.id)
    later = [u for u in incident.updates if u.display_at <= now and (u.display_at, u.id) > order]
    if not later:
        _set_status(incident, update.status, update.display_at)
    touched = {c["component_id"] for u in later for c in u.component_changes}
    applied = []
    for change in update.component_changes:
        component = db.session.get(Component, change["component_id"])
        if component is None or change["component_id"] in touched:
            continue
        if component not in incident.components:
            incident.components.append(component)
        applied.append({**change, "old_status": component.status})
        component.status = change["new_status"]
    update.component_changes = applied
    record(None, "update.published", _target(incident), None, _scheduled_snapshot(update))
    return True


def _scheduled_snapshot(update: IncidentUpdate) -> dict:
    """Return the audited fields of a scheduled update."""
    return {
        "update": update.public_id,
        "status": update.status,
        "display_at": update.display_at.isoformat(),
        "next_update_at": update.next_update_at.isoformat() if update.next_update_at else None,
    }


def _apply_component_changes(update: IncidentUpdate) -> None:
    """Move the update's components to their new statuses."""
    for change in update.component_changes:
        component = db.session.get(Component, change["component_id"])
        if component is not None:
            component.status = change["new_status"]


def _all_texts(update: IncidentUpdate) -> list[str]:
    """Return an update's Markdown in every language."""
    return [update.body, *_texts(update).values()]


def _texts(update: IncidentUpdate) -> dict[str, str]:
    """Return an update's Markdown per translated language."""
    return {lang: rendered["body"] for lang, rendered in update.translations.items()}


def _render_translations(translations: dict[str, str]) -> dict:
    """Render every language's Markdown once, sanitized (right-to-left runs isolated)."""
    return {
        lang: {"body": _clean_body(text), "html": render_markdown(text, lang)}
        for lang, text in translations.items()
        if text and text.strip()
    }


def main_language() -> str:
    """Return the language of an update's main text (the shop's default)."""
    return get_shop().default_language


def _set_status(incident: Incident, status: str, at: datetime | None = None) -> None:
    """Set the status and the timestamps that go with it."""
    at = at or utcnow()
    incident.status = status
    if status == "monitoring" and incident.monitoring_at is None:
        incident.monitoring_at = at
    if status in FINAL and incident.resolved_at is None:
        incident.resolved_at = at


def _clean_title(title: str) -> str:
    """Validate an incident title (one line: it goes into e-mail subjects and feed titles)."""
    title = one_line(title, _("The title"))
    if not title:
        raise ServiceError(_("The title is empty: say in a few words what is wrong."))
    if len(title) > 200:
        raise ServiceError(_("The title is too long (200 characters at most)."))
    return title


def _clean_body(body: str) -> str:
    """Validate an update text."""
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("The update text is empty: tell customers what is going on."))
    limit = current_app.config["MAX_UPDATE_LENGTH"]
    if len(body) > limit:
        raise ServiceError(
            _(
                "The update text is too long (%(length)s characters; %(limit)s at most).",
                length=len(body),
                limit=limit,
            )
        )
    return body


def _target(incident: Incident) -> str:
    """Name an incident in the audit log."""
    return f"incident {incident.public_id}: {incident.title}"
