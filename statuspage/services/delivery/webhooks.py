"""Outgoing webhooks in the Statuspage shape (meta, page, incident | component + component_update).

Events: every update that becomes public (which covers incident status changes and maintenance
transitions: each posts an update) and every component status change, however it was made (the job
compares each component with the status last reported, in `component_seen`, claimed by a conditional
UPDATE), and a maintenance's reminder before it starts (`maintenance.reminder`: the incident object plus
`reminder.starts_at` and `reminder.minutes_before`). The body is built once, stored in the delivery row, and POSTed with an HMAC-SHA256 signature:

    X-Candor-Signature: t=<unix time>,v1=<hex of HMAC-SHA256(secret, "<t>.<body>")>

Failures are retried with backoff; WEBHOOK_DISABLE_AFTER failed attempts in a row disable the endpoint,
cancel what it still had queued, and tell the team.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, or_, select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, User, new_public_id, utcnow
from statuspage.models.delivery import WebhookDelivery
from statuspage.models.subscribers import ComponentSeen, WebhookEndpoint
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.delivery import egress, notify, outbox
from statuspage.services.delivery.claims import insert_if_absent
from statuspage.services.delivery.subscribers import FANOUT_WINDOW
from statuspage.services.delivery.team_text import N_, TeamText
from statuspage.services.links import public_url
from statuspage.services.public.status import page_status, visible_updates
from statuspage.services.public.statuspage_json import (
    component_object,
    context,
    incident_object,
    iso,
)
from statuspage.site_version import private_write

log = logging.getLogger("statuspage.webhooks")


def add_endpoint(url: str, component: Component | None, user: User | None) -> WebhookEndpoint:
    """Register a URL for events (of one component, or all)."""
    url = (url or "").strip()
    unusable = _("The webhook URL must be a full http:// or https:// address.")
    if len(url) > 500 or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ServiceError(unusable, field="url")
    try:
        egress.check(url)  # again at every send: the name may resolve elsewhere by then
    except ValueError as bad:
        port = "port" in str(bad)
        raise ServiceError(
            _("The webhook URL has an invalid port.") if port else unusable, field="url"
        ) from None
    except egress.Refused as refused:
        reason = str(refused).removeprefix("refused: ")
        raise ServiceError(
            _(
                "The webhook URL was refused (%(reason)s): webhooks may only reach public "
                "addresses (WEBHOOK_ALLOW_PRIVATE allows internal ones).",
                reason=reason,
            ),
            field="url",
        ) from None
    endpoint = WebhookEndpoint(url=url, component=component, secret=secrets.token_hex(24))
    db.session.add(endpoint)
    db.session.flush()
    record(user, "webhook.add", f"webhook {endpoint.id}", None, {"url": url})
    return endpoint


def set_enabled(endpoint: WebhookEndpoint, enabled: bool, user: User | None) -> None:
    """Enable (and forget past failures) or disable an endpoint."""
    endpoint.enabled, endpoint.failures = enabled, 0
    endpoint.disabled_at = None if enabled else utcnow()
    endpoint.disabled_reason = "" if enabled else _("Disabled by a team member.")
    if not enabled:
        _cancel_pending(endpoint.id)
    record(user, "webhook.enable" if enabled else "webhook.disable", f"webhook {endpoint.id}")


def delete_endpoint(endpoint: WebhookEndpoint, user: User | None) -> None:
    """Remove an endpoint and its delivery log."""
    record(user, "webhook.delete", f"webhook {endpoint.id}", {"url": endpoint.url}, None)
    db.session.delete(endpoint)


def queue_test(endpoint: WebhookEndpoint) -> None:
    """Queue a test event for one endpoint (sent by the scheduler)."""
    body = {**_envelope(), "test": {"message": "Test delivery from Candor."}}
    _queue("test", f"test:{secrets.token_hex(8)}", body, [endpoint.id], utcnow())


def recent_deliveries(limit: int = 100) -> list[WebhookDelivery]:
    """Return the delivery log, newest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def _envelope(now: datetime | None = None) -> dict:
    """Return the meta and page parts every payload carries."""
    status = page_status(now)
    ctx = context()
    return {
        "meta": {
            "unsubscribe": public_url("/admin/webhooks"),
            "documentation": None,
            "generated_at": iso(now or utcnow()),
        },
        "page": {
            "id": ctx.page_id,
            "status_indicator": status.indicator,
            "status_description": status.description,
        },
    }


def _endpoints_for(component_ids: set[int], since: datetime) -> list[int]:
    """Return the enabled endpoints that want events of these components (registered by `since`)."""
    wanted = WebhookEndpoint.component_id.is_(None)
    if component_ids:
        wanted = or_(wanted, WebhookEndpoint.component_id.in_(component_ids))
    query = select(WebhookEndpoint.id).where(
        WebhookEndpoint.enabled.is_(True), WebhookEndpoint.created_at <= since, wanted
    )
    return list(db.session.scalars(query))


def _queue(event: str, key: str, body: dict, endpoint_ids: list[int], now: datetime) -> int:
    """Add one delivery row per endpoint, in the caller's transaction."""
    text = json.dumps(body, ensure_ascii=False)
    rows = [
        {
            "key": f"{key}:{n}"[:160],
            "event": event,
            "endpoint_id": n,
            "body": text,
            "next_try_at": now,
        }
        for n in endpoint_ids
    ]
    if rows:
        db.session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def queue_incident_event(update: IncidentUpdate, now: datetime) -> int:
    """Queue the incident payload for an update that just became public."""
    incident = update.incident
    ids = {c.id for c in incident.components} | {
        c.group_id for c in incident.components if c.group_id
    }
    endpoints = _endpoints_for(ids, update.display_at)
    if not endpoints:
        return 0
    ctx = context()
    ctx.components = {c.id: c for c in db.session.scalars(select(Component))}
    body = {
        **_envelope(now),
        "incident": incident_object(incident, visible_updates(incident, now), ctx),
    }
    return _queue("incident.update", f"incident:{update.public_id}", body, endpoints, now)


def queue_maintenance_reminder(incident: Incident, minutes: int, now: datetime) -> int:
    """Queue the "maintenance starts soon" event for the maintenance's components' endpoints."""
    ids = {c.id for c in incident.components} | {
        c.group_id for c in incident.components if c.group_id
    }
    endpoints = _endpoints_for(ids, now)
    if not endpoints:
        return 0
    ctx = context()
    ctx.components = {c.id: c for c in db.session.scalars(select(Component))}
    body = {
        **_envelope(now),
        "incident": incident_object(incident, visible_updates(incident, now), ctx),
        "reminder": {"starts_at": iso(incident.scheduled_for, ctx.tz), "minutes_before": minutes},
    }
    key = f"maintenance-reminder:{incident.public_id}:{incident.scheduled_for.isoformat()}"
    return _queue("maintenance.reminder", key, body, endpoints, now)


def report_component_changes(now: datetime) -> int:
    """Queue a component event for each status change since the last report; return how many."""
    changed = 0
    seen = {row.component_id: row.status for row in db.session.scalars(select(ComponentSeen))}
    for component in db.session.scalars(select(Component).where(Component.is_group.is_(False))):
        old = seen.get(component.id)
        if old == component.status:
            continue
        try:
            changed += _report_change(component, old, now)
            db.session.commit()
        except Exception:  # one broken item must not stop the others; it is tried next tick
            db.session.rollback()
            log.exception("component change of %s not reported; will retry", component.id)
    return changed


def _report_change(component: Component, old: str | None, now: datetime) -> int:
    """Claim one component change with a conditional UPDATE and queue its event."""
    if (
        old is None
    ):  # first sight: a new component started operational; an old one is taken as it is
        new = component.created_at > now - FANOUT_WINDOW
        first = "operational" if new else component.status
        if insert_if_absent(
            ComponentSeen,
            ComponentSeen.component_id,
            component_id=component.id,
            status=first,
            seen_at=now,
        ):
            old = first
        else:  # another scheduler saw it first: continue from what it recorded
            old = db.session.scalar(
                select(ComponentSeen.status).where(ComponentSeen.component_id == component.id)
            )
        if old == component.status:
            return 0
    claimed = db.session.execute(
        sql_update(ComponentSeen)
        .where(ComponentSeen.component_id == component.id, ComponentSeen.status == old)
        .values(status=component.status, seen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return 0
    ctx = context()
    ctx.components = {c.id: c for c in db.session.scalars(select(Component))}
    key = f"component:{component.public_id}:{now.isoformat()}"
    body = {
        **_envelope(now),
        "component_update": {
            "old_status": old, "new_status": component.status, "created_at": iso(now, ctx.tz),
            "component_type": "Component", "id": new_public_id(),
            "component_id": component.public_id,
        },
        "component": component_object(component, ctx),
    }  # fmt: skip
    ids = {component.id} | ({component.group_id} if component.group_id else set())
    _queue("component.update", key, body, _endpoints_for(ids, now), now)
    return 1


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """Return the X-Candor-Signature header value for a body sent at a time."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver_due(now: datetime | None = None, limit: int = 500) -> int:
    """POST the deliveries that are due to enabled endpoints; return how many were accepted."""
    return outbox.drain(HOOKS, now, limit=limit)


def _send(row: WebhookDelivery) -> outbox.Attempt:
    """POST one claimed delivery to its endpoint, unless the endpoint was disabled meanwhile."""
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    if endpoint is None or not endpoint.enabled:
        return _DISABLED
    code, error = _post(endpoint, row)
    private = error.startswith(egress.PRIVATE)  # retrying cannot make an internal address public
    return outbox.Attempt(error, permanent=private, values={"response_code": code})


def _on_marked(row: WebhookDelivery, attempt: outbox.Attempt, state: str, now: datetime) -> None:
    """Count a failed POST toward disabling its endpoint; forget past failures after a success."""
    if attempt is _DISABLED:
        return  # nothing was sent: nothing to count
    if attempt.error:
        log.warning("webhook %s delivery %s failed: %s", row.endpoint_id, row.id, attempt.error)
        _count_failure(row.endpoint_id, attempt.error, now)
        return
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    if endpoint is not None and endpoint.failures:
        db.session.execute(
            sql_update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(failures=0)
        )
        private_write()
        db.session.commit()


def _post(endpoint: WebhookEndpoint, row: WebhookDelivery) -> tuple[int | None, str]:
    """POST one body; return the response code and an error ("" when the receiver said 2xx)."""
    body = row.body.encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": "Candor status page",
        "X-Candor-Event": row.event, "X-Candor-Event-Id": row.key,
        "X-Candor-Signature": sign(endpoint.secret, body, int(time.time())),
    }  # fmt: skip
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        status = egress.post(endpoint.url, body, headers, timeout)
    except egress.Refused as refused:  # said as such: what answers there is nobody's business
        return None, str(refused)
    except Exception as failure:  # refused, timed out, bad TLS …: retried
        return None, f"{type(failure).__name__}: {failure}"[:300]
    if 200 <= status < 300:
        return status, ""
    return status, f"HTTP {status}" + (
        " (redirects are not followed)" if 300 <= status < 400 else ""
    )


def _count_failure(endpoint_id: int, error: str, now: datetime) -> None:
    """Count a failed attempt; disable the endpoint (once) after too many in a row, telling the team."""
    db.session.execute(
        sql_update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(failures=WebhookEndpoint.failures + 1)
    )
    limit = int(current_app.config["WEBHOOK_DISABLE_AFTER"])
    reason = f"Disabled automatically after {limit} failed attempts in a row (last: {error})"[:300]
    disabled = db.session.execute(
        sql_update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.enabled.is_(True))
        .where(WebhookEndpoint.failures >= limit)
        .values(enabled=False, disabled_at=now, disabled_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if disabled:
        _cancel_pending(endpoint_id)
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        text = TeamText(
            N_("Webhook %(url)s was disabled after %(count)s failed deliveries in a row. %(link)s"),
            url=endpoint.url, count=limit, link=public_url("/admin/webhooks"),
        )  # fmt: skip
        queued = notify.queue(
            "webhook.disabled",
            f"webhook:{endpoint_id}:disabled:{now.isoformat()}",
            None,
            TeamText(N_("Webhook disabled")),
            text,
        )
        log.error("webhook %s disabled after %s failures", endpoint_id, limit)
    private_write()
    db.session.commit()
    if disabled:
        notify.deliver_due(ids=[n.id for n in queued])


def _cancel_pending(endpoint_id: int) -> None:
    """Cancel what a disabled endpoint still had queued."""
    db.session.execute(
        sql_update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == "pending")
        .values(state="cancelled")
        .execution_options(synchronize_session=False)
    )


_DISABLED = outbox.Attempt("the endpoint is disabled", permanent=True)
HOOKS = outbox.Outbox(WebhookDelivery, _send, _on_marked)
