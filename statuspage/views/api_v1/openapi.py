"""The OpenAPI 3.1 description of /api/v1; tests validate real responses against these schemas."""

from __future__ import annotations

from statuspage.services.links import public_url
from statuspage.views.api_v1.aftercare import AFTERCARE_SCHEMAS
from statuspage.vocabulary import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    INDICATORS,
    MAINTENANCE_STATUSES,
    OPEN_STATUSES,
)

_STATUS = {"type": "string", "enum": list(INCIDENT_STATUSES + MAINTENANCE_STATUSES)}
_COMPONENT_STATUS = {"type": "string", "enum": list(COMPONENT_STATUSES)}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
_TITLES = {
    "type": "object",
    "additionalProperties": {"type": "string", "maxLength": 200},
    "description": "Language code → the title in that language (the shop's other enabled "
    "languages; empty drops one). Readers of a language without one see the main title.",
}


_TIMES = {
    "began_at": {
        **_TIME,
        "description": "When the problem began (past; leave out while unknown). Messages say "
        "“not known yet” without it.",
    },
    "became_aware_at": {
        **_TIME,
        "description": "When the team became aware (past; default: now, on opening). Legal "
        "deadlines count from here. On an update: a correction, recorded in the audit log.",
    },
}


def _ref(name: str) -> dict:
    """Point at a schema in components."""
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    """Describe a JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    400: "The body or a parameter cannot be read (wrong type, unknown field, bad time).",
    401: "No API token, or an unknown or revoked one.",
    404: "There is no incident with this id.",
    413: "The body is larger than the server accepts (STATUSPAGE_MAX_CONTENT_LENGTH).",
    415: "The body is not sent as application/json.",
    422: "The request breaks a rule (e.g. an impossible status change); nothing changed.",
}


def _errors(*codes: int) -> dict:
    """Point at the error responses an operation can give."""
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _operation(summary: str, ok: str, schema: dict, codes: tuple, body: str | None = None) -> dict:
    """Describe one operation."""
    responses = {ok: _json(schema, summary)} | _errors(401, *codes)
    operation = {"summary": summary, "responses": responses}
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


_ID = {"name": "public_id", "in": "path", "required": True, "schema": {"type": "string"}}
_SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    },
    "Update": {
        "type": "object",
        "required": [
            "id",
            "status",
            "body",
            "translations",
            "display_at",
            "published",
            "next_update_at",
            "edited_at",
            "component_changes",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "status": _STATUS,
            "body": {"type": "string", "description": "Markdown, as written."},
            "translations": _TEXTS,
            "display_at": _TIME,
            "published": {"type": "boolean", "description": "False while display_at is ahead."},
            "next_update_at": _NULLABLE_TIME,
            "edited_at": _NULLABLE_TIME,
            "component_changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["component_id", "old_status", "new_status"],
                    "properties": {
                        "component_id": {"type": ["string", "null"]},
                        "old_status": _COMPONENT_STATUS,
                        "new_status": _COMPONENT_STATUS,
                    },
                },
            },
        },
    },  # fmt: skip
    "Incident": {
        "type": "object",
        "required": [
            "id",
            "title",
            "status",
            "impact",
            "kind",
            "draft",
            "maintenance",
            "url",
            "started_at",
            "began_at",
            "became_aware_at",
            "notice",
            "resolved_at",
            "components",
            "updates",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_translations": _TITLES,
            "status": _STATUS,
            "impact": {"type": "string", "enum": list(INDICATORS)},
            "kind": {"type": ["string", "null"], "description": "The playbook, if any."},
            "draft": {"type": "boolean"},
            "maintenance": {"type": "boolean"},
            "url": {"type": "string", "format": "uri"},
            "started_at": {
                **_TIME,
                "description": "When it opened on the page (first publication).",
            },
            "began_at": {
                **_NULLABLE_TIME,
                "description": "When the problem began; null: not known.",
            },
            "became_aware_at": {
                **_TIME,
                "description": "When the team became aware; legal "
                "deadlines (GDPR 72 h) count from here.",
            },
            "notice": {
                "type": "boolean",
                "description": "A notice, not an outage (data breach, "
                "phishing, recall): the page indicator follows the components only.",
            },
            "resolved_at": _NULLABLE_TIME,
            "components": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "status"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "status": _COMPONENT_STATUS,
                    },
                },
            },
            "updates": {"type": "array", "items": _ref("Update"), "description": "Newest first."},
        },
    },  # fmt: skip
    "IncidentEnvelope": {
        "type": "object",
        "required": ["incident"],
        "properties": {
            "incident": _ref("Incident"),
            "message": {
                "type": "string",
                "description": "After a post: published or scheduled for when, and whether it "
                "kept the promise customers were waiting on (“… It came 25 min after the "
                "promised 10 Mar 2026, 14:30 CET: that promise is marked late.”).",
            },
        },
    },
    "IncidentList": {
        "type": "object",
        "required": ["incidents"],
        "properties": {"incidents": {"type": "array", "items": _ref("Incident")}},
    },
    "CreateIncident": {
        "type": "object",
        "description": "Either title and body (plain), or playbook and variables (composed in every "
        "enabled language by the playbook, with the transparency check).",
        "anyOf": [{"required": ["title", "body"]}, {"required": ["playbook"]}],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "body": {"type": "string", "description": "The first update, in Markdown."},
            "impact": {"type": "string", "enum": list(IMPACTS), "default": "minor"},
            "status": {
                "type": "string",
                "enum": list(OPEN_STATUSES),
                "default": OPEN_STATUSES[0],
            },
            "components": {
                "type": "object",
                "additionalProperties": _COMPONENT_STATUS,
                "description": "Component id (from /api/v2/components.json) → new status.",
            },
            "translations": {**_TEXTS, "description": "Language code → the body in that language."},
            "title_translations": _TITLES,
            "next_update_at": {
                **_TIME,
                "description": "When the next update is promised (future).",
            },
            "display_at": {**_TIME, "description": "Publish later (future, within a year)."},
            "draft": {"type": "boolean", "default": False},
            "playbook": {"type": "string", "description": "A playbook kind, e.g. delivery-delay."},
            "variables": {
                **_TEXTS,
                "description": "The playbook's variables, as typed in the admin.",
            },
            "publish_anyway": {
                "type": "boolean",
                "default": False,
                "description": "Publish a playbook message despite a failing check.",
            },
            **_TIMES,
        },
    },  # fmt: skip
    "PostUpdate": {
        "type": "object",
        "description": "Either status and body (plain), or variables (composed from the incident's "
        "playbook in every enabled language, with the same bound sentences and transparency "
        "check as the admin; status defaults to the playbook's next stage).",
        "anyOf": [{"required": ["status", "body"]}, {"required": ["variables"]}],
        "additionalProperties": False,
        "properties": {
            "status": _STATUS,
            "body": {"type": "string"},
            "variables": {**_TEXTS, "description": "The playbook stage's variables."},
            "title_translations": _TITLES,
            "publish_anyway": {
                "type": "boolean",
                "default": False,
                "description": "Publish a playbook update despite a failing check (audited).",
            },
            **_TIMES,
            "components": {"type": "object", "additionalProperties": _COMPONENT_STATUS},
            "translations": _TEXTS,
            "next_update_at": _TIME,
            "display_at": {
                **_TIME,
                "description": "Publish later: must be in the future. Not with "
                "components or a closing status.",
            },
            "confirm_open_items": {
                "type": "boolean",
                "default": False,
                "description": "Resolve although checklist items for during the crisis are open "
                "(recorded in the audit log); without it such a resolve is refused with 422.",
            },
        },
    },  # fmt: skip
    "Resolve": {
        "type": "object",
        "required": ["body"],
        "additionalProperties": False,
        "properties": {
            "body": {"type": "string"},
            "components": {"type": "object", "additionalProperties": _COMPONENT_STATUS},
            "translations": _TEXTS,
            "keep_components": {"type": "boolean", "default": False},
            "display_at": {**_TIME, "description": "Resolve later (future, within a year)."},
            "confirm_open_items": {
                "type": "boolean",
                "default": False,
                "description": "Resolve although checklist items for during the crisis are open "
                "(recorded in the audit log); without it such a resolve is refused with 422.",
            },
        },
    },
}


_SCHEMAS |= AFTERCARE_SCHEMAS  # the postmortem and the checklist (api_v1/aftercare.py)


def _aftercare_paths() -> dict:
    """Describe the postmortem and checklist routes (api_v1/aftercare.py)."""
    answer, item = _ref("Aftercare"), {**_ID, "name": "item_id", "schema": {"type": "integer"}}
    write = (400, 404, 413, 415, 422)
    return {
        "/incidents/{public_id}/aftercare": {
            "parameters": [_ID],
            "get": _operation("Show the postmortem and the checklist", "200", answer, (404,)),
        },
        "/incidents/{public_id}/postmortem/translations": {
            "parameters": [_ID],
            "post": _operation("Write the postmortem in other languages (once public, no "
                               "template text or another language's sentences)",
                               "200", answer, write, "Translations"),
        },
        "/incidents/{public_id}/checklist/{item_id}/translations": {
            "parameters": [_ID, item],
            "post": _operation("Write one of the team's own checklist items in other languages",
                               "200", answer, write, "Translations"),
        },
    }  # fmt: skip


def openapi_document() -> dict:
    """Return the OpenAPI document for the write API."""
    envelope = _ref("IncidentEnvelope")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Candor write API",
            "version": "1",
            "description": "Open, update, schedule and resolve incidents from integrations.",
        },
        "servers": [{"url": public_url("/api/v1")}],
        "security": [{"token": []}],
        "paths": {
            "/incidents": {
                "get": _operation(
                    "List incidents, newest first", "200", _ref("IncidentList"), (400,)
                )
                | {
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["open", "closed", "draft", "all"],
                            },
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 100,
                                "default": 20,
                            },
                        },
                    ]
                },  # fmt: skip
                "post": _operation(
                    "Open an incident", "201", envelope, (400, 413, 415, 422), "CreateIncident"
                ),
            },
            "/incidents/{public_id}": {
                "parameters": [_ID],
                "get": _operation("Show an incident", "200", envelope, (404,)),
            },
            "/incidents/{public_id}/updates": {
                "parameters": [_ID],
                "post": _operation(
                    "Post or schedule an update",
                    "201",
                    envelope,
                    (400, 404, 413, 415, 422),
                    "PostUpdate",
                ),
            },
            "/incidents/{public_id}/resolve": {
                "parameters": [_ID],
                "post": _operation(
                    "Resolve an incident", "200", envelope, (400, 404, 413, 415, 422), "Resolve"
                ),
            },
            **_aftercare_paths(),
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from Admin → API tokens or `flask --app wsgi create-token`.",
                }
            },
            "schemas": _SCHEMAS,
            "responses": {f"E{code}": _json(_ref("Error"), text) for code, text in _ERRORS.items()},
        },
    }
