"""The real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) → Candor → draft → publish → resolve.

The test serves Candor on a 127.0.0.1 port (werkzeug in a thread), starts Alertmanager on another with a
webhook receiver pointing there (Bearer token, group_wait 1 s), posts an alert to Alertmanager's API v2,
and waits for what Alertmanager delivers: one draft; the same alert again (and Alertmanager's repeats)
no second one; after publishing, the alert resolved (endsAt in the past) and the resolving update suggested.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from statuspage.extensions import db
from statuspage.models import Component, Incident
from statuspage.models.alerts import Alert
from statuspage.models.delivery import Notification
from statuspage.services.alerts import integrations
from tests.helpers import component
from tests.servers import _free_port

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="prometheus-alertmanager is not installed (make test-tools installs it)"
)
ALERT = {
    "labels": {"alertname": "CheckoutDown", "instance": "shop-1:443", "severity": "critical"},
    "annotations": {"summary": "Checkout does not answer"},
    "generatorURL": "http://prometheus.test/graph",
}


@pytest.fixture
def candor(app):
    """Serve the app on a free 127.0.0.1 port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def alertmanager(tmp_path):
    """Start Alertmanager on 127.0.0.1 with a webhook receiver; yield a function taking its target."""
    process, port = None, _free_port()
    log = (tmp_path / "alertmanager.log").open("w")

    def start(url: str, token: str) -> str:
        nonlocal process
        config = tmp_path / "alertmanager.yml"
        config.write_text(f"""
route:
  receiver: candor
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: candor
    webhook_configs:
      - url: "{url}"
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: "{token}"
""")
        process = subprocess.Popen(
            [BINARY, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
             "--log.level=warn"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _ready(base), "Alertmanager to start", tmp_path)
        return base

    yield start
    if process is not None:
        process.terminate()
        process.wait(10)
    log.close()


def _ready(base: str) -> bool:
    """Tell whether Alertmanager answers its readiness probe."""
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_for(condition, what: str, tmp_path=None, timeout: float = 12.0):
    """Poll until a condition holds (each poll reads what the server committed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # end the test's read transaction: see the server's commits
        if condition():
            return
        time.sleep(0.1)
    log = (tmp_path / "alertmanager.log").read_text() if tmp_path else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def post_alert(base: str, **times) -> None:
    """Post the alert to Alertmanager's API v2."""
    body = json.dumps(
        [{**ALERT, **{k: v.isoformat().replace("+00:00", "Z") for k, v in times.items()}}]
    )
    request = urllib.request.Request(f"{base}/api/v2/alerts", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_alertmanager_opens_one_draft_that_is_published_then_resolved(
    app, app_ctx, candor, alertmanager, client, auth, tmp_path
):
    checkout = component("Checkout")
    integration, token = integrations.create_integration("alertmanager", "Prod", None)
    integrations.add_mapping(
        integration, label="alertname", value="CheckoutDown", component=checkout,
        kind="website-outage", component_status="major_outage", user=None,
        variables={"social_url": "https://social.shop.test", "confirmation_email_from": "o@shop.test"},
    )  # fmt: skip
    db.session.commit()
    base = alertmanager(f"{candor}/api/alerts/{integration.public_id}", token)
    started = datetime.now(UTC) - timedelta(seconds=30)

    post_alert(base, startsAt=started)
    wait_for(lambda: count(Incident) == 1, "the draft", tmp_path)
    draft = db.session.scalar(select(Incident))
    assert draft.draft and "o@shop.test" in draft.updates[0].body
    assert abs(draft.began_at - started.replace(tzinfo=None)) < timedelta(seconds=1)
    assert db.session.get(Component, checkout.id).status == "major_outage"

    post_alert(base, startsAt=started)  # the same alert again; Alertmanager also repeats every 2 s
    wait_for(lambda: db.session.scalar(select(Alert.notifications)) >= 3, "repeats", tmp_path)
    assert count(Incident) == 1 and count(Alert) == 1

    auth.login()  # a person publishes the draft
    assert client.post(f"/admin/incidents/{draft.public_id}/publish").status_code == 302
    assert not db.session.get(Incident, draft.id).draft
    assert client.get(f"/incidents/{draft.public_id}").status_code == 200

    post_alert(base, startsAt=started, endsAt=datetime.now(UTC) - timedelta(seconds=1))
    wait_for(
        lambda: db.session.scalar(select(Alert.status)) == "resolved", "the resolution", tmp_path
    )
    assert db.session.get(Component, checkout.id).status == "operational"
    assert count(Incident) == 1
    subjects = set(db.session.scalars(select(Notification.subject)))
    assert {
        "Draft ready: publish or discard",
        "Alert resolved: post the resolving update",
    } <= subjects
    page = client.get(f"/admin/incidents/{draft.public_id}").get_data(as_text=True)
    assert "Monitoring reports this resolved" in page
