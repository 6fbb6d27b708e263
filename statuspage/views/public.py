"""Public pages: the status page, incident permalinks and the history."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from flask_babel import format_datetime

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.render_cache import cacheable
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.public import uptime
from statuspage.services.public.status import (
    next_scheduled_display,
    page_status,
    visible_incidents,
    visible_updates,
)
from statuspage.services.shop import get_shop
from statuspage.views.caching import public_response
from statuspage.views.common import get_or_404, page_number
from statuspage.vocabulary import RESOLVED

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    """Answer load balancers and monitors: the app is up (no database involved)."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon browsers ask for at the site's root (pages also link the SVG one)."""
    icon = Path(current_app.static_folder, "favicon.ico").read_bytes()  # 217 bytes
    return icon, 200, {"Content-Type": "image/x-icon", "Cache-Control": "public, max-age=86400"}


@bp.get("/")
@cacheable
def index():
    """Show the status page."""
    status = page_status(recent_days=current_app.config["RECENT_DAYS"])
    leaves = [c for c in status.components if not c.is_group]
    timezone = get_shop().timezone
    history = uptime.bars(leaves, timezone)
    html = render_template("public/index.html", status=status, history=history)
    # The bars move on by a day at local midnight, even when no data changed.
    midnight = uptime.next_midnight(timezone)
    return public_response(html, min(filter(None, (status.next_change, midnight))))


@bp.get("/incidents/<public_id>")
@cacheable
def incident(public_id: str):
    """Show one incident with its full timeline."""
    now = utcnow()
    found = get_or_404(Incident, public_id, visible_incidents(now))
    closed = found.status in RESOLVED
    report = postmortem.get(found) if closed else None
    html = render_template(
        "public/incident.html",
        incident=found,
        updates=visible_updates(found, now),
        actions=checklist.public_items(found) if closed else [],
        postmortem=report if report and report.published_at else None,
    )
    return public_response(html, next_scheduled_display(now))


@bp.get("/history")
@cacheable(args=("page",))
def history():
    """Show the archive of published incidents, newest first, grouped by month."""
    now = utcnow()
    page = db.paginate(
        visible_incidents(now).order_by(Incident.started_at.desc(), Incident.id.desc()),
        per_page=current_app.config["HISTORY_PAGE_SIZE"],
        page=page_number(),
        error_out=False,
        count=True,
    )
    if page.page > 1 and not page.items:
        abort(404)
    months = [
        (month, list(items))
        for month, items in groupby(
            page.items, key=lambda i: format_datetime(i.started_at, "LLLL y")
        )
    ]
    html = render_template("public/history.html", page=page, months=months, now=now)
    return public_response(html, next_scheduled_display(now))
