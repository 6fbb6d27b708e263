"""Public e-mail subscriptions: sign up (to everything, some components, or one incident until it is
resolved), confirm (double opt-in), unsubscribe (page or RFC 8058 one-click).

These pages carry a CSRF token, so they are never render-cached (the cached status page only links here)
and are sent with Cache-Control: no-store. Every answer to a sign-up is the same whether or not the address
is already subscribed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from limits import parse_many
from sqlalchemy import select

from statuspage.extensions import csrf, db
from statuspage.i18n import select_locale
from statuspage.models import Component, Incident, utcnow
from statuspage.security import client_address, limiter
from statuspage.services import ServiceError
from statuspage.services.components import ordered_components
from statuspage.services.delivery import subscribers as service
from statuspage.services.public.status import visible_updates
from statuspage.views.common import find
from statuspage.vocabulary import FINAL

bp = Blueprint("subscribe", __name__)


class SubscribeForm(FlaskForm):
    """Carry the CSRF token; the fields are read and checked by the view and the service."""


@bp.after_request
def no_store(response):
    """Keep these pages (and their CSRF tokens) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/subscribe", methods=["GET", "POST"])
def form():
    """Show the sign-up form (for everything, some components, or one incident: ?incident=<id>); on POST
    queue a confirmation e-mail."""
    followed = _followed()
    if request.args.get("incident") and followed is None:
        return _form_page(
            _("This incident has ended; there will be no more updates about it.")
        ), 404
    if request.method == "GET" or not SubscribeForm().validate_on_submit():
        return _form_page(), 200 if request.method == "GET" else 400
    if request.form.get("website"):  # the honeypot: people never see this field
        return _sent()
    if not current_app.config["SMTP_HOST"]:
        return _form_page(), 400
    if not _allowed("SUBSCRIBE_RATE_LIMIT", "ip:" + client_address()):
        return _form_page(_("Too many sign-ups. Please wait a while and try again.")), 429
    try:
        address = service.normalize_email(request.form.get("email", ""))
        chosen = None if followed else _chosen_components()
    except ServiceError as error:
        return _form_page(str(error)), 400
    if not _allowed("SUBSCRIBE_ADDRESS_RATE_LIMIT", "address:" + service.email_hash(address)):
        return _form_page(_("Too many sign-ups. Please wait a while and try again.")), 429
    service.request_subscription(address, chosen, select_locale(), incident=followed)
    db.session.commit()
    return _sent()


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Ask to confirm a subscription (GET, safe for mail scanners); confirm it on POST."""
    try:
        if request.method == "GET":
            service.read_confirmation(token)
            return _message(
                _("Confirm your subscription"),
                _("Press the button to start receiving updates by e-mail."),
                _("Confirm"),
            )
        service.confirm(token)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        return _message(_("Confirm your subscription"), str(error)), 400
    return _message(
        _("You are subscribed"),
        _(
            "You will receive our status updates by e-mail. Every message has a link to unsubscribe."
        ),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Ask to unsubscribe (GET, safe for mail scanners); unsubscribe on POST, also RFC 8058 one-click."""
    if request.method == "POST" and request.form.get("List-Unsubscribe") != "One-Click":
        csrf.protect()  # only the one-click POST from a mail client goes without a CSRF token
    title = _("Unsubscribe")
    if request.method == "GET":
        if not service.unsubscribe_token_valid(token):
            return _message(title, _("This link is not valid.")), 400
        return _message(title, _("Stop receiving status updates by e-mail?"), _("Unsubscribe"))
    if not service.unsubscribe(token):
        db.session.rollback()
        return _message(title, _("This link is not valid.")), 400
    db.session.commit()
    return _message(
        _("You are unsubscribed"),
        _("You will not receive any more e-mails from us. Your address has been deleted."),
    )


def _allowed(setting: str, key: str) -> bool:
    """Count one attempt against a configured limit; False once it is exhausted."""
    return all(
        limiter.limiter.hit(item, "subscribe", key)
        for item in parse_many(current_app.config[setting])
    )


def _chosen_components() -> list[Component] | None:
    """Read the components chosen on the form (None: everything)."""
    if request.form.get("scope", "all") != "some":
        return None
    wanted = request.form.getlist("components")[:200]
    found = list(db.session.scalars(select(Component).where(Component.public_id.in_(wanted))))
    if not found:
        raise ServiceError(_("Please choose at least one component, or subscribe to everything."))
    return found


def _followed() -> Incident | None:
    """Return the public, still open incident ?incident= names (None when absent, unknown or over)."""
    public_id = request.args.get("incident", "")[:12]
    incident = find(Incident, public_id) if public_id else None
    now = utcnow()
    if incident is None or incident.draft or incident.status in FINAL:
        return None
    return incident if visible_updates(incident, now) else None


def _form_page(error: str | None = None) -> str:
    """Render the sign-up form."""
    return render_template(
        "public/subscribe.html", form=SubscribeForm(), error=error, components=ordered_components(),
        followed=_followed(),
        email=request.form.get("email", "")[:254], chosen=set(request.form.getlist("components")),
        scope=request.form.get("scope", "all"), available=bool(current_app.config["SMTP_HOST"]),
    )  # fmt: skip


def _sent():
    """Answer every accepted sign-up the same way (nothing tells whether the address is known)."""
    return _message(
        _("Check your inbox"),
        _(
            "If the address can receive e-mail, a message with a confirmation link is on its way. Your subscription starts when you confirm it."
        ),
    )


def _message(heading: str, text: str, button: str | None = None) -> str:
    """Render a short page with a message and, optionally, a button that posts to this URL."""
    return render_template(
        "public/subscribe_message.html",
        heading=heading,
        text=text,
        button=button,
        form=SubscribeForm(),
    )
