"""Render on change: public responses are reused until a write or a scheduled update makes them stale."""

from datetime import timedelta

import time_machine

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from tests.helpers import T0, incident, languages


def test_pages_are_served_from_cache_until_a_write(app, app_ctx, client, count_queries):
    opened = incident(title="Checkout is down")
    first = client.get("/").get_data(as_text=True)
    with count_queries() as calls:
        again = client.get("/").get_data(as_text=True)
    assert again == first and len(calls) <= 1  # only the version check
    service.post_update(opened, status="identified", body="Found it.", user=None)
    db.session.commit()
    assert "Found it." in client.get("/").get_data(as_text=True)


def test_a_stale_process_catches_up_within_the_check_interval(app, app_ctx, client, clock):
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


def test_repeat_readers_are_answered_before_flask_with_the_same_response(
    app, app_ctx, client, clock
):
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


def test_unknown_query_arguments_share_the_entry_of_the_page(app, app_ctx, client, clock):
    from flask import request_started

    app.config["VERSION_CHECK_SECONDS"] = 60
    languages("en,pl")  # the language links keep the arguments a page reads, and only those
    opened = incident(title="Checkout is down")
    entries, entered = app.extensions["render_cache"], []

    def note(sender, **extra):
        entered.append(1)

    for url in ("/", f"/incidents/{opened.public_id}", "/badge.svg?label=Shop"):
        plain = client.get(url).get_data()
        stored = len(entries)
        join = "&" if "?" in url else "?"
        with request_started.connected_to(note, app):
            for n in range(1, 51):  # a cache-buster flood: no render, no entry, not even Flask
                assert client.get(f"{url}{join}x={n}&utm_source=mail").get_data() == plain, url
        assert len(entries) == stored and entered == [], url
    # Arguments a page reads still make their own entry.
    assert client.get("/badge.svg").get_data() != client.get("/badge.svg?label=Shop").get_data()
    # A first reader arriving with an unknown argument fills the entry of the page itself.
    entries.clear()
    first = client.get("/?fbclid=abc").get_data()
    with request_started.connected_to(note, app):
        assert client.get("/").get_data() == first and entered == []


def test_every_process_checks_the_version_on_the_same_wall_clock_ticks(app, app_ctx, client, clock):
    app.config["VERSION_CHECK_SECONDS"] = 0.5
    opened = incident()
    clock(seconds=0.1)
    client.get("/")  # checked in the tick [0, 0.5)
    service.post_update(opened, status="identified", body="Fresh news.", user=None)
    db.session.commit()
    clock(seconds=0.4)
    assert "Fresh news." not in client.get("/").get_data(as_text=True)
    clock(seconds=0.5)  # a new tick, though only 0.4 s passed since the check
    assert "Fresh news." in client.get("/").get_data(as_text=True)


def test_answers_tell_a_front_cache_to_keep_them_to_the_end_of_the_checked_second(
    app, app_ctx, client, clock
):
    app.config["VERSION_CHECK_SECONDS"] = 0.5
    opened = incident()
    clock(seconds=2.2)
    rendered = client.get("/")  # checked and rendered through Flask
    clock(seconds=2.3)
    replayed = client.get("/")  # answered before Flask
    unchanged = client.get("/", headers={"If-None-Match": replayed.headers["ETag"]})
    assert unchanged.status_code == 304
    rss = client.get("/history.rss")
    for answer in (rendered, replayed, unchanged, rss):
        assert answer.headers["X-Accel-Expires"] == f"@{int(T0.timestamp()) + 2}"
    clock(seconds=3.1)
    assert client.get("/").headers["X-Accel-Expires"] == f"@{int(T0.timestamp()) + 3}"
    assert "X-Accel-Expires" not in client.get(f"/incidents/{opened.public_id}x").headers  # 404
    assert "X-Accel-Expires" not in client.get("/login").headers  # never cached
