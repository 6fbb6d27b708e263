"""The audit log as a person reads it: what was done, and each changed field before and after.

Entries are stored as data (an action code, a target, JSON before/after); this turns them into words in
the admin's language: "Component status" for `component.status`, "Status: Operational → Major outage",
"yes"/"no" for booleans, lists joined, times in the shop's timezone. Fields that did not change are
left out; a field or action without a name here is shown as it is stored (never as JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from statuspage import vocabulary
from statuspage.services.clock import localtime

ACTIONS = {
    "incident.open": _l("Incident opened"),
    "incident.draft": _l("Incident saved as a draft"),
    "incident.publish": _l("Incident published"),
    "incident.update": _l("Update posted"),
    "incident.reopen": _l("Incident reopened"),
    "incident.delete": _l("Incident deleted"),
    "incident.times": _l("Incident times corrected"),
    "incident.titles": _l("Incident title translated"),
    "incident.resolve_with_open_items": _l("Resolved with checklist items still open"),
    "incident.publish_despite_check": _l("Published despite the transparency check"),
    "update.published": _l("Scheduled update published"),
    "update.schedule": _l("Update scheduled"),
    "update.reschedule": _l("Scheduled update changed"),
    "update.publish_now": _l("Scheduled update published at once"),
    "update.cancel": _l("Scheduled update cancelled"),
    "update.edit": _l("Published update corrected"),
    "maintenance.plan": _l("Maintenance planned"),
    "maintenance.extend": _l("Maintenance end moved"),
    "deadline.done": _l("Deadline marked as done"),
    "component.create": _l("Component added"),
    "component.edit": _l("Component changed"),
    "component.status": _l("Component status set"),
    "component.move": _l("Component moved"),
    "component.delete": _l("Component deleted"),
    "component.texts": _l("Component translated"),
    "checklist.add": _l("Checklist item added"),
    "checklist.done": _l("Checklist item done"),
    "checklist.skip": _l("Checklist item skipped"),
    "checklist.reopen": _l("Checklist item reopened"),
    "checklist.assign": _l("Checklist item assigned"),
    "checklist.texts": _l("Checklist item translated"),
    "postmortem.edit": _l("Postmortem edited"),
    "postmortem.publish": _l("Postmortem published"),
    "postmortem.translations": _l("Postmortem translated"),
    "playbook.edit": _l("Playbook edited"),
    "playbook.reset": _l("Playbook reset to the defaults"),
    "settings.edit": _l("Settings changed"),
    "subscriber.remove": _l("Subscriber removed"),
    "webhook.add": _l("Webhook added"),
    "webhook.enable": _l("Webhook enabled"),
    "webhook.disable": _l("Webhook disabled"),
    "webhook.delete": _l("Webhook deleted"),
    "user.create": _l("Team member added"),
    "user.invite": _l("Team member invited"),
    "user.invite_withdraw": _l("Invitation withdrawn"),
    "user.join": _l("Team member joined"),
    "user.role": _l("Role changed"),
    "user.remove": _l("Team member removed"),
    "user.password": _l("Password changed"),
    "user.language": _l("Admin language changed"),
    "user.2fa_on": _l("Two-factor login turned on"),
    "user.2fa_off": _l("Two-factor login turned off"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "token.revoke_all": _l("All API tokens revoked"),
    "alerts.integration.create": _l("Alert integration connected"),
    "alerts.integration.delete": _l("Alert integration deleted"),
    "alerts.integration.enable": _l("Alert integration turned on"),
    "alerts.integration.disable": _l("Alert integration turned off"),
    "alerts.integration.token": _l("Alert integration token replaced"),
    "alerts.mapping.add": _l("Alert mapping added"),
    "alerts.mapping.delete": _l("Alert mapping deleted"),
}

FIELDS = {
    "name": _l("Name"),
    "title": _l("Title"),
    "body": _l("Text"),
    "status": _l("Status"),
    "impact": _l("Impact"),
    "description": _l("Description"),
    "group": _l("Group"),
    "is_group": _l("Group of components"),
    "position": _l("Position"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "language": _l("Language"),
    "languages": _l("Languages"),
    "default_language": _l("Default language"),
    "timezone": _l("Timezone"),
    "url": _l("URL"),
    "note": _l("Note"),
    "deadline": _l("Deadline"),
    "until": _l("Until"),
    "from": _l("From"),
    "kind": _l("Kind"),
    "draft": _l("Draft"),
    "templates": _l("Templates"),
    "cadence": _l("Cadence (minutes)"),
    "translations": _l("Translations"),
    "display_at": _l("Publish at"),
    "next_update_at": _l("Next update by"),
    "began_at": _l("The problem began at"),
    "became_aware_at": _l("We became aware at"),
    "components": _l("Components"),
    "revoked": _l("Revoked"),
    "open": _l("Still open"),
    "assignee": _l("Assigned to"),
    "state": _l("State"),
    "public": _l("Shown to customers"),
    "text": _l("Text"),
    "category": _l("Category"),
}
TARGETS = {
    "incident": _l("incident"),
    "component": _l("component"),
    "user": _l("team member"),
    "webhook": _l("webhook"),
    "playbook": _l("playbook"),
    "subscriber": _l("subscriber"),
    "checklist item": _l("checklist item"),
    "checklist": _l("checklist item"),
}
ROLES = {"owner": _l("Owner"), "editor": _l("Editor")}
LONG = 300  # a longer value (a whole update's text) is cut, the rest is in the database


@dataclass(frozen=True)
class Change:
    """One field of an entry: its name, and its value before and after, as words."""

    field: str
    before: str
    after: str


def action_name(action: str) -> str:
    """Name an action the way a person says it ("Component status set"), else show its code."""
    return str(ACTIONS[action]) if action in ACTIONS else action


def target_name(target: str) -> str:
    """Translate the kind of thing a target names ("component Checkout"), keeping its own name."""
    for noun, name in TARGETS.items():
        if target.startswith(noun + " "):
            return f"{name} {target[len(noun) + 1 :]}"
    return target


def changes(before, after) -> list[Change]:
    """List each field that changed (or was set or removed), both sides as words.

    A side that did not exist (a creation's before, a deletion's after) stays empty rather than
    listing every field as "—".
    """
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [Change("", _side(before, before), _side(after, after))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = [*old, *(k for k in new if k not in old)]
    return [
        Change(field_name(key), _side(before, old.get(key), key), _side(after, new.get(key), key))
        for key in keys
        if old.get(key) != new.get(key) or key not in old or key not in new
    ]


def _side(whole, item, key: str = "") -> str:
    """Write one side's value; nothing at all when that side did not exist."""
    return "" if whole is None else value(item, key)


def field_name(key: str) -> str:
    """Name a stored field the way the admin's forms do ("next_update_at" → "Next update by")."""
    return str(FIELDS[key]) if key in FIELDS else key.replace("_", " ").capitalize()


def value(item, key: str = "") -> str:
    """Write a stored value as words: statuses by their label, yes/no, lists joined, times local."""
    if item is None or item == "":
        return "—"
    if isinstance(item, bool):
        return str(_l("yes") if item else _l("no"))
    if isinstance(item, list):
        return ", ".join(value(part) for part in item) or "—"
    if isinstance(item, dict):
        return (
            "; ".join(f"{field_name(str(k))}: {value(v, str(k))}" for k, v in item.items()) or "—"
        )
    text = str(item)
    if key == "role" and text in ROLES:
        return str(ROLES[text])
    if key.endswith(("_at", "until", "from")) and (when := _time(text)) is not None:
        return localtime(when)
    if text in vocabulary.LABELS:
        return str(vocabulary.label(text))
    return text if len(text) <= LONG else text[:LONG] + "…"


def _time(text: str) -> datetime | None:
    """Read a stored ISO time (naive UTC), or None when the text is not one."""
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is None else found.astimezone(UTC).replace(tzinfo=None)
