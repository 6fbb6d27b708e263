"""Alert intake: recorded Alertmanager, Grafana and Uptime Kuma notifications open one draft per problem,
never a second on repeats; resolving sets the component back and suggests the resolving update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Component, Incident
from statuspage.models.alerts import Alert
from statuspage.models.cache import SiteVersion
from statuspage.models.delivery import Notification
from statuspage.services.aftercare import checklist
from statuspage.services.alerts import integrations
from statuspage.services.incidents import lifecycle
from statuspage.services.shop import saved_shop
from tests.helpers import component

FIXTURES = Path(__file__).parent / "fixtures" / "alerts"
VALUES = {
    "social_url": "https://social.shop.test/status",
    "confirmation_email_from": "orders@shop.test",
}


def fixture(name: str) -> dict:
    """Load a recorded notification."""
    return json.loads((FIXTURES / name).read_text())


def connect(kind="alertmanager", label="alertname", value="CheckoutDown", **mapping):
    """Create an integration with one mapping to Checkout and the website-outage playbook."""
    integration, token = integrations.create_integration(kind, "", None)
    checkout = component("Checkout")
    mapping.setdefault("variables", VALUES)
    mapping.setdefault("component_status", "major_outage")
    integrations.add_mapping(integration, label=label, value=value, component=checkout,
                             kind="website-outage", user=None, **mapping)  # fmt: skip
    db.session.commit()
    return integration, token, checkout


def post(client, integration, token, body, **kwargs):
    """POST a notification with the token as a Bearer header."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/alerts/{integration.public_id}", json=body, headers=headers, **kwargs)


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_grouped_and_repeated_notifications_open_one_draft_in_every_language(
    app_ctx, client, auth, clock
):
    saved_shop().languages = "en,pl,ar"
    db.session.commit()
    integration, token, checkout = connect()
    firing = fixture("alertmanager_firing.json")
    answer = post(client, integration, token, firing)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["opened"] == 1
    clock(minutes=4)  # repeat_interval, and the next grouped notification: the same two alerts
    assert post(client, integration, token, firing).json == {
        "ok": True, "opened": 0, "published": 0, "updated": 2, "resolved": 0, "unmatched": 0,
        "ignored": 0,
    }  # fmt: skip
    (draft,) = db.session.scalars(select(Incident)).all()
    assert draft.draft and draft.kind == "website-outage" and draft.status == "investigating"
    assert draft.began_at.isoformat() == "2026-03-10T11:52:30.123456"  # the alert's start
    assert "Since 10 March 2026 at 11:52" in draft.updates[0].body
    assert [c.name for c in draft.components] == ["Checkout"]
    (update,) = draft.updates
    assert "orders@shop.test" in update.body and "[[" not in update.body
    assert set(update.translations) == {"pl", "ar"}
    assert "orders@shop.test" in update.translations["pl"]["body"]
    assert db.session.get(Component, checkout.id).status == "major_outage"
    assert count(Alert) == 2
    (notice,) = db.session.scalars(select(Notification).where(Notification.channel == "log"))
    assert notice.subject == "Draft ready: publish or discard"
    assert f"/admin/incidents/{draft.public_id}" in notice.text
    # Nothing is public until a person publishes.
    assert client.get(f"/incidents/{draft.public_id}").status_code == 404
    auth.login()  # the dashboard shows the draft and the notice
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Draft ready: publish or discard" in dashboard and draft.title in dashboard


def test_resolving_restores_the_component_and_suggests_the_resolving_update(
    app_ctx, client, auth, clock
):
    integration, token, checkout = connect()
    post(client, integration, token, fixture("alertmanager_firing.json"))
    draft = db.session.scalar(select(Incident))
    lifecycle.publish_draft(draft, user=None)
    db.session.commit()
    clock(minutes=20)
    resolved = fixture("alertmanager_resolved.json")
    assert post(client, integration, token, resolved).json["resolved"] == 2
    assert post(client, integration, token, resolved).json["ignored"] == 2  # a repeat does nothing
    assert db.session.get(Component, checkout.id).status == "operational"
    incident = db.session.get(Incident, draft.id)
    assert incident.status == "investigating"  # a person resolves it, with the suggested text
    subjects = list(
        db.session.scalars(select(Notification.subject).where(Notification.channel == "log"))
    )
    assert subjects == [
        "Draft ready: publish or discard",
        "Alert resolved: post the resolving update",
    ]
    auth.login()
    page = client.get(f"/admin/incidents/{draft.public_id}").get_data(as_text=True)
    assert "Monitoring reports this resolved" in page
    assert f"/admin/incidents/{draft.public_id}/compose?stage=resolved" in page
    # The link opens the playbook's resolving update, asking only for what it still needs.
    url = f"/admin/incidents/{draft.public_id}/compose?stage=resolved"
    assert "var-promo_extended_until" in client.get(url).get_data(as_text=True)
    composed = client.post(url, data={"action": "compose", "stage": "resolved", "langs": "en",
                                      "var-promo_extended_until": "2026-03-20T23:59"})  # fmt: skip
    assert "The outage is over" in composed.get_data(as_text=True)


def test_a_flapping_alert_joins_its_open_incident_and_a_late_repeat_does_nothing(
    app_ctx, client, clock
):
    integration, token, _ = connect()
    firing = fixture("alertmanager_firing.json")
    post(client, integration, token, firing)
    clock(minutes=30)
    post(client, integration, token, fixture("alertmanager_resolved.json"))
    assert post(client, integration, token, firing).json["ignored"] == 2  # late: same start
    for alert in firing["alerts"]:
        alert["startsAt"] = "2026-03-10T12:29:00Z"
    assert post(client, integration, token, firing).json["opened"] == 0  # fires again: same draft
    draft = db.session.scalar(select(Incident))
    assert count(Incident) == 1 and count(Alert) == 4
    lifecycle.delete_draft(draft, user=None)  # the team closes it (discards the draft) …
    db.session.commit()
    clock(minutes=60)
    post(client, integration, token, fixture("alertmanager_resolved.json") | {"alerts": [
        a | {"startsAt": "2026-03-10T12:29:00Z"} for a in fixture("alertmanager_resolved.json")["alerts"]
    ]})  # fmt: skip
    for alert in firing["alerts"]:
        alert["startsAt"] = "2026-03-10T12:59:00Z"
    assert post(client, integration, token, firing).json["opened"] == 1  # … so a new problem is new
    assert count(Incident) == 1


def test_a_discarded_draft_stays_discarded_while_the_alert_fires(app_ctx, client, clock):
    integration, token, _ = connect()
    firing = fixture("alertmanager_firing.json")
    post(client, integration, token, firing)
    lifecycle.delete_draft(db.session.scalar(select(Incident)), user=None)
    db.session.commit()
    assert post(client, integration, token, firing).json["updated"] == 2
    assert count(Incident) == 0


def test_blanks_keep_a_draft_from_being_published(app_ctx, client, clock):
    integration, token, _ = connect(variables={}, auto_publish=True)
    assert post(client, integration, token, fixture("alertmanager_firing.json")).json["opened"] == 1
    draft = db.session.scalar(select(Incident))
    assert draft.draft  # auto-publish waits for a person while blanks are left
    assert "[[Social media page for updates]]" in draft.updates[0].body
    notice = db.session.scalar(select(Notification.text).where(Notification.channel == "log"))
    assert "Fill in first: confirmation_email_from, social_url" in notice
    with pytest.raises(lifecycle.ServiceError, match="Fill in the blanks"):
        lifecycle.publish_draft(draft, user=None)


def test_auto_publish_publishes_and_resolves_without_a_person(app_ctx, client, clock):
    values = {**VALUES, "promo_extended_until": "2026-03-20T23:59"}  # the resolving text needs it
    integration, token, checkout = connect(auto_publish=True, variables=values)
    assert (
        post(client, integration, token, fixture("alertmanager_firing.json")).json["published"] == 1
    )
    incident = db.session.scalar(select(Incident))
    assert not incident.draft
    assert client.get(f"/incidents/{incident.public_id}").status_code == 200
    clock(minutes=30)
    # A checklist item for during the crisis is still open: a person decides (it is not skipped).
    assert (
        post(client, integration, token, fixture("alertmanager_resolved.json")).json["published"]
        == 0
    )
    subjects = db.session.scalars(select(Notification.subject).where(Notification.channel == "log"))
    assert "Alert resolved: post the resolving update" in list(subjects)
    for entry in checklist.open_now_items(db.session.get(Incident, incident.id)):
        checklist.tick(entry, user=None)
    db.session.commit()
    firing = fixture("alertmanager_firing.json")  # it fires again, joins the incident, resolves
    for alert in firing["alerts"]:
        alert["startsAt"] = "2026-03-10T12:29:00Z"
    assert post(client, integration, token, firing).json["updated"] == 2
    resolved = fixture("alertmanager_resolved.json")
    for alert in resolved["alerts"]:
        alert["startsAt"] = "2026-03-10T12:29:00Z"
    assert post(client, integration, token, resolved).json["published"] == 1
    assert count(Incident) == 1
    incident = db.session.get(Incident, incident.id)
    assert incident.status == "resolved"
    assert db.session.get(Component, checkout.id).status == "operational"


def test_grafana_contact_point_payload_opens_a_draft(app_ctx, client, clock):
    integration, token, _ = connect(kind="grafana", label="service", value="search")
    answer = post(client, integration, token, fixture("grafana_firing.json"))
    assert answer.json["opened"] == 1
    draft = db.session.scalar(select(Incident))
    assert draft.began_at.isoformat() == "2026-03-10T11:51:03.157076"  # +01:00 → UTC


def test_uptime_kuma_with_the_token_in_the_path_and_as_form_data(app_ctx, client, clock):
    integration, token, checkout = connect(kind="uptime_kuma", label="monitor", value="Storefront")
    url = f"/api/alerts/{integration.public_id}/{token}"
    assert client.post(url, json=fixture("uptime_kuma_test.json")).json["opened"] == 0
    assert count(Alert) == 0  # the Test button changes nothing
    down = fixture("uptime_kuma_down.json")
    assert client.post(url, data={"data": json.dumps(down)}).json["opened"] == 1
    assert client.post(url, json=down).json["updated"] == 1  # a resend while still down
    assert db.session.get(Component, checkout.id).status == "major_outage"
    assert client.post(url, json=fixture("uptime_kuma_up.json")).json["resolved"] == 1
    assert db.session.get(Component, checkout.id).status == "operational"
    assert count(Incident) == 1


def test_a_wrong_token_is_refused_and_changes_nothing(app_ctx, client, clock):
    integration, token, _ = connect()
    firing = fixture("alertmanager_firing.json")
    for bad in (None, "candor_alerts_wrong", token + "x"):
        answer = post(client, integration, bad, firing)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post(f"/api/alerts/{integration.public_id}/nope", json=firing).status_code == 401
    assert client.post(f"/api/alerts/unknown/{token}", json=firing).status_code == 401
    integrations.set_enabled(integration, False, None)
    db.session.commit()
    assert post(client, integration, token, firing).status_code == 401
    assert count(Alert) == count(Incident) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(version="3"), "Unsupported payload version"),
        (lambda b: b.update(alerts=[]), "non-empty list"),
        (lambda b: b["alerts"][1].pop("fingerprint"), "alerts[1].fingerprint"),
        (lambda b: b["alerts"][1].update(startsAt="yesterday"), "alerts[1].startsAt"),
        (lambda b: b["alerts"][0].update(status="burning"), "alerts[0].status"),
        (lambda b: b["alerts"][0].update(labels=["a"]), "alerts[0].labels"),
    ],
)
def test_a_malformed_notification_is_a_clear_400_and_changes_nothing(
    app_ctx, client, clock, change, message
):
    integration, token, checkout = connect()
    body = fixture("alertmanager_firing.json")
    change(body)
    answer = post(client, integration, token, body)
    assert answer.status_code == 400 and message in answer.json["error"]["message"]
    assert count(Alert) == count(Incident) == count(Notification) == 0
    assert db.session.get(Component, checkout.id).status == "operational"


def test_a_body_that_is_not_json_is_a_400(app_ctx, client, clock):
    integration, token, _ = connect()
    answer = client.post(f"/api/alerts/{integration.public_id}", data=b"\xff{not json",
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 400 and "not JSON" in answer.json["error"]["message"]
    assert post(client, integration, token, [1, 2]).status_code == 400


def test_unmatched_alerts_are_listed_and_open_nothing_until_mapped(app_ctx, client, auth, clock):
    integration, token, checkout = connect(value="SomethingElse")
    firing = fixture("alertmanager_firing.json")
    assert post(client, integration, token, firing).json["unmatched"] == 2
    assert count(Incident) == 0
    integrations.add_mapping(integration, label="alertname", value="CheckoutDown", component=checkout,
                             kind="website-outage", variables=VALUES, user=None)  # fmt: skip
    db.session.commit()
    assert post(client, integration, token, firing).json["opened"] == 1  # mapped now: one draft
    assert count(Incident) == 1


def test_owners_create_an_integration_see_its_token_once_and_a_snippet(
    app_ctx, client, auth, editor
):
    component("Checkout")
    auth.login()
    created = client.post("/admin/alerts", data={"kind": "alertmanager", "name": "Prod"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "candor_alerts_" in page
    integration = integrations.integrations()[0]
    assert integration.token_hash not in page
    assert f"http://status.test/api/alerts/{integration.public_id}" in page
    assert "webhook_configs:" in page and "credentials: &#34;PASTE_THE_TOKEN_HERE&#34;" in page
    again = client.get(f"/admin/alerts/{integration.public_id}").get_data(as_text=True)
    assert "candor_alerts_" not in again.replace("PASTE_THE_TOKEN_HERE", "")
    for kind, marker in (("grafana", "authorization_credentials"), ("uptime_kuma", "Post URL")):
        client.post("/admin/alerts", data={"kind": kind})
        newest = integrations.integrations()[-1]
        page = client.get(f"/admin/alerts/{newest.public_id}").get_data(as_text=True)
        assert marker in page and f"/api/alerts/{newest.public_id}" in page
    auth.logout()
    auth.login("editor@shop.test")
    assert client.get("/admin/alerts").status_code == 403


def test_owners_map_alerts_in_the_admin_and_bad_mappings_are_refused(app_ctx, client, auth):
    checkout = component("Checkout")
    integration, _token = integrations.create_integration("uptime_kuma", "Kuma", None)
    db.session.commit()
    auth.login()
    url = f"/admin/alerts/{integration.public_id}/mappings"
    form = {"label": "monitor", "value": "Storefront", "component": checkout.public_id,
            "kind": "website-outage", "impact": "major", "component_status": "major_outage",
            "variables": "social_url = https://social.shop.test\n# a comment\n"}  # fmt: skip
    wrong = client.post(url, data={**form, "variables": "no_such_variable = 1"})
    assert wrong.status_code == 400 and "has no variable" in wrong.get_data(as_text=True)
    assert client.post(url, data={**form, "kind": "planned-maintenance"}).status_code == 400
    assert client.post(url, data=form).status_code == 302
    (mapping,) = db.session.get(type(integration), integration.id).mappings
    assert mapping.variables == {"social_url": "https://social.shop.test"}
    assert not mapping.auto_publish  # off unless an owner ticks it
    page = client.get(f"/admin/alerts/{integration.public_id}").get_data(as_text=True)
    assert "monitor = Storefront" in page and "draft for a person" in page
    old = integration.token_hash
    page = client.post(f"/admin/alerts/{integration.public_id}/actions/token").get_data(
        as_text=True
    )
    assert "candor_alerts_" in page  # the new token, shown once
    assert db.session.get(type(integration), integration.id).token_hash != old


def test_repeats_and_drafts_leave_the_public_pages_cached(app_ctx, client, clock):
    integration, token, _ = connect(component_status=None)
    version = lambda: db.session.scalar(select(SiteVersion.version))  # noqa: E731
    before = version()
    post(client, integration, token, fixture("alertmanager_firing.json"))  # a draft nobody sees
    post(client, integration, token, fixture("alertmanager_firing.json"))  # a repeat
    assert version() == before
