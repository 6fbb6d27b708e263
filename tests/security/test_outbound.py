"""Outbound requests only where they belong: webhooks never reach the shop's own network.

Every spelling of an internal address is refused when an owner saves a webhook and again when a delivery
is sent (the address may have changed in DNS); the connection goes to the address that was checked;
redirects are not followed; the delivery log says "refused: private address", never what answered.
Only an explicit WEBHOOK_ALLOW_PRIVATE lets webhooks reach internal receivers.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models.delivery import Notification, WebhookDelivery
from statuspage.models.subscribers import WebhookEndpoint
from statuspage.services.delivery import egress, notify, webhooks
from tests.helpers import incident
from tests.security.conftest import login
from tests.servers import Receiver

SPELLINGS = [
    "http://127.0.0.1:{port}/hook",
    "http://localhost:{port}/hook",
    "http://LOCALHOST:{port}/hook",
    "http://[::1]:{port}/hook",
    "http://[::ffff:127.0.0.1]:{port}/hook",
    "http://[::ffff:7f00:1]:{port}/hook",
    "http://0.0.0.0:{port}/hook",
    "http://[::]:{port}/hook",
    "http://0:{port}/hook",
    "http://2130706433:{port}/hook",
    "http://0x7f000001:{port}/hook",
    "http://0x7f.1:{port}/hook",
    "http://127.1:{port}/hook",
    "http://0177.0.0.1:{port}/hook",
    "http://017700000001:{port}/hook",
    "http://127.000.000.1:{port}/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "https://user:pw@127.0.0.1:{port}/hook",
]


@pytest.fixture
def hook():
    """A receiver on 127.0.0.1 that must never be reached (the app does not allow internal targets)."""
    with Receiver() as server:
        yield server


def _spellings(port: int) -> list[str]:
    return [url.format(port=port) for url in SPELLINGS]


def test_every_spelling_of_an_internal_address_is_refused_at_save(app, client, world, hook):
    login(client)
    for url in _spellings(hook.server.server_port):
        response = client.post("/admin/webhooks", data={"url": url, "component": ""})
        assert response.status_code == 400, url
        assert "private address" in response.get_data(as_text=True), url
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    assert hook.requests == []


def test_the_address_checker_knows_every_spelling(app_ctx):
    for url in _spellings(8080):
        with pytest.raises(egress.Refused, match="refused: private address"):
            egress.check(url)
    for public in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert not egress.forbidden(__import__("ipaddress").ip_address(public)), public


def test_an_endpoint_that_turned_internal_is_refused_at_send(app, app_ctx, world, hook):
    """The name resolved publicly when it was saved; now it points home: nothing is sent there."""
    for url in _spellings(hook.server.server_port)[:16]:
        db.session.add(WebhookEndpoint(url=url, secret="s"))
    db.session.commit()
    incident(title="Checkout is slow")
    jobs.tick()
    assert hook.requests == []
    rows = db.session.scalars(select(WebhookDelivery)).all()
    assert rows and {r.state for r in rows} == {"failed"}
    assert all(r.error.startswith("refused: private address") for r in rows), [
        r.error for r in rows
    ]
    assert not any("Connection refused" in r.error or "HTTP" in r.error for r in rows)


def test_the_team_webhook_is_refused_when_internal(app, app_ctx, hook):
    app.config["WEBHOOK_URL"] = hook.url
    notify.queue("test.event", "team-test", None, "Subject", "Text")
    db.session.commit()
    notify.deliver_due()
    assert hook.requests == []
    row = db.session.scalar(select(Notification).where(Notification.channel == "webhook"))
    assert row.state == "failed" and "refused: private address" in row.error


def test_the_connection_goes_to_the_address_that_was_checked(app, app_ctx, monkeypatch):
    """DNS rebinding: the name answers a public address for the check, then 127.0.0.1."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]

    dialled = []

    def fake_connect(address, timeout=None, *args, **kwargs):
        dialled.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(egress.socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(egress.socket, "create_connection", fake_connect)
    with pytest.raises(OSError):
        egress.post("http://rebind.shop.example/hook", b"{}", {}, 1)
    assert dialled == [("93.184.216.34", 80)]


class _Redirect(BaseHTTPRequestHandler):
    """Answer every POST with a redirect to the address in the server's `target`."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(307)
        self.send_header("Location", self.server.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        """Stay quiet."""


def test_redirects_are_never_followed(app, app_ctx, receiver):
    """Allowed to reach a local receiver, the team webhook and an endpoint still stop at a 3xx."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    server.target = receiver.url
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/moved"
        app.config["WEBHOOK_URL"] = url
        webhooks.add_endpoint(url, None, None)
        notify.queue("test.event", "team-redirect", None, "Subject", "Text")
        db.session.commit()
        incident(title="Checkout is slow")
        jobs.tick()
    finally:
        server.shutdown()
        server.server_close()
    assert receiver.requests == []
    team = db.session.scalar(select(Notification).where(Notification.channel == "webhook"))
    assert "HTTP 307" in team.error and team.state != "sent"
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.error.startswith("HTTP 307") and delivery.state != "sent"


def test_an_explicit_setting_allows_internal_receivers(app, app_ctx, hook, client, world):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    login(client)
    assert client.post("/admin/webhooks", data={"url": hook.url}).status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    client.post(f"/admin/webhooks/{endpoint.id}/test")
    jobs.tick()
    assert "test" in [r.event for r in hook.accepted]
