"""Resolving with checklist items for during the crisis still open needs a confirmation, on every route."""

import pytest

from statuspage.extensions import db
from statuspage.models import AuditEntry
from statuspage.services.incidents import lifecycle as service
from statuspage.services.team.tokens import create_token
from tests.helpers import incident


def _delivery_delay():
    opened = incident(title="Parcels are late", kind="delivery-delay", impact="minor")
    db.session.commit()
    return opened


def _confirmations() -> int:
    return db.session.query(AuditEntry).filter_by(action="incident.resolve_with_open_items").count()


def test_the_service_refuses_until_confirmed_and_records_the_confirmation(app, app_ctx):
    opened = _delivery_delay()
    with pytest.raises(service.OpenChecklistItems, match="still open"):
        service.resolve(opened, body="Delivered.", user=None)
    db.session.rollback()
    assert opened.status == "investigating" and _confirmations() == 0
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    assert opened.status == "resolved" and _confirmations() == 1


@pytest.mark.parametrize("route", ["updates", "resolve"])
def test_both_admin_forms_ask_before_resolving(client, auth, route):
    opened = _delivery_delay()
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}").get_data(as_text=True)
    assert "Resolve even though checklist items" in page
    url = f"/admin/incidents/{opened.public_id}/{route}"
    form = {"status": "resolved", "body": "All parcels delivered."}
    refused = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "still open" in refused and opened.status == "investigating"
    client.post(url, data={**form, "confirm_open_items": "y"})
    assert opened.status == "resolved" and _confirmations() == 1


def test_the_compose_flow_asks_before_resolving(client, auth):
    opened = _delivery_delay()
    auth.login()
    url = f"/admin/incidents/{opened.public_id}/compose"
    data = {"stage": "resolved", "langs": ["en"], "publish_anyway": "y",
            "sec-en-what_happened": "All parcels are delivered."}  # fmt: skip
    refused = client.post(url, data={**data, "action": "publish"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "still open" in page and "Resolve even though" in page
    client.post(url, data={**data, "action": "publish", "confirm_open_items": "y"})
    assert opened.status == "resolved" and _confirmations() == 1


def test_the_api_refuses_with_422_until_confirmed(client, editor):
    opened = _delivery_delay()
    _, secret = create_token(editor, "helpdesk")
    db.session.commit()
    url = f"/api/v1/incidents/{opened.public_id}/resolve"
    headers = {"Authorization": f"Bearer {secret}"}
    refused = client.post(url, json={"body": "Delivered."}, headers=headers)
    assert refused.status_code == 422 and "still open" in refused.get_json()["error"]["message"]
    done = client.post(
        url, json={"body": "Delivered.", "confirm_open_items": True}, headers=headers
    )
    assert done.status_code == 200 and opened.status == "resolved" and _confirmations() == 1
