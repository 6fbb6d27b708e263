"""Absolute links come from BASE_URL only; the request's Host never reaches a page, a feed or the cache;
cacheable responses set no cookies; `make run PORT=…` serves links that point at itself."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.helpers import languages

ROOT = Path(__file__).resolve().parents[2]
EVIL = "evil.example"


def _public_urls(app, world) -> list[str]:
    """Every public GET route (the cacheable surfaces), with real ids where a route takes one."""
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint.split(".")[0] not in ("public", "feeds", "api")
            or "GET" not in rule.methods
        ):
            continue
        if rule.rule.startswith("/api/v1"):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"public_id"}:
            ids = [world.component.public_id] if "/components/" in rule.rule else [
                world.incident.public_id, world.resolved.public_id]  # fmt: skip
            urls += [rule.rule.replace("<public_id>", i) for i in ids]
    return sorted(urls)


def test_a_forged_host_reaches_no_page_feed_or_cached_copy(app, app_ctx, client, world):
    languages("en,pl")
    urls = _public_urls(app, world)
    assert "/" in urls and f"/incidents/{world.incident.public_id}" in urls
    for url in urls:  # the forged request comes first, so whatever it renders is what gets cached
        for query in ("", "?lang=pl"):
            forged = client.get(url + query, headers={"Host": EVIL})
            assert EVIL.encode() not in forged.get_data(), url + query  # bytes: /favicon.ico
            assert EVIL not in str(forged.headers), url + query
            honest = client.get(url + query)
            assert EVIL.encode() not in honest.get_data(), url + query
    page = client.get("/").get_data(as_text=True)
    alternates = re.findall(r'<link rel="alternate" hreflang="\w+" href="([^"]+)"', page)
    assert alternates and all(a.startswith("http://status.test/") for a in alternates)


def test_cacheable_responses_set_no_cookies(app, app_ctx, client, world):
    languages("en,pl")
    for url in _public_urls(app, world):
        for query in ("", "?lang=pl", "?lang=en"):
            for _ in range(2):  # rendered, then replayed
                response = client.get(url + query)
                if "Set-Cookie" in response.headers:
                    assert "public" not in response.headers.get("Cache-Control", ""), url + query
    remembered = client.get("/?lang=pl")
    assert "lang=pl" in remembered.headers.get("Set-Cookie", "")  # the choice is still remembered
    assert "private" in remembered.headers["Cache-Control"]
    assert '<html lang="pl"' in client.get("/history").get_data(as_text=True)


def test_make_run_sets_the_base_url_to_its_own_address():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=5400", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    run = plan.stdout[plan.stdout.index("Candor runs on") :]
    assert "STATUSPAGE_BASE_URL" in run and "http://127.0.0.1:5400" in run, run
