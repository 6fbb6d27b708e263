"""The write API after the crisis: read an incident's postmortem and checklist, and write the postmortem
and the team's own checklist items in the shop's other languages (the admin's rules, audited).

The postmortem itself is written and published in the admin (it is pre-filled from the incident there);
integrations such as a translation service read it here and send back each language.
"""

from __future__ import annotations

from flask_babel import gettext as _

from statuspage.models import Incident, User
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError, texts
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.clock import iso
from statuspage.views.api_v1.payloads import read_fields

TRANSLATIONS = {"translations": (dict,)}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
_PER_LANGUAGE = {"type": "object", "additionalProperties": {"type": "string"}}
# The OpenAPI schemas of these answers and requests (openapi.py adds them to the document).
AFTERCARE_SCHEMAS = {
    "Aftercare": {
        "type": "object",
        "required": ["incident_id", "postmortem", "checklist"],
        "additionalProperties": False,
        "properties": {
            "incident_id": {"type": "string"},
            "postmortem": {
                "type": ["object", "null"],
                "description": "Null until the team starts one in the admin.",
                "required": ["body", "translations", "published_at", "edited_at"],
                "properties": {
                    "body": {"type": "string", "description": "Markdown, the default language."},
                    "translations": {**_PER_LANGUAGE, "description": "Language code → Markdown."},
                    "published_at": _WHEN,
                    "edited_at": _WHEN,
                },
            },
            "checklist": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "own", "category", "text", "public", "state", "due_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "own": {
                            "type": "boolean",
                            "description": "Added by the team (translatable here); false: from "
                            "the playbook, which has it in every language.",
                        },
                        "category": {"type": "string"},
                        "text": {**_PER_LANGUAGE, "description": "Language code → the action."},
                        "public": {"type": "boolean"},
                        "state": {"type": "string", "enum": ["open", "done", "skipped"]},
                        "due_at": _WHEN,
                    },
                },
            },
        },
    },
    "Translations": {
        "type": "object",
        "required": ["translations"],
        "additionalProperties": False,
        "properties": {
            "translations": {
                **_PER_LANGUAGE,
                "description": "Language code (the shop's other enabled languages) → the text; "
                "an empty text drops that language, whose readers then see the default one, "
                "marked as such. Languages left out stay as they are.",
            }
        },
    },
}


def aftercare_json(incident: Incident) -> dict:
    """Describe an incident's postmortem (null before one is started) and its checklist."""
    found = postmortem.get(incident)
    return {
        "incident_id": incident.public_id,
        "postmortem": None
        if found is None
        else {
            "body": found.body,
            "translations": {
                lang: t.get("body", "") for lang, t in (found.translations or {}).items()
            },
            "published_at": iso(found.published_at),
            "edited_at": iso(found.edited_at),
        },
        "checklist": [_item_json(entry) for entry in checklist.entries(incident)],
    }


def _item_json(entry: ChecklistEntry) -> dict:
    """Describe one checklist item; `own` items (added by the team) can be translated here."""
    return {
        "id": entry.id,
        "own": entry.key is None,
        "category": entry.category,
        "text": dict(entry.text or {}),
        "public": entry.public,
        "state": entry.state,
        "due_at": iso(entry.due_at),
    }


def translate_postmortem(incident: Incident, data: object, user: User) -> Incident:
    """Set the postmortem's text in the languages given ("" drops one)."""
    data = read_fields(data, TRANSLATIONS, required=("translations",))
    found = postmortem.get(incident)
    if found is None:
        raise ServiceError(_("This incident has no postmortem yet: write it in the admin first."))
    texts.set_postmortem_translations(found, data["translations"], user=user)
    return incident


def find_item(incident: Incident, item_id: int) -> ChecklistEntry | None:
    """Find one of the incident's checklist items."""
    return next((e for e in checklist.entries(incident) if e.id == item_id), None)


def translate_item(entry: ChecklistEntry, data: object, user: User) -> Incident:
    """Set the team's own checklist item in the languages given ("" drops one)."""
    data = read_fields(data, TRANSLATIONS, required=("translations",))
    texts.set_checklist_texts(entry, data["translations"], user=user)
    return entry.incident
