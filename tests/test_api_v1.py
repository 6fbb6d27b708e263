"""The write API: token auth, the incident lifecycle from a script, strict input, the OpenAPI document."""

import hashlib
import json
import re
from datetime import UTC, timedelta

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.models.api import ApiToken
from statuspage.services.shop import saved_shop
from statuspage.services.team.tokens import create_token
from tests.helpers import component, incident

BASE = "/api/v1"


class Api:
    """Call the API with a token and check every answer against the OpenAPI document."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret
        self.doc = client.get(f"{BASE}/openapi.json").get_json()
        self.registry = Registry().with_resource(
            "urn:openapi", DRAFT202012.create_resource(self.doc)
        )

    def call(self, method, template, url=None, body=None, **kwargs):
        """Send a request; validate the response against the documented schema for its status."""
        headers = kwargs.pop("headers", {"Authorization": f"Bearer {self.secret}"})
        if body is not None:
            kwargs.setdefault("data", json.dumps(body))
            kwargs.setdefault("content_type", "application/json")
        response = self.client.open(
            BASE + (url or template), method=method, headers=headers, **kwargs
        )
        documented = self.doc["paths"][template][method.lower()]["responses"]
        assert str(response.status_code) in documented, (response.status_code, response.data)
        spec = documented[str(response.status_code)]
        if "$ref" in spec:
            spec = self.doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
        schema = spec["content"]["application/json"]["schema"]
        validator = Draft202012Validator(
            {"$ref": "urn:openapi" + schema["$ref"]}, registry=self.registry
        )
        errors = [e.message for e in validator.iter_errors(response.get_json())]
        assert not errors, errors[:3]
        return response


@pytest.fixture
def api(client, editor):
    """An API client holding an editor's token."""
    _, secret = create_token(editor, "helpdesk")
    db.session.commit()
    return Api(client, secret)


def counts():
    """Count incidents and updates (a failed request must change neither)."""
    return (
        db.session.scalar(select(func.count()).select_from(Incident)),
        db.session.scalar(select(func.count()).select_from(IncidentUpdate)),
    )


def test_a_script_creates_updates_schedules_and_resolves_an_incident(app, client, api):
    saved_shop().languages = "en,pl"
    checkout = component("Checkout")
    created = api.call(
        "POST",
        "/incidents",
        body={
            "title": "Payment failures at checkout",
            "impact": "major",
            "status": "investigating",
            "body": "Card payments fail. **Nobody was charged.**",
            "components": {checkout.public_id: "major_outage"},
            "translations": {"pl": "Płatności kartą nie działają."},
            "next_update_at": (utcnow() + timedelta(hours=1)).replace(tzinfo=UTC).isoformat(),
        },
    )
    assert created.status_code == 201
    found = created.get_json()["incident"]
    assert created.headers["Location"] == f"{BASE}/incidents/{found['id']}"
    assert found["components"] == [
        {"id": checkout.public_id, "name": "Checkout", "status": "major_outage"}
    ]
    assert found["updates"][0]["translations"] == {"pl": "Płatności kartą nie działają."}
    path = f"/incidents/{found['id']}"
    assert "Payment failures at checkout" in client.get("/").get_data(as_text=True)

    updated = api.call("POST", "/incidents/{public_id}/updates", f"{path}/updates",
                       body={"status": "identified", "body": "Our provider is down."})  # fmt: skip
    assert updated.status_code == 201 and updated.get_json()["incident"]["status"] == "identified"

    later = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = api.call("POST", "/incidents/{public_id}/updates", f"{path}/updates",
                         body={"status": "monitoring", "body": "Scheduled text", "display_at": later,
                               "components": {checkout.public_id: "degraded_performance"}})  # fmt: skip
    shown = scheduled.get_json()["incident"]
    assert shown["updates"][0]["published"] is False
    assert shown["updates"][0]["display_at"].startswith(later[:16])
    assert shown["status"] == "identified"  # a scheduled update changes nothing before it is due
    for public in ("/", path, "/history.rss", "/api/v2/incidents.json", "/api/v2/components.json"):
        text = client.get(public).get_data(as_text=True)
        assert "Scheduled text" not in text and "degraded_performance" not in text, public
    update = db.session.scalar(
        select(IncidentUpdate).where(IncidentUpdate.body == "Scheduled text")
    )
    update.display_at = utcnow()  # time passes: the update is due
    db.session.commit()
    assert "Scheduled text" in client.get("/history.rss").get_data(as_text=True)

    resolved = api.call("POST", "/incidents/{public_id}/resolve", f"{path}/resolve",
                        body={"body": "Payments work again."})  # fmt: skip
    assert resolved.status_code == 200
    assert resolved.get_json()["incident"]["status"] == "resolved"
    assert resolved.get_json()["incident"]["components"][0]["status"] == "operational"

    shown = api.call("GET", "/incidents/{public_id}", path).get_json()["incident"]
    assert shown["components"][0]["status"] == "operational"
    assert [u["status"] for u in shown["updates"]] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]
    listed = api.call("GET", "/incidents", query_string={"status": "closed"}).get_json()
    assert [i["id"] for i in listed["incidents"]] == [found["id"]]
    assert api.call("GET", "/incidents", query_string={"status": "open"}).get_json() == {
        "incidents": []
    }


def test_an_incident_can_be_opened_for_later(client, api):
    later = (utcnow() + timedelta(hours=1)).replace(tzinfo=UTC).isoformat()
    created = api.call("POST", "/incidents", body={"title": "Planned notice", "body": "Soon.",
                                                   "display_at": later})  # fmt: skip
    assert created.status_code == 201
    assert created.get_json()["incident"]["updates"][0]["published"] is False
    assert "Planned notice" not in client.get("/").get_data(as_text=True)
    assert client.get("/api/v2/incidents.json").get_json()["incidents"] == []


def test_an_incident_can_be_opened_from_a_playbook_with_variables(client, api):
    from statuspage.services.playbooks.loader import get_playbook

    saved_shop().languages = "en,pl"
    db.session.commit()
    playbook = get_playbook("delivery-delay")
    variables = {v.name: v.example for v in playbook.variables if v.example}
    response = api.call(
        "POST", "/incidents",
        body={"playbook": "delivery-delay", "variables": variables, "title": "Parcels are late"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    made = response.get_json()["incident"]
    assert made["kind"] == "delivery-delay" and made["title"] == "Parcels are late"
    first = made["updates"][0]
    assert variables["carrier"] in first["body"] and set(first["translations"]) == {"pl"}
    assert first["next_update_at"] is not None
    assert made["url"] == f"http://status.test/incidents/{made['id']}"


def test_list_filters_drafts_and_limit(api):
    for n in range(3):
        incident(title=f"Incident {n}")
    incident(title="Draft", draft=True)
    assert (
        len(api.call("GET", "/incidents", query_string={"limit": "2"}).get_json()["incidents"]) == 2
    )
    drafts = api.call("GET", "/incidents", query_string={"status": "draft"}).get_json()["incidents"]
    assert [i["title"] for i in drafts] == ["Draft"] and drafts[0]["draft"] is True


def test_tokens_are_required_and_stored_hashed(client, api, editor):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer candor_wrong"}, {"Authorization": "Bearer " + "x" * 500}):  # fmt: skip
        response = api.call("GET", "/incidents", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(api.secret.encode()).hexdigest()
    assert api.secret not in json.dumps([token.name, token.token_hash])
    assert token.last_used_at is None
    api.call("GET", "/incidents")
    db.session.refresh(token)
    assert token.last_used_at is not None
    token.revoked_at = utcnow()
    db.session.commit()
    assert api.call("GET", "/incidents").status_code == 401


def test_the_session_cookie_does_not_open_the_write_api(client, auth):
    auth.login()
    response = client.post(f"{BASE}/incidents", json={"title": "x", "body": "y"})
    assert response.status_code == 401 and counts() == (0, 0)


BAD = [
    ({"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, 415, "JSON"),
    ({"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
    ({"data": "[" * 5000, "content_type": "application/json"}, 400, "not valid JSON"),
    ({"data": "", "content_type": "application/json"}, 400, "JSON object"),
    ({"body": ["title"]}, 400, "JSON object"),
    ({"body": {"title": "x", "body": "y", "colour": "red"}}, 400, "Unknown field “colour”"),
    ({"body": {"title": 5, "body": "y"}}, 400, "“title” must be a string"),
    ({"body": {"title": "x", "body": "y", "draft": "yes"}}, 400, "true or false"),
    ({"body": {"title": "x", "body": "y", "components": ["a"]}}, 400, "must be an object"),
    ({"body": {"title": "x", "body": "y", "translations": {"pl": 1}}}, 400, "“translations.pl”"),
    ({"body": {"body": "y"}}, 400, "“title” is required"),
    ({"body": {"title": "x", "body": "y\u0000"}}, 400, "NUL"),
    ({"body": {"title": "x", "body": "y", "next_update_at": "tomorrow"}}, 400, "ISO 8601"),
    ({"body": {"title": "x", "body": "y", "next_update_at": "2020-01-01T00:00:00Z"}}, 400, "not in the future"),
    ({"body": {"title": "x", "body": "y", "next_update_at": "2999-01-01T00:00:00"}}, 400, "timezone offset"),
    ({"body": {"title": "x", "body": "y", "impact": "apocalyptic"}}, 422, "Unknown impact"),
    ({"body": {"title": "x", "body": "y", "status": "resolved"}}, 422, "starts as"),
    ({"body": {"title": " ", "body": "y"}}, 422, "title is empty"),
    ({"body": {"title": "x" * 201, "body": "y"}}, 422, "too long"),
    ({"body": {"title": "x", "body": "y", "components": {"nope": "major_outage"}}}, 422, "Unknown component"),
    ({"body": {"title": "x", "body": "y", "translations": {"de": "Hallo"}}}, 422, "not enabled"),
    ({"body": {"title": "x", "body": "y", "playbook": "delivery-delay"}}, 400, "cannot be combined"),
    ({"body": {"playbook": "no-such-kind"}}, 422, "Unknown playbook"),
    ({"body": {"playbook": "planned-maintenance"}}, 422, "Plan maintenance in the admin"),
    ({"body": {"playbook": "delivery-delay", "status": "resolved"}}, 422, "not an opening stage"),
    ({"body": {"playbook": "delivery-delay", "variables": {}}}, 422, "cannot be composed"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "status", "message"), BAD)
def test_bad_input_to_create_is_refused_clearly_and_changes_nothing(api, kwargs, status, message):
    before = counts()
    response = api.call("POST", "/incidents", **kwargs)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]
    assert counts() == before


def test_bad_updates_are_refused_clearly_and_change_nothing(api):
    checkout = component()
    opened = incident(title="Open")
    closed = incident(title="Closed")
    api.call("POST", "/incidents/{public_id}/resolve", f"/incidents/{closed.public_id}/resolve",
             body={"body": "Done."})  # fmt: skip
    future = (utcnow() + timedelta(hours=1)).replace(tzinfo=UTC).isoformat()
    cases = [
        (opened, {"status": "identified"}, 400, "“body” is required"),
        (opened, {"status": "identified", "body": "x", "display_at": "2001-01-01T00:00:00+00:00"}, 400, "not in the future"),
        (opened, {"status": "identified", "body": "x", "display_at": "2999-01-01T00:00:00Z"}, 422, "a year ahead"),
        (opened, {"status": "identified", "body": "x", "display_at": future, "next_update_at": future}, 400, "of display_at"),
        (opened, {"status": "scheduled", "body": "x"}, 422, "cannot move"),
        (opened, {"status": "identified", "body": "x", "components": {checkout.public_id: "on_fire"}}, 422, "Unknown component status"),
        (closed, {"status": "identified", "body": "x"}, 422, "closed"),
    ]  # fmt: skip
    for target, body, status, message in cases:
        before = counts()
        url = f"/incidents/{target.public_id}/updates"
        response = api.call("POST", "/incidents/{public_id}/updates", url, body=body)
        assert (response.status_code, counts()) == (status, before), body
        assert message in response.get_json()["error"]["message"], body
    closing = api.call("POST", "/incidents/{public_id}/resolve", f"/incidents/{opened.public_id}/resolve",
                       body={"body": "Fixed by then.", "display_at": future})  # fmt: skip
    assert (
        closing.status_code == 200 and closing.get_json()["incident"]["status"] == "investigating"
    )
    after = api.call("POST", "/incidents/{public_id}/updates", f"/incidents/{opened.public_id}/updates",
                     body={"status": "identified", "body": "x", "display_at": future[:-6] + "Z"})  # fmt: skip
    assert after.status_code == 422 and "set to close" in after.get_json()["error"]["message"]
    again = api.call("POST", "/incidents/{public_id}/resolve", f"/incidents/{closed.public_id}/resolve",
                     body={"body": "Done again."})  # fmt: skip
    assert again.status_code == 422
    missing = api.call("POST", "/incidents/{public_id}/updates", "/incidents/nope/updates",
                       body={"status": "identified", "body": "x"})  # fmt: skip
    assert missing.status_code == 404 and "nope" in missing.get_json()["error"]["message"]
    assert api.call("GET", "/incidents/{public_id}", "/incidents/nope").status_code == 404
    for limit in ("0", "101", "many"):
        assert api.call("GET", "/incidents", query_string={"limit": limit}).status_code == 400
    assert api.call("GET", "/incidents", query_string={"status": "weird"}).status_code == 400


def test_resolve_can_keep_component_statuses(api):
    checkout = component()
    opened = incident(components={checkout: "partial_outage"})
    url = f"/incidents/{opened.public_id}/resolve"
    done = api.call("POST", "/incidents/{public_id}/resolve", url,
                    body={"body": "Mostly fixed.", "keep_components": True})  # fmt: skip
    assert done.get_json()["incident"]["components"][0]["status"] == "partial_outage"


def test_openapi_document_matches_the_routes(app, client):
    doc = client.get(f"{BASE}/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    documented = {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(BASE)), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.") and rule.endpoint != "api_v1.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served


def test_cli_creates_a_token_that_works(app_ctx, runner, client, editor):
    result = runner.invoke(args=["create-token", "Editor@Shop.test", "--name", "monitoring"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("candor_")
    response = client.get(f"{BASE}/incidents", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    unknown = runner.invoke(args=["create-token", "nobody@shop.test"])
    assert unknown.exit_code == 1 and "no account" in unknown.output


def test_admin_creates_shows_once_lists_and_revokes_tokens(client, auth, owner, editor):
    _, others = create_token(editor, "editor's bot")
    db.session.commit()
    auth.login()
    page = client.post("/admin/tokens", data={"name": "helpdesk"})
    text = page.get_data(as_text=True)
    secret = text.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert page.status_code == 200 and secret.startswith("candor_")
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "helpdesk" in listing and "editor&#39;s bot" in listing and secret not in listing
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{BASE}/incidents", headers=headers).status_code == 200
    mine = db.session.scalar(select(ApiToken).where(ApiToken.name == "helpdesk"))
    client.post(f"/admin/tokens/{mine.id}/revoke")
    assert client.get(f"{BASE}/incidents", headers=headers).status_code == 401
    assert client.post("/admin/tokens", data={"name": ""}).status_code == 400
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.name == "editor's bot"))
    client.post(f"/admin/tokens/{theirs.id}/revoke")  # an owner may revoke anyone's token
    assert (
        client.get(f"{BASE}/incidents", headers={"Authorization": f"Bearer {others}"}).status_code
        == 401
    )


def test_editors_see_and_revoke_only_their_own_tokens(client, auth, owner, editor):
    owners, _ = create_token(owner, "owner's bot")
    db.session.commit()
    auth.login(email=editor.email)
    assert "owner&#39;s bot" not in client.get("/admin/tokens").get_data(as_text=True)
    assert client.post(f"/admin/tokens/{owners.id}/revoke").status_code == 404
    db.session.refresh(owners)
    assert owners.revoked_at is None
