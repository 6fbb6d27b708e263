"""Alert intake (/api/alerts/<integration>): monitoring systems POST here; a firing alert opens a draft.

The token comes as `Authorization: Bearer <token>` or, for senders that cannot set a header, as the last
part of the path. Wrong or missing token: 401. A body this integration cannot read: 400, nothing changed.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError, OperationalError

from statuspage.extensions import csrf, db
from statuspage.services import ServiceError
from statuspage.services.alerts import intake, integrations, payloads
from statuspage.views.common import json_error

bp = Blueprint("alerts", __name__, url_prefix="/api/alerts")
csrf.exempt(bp)


def error(status: int, message: str):
    """Answer with a JSON error like the rest of /api."""
    return json_error(status, message, realm="Candor alerts")


@bp.post("/<public_id>")
@bp.post("/<public_id>/<token>")
def receive(public_id: str, token: str | None = None):
    """Receive one notification: act on its alerts, or say why not."""
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    secret = token or (bearer.strip() if scheme.lower() == "bearer" else "")
    integration = integrations.authenticate(public_id, secret)
    if integration is None:
        return error(401, "Send this integration's token as “Authorization: Bearer <token>”.")
    try:
        data = _decoded()
        signals = payloads.parse(integration.kind, data, current_app.config["ALERT_MAX_ALERTS"])
        outcome = intake.receive(integration, signals)
        db.session.commit()
    except payloads.BadPayload as bad:
        db.session.rollback()
        return error(400, str(bad))
    except ServiceError as refused:
        db.session.rollback()
        return error(422, str(refused))
    except (IntegrityError, OperationalError):  # a lock timed out: the sender retries a 5xx
        db.session.rollback()
        current_app.logger.warning("alert notification for %s not taken; retry", public_id)
        return error(503, "Busy; please retry.")
    return jsonify({"ok": True, **outcome.as_dict()})


def _decoded() -> object:
    """Decode the body: JSON, or Uptime Kuma's form-data with the JSON in its `data` field."""
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("urlencoded"):
        raw = request.form.get("data", "")
    else:
        raw = request.get_data(cache=False, as_text=True)
    try:
        return json.loads(raw)
    except ValueError:
        raise payloads.BadPayload("The body is not JSON.") from None
