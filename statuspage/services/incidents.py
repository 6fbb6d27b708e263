"""Incident lifecycle: open, update, resolve, reopen, edit, drafts. The view commits once."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from ..extensions import db
from ..models import (
    COMPONENT_STATUSES,
    IMPACTS,
    Component,
    Incident,
    IncidentUpdate,
    User,
    utcnow,
)
from . import ServiceError
from .audit import record
from .markup import render_markdown

_OPEN = {"investigating", "identified", "monitoring", "resolved"}
# The one transition table: from a status, which statuses an update may move to.
# Leaving "resolved" for an open status needs reopen(); "postmortem" comes with publishing one.
TRANSITIONS: dict[str, set[str]] = {
    "investigating": _OPEN,
    "identified": _OPEN,
    "monitoring": _OPEN,
    "resolved": set(),
    "postmortem": set(),
    "scheduled": {"scheduled", "in_progress", "completed"},
    "in_progress": {"in_progress", "verifying", "completed"},
    "verifying": {"in_progress", "verifying", "completed"},
    "completed": set(),
}
FINAL_STATUSES = {"resolved", "postmortem", "completed"}
MAINTENANCE_START = "scheduled"

ComponentStatuses = dict[Component, str]


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
) -> Incident:
    """Open an incident with its first update (or save it as a draft nobody else sees)."""
    title = _clean_title(title)
    if impact not in IMPACTS:
        raise ServiceError(f"Unknown impact “{impact}”.")
    if status not in _OPEN - {"resolved"}:
        raise ServiceError("A new incident starts as investigating, identified or monitoring.")
    component_statuses = component_statuses or {}
    incident = Incident(
        title=title,
        impact=impact,
        status=status,
        kind=kind,
        variables=variables or {},
        draft=draft,
        components=list(component_statuses),
    )
    if status == "monitoring":
        incident.monitoring_at = utcnow()
    db.session.add(incident)
    _add_update(incident, status, body, user, component_statuses, translations, next_update_at)
    db.session.flush()
    record(
        user,
        "incident.draft" if draft else "incident.open",
        _target(incident),
        None,
        snapshot(incident),
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
) -> IncidentUpdate:
    """Post an update, moving the incident to a new status allowed by the transition table."""
    if status not in TRANSITIONS.get(incident.status, set()):
        if incident.status in FINAL_STATUSES:
            raise ServiceError("This incident is closed. Reopen it to post a new update.")
        raise ServiceError(f"An incident cannot move from {incident.status} to {status}.")
    before = snapshot(incident)
    component_statuses = component_statuses or {}
    for component in component_statuses:
        if component not in incident.components:
            incident.components.append(component)
    _set_status(incident, status)
    update = _add_update(
        incident, status, body, user, component_statuses, translations, next_update_at
    )
    db.session.flush()
    record(user, "incident.update", _target(incident), before, snapshot(incident))
    return update


def resolve(
    incident: Incident,
    *,
    body: str,
    user: User | None,
    component_statuses: ComponentStatuses | None = None,
    translations: dict | None = None,
) -> IncidentUpdate:
    """Resolve an incident; its components return to operational unless told otherwise."""
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
    )


def reopen(incident: Incident, *, status: str, body: str, user: User | None) -> IncidentUpdate:
    """Reopen a resolved incident explicitly, with an update saying why."""
    if incident.status != "resolved":
        raise ServiceError("Only a resolved incident can be reopened.")
    if status not in _OPEN - {"resolved"}:
        raise ServiceError("Reopen as investigating, identified or monitoring.")
    incident.status = "investigating"
    incident.resolved_at = None
    update = post_update(incident, status=status, body=body, user=user)
    record(user, "incident.reopen", _target(incident), None, snapshot(incident))
    return update


def edit_update(update: IncidentUpdate, *, body: str, user: User | None) -> None:
    """Correct an update's text; the edit is recorded and shown as edited."""
    body = _clean_body(body)
    if body == update.body:
        return
    before = {"body": update.body}
    update.body = body
    update.body_html = render_markdown(body)
    update.edited_at = utcnow()
    record(user, "update.edit", _target(update.incident), before, {"body": body})


def publish_draft(incident: Incident, *, user: User | None) -> None:
    """Publish a draft incident now: its updates become public and component changes apply."""
    if not incident.draft:
        raise ServiceError("This incident is already published.")
    now = utcnow()
    incident.draft = False
    incident.started_at = now
    for update in incident.updates:
        update.display_at = now
        _apply_component_changes(update)
    record(user, "incident.publish", _target(incident), None, snapshot(incident))


def delete_draft(incident: Incident, *, user: User | None) -> None:
    """Delete a draft incident; published incidents are history and cannot be deleted."""
    if not incident.draft:
        raise ServiceError("Only drafts can be deleted; a published incident stays in the history.")
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
    }


def _add_update(incident, status, body, user, component_statuses, translations, next_update_at):
    """Create an update, with its rendered HTML and component changes."""
    body = _clean_body(body)
    changes = []
    for component, new_status in component_statuses.items():
        if new_status not in COMPONENT_STATUSES:
            raise ServiceError(f"Unknown component status “{new_status}”.")
        changes.append(
            {"component_id": component.id, "old_status": component.status, "new_status": new_status}
        )
    update = IncidentUpdate(
        incident=incident,
        status=status,
        body=body,
        body_html=render_markdown(body),
        author_id=user.id if user else None,
        component_changes=changes,
        translations=_render_translations(translations or {}),
        next_update_at=None if status in FINAL_STATUSES else next_update_at,
    )
    db.session.add(update)
    if not incident.draft:
        _apply_component_changes(update)
    return update


def _apply_component_changes(update: IncidentUpdate) -> None:
    """Move the update's components to their new statuses."""
    for change in update.component_changes:
        component = db.session.get(Component, change["component_id"])
        if component is not None:
            component.status = change["new_status"]


def _render_translations(translations: dict[str, str]) -> dict:
    """Render every language's Markdown once, sanitized."""
    return {
        lang: {"body": _clean_body(text), "html": render_markdown(text)}
        for lang, text in translations.items()
        if text and text.strip()
    }


def _set_status(incident: Incident, status: str) -> None:
    """Set the status and the timestamps that go with it."""
    incident.status = status
    if status == "monitoring" and incident.monitoring_at is None:
        incident.monitoring_at = utcnow()
    if status in FINAL_STATUSES and incident.resolved_at is None:
        incident.resolved_at = utcnow()


def _clean_title(title: str) -> str:
    """Validate an incident title."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("The title is empty: say in a few words what is wrong.")
    if len(title) > 200:
        raise ServiceError("The title is too long (200 characters at most).")
    return title


def _clean_body(body: str) -> str:
    """Validate an update text."""
    body = (body or "").strip()
    if not body:
        raise ServiceError("The update text is empty: tell customers what is going on.")
    limit = current_app.config["MAX_UPDATE_LENGTH"]
    if len(body) > limit:
        raise ServiceError(
            f"The update text is too long ({len(body)} characters; {limit} at most)."
        )
    return body


def _target(incident: Incident) -> str:
    """Name an incident in the audit log."""
    return f"incident {incident.public_id}: {incident.title}"
