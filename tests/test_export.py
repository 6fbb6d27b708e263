"""The static fallback: the exported site, served by nginx with the documented block, is the public site."""

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient

from statuspage.export import export_site
from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPERATIONS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def _documented_block() -> str:
    """Return the nginx block docs/operations.md documents for the static export."""
    blocks = re.findall(r"```nginx\n(.*?)```", OPERATIONS.read_text(), re.S)
    return next(block for block in blocks if "root /srv/candor-export;" in block)


def _web_user() -> str | None:
    """Return the unprivileged user nginx's workers run as when the tests run as root (else None)."""
    if os.geteuid() != 0:
        return None  # nginx runs as this (unprivileged) user already
    for name in ("www-data", "nginx", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    return None


def _worker_users(master: int) -> set[int]:
    """Return the uids of a process's children (nginx's workers)."""
    uids = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            uids.add(int(fields["Uid"].split()[0]))
    return uids


@pytest.fixture
def static_server(tmp_path):
    """Serve a site folder with nginx (installed by `make test`) on 127.0.0.1, configured as documented.

    As on a Debian server, nginx's workers run as an unprivileged user (www-data when the tests run as
    root, else the tests' own user), so the export must be readable by others to be served at all.
    """
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (make test installs it)")
    user = _web_user()
    home = Path(tempfile.mkdtemp(prefix="candor-export-")) if user else tmp_path
    home.chmod(0o711)  # the web server may pass through, not list (pytest's own folders are 0700)
    site = home / "site"
    site.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    block = _documented_block().replace("listen 80;", f"listen 127.0.0.1:{port};")
    block = block.replace("root /srv/candor-export;", f"root {site};")
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    process = f"user {user}; master_process on;" if user else "master_process off;"
    (tmp_path / "nginx.conf").write_text(
        f"{process} daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{ include /etc/nginx/mime.types; default_type application/octet-stream; access_log off; {temp}\n"
        f"{block}}}\n"
    )
    server = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=1)
        except urllib.error.HTTPError as answer:
            answer.close()
            break  # answering (404: nothing exported yet)
        except OSError:
            time.sleep(0.05)
    if user:
        assert _worker_users(server.pid) == {pwd.getpwnam(user).pw_uid}, "workers run as root"
    yield site, base
    server.terminate()
    server.wait(timeout=10)
    if user:
        shutil.rmtree(home, ignore_errors=True)


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers.get_content_type(), response.read().decode()


def test_export_serves_pages_feeds_and_json_in_every_language(app, app_ctx, static_server):
    site, base = static_server
    app.config["SMTP_HOST"] = "smtp.shop.test"  # e-mail is set up: pages offer the sign-up
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

    app.test_client_class = FlaskClient  # Flask's own client, as the `export` command has it
    umask = os.umask(0o077)  # a strict umask must not make the export unreadable to nginx's workers
    try:
        count = export_site(app, site)
    finally:
        os.umask(umask)
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
    assert _get(f"{base}/maintenance.ics")[0] == "text/calendar"
    # The live site's URLs work as they are: clean paths, ?lang= and ?page=.
    assert "Checkout is down" in _get(f"{base}/")[1]
    assert "Kasa nie działa." in _get(f"{base}/incidents/{opened.public_id}?lang=pl")[1]
    assert _get(f"{base}/history?page=1")[0] == "text/html"
    assert "Checkout is down" in _get(f"{base}/?lang=xx")[1]  # unknown language: the default one
    (site.parent / "secret.html").write_text("outside the export")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{base}/secret?lang=..")  # a query never reaches outside the export
    assert refused.value.code == 404
    refused.value.close()


def test_export_command_and_visibility_once_due(app, app_ctx, runner, tmp_path):
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
