"""Two app nodes on one database, with login limits counted in Redis.

Two production servers on different ports stand for two machines: they share the test's database
(PostgreSQL when DATABASE_URL is set, as in CI's second run; else one SQLite file), the secret key and a
redis-server started here. An update published on node A is read on node B; failed logins on either
node count against one limit.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from statuspage.extensions import db
from statuspage.services.team.tokens import create_token
from tests.helpers import incident
from tests.stack import REDIS, AppServer, Redis


def _redis_server() -> str | None:
    """Find redis-server, installing Debian's package when it is missing and this is root."""
    if shutil.which("redis-server") or os.path.exists(REDIS):
        return shutil.which("redis-server") or REDIS
    if os.getuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "redis-server"],
        ):
            subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    return shutil.which("redis-server")


@pytest.fixture
def redis():
    """A redis-server on a free port of 127.0.0.1 (installed by `make test`)."""
    if _redis_server() is None:
        pytest.skip(
            "redis-server is not installed and could not be installed (make test installs it)"
        )
    with Redis() as server:
        yield server


@pytest.fixture
def nodes(app, redis, owner):
    """Two app servers sharing the database, the secret key and Redis; yields (A, B)."""
    env = {
        "STATUSPAGE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "STATUSPAGE_SECRET_KEY": "the same secret on every node",
        "STATUSPAGE_RATELIMIT_STORAGE_URI": redis.url,
        "STATUSPAGE_LOGIN_RATE_LIMIT": "3 per minute",
    }
    servers = [AppServer(env), AppServer(env)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.kill()


def _until(check, seconds: float, what: str) -> None:
    """Poll until check() is true; fail after the given seconds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _read(url: str) -> str:
    """Read a page."""
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read().decode()


def test_an_update_published_on_one_node_is_read_on_the_other(app_ctx, owner, nodes):
    node_a, node_b = nodes
    opened = incident(title="Payments fail")
    _, token = create_token(owner, "integration")
    db.session.commit()
    page = f"/incidents/{opened.public_id}"
    assert "Payments fail" in _read(node_b.url + page)  # node B has the page in its cache
    asked = urllib.request.Request(
        f"{node_a.url}/api/v1/incidents/{opened.public_id}/updates",
        data=json.dumps({"status": "identified", "body": "The bank fixed its gateway."}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:
        assert answer.status == 201
    _until(
        lambda: all("The bank fixed its gateway." in _read(node_b.url + p) for p in (page, "/")),
        1,
        "node B did not show node A's update within 1 s",
    )


def test_the_login_limit_holds_across_nodes(app_ctx, owner, nodes, redis):
    node_a, node_b = nodes
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = browser.open(node_a.url + "/login", timeout=5).read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)

    def attempt(node: AppServer) -> int:
        """Try a wrong password on one node; return the status."""
        data = {"csrf_token": csrf, "email": owner.email, "password": "not the password"}
        try:
            with browser.open(node.url + "/login", urllib.parse.urlencode(data).encode(), 5) as got:
                return got.status
        except urllib.error.HTTPError as error:
            return error.code

    # Two workers per node, two nodes: four processes, one count.
    assert [attempt(node) for node in (node_a, node_b, node_a)] == [200, 200, 200]
    assert attempt(node_b) == 429 and attempt(node_a) == 429
    redis.__exit__()  # Redis fails: the team can still reach the login (counted per process)
    assert attempt(node_b) in (200, 429)
