"""The static fallback: write the whole public site as plain files any web server or CDN can serve.

Layout (default language at the top, other languages under /<lang>/):
    index.html, history.html, history2.html …  (?page=N → historyN.html)
    incidents/<id>.html, incidents/<id>/feed.rss …, components/<id>/feed.atom …
    history.rss, history.atom, feed.rss, feed.atom, api/v2/*.json, badge.svg, badge.json,
    embed.js, embed.json, maintenance.ics, static/…
Every file is fetched through the app itself, so it is exactly what the live site would answer now
(read-time visibility included: a scheduled update appears in the export once it is due). Links are
absolute from BASE_URL, as on the live site; /healthz is left out (a static copy must not say the app
is up).

Safe to point at the wrong folder: the export replaces its target in one rename, so it only does that
to an earlier export (recognised by its MARKER file) or an empty folder; anything else is refused
unless asked with `force` (`flask export --force`). What it writes is readable by a web server running
as another user (folders 0755, files 0644), whatever the umask.
"""

from __future__ import annotations

import contextvars
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Component, Incident, utcnow
from statuspage.services.public.status import next_scheduled_display, visible_incidents
from statuspage.services.shop import get_shop

PUBLIC_BLUEPRINTS = ("public", "feeds", "api")
HTML_ENDPOINTS = ("public.index", "public.history", "public.incident")
SKIPPED = ("public.healthz",)  # says the app is up: a static copy must not claim that
# In every export's top folder: this folder may be replaced by the next export.
MARKER = ".candor-export"


class NotAnExport(Exception):
    """The target folder holds something other than an earlier export."""


def export_site(app: Flask, target: str | Path, *, force: bool = False) -> int:
    """Write every public URL in every enabled language into target (replaced atomically); return the
    file count. Refuses a target that is neither empty nor an earlier export, unless forced."""
    target = Path(target)
    check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    client = app.test_client()
    shop = get_shop()
    count = 0
    for lang in shop.language_list:
        prefix = "" if lang == shop.default_language else lang
        for url, path in _urls(app):
            if prefix and not path.endswith(".html"):
                continue  # feeds, JSON and badges once, in the default language
            separator = "&" if "?" in url else "?"
            # Each request in an app context of its own, as a live one: the caller's context (the CLI's)
            # would otherwise be reused, with the previous request's `g` (language, shop, user).
            response = contextvars.Context().run(
                client.get, f"{url}{separator}lang={lang}", headers={"Accept-Language": lang}
            )
            if response.status_code != 200:
                continue
            file = staging / prefix / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(_live_links(app, response.get_data(), path))
            count += 1
    shutil.copytree(Path(app.static_folder), staging / "static", dirs_exist_ok=True)
    (staging / MARKER).write_text("Written by `flask export`; the next export replaces it.\n")
    _readable(staging)
    _swap(staging, target)
    return count


def check_target(target: Path, force: bool = False) -> None:
    """Refuse to replace a folder that holds anything but an earlier export (unless forced)."""
    if target.exists() and not target.is_dir():
        raise NotAnExport(f"{target} is a file, not a folder.")
    if force or not target.exists() or (target / MARKER).exists() or not any(target.iterdir()):
        return
    raise NotAnExport(
        f"{target} is not an earlier export (it has no {MARKER}) and is not empty: exporting would "
        "replace everything in it. Choose another folder, or pass --force to replace it."
    )


def _readable(root: Path) -> None:
    """Let a web server running as another user read the export: folders 0755, files 0644."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def next_change() -> object:
    """Return what decides whether an export is stale: the data version and the next due update."""
    from statuspage.site_version import current_version

    return current_version(), next_scheduled_display(utcnow())


def _urls(app: Flask) -> Iterator[tuple[str, str]]:
    """Yield (URL, file path) for every public GET route, once per incident or component it needs."""
    now = utcnow()
    incident_ids = db.session.scalars(
        visible_incidents(now).with_only_columns(Incident.public_id)
    ).all()
    component_ids = db.session.scalars(select(Component.public_id)).all()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if (
            blueprint not in PUBLIC_BLUEPRINTS
            or rule.endpoint in SKIPPED
            or "GET" not in (rule.methods or ())
            or rule.rule.startswith("/api/v1")
        ):
            continue
        if not rule.arguments:
            yield from _pages(rule.endpoint, rule.rule)
        elif rule.arguments == {"public_id"}:
            ids = component_ids if rule.rule.startswith("/components/") else incident_ids
            for public_id in ids:
                url = rule.rule.replace("<public_id>", public_id)
                yield url, _file(url, rule.endpoint)


def _pages(endpoint: str, url: str) -> Iterator[tuple[str, str]]:
    """Yield a route's URL, and for the history every page of it."""
    if endpoint != "public.history":
        yield url, _file(url, endpoint)
        return
    from flask import current_app

    size = current_app.config["HISTORY_PAGE_SIZE"]
    total = db.session.scalar(
        select(db.func.count()).select_from(visible_incidents(utcnow()).subquery())
    )
    for page in range(1, max(1, -(-total // size)) + 1):
        yield (f"{url}?page={page}", "history.html" if page == 1 else f"history{page}.html")


def _file(url: str, endpoint: str) -> str:
    """Map a URL to its file: pages get .html, everything else keeps its name."""
    path = url.strip("/") or "index"
    if endpoint in HTML_ENDPOINTS:
        return path + ".html"
    return path if "." in path.rsplit("/", 1)[-1] else path + "/index.json"


def _live_links(app: Flask, body: bytes, path: str) -> bytes:
    """Point the pages' sign-up link at the live app: a static copy cannot take subscriptions."""
    if not path.endswith(".html"):
        return body
    live = app.config["BASE_URL"].rstrip("/") + "/subscribe"
    return body.replace(b'href="/subscribe"', f'href="{live}"'.encode())


def _swap(staging: Path, target: Path) -> None:
    """Replace the target folder with the new export in one rename, so readers never see half a site."""
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")  # a name nobody uses
    if target.exists():
        os.rename(target, old)
    os.rename(staging, target)
    if old.exists():
        shutil.rmtree(old)
