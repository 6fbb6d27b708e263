"""Render on change, not per request: each process keeps the public responses it rendered.

An entry is reused while the data version is unchanged (every commit that writes bumps it) and until the
next scheduled update falls due. Each process re-reads the version once per tick of
VERSION_CHECK_SECONDS on the wall clock (site_version), so a published update shows on every surface, in
every process, within about that long.

Repeat readers are answered by `Replay`, a WSGI layer in front of Flask, without entering Flask and
without building a request or response object: a dict lookup on the scheme, the URL and the language
(`?lang`, the cookie or Accept-Language, `i18n.language_of`), the plain or gzip copy by Accept-Encoding,
an If-None-Match comparison, and header lists worked out once when the entry was stored (the final
headers of the response: security headers, Vary, CORS). It answers only while this process checked the
version in the current tick; otherwise the request goes through Flask, which checks it and answers from
the same entry. A response Flask renders is answered from its new entry too, so the first reader, every
repeat reader and a reader who comes when the check is due all get the same status, headers and bytes
(tests/test_replay.py compares them on every surface).

Two decisions: no stored answer carries a `Date` (the server adds the current one; a stored one would be
the render's time, sent beside gunicorn's own or passed on as is by granian), and a `?lang=` answer gets
its language cookie (`i18n.language_cookie`) on every hit.

Query arguments a page does not read do not count: a view declares the ones it reads
(`@cacheable(args=("page",))`; `lang` always counts), it sees only those in `request.args`, and the key
keeps only those, so `/?utm_source=mail` or a flood of `/incidents/<id>?x=1…100000` is answered from the
entry of the page itself: no render and no new entry (the layer in front of Flask learns each path's
arguments from its first render).

Every answer from the cache tells a front cache how long it holds: `X-Accel-Expires: @<second>`, the end
of the second this process last checked the data version in (`site_version.front_expires`). nginx keeps
the copy no longer and drops the header; deploy/nginx/candor.conf relies on it to stay fresh within 1 s.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from flask import Flask, Response, current_app, g, request, session
from werkzeug.datastructures import Accept, ImmutableMultiDict
from werkzeug.http import is_resource_modified, parse_accept_header

from statuspage import site_version
from statuspage.i18n import language_cookie, language_of, select_locale
from statuspage.services.clock import as_utc

_TEXTUAL = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript)|image/svg)")
_NOT_STORED = {"set-cookie", "date"}


@dataclass(frozen=True)
class _Copy:
    """One representation (plain or gzip) with everything a hit needs worked out once."""

    body: bytes
    ok: tuple[str, list[tuple[str, str]]]  # status line and headers of a full answer
    not_modified: tuple[str, list[tuple[str, str]]]  # the same for 304 (no entity headers)
    etag: str | None  # as sent, quoted
    last_modified: str | None


@dataclass(frozen=True)
class _Entry:
    version: int
    expires: float  # epoch seconds when the next scheduled update falls due (inf: none)
    plain: _Copy
    gzipped: _Copy | None  # compressed once when stored, served to every client that accepts it


def cacheable(view: Callable | None = None, *, args: tuple[str, ...] = ()) -> Callable:
    """Mark a public GET view whose response depends only on the data, the path, `args` and the language.

    The view sees only the query arguments named in `args` (and `lang`); others are dropped from
    `request.args` and from the cache key. Use as `@cacheable` or `@cacheable(args=("page",))`.
    """

    def mark(view: Callable) -> Callable:
        view._render_cached = True
        view._render_args = frozenset(args) | {"lang"}
        return view

    return mark if view is None else mark(view)


def register(app: Flask) -> None:
    """Serve marked views from the per-process cache and fill it.

    Call before any other after_request hook is registered: hooks run in reverse order, so the entry is
    stored last, with every header the other hooks add.
    """
    entries = app.extensions["render_cache"] = {}
    # Each rendered path -> the query arguments its view reads (Replay keys by those alone).
    arguments = app.extensions["render_cache_args"] = {}
    app.wsgi_app = Replay(app.wsgi_app, entries, arguments, site_version.init_app(app), app.config)

    @app.before_request
    def serve_from_cache():
        if not _applies():
            return None
        # The view sees only the arguments its answer may depend on (the key has no others).
        allowed = _arguments()
        request.args = ImmutableMultiDict(
            [(k, v) for k, v in request.args.items(multi=True) if k in allowed]
        )
        # Read before rendering: a write during the render makes the stored entry stale at once.
        g.render_version = site_version.current_version()
        entry = _fresh(_entries().get(_request_key()), g.render_version)
        if entry is None:
            return None
        g.from_cache = True  # the language cookie is added by i18n's hook, as for a render
        return _as_response(entry, request.environ)

    @app.after_request
    def store_in_cache(response: Response):
        if not (
            _applies()
            # A render that already answered 304 (make_conditional) still holds its body.
            and response.status_code in (200, 304)
            and not response.direct_passthrough
            and "from_cache" not in g
            and "render_version" in g
            # A render that changed the session showed something of this reader's (a flashed
            # "You are logged out."): it must not be replayed to anyone else.
            and not session.modified
        ):
            return response
        if session.accessed:  # what Flask's session interface adds after this hook; keep it
            response.vary.add("Cookie")
        entries, arguments = _entries(), current_app.extensions["render_cache_args"]
        limit = current_app.config["RENDER_CACHE_ENTRIES"]
        if len(entries) >= limit or len(arguments) >= limit:
            # Bounded memory: distinct pages (not query arguments: they share an entry) beyond it.
            entries.clear()
            arguments.clear()
        entry = _entry(response, g.render_version, g.get("next_change"))
        entries[_request_key()] = entry
        arguments[request.environ.get("PATH_INFO", "")] = _arguments()
        answer = _as_response(entry, request.environ)
        for cookie in response.headers.getlist("Set-Cookie"):
            answer.headers.add("Set-Cookie", cookie)
        return answer


class Replay:
    """WSGI layer answering repeat readers from the cache before Flask is entered."""

    def __init__(
        self,
        wsgi_app: Callable,
        entries: dict,
        arguments: dict,
        snapshot: site_version.Snapshot,
        config: dict,
    ) -> None:
        self.wsgi_app, self.entries, self.arguments = wsgi_app, entries, arguments
        self.snapshot, self.config = snapshot, config

    def __call__(self, environ: dict, start_response: Callable):
        method = environ["REQUEST_METHOD"]
        snapshot = self.snapshot
        if (
            (method == "GET" or method == "HEAD")
            and self.entries
            and "HTTP_IF_MATCH" not in environ
            and snapshot.is_fresh(self.config["VERSION_CHECK_SECONDS"])
        ):
            _, default, enabled = snapshot.languages
            lang, source = language_of(environ, default, enabled)
            path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
            if query:
                allowed = self.arguments.get(path)  # None: not rendered yet, Flask knows the view
                query = None if allowed is None else _kept(query, allowed)
            entry = None if query is None else self.entries.get(_key(environ, path, query, lang))
            if (
                entry is not None
                and entry.version == snapshot.version
                and time.time() < entry.expires
            ):
                copy = _pick(entry, environ)
                if _unchanged(copy, environ):
                    (status, headers), body = copy.not_modified, b""
                else:
                    (status, headers), body = copy.ok, copy.body
                headers = [*headers, ("X-Accel-Expires", snapshot.front_expires)]
                if source == "url":  # the explicit choice is remembered, as Flask does
                    headers.append(("Set-Cookie", language_cookie(lang)))
                start_response(status, headers)
                return [b"" if method == "HEAD" else body]
        return self.wsgi_app(environ, start_response)


def _key(environ: dict, path: str, query: str, lang: str) -> tuple:
    """Cache key: the scheme, the path, the query arguments the page reads and the reader's language."""
    return (environ["wsgi.url_scheme"], path, query, lang)


def _kept(query: str, allowed: frozenset[str]) -> str:
    """Keep the query arguments in `allowed`, as sent and in their order; drop the others."""
    return "&".join(
        part for part in query.split("&") if unquote_plus(part.partition("=")[0]) in allowed
    )


def _arguments() -> frozenset[str]:
    """Return the query arguments this request's cacheable view reads."""
    return current_app.view_functions[request.endpoint]._render_args


def _request_key() -> tuple:
    """Return the cache key of the request Flask is handling."""
    environ = request.environ
    query = _kept(environ.get("QUERY_STRING", ""), _arguments())
    return _key(environ, environ.get("PATH_INFO", ""), query, select_locale())


def _pick(entry: _Entry, environ: dict) -> _Copy:
    """Pick the copy the client accepts: gzip when it takes it and there is one."""
    if entry.gzipped is not None and _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")):
        return entry.gzipped
    return entry.plain


def _unchanged(copy: _Copy, environ: dict) -> bool:
    """Tell whether the client already holds this copy (If-None-Match, If-Modified-Since)."""
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if "HTTP_IF_MODIFIED_SINCE" not in environ:
        if asked is None:
            return False
        if asked == copy.etag:  # what browsers send back
            return True
    # Anything else by werkzeug's rules, as make_conditional applies them (weak comparison, dates).
    return not is_resource_modified(environ, copy.etag, None, copy.last_modified)


_ACCEPTS_GZIP: dict[str | None, bool] = {}


def _accepts_gzip(header: str | None) -> bool:
    """Tell whether an Accept-Encoding header takes gzip (memoised: clients send few distinct ones)."""
    known = _ACCEPTS_GZIP.get(header)
    if known is None:
        known = parse_accept_header(header, Accept).quality("gzip") > 0  # "gzip;q=0" refuses it
        if len(_ACCEPTS_GZIP) > 256:
            _ACCEPTS_GZIP.clear()
        _ACCEPTS_GZIP[header] = known
    return known


def _entry(response: Response, version: int, next_change) -> _Entry:
    """Store a rendered response: its body, its final headers and a gzip copy, each ready to send."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _NOT_STORED]
    body = response.get_data()
    zipped = _gzip(response, body)
    expires = float("inf")
    if next_change is not None:  # stored as naive UTC
        expires = as_utc(next_change).timestamp()
    return _Entry(
        version,
        expires,
        _copy(body, headers, None),
        None if zipped is None else _copy(zipped, headers, "gzip"),
    )


def _copy(body: bytes, headers: list[tuple[str, str]], encoding: str | None) -> _Copy:
    """Work out a copy's headers once, as werkzeug would send them for a 200 and for a 304."""
    built = Response(body, status=200, headers=headers)
    built.vary.add("Accept-Encoding")
    if encoding:
        built.content_encoding = encoding
        etag, weak = built.get_etag()
        if etag:  # a different representation, a different tag
            built.set_etag(etag + "-gz", weak=weak)
    ok = built.status, built.get_wsgi_headers({}).to_wsgi_list()
    built.status_code = 304
    not_modified = built.status, built.get_wsgi_headers({}).to_wsgi_list()
    return _Copy(
        body, ok, not_modified, built.headers.get("ETag"), built.headers.get("Last-Modified")
    )


def _as_response(entry: _Entry, environ: dict) -> Response:
    """Answer from an entry inside Flask (its after_request hooks still run and change nothing)."""
    copy = _pick(entry, environ)
    status, headers = copy.not_modified if _unchanged(copy, environ) else copy.ok
    headers = [*headers, ("X-Accel-Expires", g.front_expires)]  # as Replay sends it
    # The whole body even for HEAD or 304: werkzeug leaves it out when sending (and a 304's length).
    return current_app.response_class(copy.body, status=status, headers=headers)


def _fresh(entry: _Entry | None, version: int) -> _Entry | None:
    """Return the entry if it still shows the current data."""
    if entry is not None and entry.version == version and time.time() < entry.expires:
        return entry
    return None


def _gzip(response: Response, body: bytes) -> bytes | None:
    """Compress a text response once (pages, feeds, JSON are 5-15 times smaller)."""
    if response.content_encoding or len(body) < 1024 or not _TEXTUAL.match(response.mimetype or ""):
        return None
    return gzip.compress(body, compresslevel=6, mtime=0)


def _applies() -> bool:
    """Tell whether this request may be served from (or stored in) the cache."""
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        request.method in ("GET", "HEAD")
        and getattr(view, "_render_cached", False)
        and "HTTP_IF_MATCH" not in request.environ  # rare: the view answers it (412) itself
    )


def _entries() -> dict:
    """Return this process's stored responses."""
    return current_app.extensions["render_cache"]
