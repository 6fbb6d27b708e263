"""Status badges (SVG and the shields.io endpoint format) and the storefront banner's data and script."""

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident
from tests.test_api_v2 import maintenance


@pytest.mark.parametrize(
    ("impact", "color", "message"),
    [
        (None, "brightgreen", "all systems operational"),
        ("minor", "yellow", "minor service outage"),
        ("major", "orange", "partial system outage"),
        ("critical", "red", "major service outage"),
    ],
)
def test_badge_json_follows_the_shields_endpoint_schema(app_ctx, client, impact, color, message):
    if impact:
        incident(impact=impact)
    response = client.get("/badge.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == {
        "schemaVersion": 1,
        "label": "status",
        "message": message,
        "color": color,
        "cacheSeconds": 300,
    }
    svg = client.get("/badge.svg")
    assert svg.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(svg.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert message in root.get("aria-label")


def test_maintenance_badge_is_blue(app_ctx, client):
    maintenance("Warehouse move", status="in_progress", hours=(-1, 1))
    assert client.get("/badge.json").get_json()["color"] == "blue"


def test_badge_label_can_be_changed_and_is_escaped(client):
    hostile = '<script>"&\x01'
    assert client.get("/badge.json", query_string={"label": "shop"}).get_json()["label"] == "shop"
    svg = client.get("/badge.svg", query_string={"label": hostile})
    root = ElementTree.fromstring(svg.data)  # still well-formed XML
    assert "<script" not in svg.get_data(as_text=True)
    assert root.get("aria-label").startswith('<script>"&')
    assert client.get("/badge.svg", query_string={"label": ""}).status_code == 200


def test_badges_are_cacheable(client):
    response = client.get("/badge.svg")
    assert response.headers["Cache-Control"].startswith("public")
    assert (
        client.get("/badge.svg", headers={"If-None-Match": response.headers["ETag"]}).status_code
        == 304
    )


def test_embed_json_is_empty_while_all_is_well(client):
    response = client.get("/embed.json")
    data = response.get_json()
    assert data["incidents"] == [] and data["indicator"] == "none"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
    assert (
        0 < max_age <= 30
    )  # visitors' browsers keep it briefly: the storefront's traffic is large


def test_embed_json_shows_active_incidents_in_the_visitors_language(app_ctx, client):
    saved_shop().languages = "en,pl"
    checkout = component()
    opened = incident(
        title="Card payments fail",
        components={checkout: "major_outage"},
        translations={"pl": "Płatności **kartą** nie działają."},
    )
    hidden = service.post_update(opened, status="identified", body="Scheduled", user=None)
    hidden.display_at = utcnow() + timedelta(hours=1)
    resolved = incident(title="Old problem")
    service.resolve(resolved, body="Fixed.", user=None)
    db.session.commit()
    data = client.get("/embed.json", query_string={"lang": "pl-PL"}).get_json()
    assert data["lang"] == "pl" and data["dir"] == "ltr"
    assert data["labels"] == {"details": "Szczegóły", "dismiss": "Zamknij"}
    [item] = data["incidents"]
    assert item["title"] == "Card payments fail"
    assert item["status"] == "investigating" and item["status_label"] == "Badamy przyczynę"
    assert item["text"] == "Płatności kartą nie działają."
    assert item["url"] == f"http://status.test/incidents/{opened.public_id}"
    assert item["update_id"] == opened.updates[1].public_id
    english = client.get("/embed.json", query_string={"lang": "de"}).get_json()
    assert english["lang"] == "en" and english["incidents"][0]["text"] == "We are looking into it."


def test_embed_text_is_short_plain_text(app_ctx, client):
    incident(body="<script>alert(1)</script> " + "word " * 100)
    [item] = client.get("/embed.json").get_json()["incidents"]
    assert len(item["text"]) <= 201 and item["text"].endswith("…")
    assert "<" not in item["text"]


def test_embed_script_is_small_self_contained_and_cached(client):
    response = client.get("/embed.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "max-age=" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    assert len(response.data) < 6 * 1024
    assert re.findall(r"https?://[\w.-]+", script) == ["https://STATUS-PAGE"]  # no third-party code
    assert "innerHTML" not in script and "eval(" not in script
