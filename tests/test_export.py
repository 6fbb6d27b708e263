"""The static fallback: the exported site, served by a real static web server, is the public site."""

import functools
import http.server
import json
import threading
import urllib.request
from datetime import timedelta

import feedparser
import pytest

from statuspage.export import export_site
from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services import incidents as service
from statuspage.services.shop import saved_shop

from .helpers import component, incident


@pytest.fixture
def static_server(tmp_path):
    """Serve tmp_path/site with Python's static file server on 127.0.0.1."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers.get_content_type(), response.read().decode()


def test_export_serves_pages_feeds_and_json_in_every_language(app, static_server):
    site, base = static_server
    shop = saved_shop()
    shop.languages = "en,pl,ar"
    checkout = component()
    opened = incident(
        title="Checkout is down",
        components={checkout: "major_outage"},
        translations={"pl": "Kasa nie działa."},
    )
    hidden = service.post_update(opened, status="identified", body="Not yet public.", user=None)
    hidden.display_at = utcnow() + timedelta(hours=1)
    db.session.commit()

    count = export_site(app, site)
    assert count > 20
    kind, page = _get(f"{base}/index.html")
    assert kind == "text/html" and "Checkout is down" in page and "Not yet public." not in page
    assert "Kasa nie działa." in _get(f"{base}/pl/incidents/{opened.public_id}.html")[1]
    assert 'dir="rtl"' in _get(f"{base}/ar/index.html")[1]
    assert 'href="http://status.test/subscribe"' in page  # sign-ups go to the live app
    kind, summary = _get(f"{base}/api/v2/summary.json")
    assert kind == "application/json" and json.loads(summary)["status"]["indicator"] == "critical"
    feed = feedparser.parse(_get(f"{base}/history.rss")[1])
    assert not feed.bozo and "Checkout is down" in feed.entries[0].title
    assert _get(f"{base}/badge.svg")[0] == "image/svg+xml"
    assert _get(f"{base}/static/style.css")[0] == "text/css"


def test_export_command_and_visibility_once_due(app, runner, tmp_path):
    opened = incident(title="Slow checkout")
    later = service.post_update(opened, status="identified", body="Scheduled words.", user=None)
    later.display_at = utcnow() + timedelta(minutes=30)
    db.session.commit()
    result = runner.invoke(args=["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "incidents" / f"{opened.public_id}.html").read_text()
    assert "Slow checkout" in page and "Scheduled words." not in page
    import time_machine

    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        export_site(app, tmp_path / "out")
    assert (
        "Scheduled words."
        in (tmp_path / "out" / "incidents" / f"{opened.public_id}.html").read_text()
    )
