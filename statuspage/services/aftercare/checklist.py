"""The trust-rebuilding checklist: attached from the playbook, ticked, skipped, added to, assigned.

Items due relative to the resolution ("ask for feedback 7 days after") exist from the opening but only
apply once the incident is resolved. Until then the admin shows them folded under a labelled "After
resolution" group (see `grouped`): not hidden, because a support team planning the aftermath wants to see
what is coming and may tick one early (compensation offered during the crisis); not mixed in, because
they have no due time yet and are neither open crisis work nor overdue (`open_now_items` and
`overdue_items` leave them out). Reopening an incident folds them away again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.playbooks.loader import CATEGORIES, get_playbook

CATEGORY_TITLES = {
    "own_it": _l("Own it"),
    "make_it_right": _l("Make it right"),
    "fix_the_cause": _l("Fix the cause"),
    "prevent_recurrence": _l("Prevent recurrence"),
    "listen_and_follow_up": _l("Listen and follow up"),
}


def entries(incident: Incident) -> list[ChecklistEntry]:
    """Return an incident's checklist in order."""
    return list(
        db.session.scalars(
            select(ChecklistEntry)
            .where(ChecklistEntry.incident_id == incident.id)
            .order_by(ChecklistEntry.position, ChecklistEntry.id)
        )
    )


def attachable(incident: Incident) -> int:
    """Return how many playbook items `attach` would add (0 once attached, for drafts, without a playbook)."""
    return len(_playbook_items(incident))


def attach(incident: Incident) -> int:
    """Attach the playbook's checklist to an incident once; return how many items were added.

    Every commit that touches an incident from a playbook does this (`follow_incidents`, from events.py);
    the admin offers it by hand for an incident that predates its playbook's checklist.
    """
    items = _playbook_items(incident)
    for position, item in enumerate(items):
        db.session.add(
            ChecklistEntry(
                incident_id=incident.id, key=item.key, category=item.category, text=dict(item.text),
                why=dict(item.why), after=item.after, hours=item.hours, public=item.public,
                position=position, due_at=_due(incident, item.after, item.hours),
            )
        )  # fmt: skip
    return len(items)


def _playbook_items(incident: Incident) -> list:
    """Return the playbook's checklist items an incident still lacks: all of them, or none."""
    playbook = get_playbook(incident.kind)
    if playbook is None or incident.draft or _count(incident):
        return []
    return playbook.checklist


def sync_due_times(incident: Incident) -> None:
    """Set the due times that depend on resolution once the incident is resolved (and clear on reopen)."""
    for entry in entries(incident):
        due = _due(incident, entry.after, entry.hours)
        if entry.after == "resolved" and entry.due_at != due:
            entry.due_at = due


def follow_incidents(incidents: list[Incident]) -> None:
    """Attach checklists to incidents opened from a playbook, and keep their due times right."""
    for incident in incidents:
        if incident.kind and not incident.draft:
            attach(incident)
            db.session.flush()
            sync_due_times(incident)


def tick(entry: ChecklistEntry, *, user: User | None, note: str = "") -> None:
    """Mark an item done: who, when, and a note."""
    entry.state, entry.done_at, entry.done_by_id = "done", utcnow(), user and user.id
    entry.note = _clean_note(note)
    record(user, "checklist.done", _target(entry), None, {"note": entry.note})


def skip(entry: ChecklistEntry, *, user: User | None, reason: str) -> None:
    """Skip an item; saying why is required."""
    reason = _clean_note(reason)
    if not reason:
        raise ServiceError(_("Say why this item is skipped."), field="note")
    entry.state, entry.done_at, entry.done_by_id, entry.note = (
        "skipped",
        utcnow(),
        user and user.id,
        reason,
    )
    record(user, "checklist.skip", _target(entry), None, {"reason": reason})


def reopen(entry: ChecklistEntry, *, user: User | None) -> None:
    """Put a done or skipped item back on the list."""
    entry.state, entry.done_at, entry.done_by_id = "open", None, None
    record(user, "checklist.reopen", _target(entry), None, None)


def assign(entry: ChecklistEntry, assignee: User | None, *, user: User | None) -> None:
    """Give an item to a teammate (or to nobody)."""
    entry.assignee_id = assignee.id if assignee else None
    record(
        user,
        "checklist.assign",
        _target(entry),
        None,
        {"assignee": assignee.email if assignee else None},
    )


def add(
    incident: Incident, *, text: str, category: str, lang: str, user: User | None,
    due_at: datetime | None = None, public: bool = False,
) -> ChecklistEntry:  # fmt: skip
    """Add the team's own item to an incident's checklist."""
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise ServiceError(_("Describe the action in 1 to 500 characters."), field="text")
    if category not in CATEGORIES:
        raise ServiceError(
            _("Unknown category “%(category)s”.", category=category), field="category"
        )
    entry = ChecklistEntry(
        incident_id=incident.id, category=category, text={lang: text}, after="opened", public=public,
        due_at=due_at, position=_count(incident),
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    record(user, "checklist.add", _target(entry), None, {"text": text, "category": category})
    return entry


def grouped(incident: Incident) -> tuple[list[ChecklistEntry], list[ChecklistEntry]]:
    """Split the checklist into the items that apply now and those waiting for the resolution."""
    now, later = [], []
    for entry in entries(incident):
        (later if waits_for_resolution(entry, incident) else now).append(entry)
    return now, later


def waits_for_resolution(entry: ChecklistEntry, incident: Incident) -> bool:
    """Tell whether an item only applies after a resolution that has not happened (yet, or again)."""
    return entry.after == "resolved" and incident.resolved_at is None


def open_now_items(incident: Incident) -> list[ChecklistEntry]:
    """Return the open items meant for during the crisis (due from the opening), which resolving should not forget."""
    return [e for e in entries(incident) if e.state == "open" and e.after == "opened"]


def overdue_items(incident: Incident, now: datetime | None = None) -> list[ChecklistEntry]:
    """Return the open items past their due time."""
    now = now or utcnow()
    return [
        e
        for e in entries(incident)
        if e.state == "open" and e.due_at is not None and e.due_at < now
    ]


def public_items(incident: Incident) -> list[ChecklistEntry]:
    """Return the items customers see under “What we are doing to make it right”."""
    return [e for e in entries(incident) if e.public and e.state != "skipped"]


def _due(incident: Incident, after: str, hours: int) -> datetime | None:
    """Compute when an item is due, or None while its reference time is unknown."""
    reference = incident.aware_at if after == "opened" else incident.resolved_at
    return reference + timedelta(hours=hours) if reference else None


def _count(incident: Incident) -> int:
    """Count an incident's checklist items."""
    return (
        db.session.scalar(select(func.count()).where(ChecklistEntry.incident_id == incident.id))
        or 0
    )


def _clean_note(note: str | None) -> str:
    """Validate a note or reason."""
    note = (note or "").strip()
    if len(note) > 1000:
        raise ServiceError(_("The note is too long (1000 characters at most)."), field="note")
    return note


def _target(entry: ChecklistEntry) -> str:
    """Name a checklist item in the audit log."""
    return f"checklist item {entry.id} of incident {entry.incident_id}: {entry.text_in('en')[:60]}"
