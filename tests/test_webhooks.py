"""Outgoing webhooks: Statuspage-shaped, signed deliveries to a real HTTP receiver on 127.0.0.1; retries,
backoff, and automatic disabling of an endpoint that keeps failing."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

from sqlalchemy import func, select

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models.delivery import Notification, WebhookDelivery
from statuspage.models.subscribers import WebhookEndpoint
from statuspage.services.delivery import webhooks
from statuspage.services.incidents import lifecycle as service
from tests.helpers import component, incident
from tests.servers import Delivery


def _verify(delivery: Delivery, secret: str) -> bool:
    """Check a delivery's signature the way docs/subscribers.md tells receivers to."""
    fields = dict(part.split("=", 1) for part in delivery.headers["X-Candor-Signature"].split(","))
    signed = fields["t"].encode() + b"." + delivery.raw
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_owners_register_a_webhook_and_it_gets_signed_statuspage_payloads(
    client, auth, clock, receiver
):
    checkout = component("Checkout")
    auth.login()
    response = client.post("/admin/webhooks", data={"url": receiver.url, "component": ""})
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    jobs.tick()  # components are seen as they are: nothing to report yet
    assert receiver.requests == []
    clock(minutes=1)
    opened = incident(title="Card payments fail", body="Payments fail.",
                      components={checkout: "major_outage"})  # fmt: skip
    jobs.tick()
    jobs.tick()
    events = sorted(r.event for r in receiver.requests)
    assert events == ["component.update", "incident.update"]
    assert all(_verify(r, endpoint.secret) for r in receiver.requests)
    tampered = replace(receiver.requests[0], raw=receiver.requests[0].raw + b" ")
    assert not _verify(tampered, endpoint.secret)
    by_event = {r.event: r.json for r in receiver.requests}
    payload = by_event["incident.update"]
    assert set(payload) == {"meta", "page", "incident"}
    assert payload["page"]["status_indicator"] == "critical"
    assert payload["page"]["status_description"] == "Major Service Outage"
    assert payload["incident"]["name"] == "Card payments fail"
    assert payload["incident"]["status"] == "investigating"
    assert payload["incident"]["incident_updates"][0]["body"] == "Payments fail."
    change = by_event["component.update"]
    assert change["component"]["name"] == "Checkout"
    assert change["component_update"]["old_status"] == "operational"
    assert change["component_update"]["new_status"] == "major_outage"
    assert change["component_update"]["component_id"] == checkout.public_id

    clock(minutes=10)
    service.resolve(opened, body="Fixed.", user=None)
    db.session.commit()
    jobs.tick()
    latest = [r.json for r in receiver.requests[2:]]
    assert {p.get("incident", {}).get("status") for p in latest} >= {"resolved"}
    assert any(p.get("component_update", {}).get("new_status") == "operational" for p in latest)
    ids = [r.id for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 4  # each event once

    log = client.get("/admin/webhooks").get_data(as_text=True)
    assert "incident.update" in log and ">200<" in log


def test_a_component_webhook_gets_only_its_components_events(client, clock, receiver):
    checkout, delivery = component("Checkout"), component("Delivery")
    webhooks.add_endpoint(receiver.url, delivery, None)
    db.session.commit()
    clock(minutes=1)
    incident(title="Checkout down", components={checkout: "major_outage"})
    incident(title="Parcels late", components={delivery: "degraded_performance"})
    jobs.tick()
    names = {
        r.json.get("incident", r.json.get("component", {})).get("name") for r in receiver.requests
    }
    assert names == {"Parcels late", "Delivery"}


def test_a_failing_receiver_is_retried_with_backoff_then_disabled_with_a_notice(
    app, client, auth, clock, receiver
):
    app.config["WEBHOOK_DISABLE_AFTER"] = 3
    receiver.status = 500
    endpoint = webhooks.add_endpoint(receiver.url, None, None)
    db.session.commit()
    clock(minutes=1)
    incident(title="First")
    incident(title="Second")
    jobs.tick()  # both deliveries fail once: two failures in a row
    assert len(receiver.requests) == 2
    row = db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id))
    assert (row.state, row.attempts, row.response_code) == ("pending", 1, 500)
    clock(minutes=1, seconds=30)
    jobs.tick()
    assert len(receiver.requests) == 2  # backing off: the retry waits a minute
    clock(minutes=2, seconds=30)
    jobs.tick()  # the third failure in a row disables the endpoint
    assert len(receiver.requests) == 3
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).enabled is False
    states = set(db.session.scalars(select(WebhookDelivery.state)))
    assert "cancelled" in states and "pending" not in states
    clock(hours=2)
    incident(title="Third")
    jobs.tick()
    assert len(receiver.requests) == 3  # nothing more goes to a disabled endpoint
    notice = db.session.scalar(select(Notification).where(Notification.event == "webhook.disabled"))
    assert notice is not None and "disabled after 3 failed" in notice.text
    auth.login()
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "is disabled since" in page and "HTTP 500" in page
    client.post(f"/admin/webhooks/{endpoint.id}/enable")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).enabled is True


def test_send_test_and_bad_urls(client, auth, receiver):
    auth.login()
    for bad in ("", "ftp://x.example/", "javascript:alert(1)", "http://", "x" * 600):
        assert client.post("/admin/webhooks", data={"url": bad}).status_code == 400
    assert (
        client.post(
            "/admin/webhooks", data={"url": "https://x.example", "component": "nope"}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    client.post("/admin/webhooks", data={"url": receiver.url})
    endpoint = db.session.scalar(select(WebhookEndpoint))
    client.post(f"/admin/webhooks/{endpoint.id}/test")
    jobs.tick()
    assert [r.event for r in receiver.requests] == ["test"]
    assert _verify(receiver.requests[0], endpoint.secret)
