"""Render on change, not per request: each process keeps the public responses it rendered.

An entry is reused while the data version is unchanged (every commit that writes bumps it) and until the
next scheduled update falls due. Each process re-reads the version at most every VERSION_CHECK_SECONDS,
so a published update shows on every surface, in every process, within about that long.

Repeat readers are answered by `Replay`, a WSGI layer in front of Flask, from the stored bytes and the
headers the response finally had (security headers, Vary, CORS) — without entering Flask at all, which
makes a cached page cheaper than the app's most trivial route. It answers only while this process checked
the version within the interval; otherwise the request goes through Flask, which checks it and serves or
renders as before. Either way a reader gets the same bytes.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, current_app, g, request
from werkzeug.wrappers import Request

from statuspage import site_version
from statuspage.i18n import choose_language, select_locale
from statuspage.models import utcnow

_CACHEABLE: set[str] = set()
_TEXTUAL = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript)|image/svg)")
_WROTE = "wrote"
_PRIVATE = "private_write"


@dataclass
class _Entry:
    version: int
    valid_until: datetime | None
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    gzipped: bytes | None  # compressed once when stored, served to every client that accepts it


def cacheable(view: Callable) -> Callable:
    """Mark a public GET view whose response depends only on the data, the URL and the language."""
    _CACHEABLE.add(view.__name__)
    view._render_cached = True
    return view


def register(app: Flask) -> None:
    """Serve marked views from the per-process cache and fill it.

    Call before any other after_request hook is registered: hooks run in reverse order, so the entry is
    stored last, with every header the other hooks add.
    """
    entries = app.extensions["render_cache"] = {}
    app.wsgi_app = Replay(app.wsgi_app, entries, site_version.init_app(app), app.config)

    @app.before_request
    def serve_from_cache():
        if not _applies():
            return None
        # Read before rendering: a write during the render makes the stored entry stale at once.
        g.render_version = site_version.current_version()
        entry = _fresh(_entries().get(_key(request, select_locale())), g.render_version)
        if entry:
            g.from_cache = True
            return _replay(entry, request)
        return None

    @app.after_request
    def store_in_cache(response: Response):
        if (
            _applies()
            and response.status_code == 200
            and not response.direct_passthrough
            and "from_cache" not in g
            and "render_version" in g
        ):
            headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
            entries = _entries()
            if len(entries) > current_app.config["RENDER_CACHE_ENTRIES"]:
                entries.clear()  # bounded memory: a flood of distinct URLs cannot grow it forever
            body = response.get_data()
            entries[_key(request, select_locale())] = _Entry(
                g.render_version, g.get("next_change"), 200, headers, body, _gzip(response, body)
            )
        return response


class Replay:
    """WSGI layer answering repeat readers from the cache before Flask is entered."""

    def __init__(
        self, wsgi_app: Callable, entries: dict, snapshot: site_version.Snapshot, config: dict
    ) -> None:
        self.wsgi_app, self.entries, self.snapshot, self.config = (
            wsgi_app,
            entries,
            snapshot,
            config,
        )

    def __call__(self, environ: dict, start_response: Callable):
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and self._version_is_fresh():
            asking = Request(environ)
            entry = self._entry(asking)
            if entry is not None:
                return _replay(entry, asking)(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _version_is_fresh(self) -> bool:
        """Tell whether this process checked the data version (and read the languages) lately enough."""
        return bool(self.entries) and self.snapshot.is_fresh(self.config["VERSION_CHECK_SECONDS"])

    def _entry(self, asking: Request) -> _Entry | None:
        """Return the stored response for this request, or None when Flask must answer it."""
        _, default, enabled = self.snapshot.languages
        lang, source = choose_language(asking, default, enabled)
        if source == "url":  # Flask remembers an explicit choice in a cookie
            return None
        return _fresh(self.entries.get(_key(asking, lang)), self.snapshot.version)


def _fresh(entry: _Entry | None, version: int) -> _Entry | None:
    """Return the entry if it still shows the current data."""
    if (
        entry
        and entry.version == version
        and (entry.valid_until is None or utcnow() < entry.valid_until)
    ):
        return entry
    return None


def _gzip(response: Response, body: bytes) -> bytes | None:
    """Compress a text response once (pages, feeds, JSON are 5-15 times smaller)."""
    if response.content_encoding or len(body) < 1024 or not _TEXTUAL.match(response.mimetype or ""):
        return None
    return gzip.compress(body, compresslevel=6, mtime=0)


def _replay(entry: _Entry, asking: Request) -> Response:
    """Answer from a stored entry: gzip when the client accepts it, 304 when it already has it."""
    response = Response(entry.body, status=entry.status, headers=entry.headers)
    response.vary.add("Accept-Encoding")
    if entry.gzipped is not None and "gzip" in asking.accept_encodings:
        response.set_data(entry.gzipped)
        response.content_encoding = "gzip"
        etag, weak = response.get_etag()
        if etag:  # a different representation, a different tag
            response.set_etag(etag + "-gz", weak=weak)
    return response.make_conditional(asking)


def _applies() -> bool:
    """Tell whether this request may be served from (or stored in) the cache."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method in ("GET", "HEAD") and getattr(view, "_render_cached", False)


def _key(asking: Request, lang: str) -> tuple:
    """Cache key: the scheme, the URL and the reader's language."""
    return (asking.scheme, asking.full_path, lang)


def _entries() -> dict:
    """Return this process's stored responses."""
    return current_app.extensions["render_cache"]
