"""RSS and Atom feeds, the maintenance calendar and feed autodiscovery."""

from datetime import UTC, timedelta
from email.utils import format_datetime

import feedparser
import pytest

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident
from tests.test_api_v2 import maintenance

FEEDS = ("/history.rss", "/history.atom", "/feed.rss", "/feed.atom")


def parse(client, url, **kwargs):
    """Fetch a feed and parse it, insisting it is well-formed."""
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.fixture
def story(app, app_ctx):
    """An incident walked through three updates, with one more scheduled for later."""
    checkout = component("Checkout")
    opened = incident(title="Payment failures at checkout", components={checkout: "major_outage"})
    opened.updates[0].display_at = utcnow() - timedelta(minutes=30)
    identified = service.post_update(
        opened, status="identified", body="The **provider** is down.", user=None
    )
    identified.display_at = utcnow() - timedelta(minutes=10)
    future = service.post_update(opened, status="monitoring", body="Not yet public", user=None)
    future.display_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    return opened


@pytest.mark.parametrize("url", FEEDS)
def test_feed_has_one_entry_per_public_update_newest_first(client, story, url):
    feed = parse(client, url)
    assert [e.title for e in feed.entries] == [
        "[Identified] Payment failures at checkout",
        "[Investigating] Payment failures at checkout",
    ]
    newest = feed.entries[0]
    update = story.updates[1]
    assert (
        newest.link == f"http://status.test/incidents/{story.public_id}#update-{update.public_id}"
    )
    assert newest.id == newest.link
    assert "<strong>provider</strong>" in (
        newest.content[0].value if "content" in newest else newest.summary
    )
    assert newest.published_parsed[:5] == update.display_at.timetuple()[:5]
    assert {t.term for t in newest.tags} == {"major", "Checkout"}
    assert "Not yet public" not in client.get(url).get_data(as_text=True)


def test_scheduled_update_enters_the_feed_once_due_and_drafts_never(client, story):
    incident(title="Draft incident", draft=True)
    story.updates[0].display_at = utcnow()
    db.session.commit()
    titles = [e.title for e in parse(client, "/history.atom").entries]
    assert titles[0] == "[Monitoring] Payment failures at checkout"
    assert not any("Draft" in t for t in titles)


def test_feed_keeps_the_newest_fifty(app_ctx, client):
    opened = incident(title="Long incident")
    for n in range(55):
        service.post_update(opened, status="identified", body=f"Update {n}", user=None)
    db.session.commit()
    entries = parse(client, "/history.rss").entries
    assert len(entries) == 50
    assert "Update 54" in entries[0].summary


@pytest.mark.parametrize("url", ["/history.rss", "/history.atom"])
def test_conditional_get_and_cache_headers(client, story, url):
    response = client.get(url)
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    since = response.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    older = format_datetime((utcnow() - timedelta(days=1)).replace(tzinfo=UTC), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200
    assert client.get(url).headers["ETag"] == response.headers["ETag"]  # stable between requests


@pytest.mark.parametrize("url", ["/history.rss", "/history.atom"])
def test_hostile_content_keeps_the_feed_valid(app_ctx, client, url):
    name = "Kasse \x1b[31m]]> <b>&amp;"
    hostile = incident(
        title="Zahlung",
        body="Control \x01\x08\x0c\x1f\x7f chars, ]]> CDATA end, <script>x</script> "
        "RTL: \u202eأهلا\u202c emoji 🔥🧦, 😀",
        components={component("Kasse"): "major_outage"},
    )
    # Titles and names with control characters are refused at input now; rows written before that
    # rule still make a valid feed.
    hostile.title = "Zahlung ]]> fehlgeschlagen \x07\x0b 💳 — الدفع فشل"  # NUL: refused at the door
    hostile.components[0].name = name
    db.session.commit()
    feed = parse(client, url)
    entry = feed.entries[0]
    assert entry.title.startswith("[Investigating] Zahlung ]]> fehlgeschlagen")
    assert entry.title.endswith("💳 — الدفع فشل")
    body = entry.content[0].value if "content" in entry else entry.summary
    assert "]]&gt; CDATA end" in body and "🔥🧦" in body and "<script" not in body
    assert any(t.term == "Kasse [31m]]> &amp;" for t in entry.tags)  # plain text: no tags


def test_lang_picks_translations_and_falls_back(app_ctx, client):
    saved_shop().languages = "en,pl"
    incident(title="Delivery late", translations={"pl": "Przesyłki są opóźnione."})
    polish = parse(client, "/history.rss", query_string={"lang": "pl"})
    assert polish.feed.language == "pl"
    assert polish.entries[0].title == "[Badamy przyczynę] Delivery late"
    assert "Przesyłki są opóźnione." in polish.entries[0].summary
    unknown = parse(client, "/history.rss", query_string={"lang": "xx"})
    assert unknown.feed.language == "en"
    assert "We are looking into it." in unknown.entries[0].summary


def test_incident_and_component_feeds(client, story):
    other = incident(title="Other problem")
    checkout = story.components[0]
    for fmt in ("rss", "atom"):
        own = parse(client, f"/incidents/{story.public_id}/feed.{fmt}")
        assert len(own.entries) == 2 and "Payment failures" in own.feed.title
        by_component = parse(client, f"/components/{checkout.public_id}/feed.{fmt}")
        assert {e.title for e in by_component.entries} == {
            "[Identified] Payment failures at checkout",
            "[Investigating] Payment failures at checkout",
        }
    assert other.title not in client.get(f"/components/{checkout.public_id}/feed.rss").get_data(
        as_text=True
    )
    draft = incident(title="Draft", draft=True)
    assert client.get(f"/incidents/{draft.public_id}/feed.rss").status_code == 404
    assert client.get("/incidents/nope/feed.atom").status_code == 404
    assert client.get("/components/nope/feed.rss").status_code == 404


def test_maintenance_windows_appear_in_the_feed_and_the_calendar(app_ctx, client):
    window = maintenance("Database upgrade; part 1, of 2", body="Checkout pauses for an hour.")
    assert parse(client, "/history.rss").entries[0].title == "[Scheduled] " + window.title
    response = client.get("/maintenance.ics")
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert f"UID:{window.public_id}@status.test" in unfolded
    assert "SUMMARY;LANGUAGE=en:Database upgrade\\; part 1\\, of 2" in unfolded
    assert f"DTSTART:{window.scheduled_for.strftime('%Y%m%dT%H%M%SZ')}" in unfolded
    assert "Checkout pauses for an hour." in unfolded
    etag = response.headers["ETag"]
    assert client.get("/maintenance.ics", headers={"If-None-Match": etag}).status_code == 304


def test_public_pages_advertise_the_feeds(client, story):
    for url in ("/", "/history", f"/incidents/{story.public_id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'rel="alternate" type="application/rss+xml"' in page
        assert 'href="/history.rss?lang=en"' in page and 'href="/history.atom?lang=en"' in page
    page = client.get(f"/incidents/{story.public_id}?lang=en").get_data(as_text=True)
    assert f'href="/incidents/{story.public_id}/feed.atom?lang=en"' in page  # its own feed too


def test_entries_show_the_promised_next_update(app_ctx, client):
    opened = incident(title="Checkout slow")
    service.post_update(
        opened, status="identified", body="Found it.", user=None,
        next_update_at=utcnow() + timedelta(hours=2),
    )  # fmt: skip
    db.session.commit()
    entry = parse(client, "/history.atom").entries[0]
    assert "Next update by" in entry.content[0].value


def test_a_group_feed_follows_its_components(app_ctx, client):
    shop_group = component("Shop", is_group=True)
    checkout = component("Checkout", group=shop_group)
    incident(title="Checkout is slow", components={checkout: "degraded_performance"})
    feed = parse(client, f"/components/{shop_group.public_id}/feed.atom")
    assert len(feed.entries) == 1 and "Checkout is slow" in feed.entries[0].title


def test_the_maintenance_calendar_speaks_the_readers_language(app_ctx, client):
    saved_shop().languages = "en,pl"
    window = maintenance(
        "Database upgrade", body="Checkout pauses. [Details](https://shop.example/d)"
    )
    window.title_translations = {"pl": "Aktualizacja bazy danych"}
    polish = "Kasa zostanie wstrzymana. [Szczegóły](https://shop.example/d)"
    window.updates[0].translations = {"pl": {"body": polish, "html": "<p>Kasa…</p>"}}
    db.session.commit()
    unfolded = client.get("/maintenance.ics?lang=pl").get_data(as_text=True).replace("\r\n ", "")
    assert "SUMMARY;LANGUAGE=pl:Aktualizacja bazy danych" in unfolded
    assert (
        "DESCRIPTION;LANGUAGE=pl:Kasa zostanie wstrzymana. Szczegóły (https://shop.example/d)"
        in unfolded
    )
    assert "X-WR-CALNAME:Our shop – prace serwisowe" in unfolded
    english = client.get("/maintenance.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "SUMMARY;LANGUAGE=en:Database upgrade" in english
    assert "Checkout pauses. Details (https://shop.example/d)" in english
    assert "X-WR-CALNAME:Our shop maintenance" in english
    assert "SUMMARY;LANGUAGE=en:Database upgrade" in client.get(
        "/maintenance.ics?lang=xx"
    ).get_data(as_text=True).replace("\r\n ", "")
