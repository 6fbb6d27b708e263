"""The lean replay path answers exactly as Flask does: same status, headers and bytes on every surface.

Each request below is answered three ways: rendered by Flask (the cache is empty), replayed by the WSGI
layer in front of Flask (Flask is not entered), and replayed by Flask itself (the version check is due,
so the request goes through Flask, which finds the stored entry). The three answers must be identical,
with and without gzip, with If-None-Match, for a HEAD, and whichever way the language was chosen.
"""

from __future__ import annotations

import gzip

import pytest
from flask import request_started
from werkzeug.sansio.request import Request as SansioRequest
from werkzeug.sansio.response import Response as SansioResponse
from werkzeug.test import EnvironBuilder

from tests.helpers import incident, languages

SURFACES = [
    "/",
    "/incidents/{id}",
    "/history",
    "/history.rss",
    "/feed.atom",
    "/api/v2/summary.json",
    "/badge.svg",
    "/badge.json",
    "/embed.js",
    "/api/",
]

# query string, request headers
ASKS = {
    "plain": ("", {}),
    "gzip": ("", {"Accept-Encoding": "gzip, deflate, br"}),
    "gzip refused": ("", {"Accept-Encoding": "gzip;q=0, identity"}),
    "?lang": ("lang=pl", {"Accept-Encoding": "gzip"}),
    "?lang, no gzip": ("lang=pl&page=1", {}),
    "cookie": ("", {"Cookie": "other=1; lang=pl", "Accept-Encoding": "gzip"}),
    "Accept-Language": ("", {"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}),
    "unknown ?lang": ("lang=xx&x=1", {"Accept-Language": "ru, pl;q=0.1"}),
}


@pytest.fixture
def site(app, app_ctx, clock):
    """A shop in English and Polish with one open incident; Replay may answer for a minute."""
    languages("en,pl")
    opened = incident(title="Checkout is down", translations={"pl": "Kasa nie działa."})
    app.config["VERSION_CHECK_SECONDS"] = 60
    return opened


def _answer(client, method: str, url: str, headers: dict) -> tuple:
    """Send one request; return its status, header list and body."""
    response = client.open(url, method=method, headers=headers)
    return response.status, list(response.headers.items()), response.get_data()


def _three_ways(app, client, url: str, headers: dict, method: str = "GET") -> list[tuple]:
    """Answer one request rendered by Flask, replayed before Flask, and replayed by Flask."""
    entered = []

    def note(sender, **extra):
        entered.append(1)

    app.extensions["render_cache"].clear()
    with request_started.connected_to(note, app):
        rendered = _answer(client, method, url, headers)
        assert len(entered) == 1
        replayed = _answer(client, method, url, headers)
        assert len(entered) == 1, f"{url} {headers}: the repeat entered Flask"
        app.extensions["site_version"].checked = float("-inf")  # the version check is due
        through_flask = _answer(client, method, url, headers)
        assert len(entered) == 2
    return [rendered, replayed, through_flask]


def _same(answers: list[tuple], what: str) -> tuple:
    """Assert the three answers are identical; return one."""
    rendered = answers[0]
    for way, other in zip(("replayed", "replayed by Flask"), answers[1:], strict=True):
        assert other[0] == rendered[0], f"{what}: {way}: status"
        assert other[1] == rendered[1], f"{what}: {way}: headers"
        assert other[2] == rendered[2], f"{what}: {way}: body"
    return rendered


@pytest.mark.parametrize("surface", SURFACES)
def test_every_way_of_answering_gives_the_same_response(app, site, surface):
    client = app.test_client(use_cookies=False)  # each request sends exactly the headers given
    url = surface.format(id=site.public_id)
    for name, (query, headers) in ASKS.items():
        what = f"{url} ({name})"
        full = f"{url}?{query}" if query else url
        status, header_list, body = _same(_three_ways(app, client, full, headers), what)
        sent = dict(header_list)
        assert status == "200 OK", what
        assert "Accept-Encoding" in sent["Vary"], what
        assert "Date" not in sent, what  # the server adds the current one; a stored one is old
        assert [k for k, _ in header_list].count("Set-Cookie") == (
            1 if name.startswith("?lang") else 0
        ), what
        if sent.get("Content-Encoding") == "gzip":
            assert name in ("gzip", "?lang", "cookie"), what
            assert sent["ETag"].endswith('-gz"') and int(sent["Content-Length"]) == len(body)
            assert gzip.decompress(body)
        head = _same(_three_ways(app, client, full, headers, "HEAD"), f"HEAD {what}")
        assert head[0] == status and head[1] == header_list and head[2] == b"", what
        for tags in (sent.get("ETag"), f"W/{sent.get('ETag')}", f'"nope", {sent.get("ETag")}', "*"):
            if "ETag" not in sent:
                break
            conditional = _same(
                _three_ways(app, client, full, {**headers, "If-None-Match": tags}), f"{what} {tags}"
            )
            assert conditional[0] == "304 NOT MODIFIED" and conditional[2] == b"", what
            assert "Content-Length" not in dict(conditional[1]), what
        if "ETag" in sent:
            fresh = _three_ways(app, client, full, {**headers, "If-None-Match": '"other"'})
            assert _same(fresh, what)[0] == "200 OK"
        if "Last-Modified" in sent:
            since = {**headers, "If-Modified-Since": sent["Last-Modified"]}
            assert _same(_three_ways(app, client, full, since), what)[0] == "304 NOT MODIFIED"


def test_languages_reach_the_right_copy(app, site):
    url = f"/incidents/{site.public_id}"

    def page(query: str = "", **headers) -> str:
        """Read the incident as a new reader (no cookie kept from before)."""
        reader = app.test_client(use_cookies=False)
        return reader.get(url + query, headers=headers).get_data(as_text=True)

    for _ in range(2):  # rendered, then replayed
        assert "Kasa nie działa." in page("?lang=pl")
        assert "Kasa nie działa." in page(Cookie="lang=pl")
        assert "Kasa nie działa." in page(**{"Accept-Language": "pl"})
        english = page(**{"Accept-Language": "de, en;q=0.5", "Cookie": "lang=xx"})
        assert "Kasa nie działa." not in english and "Checkout is down" in english
    cookie = app.test_client().get(url + "?lang=pl").headers["Set-Cookie"]
    assert cookie.startswith("lang=pl;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_repeat_builds_no_request_or_response_object(app, client, site, monkeypatch):
    client.get("/", headers={"Accept-Encoding": "gzip"})
    environ = EnvironBuilder("/", headers={"Accept-Encoding": "gzip"}).get_environ()
    built = []
    for cls in (SansioRequest, SansioResponse):
        original = cls.__init__

        def counting(self, *args, _original=original, **kwargs):
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    started = []
    body = b"".join(app.wsgi_app(environ, lambda status, headers: started.append(status)))
    assert started == ["200 OK"] and gzip.decompress(body).startswith(b"<!doctype html")
    assert built == []


def test_a_render_that_answers_304_is_stored_and_replayed(app, site):
    client = app.test_client(use_cookies=False)
    tag = client.get("/", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    answers = _three_ways(app, client, "/", {"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert _same(answers, "/ 304")[0] == "304 NOT MODIFIED"
    assert client.get("/").status_code == 200
