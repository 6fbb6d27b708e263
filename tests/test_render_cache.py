"""Render on change: public responses are reused until a write or a scheduled update makes them stale."""

from datetime import timedelta

import time_machine

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from tests.helpers import incident


def test_pages_are_served_from_cache_until_a_write(app, app_ctx, client, count_queries):
    opened = incident(title="Checkout is down")
    first = client.get("/").get_data(as_text=True)
    with count_queries() as calls:
        again = client.get("/").get_data(as_text=True)
    assert again == first and len(calls) <= 1  # only the version check
    service.post_update(opened, status="identified", body="Found it.", user=None)
    db.session.commit()
    assert "Found it." in client.get("/").get_data(as_text=True)


def test_a_stale_process_catches_up_within_the_check_interval(app, app_ctx, client):
    app.config["VERSION_CHECK_SECONDS"] = 60
    opened = incident()
    client.get("/")
    service.post_update(opened, status="identified", body="Fresh news.", user=None)
    db.session.commit()
    assert "Fresh news." not in client.get("/").get_data(
        as_text=True
    )  # within the interval: cached
    app.config["VERSION_CHECK_SECONDS"] = 0
    assert "Fresh news." in client.get("/").get_data(as_text=True)


def test_a_scheduled_update_expires_the_cache_when_it_falls_due(app, app_ctx, client):
    opened = incident()
    update = service.post_update(opened, status="identified", body="Scheduled text.", user=None)
    update.display_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    url = f"/incidents/{opened.public_id}"
    assert "Scheduled text." not in client.get(url).get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        assert "Scheduled text." in client.get(url).get_data(as_text=True)


def test_each_language_has_its_own_entry(app, app_ctx, client):
    from statuspage.services.shop import saved_shop

    saved_shop().languages = "en,pl"
    db.session.commit()
    assert "Wszystko działa" in client.get("/?lang=pl").get_data(as_text=True)
    assert "All Systems Operational" in client.get("/?lang=en").get_data(as_text=True)
    response = client.get("/?lang=pl")
    assert "lang=pl" in response.headers.get(
        "Set-Cookie", ""
    )  # the choice is remembered on hits too


def test_repeat_readers_get_a_gzip_copy_compressed_once(app, app_ctx, client):
    import gzip

    incident(title="Checkout is down")
    plain = client.get("/").get_data()
    zipped = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert (
        zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    )
    assert gzip.decompress(zipped.get_data()) == plain and len(zipped.get_data()) < len(plain) / 2
    again = client.get(
        "/", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert again.status_code == 304


def test_repeat_readers_are_answered_before_flask_with_the_same_response(app, app_ctx, client):
    import gzip

    from flask import request_started

    app.config["VERSION_CHECK_SECONDS"] = 60
    incident(title="Checkout is down")
    entered = []

    def note(sender, **extra):
        entered.append(1)

    request_started.connect(note, app)
    first = client.get("/", headers={"Accept-Encoding": "gzip"})
    again = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert len(entered) == 1  # the repeat never reached Flask
    assert again.get_data() == first.get_data()  # the first reader got the stored gzip copy too
    assert gzip.decompress(again.get_data()).startswith(b"<!doctype html")
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert again.headers[header] == first.headers[header]
    assert {"Accept-Encoding", "Accept-Language", "Cookie"} <= set(
        again.headers["Vary"].split(", ")
    )
    assert client.head("/").get_data() == b"" and len(entered) == 1
    revalidate = {"If-None-Match": first.headers["ETag"], "Accept-Encoding": "gzip"}
    assert client.get("/", headers=revalidate).status_code == 304
    client.get("/?lang=en")  # an explicit choice is remembered in a cookie: Flask answers it
    client.post("/subscribe", data={})  # writes are never replayed
    assert len(entered) == 3
    app.config["VERSION_CHECK_SECONDS"] = 0  # the version check is due: Flask answers
    client.get("/")
    assert len(entered) == 4


def test_a_page_showing_one_readers_flash_is_not_replayed_to_others(app, client, auth):
    auth.login()
    logged_out = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "You are logged out." in logged_out
    stranger = app.test_client().get("/").get_data(as_text=True)
    assert "You are logged out." not in stranger and "All Systems Operational" in stranger
