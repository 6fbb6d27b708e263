"""The Statuspage v2 read API: exact shape (strict JSON Schema), semantics, caching, CORS, query count."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.services.incidents import lifecycle as service
from statuspage.services.markup import render_markdown
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "statuspage_v2.json").read_text())
REGISTRY = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
DOCUMENTS = {
    "/api/v2/summary.json": "summary",
    "/api/v2/status.json": "status_document",
    "/api/v2/components.json": "components_document",
    "/api/v2/incidents.json": "incidents_document",
    "/api/v2/incidents/unresolved.json": "incidents_document",
    "/api/v2/scheduled-maintenances.json": "maintenances_document",
    "/api/v2/scheduled-maintenances/upcoming.json": "maintenances_document",
    "/api/v2/scheduled-maintenances/active.json": "maintenances_document",
}


def validate(document: dict, name: str) -> None:
    """Validate a response strictly against the schema kept in tests/schemas."""
    validator = Draft202012Validator({"$ref": f"{SCHEMA['$id']}#/$defs/{name}"}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def maintenance(title="Database upgrade", status="scheduled", hours=(2, 4), body="We upgrade."):
    """Create a published maintenance directly (the maintenance UI is built elsewhere)."""
    now = utcnow()
    made = Incident(
        title=title,
        status=status,
        impact="none",
        is_maintenance=True,
        scheduled_for=now + timedelta(hours=hours[0]),
        scheduled_until=now + timedelta(hours=hours[1]),
    )
    db.session.add(made)
    db.session.add(
        IncidentUpdate(incident=made, status=status, body=body, body_html=render_markdown(body))
    )
    db.session.commit()
    return made


@pytest.fixture
def page(app, app_ctx):
    """A shop with a group, components, open/resolved/draft incidents and maintenances."""
    shop = saved_shop()
    shop.name, shop.languages, shop.timezone = "Bright Socks", "en,pl", "Europe/Warsaw"
    group = component("Shopping", is_group=True)
    checkout = component("Checkout", group=group)
    delivery = component("Delivery")
    active = incident(
        title="Card payments fail",
        components={checkout: "major_outage"},
        translations={"pl": "Płatności kartą nie działają."},
    )
    service.post_update(
        active,
        status="identified",
        body="The provider is down.",
        user=None,
        translations={"pl": "Dostawca ma awarię."},
        next_update_at=utcnow() + timedelta(hours=1),
    )
    later = service.post_update(active, status="monitoring", body="Secret future text", user=None)
    later.display_at = utcnow() + timedelta(hours=2)
    closed = incident(title="Slow deliveries", components={delivery: "degraded_performance"})
    service.resolve(closed, body="Back to normal.", user=None)
    incident(title="A draft nobody sees", draft=True)
    db.session.commit()
    return {
        "active": active,
        "closed": closed,
        "group": group,
        "checkout": checkout,
        "upcoming": maintenance("Database upgrade"),
        "running": maintenance("Warehouse move", status="in_progress", hours=(-1, 1)),
        "done": maintenance("Old window", status="completed", hours=(-30, -29)),
    }


@pytest.mark.parametrize("url", DOCUMENTS)
def test_every_endpoint_matches_the_strict_schema_and_is_cacheable(client, page, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"].startswith("public")
    validate(response.get_json(), DOCUMENTS[url])
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    plain = client.get(url, query_string={"candor": "0"}).get_data(as_text=True)
    assert '"candor"' not in plain


def test_summary_lists_status_components_unresolved_incidents_and_current_maintenance(client, page):
    data = client.get("/api/v2/summary.json").get_json()
    assert data["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert data["page"]["name"] == "Bright Socks" and data["page"]["time_zone"] == "Europe/Warsaw"
    assert [i["name"] for i in data["incidents"]] == ["Card payments fail"]
    assert {m["name"] for m in data["scheduled_maintenances"]} == {
        "Database upgrade",
        "Warehouse move",
    }
    group = next(c for c in data["components"] if c["group"])
    child = next(c for c in data["components"] if c["name"] == "Checkout")
    assert group["components"] == [child["id"]] and child["group_id"] == group["id"]
    assert group["status"] == "major_outage"  # a group shows its worst component


def test_incident_object_matches_statuspage_semantics(client, page):
    data = client.get("/api/v2/incidents.json").get_json()
    assert [i["name"] for i in data["incidents"]] == ["Slow deliveries", "Card payments fail"]
    active = data["incidents"][1]
    assert active["id"] == page["active"].public_id
    assert active["shortlink"] == f"http://status.test/incidents/{page['active'].public_id}"
    # The scheduled monitoring update is not public yet: the status stays at the last public one.
    assert active["status"] == "identified"
    assert [u["status"] for u in active["incident_updates"]] == ["identified", "investigating"]
    assert "Secret future text" not in json.dumps(data)
    first = active["incident_updates"][-1]
    assert first["affected_components"] == [
        {
            "code": page["checkout"].public_id,
            "name": "Checkout",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert active["incident_updates"][0]["affected_components"] is None
    assert active["components"][0]["name"] == "Checkout"
    assert active["candor"]["next_update_at"] is not None
    assert active["created_at"].endswith(("+01:00", "+02:00"))  # the shop's offset, like Statuspage
    closed = data["incidents"][0]
    assert closed["status"] == "resolved" and closed["resolved_at"]


def test_unresolved_only_lists_open_incidents(client, page):
    data = client.get("/api/v2/incidents/unresolved.json").get_json()
    assert [i["name"] for i in data["incidents"]] == ["Card payments fail"]


def test_maintenance_lists(client, page):
    def names(url):
        data = client.get(url).get_json()["scheduled_maintenances"]
        assert all(m["impact"] == "maintenance" and m["scheduled_for"] for m in data)
        return [m["name"] for m in data]

    assert names("/api/v2/scheduled-maintenances.json") == [
        "Database upgrade",
        "Warehouse move",
        "Old window",
    ]
    assert names("/api/v2/scheduled-maintenances/upcoming.json") == ["Database upgrade"]
    assert names("/api/v2/scheduled-maintenances/active.json") == ["Warehouse move"]


def test_lang_picks_the_translation_and_unknown_languages_fall_back(client, page):
    def bodies(lang):
        data = client.get("/api/v2/incidents/unresolved.json", query_string={"lang": lang})
        return [u["body"] for u in data.get_json()["incidents"][0]["incident_updates"]]

    assert bodies("pl") == ["Dostawca ma awarię.", "Płatności kartą nie działają."]
    assert bodies("pl-PL") == bodies("pl")
    assert bodies("xx") == ["The provider is down.", "We are looking into it."]
    update = client.get("/api/v2/summary.json?lang=pl").get_json()["incidents"][0]
    assert update["candor"]["languages"] == ["en", "pl"]
    assert update["incident_updates"][0]["candor"]["body_html"] == "<p>Dostawca ma awarię.</p>"


def test_empty_page_is_valid_and_operational(client):
    data = client.get("/api/v2/summary.json").get_json()
    validate(data, "summary")
    assert data["status"]["indicator"] == "none" and data["incidents"] == []
    again = client.get("/api/v2/summary.json").get_json()
    assert again["page"]["id"] == data["page"]["id"]  # stable before the settings are saved


def test_scheduled_update_appears_once_due(client, page):
    update = page["active"].updates[0]
    update.display_at = utcnow()
    db.session.commit()
    data = client.get("/api/v2/incidents/unresolved.json").get_json()
    assert data["incidents"][0]["status"] == "monitoring"
    assert data["incidents"][0]["incident_updates"][0]["body"] == "Secret future text"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v2/nope.json")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "url", ["/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json"]
)
def test_query_count_does_not_grow_with_history(app, app_ctx, client, count_queries, url):
    checkout = component()

    def add(count):
        for n in range(count):
            opened = incident(title=f"Incident {n}", components={checkout: "partial_outage"})
            service.post_update(opened, status="identified", body="More.", user=None)
            if n % 2:
                service.resolve(opened, body="Done.", user=None)
            maintenance(f"Window {n}")
        db.session.commit()

    def measure():
        with count_queries() as calls:
            assert client.get(url).status_code == 200
        return len(calls)

    add(3)
    small = measure()
    add(20)
    assert measure() == small


def test_a_due_scheduled_update_counts_before_the_job_applies_it(app_ctx, client):
    opened = incident(title="Parcels late")
    update = service.post_update(
        opened,
        status="identified",
        body="The courier lost a truck.",
        user=None,
        display_at=utcnow() + timedelta(hours=1),
    )
    db.session.commit()
    listed = client.get("/api/v2/incidents/unresolved.json").get_json()["incidents"][0]
    assert listed["status"] == "investigating" and len(listed["incident_updates"]) == 1
    update.display_at = utcnow()  # due now; the job that applies its effects has not run yet
    db.session.commit()
    listed = client.get("/api/v2/incidents/unresolved.json").get_json()["incidents"][0]
    assert listed["status"] == "identified"
    assert listed["incident_updates"][0]["body"] == "The courier lost a truck."


def test_a_due_scheduled_resolve_closes_the_incident_everywhere_before_the_job(app_ctx, client):
    opened = incident(title="Card payments fail")
    closing = service.resolve(
        opened, body="Payments work again.", user=None, display_at=utcnow() + timedelta(hours=1)
    )
    db.session.commit()
    assert client.get("/api/v2/summary.json").get_json()["incidents"][0]["status"] != "resolved"
    closing.display_at = utcnow()  # due now; the job has not applied it yet
    db.session.commit()
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["incidents"] == [] and summary["status"]["indicator"] == "none"
    assert client.get("/embed.json").get_json()["incidents"] == []
    page = client.get("/").get_data(as_text=True)
    assert "Card payments fail" in page  # listed among the recent, resolved ones
