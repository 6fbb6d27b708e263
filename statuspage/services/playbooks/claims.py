"""What an incident's team has recorded as done, so bound sentences say only what is true.

A deadline is done once it is marked done on the plan; a checklist item once it is ticked (skipped
items are neither done nor promised). Until an incident exists, or before its checklist is attached,
everything is still planned, due as the playbook says from the moment the team became aware.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from statuspage.models import Incident, utcnow
from statuspage.services import plan
from statuspage.services.aftercare import checklist
from statuspage.services.playbooks.bindings import Claim
from statuspage.services.playbooks.loader import Playbook


def planned(playbook: Playbook, aware_at: datetime, lang: str = "en") -> dict[str, Claim]:
    """Return every deadline and checklist item as still planned, due from awareness."""
    claims = {
        item.key: Claim(
            "planned",
            aware_at + timedelta(hours=item.hours) if item.after == "opened" else None,
            playbook.in_lang(item.text, lang),
        )
        for item in playbook.checklist
    }
    for deadline in playbook.deadlines:
        claims[deadline.key] = Claim(
            "planned",
            aware_at + timedelta(hours=deadline.hours),
            playbook.in_lang(deadline.label, lang),
        )
    return claims


def recorded(incident: Incident | None, playbook: Playbook, lang: str = "en") -> dict[str, Claim]:
    """Return what the incident's team has recorded for each deadline and checklist item."""
    if incident is None or incident.id is None:
        return planned(playbook, utcnow(), lang)
    claims = planned(playbook, incident.aware_at, lang)
    for entry in checklist.entries(incident):
        if entry.key in claims:
            state = {"done": "done", "skipped": "skipped"}.get(entry.state, "planned")
            claims[entry.key] = Claim(state, entry.due_at, claims[entry.key].label)
    if not incident.draft:
        for view in plan.deadlines_for(incident, utcnow(), playbook, lang):
            state = "done" if view.state == "done" else "planned"
            claims[view.key] = Claim(state, view.due_at, view.label)
    return claims


def states(claims: dict[str, Claim]) -> dict[str, str]:
    """Return each key's state, as rendering needs it."""
    return {key: claim.state for key, claim in claims.items()}
