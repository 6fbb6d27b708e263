"""Bounded work and plain values: a template edit is checked before anything renders and rendering is
bounded; out-of-range ids and times get a 4xx, never a 500; CSV cells cannot become formulas in any
separator a spreadsheet guesses; feed titles are plain text."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import xml.etree.ElementTree as ET

import pytest
from jinja2.exceptions import SecurityError
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models.playbooks import PlaybookOverride
from statuspage.services import ServiceError
from statuspage.services.incidents import lifecycle
from statuspage.services.playbooks import messages
from statuspage.services.playbooks.overrides import save_override
from tests.helpers import component, incident
from tests.security.conftest import login

BOMBS = [
    "{{ 'a' * 200000000 }}",
    "{{ 'ab' * 100000000 }}",
    "{{ ['a'] * 200000000 }}",
    "{{ 200000000 * 'a' }}",
    "{{ 'a' ~ 'b' * 300000000 }}",
    "{{ 9 ** 99999999 }}",
    "{{ range(100000)|join * 10000 }}",
    "{% for x in range(99999) %}{% for y in range(99999) %}x{% endfor %}{% endfor %}",
]


def _template(bomb: str) -> str:
    """A delivery-delay stage with a bomb in its first section."""
    sections = ["what_happened", "who_is_affected", "what_we_are_doing", "what_you_should_do",
                "next_update", "contact"]  # fmt: skip
    body = {name: f"Text for {name}." for name in sections}
    body["what_happened"] = bomb
    body["next_update"] = "Next update by {{ next_update_at }}."
    return "\n".join(f"--- {name}\n{text}\n" for name, text in body.items())


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_template_bomb_is_refused_before_anything_renders(app_ctx, owner, bomb):
    tracemalloc.start()
    try:
        with pytest.raises(ServiceError):
            save_override("delivery-delay", {"investigating.en": _template(bomb)}, {}, user=owner)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"{peak:,} bytes allocated to refuse {bomb}"
    assert db.session.get(PlaybookOverride, "delivery-delay") is None


def test_the_admin_answers_a_template_bomb_with_a_message(client, world):
    login(client)
    page = client.post("/admin/playbooks/delivery-delay/edit",
                       data={"tpl-investigating.en": _template(BOMBS[0])})  # fmt: skip
    assert page.status_code in (200, 400)
    assert "placeholders" in page.get_data(as_text=True)
    assert db.session.scalar(select(PlaybookOverride)) is None


@pytest.mark.parametrize("bomb", BOMBS[:6])
def test_the_sandbox_itself_refuses_huge_results(app_ctx, bomb):
    """Defence in depth: even a template that skipped the check cannot build a huge value."""
    tracemalloc.start()
    try:
        with pytest.raises((SecurityError, OverflowError, MemoryError)):
            messages._env.from_string(bomb).render()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"{peak:,} bytes"
    result = messages.render_template(_template(bomb), {"next_update_at": "15:00"})
    assert result.errors and "what_happened" not in result.sections


OUT_OF_RANGE_TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                      "9999-12-31T23:59:59+00:00", "2026-13-01T00:00:00Z", "99999-01-01T00:00:00Z"]  # fmt: skip


@pytest.mark.parametrize("raw", OUT_OF_RANGE_TIMES)
def test_the_api_refuses_out_of_range_times_with_4xx(client, world, raw):
    auth = {"Authorization": f"Bearer {world.owner_secret}"}
    for field in ("display_at", "next_update_at"):
        created = client.post("/api/v1/incidents", headers=auth, json={
            "title": "Slow", "body": "We look.", "status": "investigating", "impact": "minor",
            field: raw,
        })  # fmt: skip
        assert 400 <= created.status_code < 500, (field, raw, created.status_code)
        update = client.post(f"/api/v1/incidents/{world.incident.public_id}/updates", headers=auth,
                             json={"status": "identified", "body": "Found.", field: raw})  # fmt: skip
        assert 400 <= update.status_code < 500, (field, raw, update.status_code)


HUGE = ["99999999999999999999", "9223372036854775808", "2147483648", "18446744073709551616"]


def test_out_of_range_ids_are_404_never_500(app, client, world):
    login(client)
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [a for a in rule.arguments if f"<int:{a}>" in rule.rule]
        if not ints:
            continue
        for huge in HUGE:
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", huge).replace(f"<{arg}>", "enable")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method)
                assert response.status_code in (302, 400, 404), (method, path, response.status_code)
                checked += 1
    assert checked >= 8
    for query in ("?page=99999999999999999999", "?page=-99999999999999999999", "?page=1e9"):
        assert client.get(f"/history{query}").status_code in (200, 400, 404), query
    for field in ("group_id",):
        response = client.post("/admin/components", data={"name": "Pay", field: HUGE[0]})
        assert response.status_code < 500


# Titles are one line (no tab or CR of their own); a tab can still be the separator a spreadsheet picks.
FORMULAS = [";=1+1", "a;=HYPERLINK(\"http://x\")", "b,+1", "c;-1+1", "@SUM(1)", "=cmd", "-2+3",
            "d; =2", "e;@x", "f,=3"]  # fmt: skip


def _formula_cells(text: str) -> list[str]:
    """Return the cells a spreadsheet would read as formulas, for each separator it may guess."""
    found = []
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                stripped = cell.lstrip(" ")
                if stripped[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
                    r"-?\d+(\.\d+)?", stripped
                ):
                    found.append(f"{delimiter!r}: {cell!r}")
    return found


def test_csv_cells_never_become_formulas(app, app_ctx, client, world, owner):
    for title in FORMULAS:
        incident(title=title)
    checkout = component(name="Checkout; =1+1")
    assert checkout.name
    login(client)
    report = client.get("/admin/report.csv")
    assert report.status_code == 200
    assert _formula_cells(report.get_data(as_text=True)) == []
    subscribers = client.get("/admin/subscribers.csv")
    assert subscribers.status_code == 200
    assert _formula_cells(subscribers.get_data(as_text=True)) == []


TITLES = ["<img src=x onerror=alert(1)>", "<<script>script>alert(12)<</script>/script>",
          "</title><script>alert(15)</script>", "<svg onload=alert(3)>", "a < b and c > d"]  # fmt: skip


def test_feed_titles_are_plain_text(app, app_ctx, client):
    for title in TITLES:
        opened = incident(title=title)
        lifecycle.post_update(opened, status="identified", body="Found.", user=None)
    db.session.commit()
    for url in ("/history.rss", "/history.atom", "/feed.rss", "/feed.atom"):
        root = ET.fromstring(client.get(url).get_data())
        titles = [e.text or "" for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "title"]
        assert len(titles) > len(TITLES), url
        for title in titles:
            assert not re.search(r"<[A-Za-z/!?]", title), (url, title)
    texts = " ".join(titles)
    assert "a < b and c > d" in texts  # a plain "<" stays what it was
