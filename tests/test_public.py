"""Public pages through the test client."""

from datetime import timedelta

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident


def test_empty_page_says_all_operational(client):
    page = client.get("/").get_data(as_text=True)
    assert "All Systems Operational" in page
    assert "No incidents in the last 14 days" in page


def test_active_incident_shows_banner_latest_update_and_components(app_ctx, client):
    checkout = component()
    opened = incident(components={checkout: "major_outage"}, impact="critical")
    service.post_update(opened, status="identified", body="The card terminal is broken.", user=None)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Major Service Outage" in page
    assert "The card terminal is broken." in page
    assert "We are looking into it." not in page  # only the latest update on the front page
    assert "Major outage" in page


def test_incident_permalink_has_full_timeline_with_times(app_ctx, client):
    opened = incident()
    service.post_update(opened, status="monitoring", body="Fix is live.", user=None)
    db.session.commit()
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert page.index("Fix is live.") < page.index("We are looking into it.")  # newest first
    assert '<time datetime="' in page and "UTC" in page


def test_times_are_shown_in_the_shop_timezone(app_ctx, client):
    saved_shop().timezone = "Asia/Tokyo"
    opened = incident()
    opened.updates[0].display_at = opened.updates[0].display_at.replace(hour=1, minute=30)
    db.session.commit()
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert "10:30" in page


def test_unknown_and_draft_incidents_are_404(app_ctx, client):
    draft = incident(draft=True)
    assert client.get(f"/incidents/{draft.public_id}").status_code == 404
    assert client.get("/incidents/nope").status_code == 404
    assert draft.title not in client.get("/").get_data(as_text=True)


def test_future_update_is_invisible_until_due(app_ctx, client):
    opened = incident()
    update = service.post_update(opened, status="identified", body="Secret future text", user=None)
    update.display_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    response = client.get(f"/incidents/{opened.public_id}")
    assert "Secret future text" not in response.get_data(as_text=True)
    max_age = int(response.headers["Cache-Control"].split("s-maxage=")[1])
    assert 0 < max_age <= 30  # caches expire before the scheduled update is due


def test_recent_and_history_grouped_by_month_and_paginated(app, app_ctx, client):
    app.config["HISTORY_PAGE_SIZE"] = 2
    for n in range(3):
        old = incident(title=f"Old incident {n}")
        service.resolve(old, body="Done.", user=None)
        old.started_at = utcnow() - timedelta(days=40 + n)
    db.session.commit()
    front = client.get("/").get_data(as_text=True)
    assert "Old incident" not in front  # older than 14 days
    first = client.get("/history").get_data(as_text=True)
    assert "Old incident 0" in first and "Page 1 of 2" in first and "<h2" in first
    assert "Old incident 2" in client.get("/history?page=2").get_data(as_text=True)
    assert client.get("/history?page=99").status_code == 404
    assert client.get("/history?page=junk").status_code == 200


def test_contacts_on_every_public_page(app_ctx, client):
    shop = saved_shop()
    shop.contact_email, shop.contact_hotline = "help@shop.test", "0800 123 456"
    opened = incident()
    db.session.commit()
    for url in ("/", "/history", f"/incidents/{opened.public_id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="mailto:help@shop.test"' in page and "tel:0800123456" in page


def test_groups_show_worst_child_status(app_ctx, client):
    group = component("Shopping", is_group=True)
    component("Cart", group=group).status = "partial_outage"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert (
        page.count('<span aria-hidden="true">▲</span> Partial outage') == 2
    )  # the group and its child


def test_etag_gives_304(client):
    first = client.get("/")
    assert first.headers["ETag"]
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_public_query_count_does_not_grow_with_history(app, app_ctx, client, count_queries):
    def measure():
        with count_queries() as calls:
            for url in ("/", "/history"):
                assert client.get(url).status_code == 200
        return len(calls)

    def add(count):
        for n in range(count):
            opened = service.open_incident(
                title=f"Incident {n}", body="Down.", impact="major", status="investigating", user=None,
                component_statuses={checkout: "degraded_performance"},
            )  # fmt: skip
            service.post_update(opened, status="identified", body="More.", user=None)
            if n % 2:
                service.resolve(opened, body="Done.", user=None)
        db.session.commit()

    checkout = component()
    add(5)
    small = measure()
    add(495)
    assert measure() == small


def test_incident_page_query_count_does_not_grow_with_its_updates(
    app, app_ctx, client, count_queries
):
    opened = incident(title="Long night")

    def measure():
        with count_queries() as calls:
            assert client.get(f"/incidents/{opened.public_id}").status_code == 200
        return len(calls)

    def add(count):
        for n in range(count):
            service.post_update(opened, status="identified", body=f"Step {n}.", user=None)
        db.session.commit()

    add(5)
    few = measure()
    add(295)
    assert measure() == few
