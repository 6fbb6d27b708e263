"""The write API (/api/v1): incidents for integrations, authenticated by `Authorization: Bearer <token>`.

Session cookies are never accepted here, so the blueprint is exempt from CSRF. Every error is JSON
{"error": {"status", "message"}}: 400 unreadable input, 401 no or bad token, 404 unknown incident,
415 not JSON, 422 a broken rule, 503 (with Retry-After) while the database stays busy; nothing is
changed by a request that fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Blueprint, g, jsonify, request, url_for

from statuspage.extensions import csrf, db
from statuspage.models import utcnow
from statuspage.services import ServiceError, plan
from statuspage.services.incidents.publication import posted_message
from statuspage.services.shop import get_shop
from statuspage.services.team.tokens import authenticate_token
from statuspage.services.transactions import DatabaseBusy
from statuspage.views.api_v1 import aftercare, payloads
from statuspage.views.api_v1.openapi import openapi_document
from statuspage.views.common import busy_message, committed
from statuspage.views.common import json_error as error

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def authenticate():
    """Let a request through only with an active API token; the token acts as its user."""
    if request.endpoint == "api_v1.openapi":
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return error(401, "Send an API token as “Authorization: Bearer <token>”.")
    user = authenticate_token(secret.strip())
    if user is None:
        return error(401, "This API token is unknown or has been revoked.")
    g.api_user = user
    return None


@bp.get("/openapi.json")
def openapi():
    """Describe this API in OpenAPI 3.1."""
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/incidents")
def list_incidents():
    """List incidents, newest first (?status=open|closed|draft|all, ?limit=1–100)."""
    return _run(
        lambda: {
            "incidents": [
                payloads.incident_json(i)
                for i in payloads.list_incidents(
                    request.args.get("status"), request.args.get("limit")
                )
            ]
        }
    )


@bp.post("/incidents")
def create_incident():
    """Open an incident with its first update."""

    def action():
        incident = payloads.create_incident(_body(), g.api_user)
        first = min(incident.updates, key=lambda u: (u.display_at, u.id))
        g.api_message = posted_message(first, None, get_shop().timezone, "Incident", "published")
        return incident

    return _run(action, status=201)


@bp.get("/incidents/<public_id>")
def get_incident(public_id: str):
    """Show one incident with all its updates, scheduled ones included."""
    return _run(lambda: _find(public_id))


@bp.post("/incidents/<public_id>/updates")
def post_update(public_id: str):
    """Post an update now, or schedule it with display_at (or compose it from the playbook)."""
    return _run(lambda: _publishing(public_id, payloads.add_update, "posted"), status=201)


@bp.post("/incidents/<public_id>/resolve")
def resolve(public_id: str):
    """Resolve an incident with a closing message."""
    return _run(lambda: _publishing(public_id, payloads.resolve_incident, "resolved"))


@bp.get("/incidents/<public_id>/aftercare")
def get_aftercare(public_id: str):
    """Show an incident's postmortem (with its translations) and its checklist."""
    return _run(lambda: aftercare.aftercare_json(_find(public_id)))


@bp.post("/incidents/<public_id>/postmortem/translations")
def translate_postmortem(public_id: str):
    """Write the postmortem in the shop's other languages."""
    g.api_aftercare = True
    return _run(lambda: aftercare.translate_postmortem(_find(public_id), _body(), g.api_user))


@bp.post("/incidents/<public_id>/checklist/<int:item_id>/translations")
def translate_checklist_item(public_id: str, item_id: int):
    """Write one of the team's own checklist items in the shop's other languages."""
    g.api_aftercare = True

    def action():
        entry = aftercare.find_item(_find(public_id), item_id)
        if entry is None:
            raise _NotFound(f"The incident has no checklist item with id {item_id}.")
        return aftercare.translate_item(entry, _body(), g.api_user)

    return _run(action)


def _publishing(public_id: str, act: Callable, verb: str):
    """Post on an incident and say, like the admin, whether it kept the promise customers await."""
    incident = _find(public_id)
    answered = plan.current_promise(incident, utcnow())
    update = act(incident, _body(), g.api_user)
    what = "Incident" if verb == "resolved" else "Update"
    g.api_message = posted_message(update, answered, get_shop().timezone, what, verb)
    return update.incident


class _NotFound(Exception):
    """The incident (or its item) asked for does not exist; the message says which."""


def _find(public_id: str):
    """Find an incident by its id or stop with 404."""
    found = payloads.find_incident(public_id)
    if found is None:
        raise _NotFound(f"There is no incident with id “{public_id}”.")
    return found


def _body() -> object:
    """Read the JSON body, refusing anything else."""
    if request.mimetype != "application/json":
        raise _Unsupported()
    try:
        data = json.loads(request.get_data() or b"null")
    except (ValueError, RecursionError) as exc:
        raise payloads.BadInput(f"The body is not valid JSON: {exc}.") from None
    stack = [data]
    while stack:  # Databases cannot store NUL or lone surrogates; refuse them anywhere.
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise payloads.BadInput("The body contains a NUL character, which is not allowed.")
        if isinstance(item, str) and not item.isascii() and _SURROGATE.search(item):
            raise payloads.BadInput("The body contains an unpaired surrogate (\\ud800–\\udfff).")
        stack.extend(
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if isinstance(item, dict):
            stack.extend(item)
    return data


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Unsupported(Exception):
    """The body is not JSON."""


def _run(action: Callable[[], object], status: int = 200):
    """Run one service call, commit, and answer with the incident (or the listing) as JSON."""
    try:
        result = committed(action)
    except DatabaseBusy:
        response = error(503, busy_message("published" if status == 201 else "saved"))
        response.headers["Retry-After"] = "2"
        return response
    except _NotFound as exc:
        db.session.rollback()
        return error(404, str(exc))
    except _Unsupported:
        db.session.rollback()
        return error(415, "Send the body as JSON with “Content-Type: application/json”.")
    except payloads.BadInput as exc:
        db.session.rollback()
        return error(400, str(exc))
    except ServiceError as exc:
        db.session.rollback()
        return error(422, str(exc))
    if isinstance(result, dict):
        return jsonify(result), status
    if g.get("api_aftercare"):  # the aftercare routes answer with the postmortem and checklist
        return jsonify(aftercare.aftercare_json(result)), status
    envelope = {"incident": payloads.incident_json(result)}
    if g.get("api_message"):
        envelope["message"] = g.api_message
    response = jsonify(envelope)
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for(".get_incident", public_id=result.public_id)
    return response
