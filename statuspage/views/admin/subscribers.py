"""Admin: e-mail subscribers (list, search, counts, CSV export, remove, test mail) and webhooks (owners only).

Subscriber addresses are personal data: only owners see them.
"""

from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.forms import LANGUAGE_NAMES, ConfirmForm
from statuspage.models import Component
from statuspage.models.subscribers import Subscriber, WebhookEndpoint
from statuspage.services import ServiceError
from statuspage.services.components import ordered_components
from statuspage.services.delivery import subscribers as service
from statuspage.services.delivery import webhooks
from statuspage.services.safe_text import csv_cell
from statuspage.services.transactions import DatabaseBusy
from statuspage.views.admin._base import attempt, bp, owner_required, submitted
from statuspage.views.common import busy_message, committed, find


@bp.get("/subscribers")
@owner_required
def subscribers():
    """List subscribers (search by address) with counts per component and the mail settings."""
    query = request.args.get("q", "")[:200]
    return render_template(
        "admin/subscribers.html",
        subscribers=service.search(query),
        query=query,
        counts=service.counts(),
        failed=service.failed_mail(),
        confirm_form=ConfirmForm(),
        smtp=current_app.config,
        language_names=LANGUAGE_NAMES,
    )


@bp.get("/subscribers.csv")
@owner_required
def subscribers_csv():
    """Export the subscribers as CSV (address, language, components, confirmed)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # a `;` in a cell never starts another one
    writer.writerow(["email", "language", "components", "confirmed_at", "created_at"])
    for item in service.search("", limit=1_000_000):
        chosen = "all" if item.all_components else "; ".join(c.name for c in item.components)
        confirmed = item.confirmed_at.isoformat() if item.confirmed_at else ""
        row = [item.email, item.language, chosen, confirmed, item.created_at.isoformat()]
        writer.writerow([_cell(v) for v in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=candor-subscribers.csv"},
    )


@bp.post("/subscribers/<int:subscriber_id>/remove")
@owner_required
def remove_subscriber(subscriber_id: int):
    """Remove a subscriber (the address is deleted; a hashed suppression record stays)."""
    found = db.session.get(Subscriber, subscriber_id)
    if found is None:
        abort(404)
    if submitted(ConfirmForm()):
        attempt(lambda: service.remove(found, user=current_user), _("Subscriber removed."))
    return redirect(url_for(".subscribers"))


@bp.post("/subscribers/test")
@owner_required
def send_test_mail():
    """Queue a test e-mail to the owner's own address (the scheduler sends it)."""
    if not current_app.config["SMTP_HOST"]:
        attempt(_no_smtp, "")
    elif submitted(ConfirmForm()):
        attempt(
            lambda: service.queue_test_mail(current_user),
            _(
                "Test e-mail queued for %(email)s; the scheduler sends it within a minute.",
                email=current_user.email,
            ),
        )
    return redirect(url_for(".subscribers"))


@bp.route("/webhooks", methods=["GET", "POST"])
@owner_required
def webhooks_page():
    """List webhook endpoints with their delivery log; register a new one.

    A refused address comes back as typed, with the reason beside the field it concerns.
    """
    form = ConfirmForm()
    typed = {"url": request.form.get("url", ""), "component": request.form.get("component", "")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and submitted(form):
        component = _component(typed["component"])
        if typed["component"] and component is None:
            errors["component"] = [_("That component does not exist.")]
            flash(errors["component"][0], "error")
        else:
            try:
                committed(lambda: webhooks.add_endpoint(typed["url"], component, current_user))
            except ServiceError as error:
                errors[error.field or "url"] = [str(error)]
                flash(str(error), "error")
            except DatabaseBusy:
                flash(busy_message(), "error")
            else:
                flash(_("Webhook added."), "info")
                return redirect(url_for(".webhooks_page"))
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    return render_template(
        "admin/webhooks.html",
        endpoints=endpoints,
        deliveries=webhooks.recent_deliveries(),
        components=ordered_components(),
        confirm_form=ConfirmForm(),
        typed=typed,
        errors=errors,
    ), 400 if request.method == "POST" else 200


@bp.post("/webhooks/<int:endpoint_id>/<action>")
@owner_required
def webhook_action(endpoint_id: int, action: str):
    """Enable, disable, test or delete a webhook endpoint."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    actions = {
        "enable": (lambda: webhooks.set_enabled(endpoint, True, current_user), _("Webhook enabled.")),
        "disable": (lambda: webhooks.set_enabled(endpoint, False, current_user), _("Webhook disabled.")),
        "test": (lambda: webhooks.queue_test(endpoint), _("Test delivery queued; the scheduler sends it within a minute.")),
        "delete": (lambda: webhooks.delete_endpoint(endpoint, current_user), _("Webhook deleted.")),
    }  # fmt: skip
    if endpoint is None or action not in actions:
        abort(404)
    if submitted(ConfirmForm()):
        attempt(*actions[action])
    return redirect(url_for(".webhooks_page"))


def _component(public_id: str) -> Component | None:
    """Find the component a form names ("" means all components)."""
    if not public_id:
        return None
    return find(Component, public_id[:12])


def _no_smtp() -> None:
    """Refuse a test e-mail without SMTP settings."""
    raise ServiceError(
        _("Set STATUSPAGE_SMTP_HOST (and its companions) first: no e-mail can be sent.")
    )


def _cell(value: str) -> str:
    """Keep a CSV cell from being read as a formula by spreadsheets, whatever separator they pick."""
    return csv_cell(value)
