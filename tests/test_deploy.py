"""The shipped front cache outlives the app: deploy/nginx/candor.conf in front of the production server.

nginx runs unprivileged from a temporary prefix with the shipped site (only its ports and cache folder
replaced, tests/stack.py), in front of the app under the production command (deploy/systemd's
ExecStart). Every app worker is killed at once; the page, the feed and the JSON keep being served with
the last content; the app comes back and a new update shows through nginx.
"""

from __future__ import annotations

import gzip
import os
import shlex
import shutil
import struct
import time
from pathlib import Path

import pytest

from statuspage.extensions import db
from statuspage.services.incidents import lifecycle as service
from tests.helpers import incident
from tests.stack import (
    NGINX,
    ROOT,
    AppServer,
    Nginx,
    free_port,
    get,
    production_command,
    proxy_site,
)

GZIP = {"Accept-Encoding": "gzip"}


def _text(answer) -> str:
    """Return an answer's text, unzipped when it came compressed."""
    body = answer.read()
    return (
        gzip.decompress(body) if answer.headers.get("Content-Encoding") == "gzip" else body
    ).decode()


def _until(check, seconds: float, what: str):
    """Poll until check() returns something true; fail after the given seconds."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            assert found, what
            return found
        time.sleep(0.05)


@pytest.fixture
def server_env(app) -> dict:
    """The environment an app server needs to share the test's database and instance folder."""
    if not (shutil.which("nginx") or os.path.exists(NGINX)):
        pytest.skip("nginx is not installed (make test installs nginx-light)")
    return {"STATUSPAGE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}


def test_the_front_cache_serves_the_last_page_while_the_app_is_dead(app_ctx, server_env):
    opened = incident(title="Parcels are late")
    url = f"/incidents/{opened.public_id}"
    port = free_port()
    app_server = AppServer(server_env).start()
    try:
        with Nginx(lambda cache: proxy_site(port, [app_server.port], cache), port) as front:
            first = get(front.url + "/", GZIP)
            assert first.headers["Content-Encoding"] == "gzip"  # the app's copy, passed through
            assert "Parcels are late" in _text(first)
            again = get(front.url + "/", GZIP)
            # From nginx's cache: a HIT, or (the copy expires at the end of its second) the copy
            # served while nginx refreshes it in the background.
            assert again.headers["X-Cache"] in ("HIT", "STALE", "UPDATING")
            assert "Parcels are late" in _text(again)
            for path in ("/history.rss", "/api/v2/summary.json", url):
                assert "Parcels are late" in _text(get(front.url + path, GZIP))
            assert get(front.url + "/admin/").headers.get("X-Cache") is None  # never cached

            app_server.kill()  # every worker at once, as a crash or an OOM kill would
            assert not any(Path(f"/proc/{pid}").exists() for pid in app_server.workers())

            def stale_but_served():
                """Read every surface; tell whether nginx served an expired copy (the app is gone)."""
                answers = {p: get(front.url + p, GZIP) for p in ("/", "/history.rss", url)}
                for path, answer in answers.items():
                    assert answer.status == 200, f"{path}: {answer.status}"
                    assert "Parcels are late" in _text(answer), path
                return answers["/"].headers["X-Cache"] in ("STALE", "UPDATING")

            _until(stale_but_served, 10, "nginx never served its expired copy")
            assert get(front.url + "/healthz").status == 502  # monitors see the app is down

            service.post_update(
                opened, status="identified", body="The courier found them.", user=None
            )
            db.session.commit()
            app_server = AppServer(server_env, app_server.port).start()
            _until(
                lambda: all(
                    "The courier found them." in _text(get(front.url + p, GZIP))
                    for p in ("/", "/history.rss", url)
                ),
                2,
                "the new update did not show through nginx within 2 s of the app's return",
            )
    finally:
        app_server.kill()


def _expiry(cached: Path) -> tuple[int, int]:
    """Read when nginx stores a cache file's copy as valid until, and when it stored it (epoch seconds).

    The file starts with ngx_http_file_cache_header_t: version, valid_sec, updating_sec, error_sec,
    last_modified, date (ngx_uint_t and time_t, 8 bytes each on 64-bit Linux).
    """
    _, valid_sec, _, _, _, date = struct.unpack("<Qqqqqq", cached.read_bytes()[:48])
    return valid_sec, date


def test_the_front_cache_keeps_a_page_only_to_the_end_of_the_second_the_app_checked(
    app_ctx, server_env
):
    # nginx counts validity in whole seconds: "1s" kept a copy 1 to 2 s. The app says until when
    # (X-Accel-Expires: @<the second it last checked the data version>), so no copy outlives it.
    incident(title="Parcels are late")
    port = free_port()
    with (
        AppServer(server_env) as app_server,
        Nginx(lambda cache: proxy_site(port, [app_server.port], cache), port) as front,
    ):
        for path in ("/", "/history.rss", "/api/v2/summary.json", "/badge.svg"):
            answer = get(front.url + path, GZIP)
            assert answer.status == 200 and "X-Accel-Expires" not in answer.headers, path
        stored = [_expiry(f) for f in front.cache.rglob("*") if f.is_file()]
        assert len(stored) == 4
        for valid_sec, date in stored:
            assert valid_sec <= date, "nginx keeps the copy into a later second"


def test_the_production_command_is_the_documented_one():
    command = shlex.split(production_command())
    assert Path(command[0]).name == "granian"
    shown = " ".join(["granian", *command[1:]])
    for doc in ("README.md", "docs/operations.md"):
        assert shown in (ROOT / doc).read_text(), f"{doc} does not show: {shown}"
