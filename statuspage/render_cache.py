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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request

from .extensions import db
from .i18n import choose_language, select_locale
from .models import utcnow
from .models.cache import SiteVersion

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
    state = app.extensions["render_cache"] = {"entries": {}, "version": None, "checked": 0.0}
    app.wsgi_app = Replay(app.wsgi_app, state, app.config)

    @app.before_request
    def serve_from_cache():
        if not _applies():
            return None
        # Read before rendering: a write during the render makes the stored entry stale at once.
        g.render_version = current_version()
        entry = _fresh(_state()["entries"].get(_key(request, select_locale())), g.render_version)
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
            entries = _state()["entries"]
            if len(entries) > current_app.config["RENDER_CACHE_ENTRIES"]:
                entries.clear()  # bounded memory: a flood of distinct URLs cannot grow it forever
            body = response.get_data()
            entries[_key(request, select_locale())] = _Entry(
                g.render_version, g.get("next_change"), 200, headers, body, _gzip(response, body)
            )
        return response


class Replay:
    """WSGI layer answering repeat readers from the cache before Flask is entered."""

    def __init__(self, wsgi_app: Callable, state: dict, config: dict) -> None:
        self.wsgi_app, self.state, self.config = wsgi_app, state, config

    def __call__(self, environ: dict, start_response: Callable):
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and self._version_is_fresh():
            asking = Request(environ)
            entry = self._entry(asking)
            if entry is not None:
                return _replay(entry, asking)(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _version_is_fresh(self) -> bool:
        """Tell whether this process checked the data version (and read the languages) lately enough."""
        state, languages = self.state, self.state.get("languages")
        return (
            bool(state["entries"])
            and languages is not None
            and languages[0] == state["version"]
            and time.monotonic() - state["checked"] <= self.config["VERSION_CHECK_SECONDS"]
        )

    def _entry(self, asking: Request) -> _Entry | None:
        """Return the stored response for this request, or None when Flask must answer it."""
        _, default, enabled = self.state["languages"]
        lang, source = choose_language(asking, default, enabled)
        if source == "url":  # Flask remembers an explicit choice in a cookie
            return None
        return _fresh(self.state["entries"].get(_key(asking, lang)), self.state["version"])


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


def current_version() -> int:
    """Return the data version, re-read from the database at most every VERSION_CHECK_SECONDS (once a request)."""
    if has_request_context() and "render_version" in g:
        return g.render_version
    state = _state()
    if (
        state["version"] is None
        or time.monotonic() - state["checked"] > current_app.config["VERSION_CHECK_SECONDS"]
    ):
        state["version"] = (
            db.session.scalar(select(SiteVersion.version).where(SiteVersion.id == 1)) or 0
        )
        state["checked"] = time.monotonic()
    if has_request_context():
        g.render_version = state["version"]
    return state["version"]


def _applies() -> bool:
    """Tell whether this request may be served from (or stored in) the cache."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method in ("GET", "HEAD") and getattr(view, "_render_cached", False)


def _key(asking: Request, lang: str) -> tuple:
    """Cache key: the scheme, the URL and the reader's language."""
    return (asking.scheme, asking.full_path, lang)


def _state() -> dict:
    """Return this process's cache."""
    return current_app.extensions["render_cache"]


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, context) -> None:
    """Remember that this transaction wrote something."""
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(state) -> None:
    """Bulk UPDATE/DELETE statements (job claims) write too."""
    if state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def private_write(session: Session | None = None) -> None:
    """Mark the current transaction as writing nothing the public sees (outboxes, subscribers): no bump."""
    (session or db.session).info[_PRIVATE] = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_private(session: Session, previous_transaction) -> None:
    """A rolled-back transaction's mark must not carry over to the next one."""
    session.info.pop(_PRIVATE, None)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    """Bump the data version in the same transaction as the writes."""
    if session.info.pop(_PRIVATE, False):
        session.info.pop(_WROTE, None)
        return
    if not (session.info.pop(_WROTE, False) or session.new or session.dirty or session.deleted):
        return
    bumped = session.execute(
        update(SiteVersion).where(SiteVersion.id == 1).values(version=SiteVersion.version + 1)
    )
    if bumped.rowcount == 0:
        session.add(SiteVersion(id=1, version=1))
    session.info.pop(_WROTE, None)
