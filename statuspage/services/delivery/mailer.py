"""Subscriber e-mail: render (multipart text + sanitized HTML, in the subscriber's language) and send.

Run by the scheduler's jobs only. Each MailDelivery row is claimed by the outbox engine (`outbox.py`),
sent through notify's SMTP connection, and recorded: sent, retried with backoff on a temporary failure
(4xx, a dropped connection), or failed for good on a permanent one (5xx) with the server's reply —
with the address itself blanked out, as it is in every log line.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, User, utcnow
from statuspage.models.delivery import MailDelivery
from statuspage.models.subscribers import Subscriber
from statuspage.services.bidi import isolate_text
from statuspage.services.clock import as_utc
from statuspage.services.delivery import headers, notify, outbox, team_mail
from statuspage.services.delivery.subscribers import unsubscribe_token
from statuspage.services.links import incident_url, public_url
from statuspage.services.markup import plain_text
from statuspage.services.playbooks.messages import format_value
from statuspage.services.public.status import visible_updates
from statuspage.services.shop import get_shop
from statuspage.vocabulary import label

log = logging.getLogger("statuspage.subscribers")
_ADDRESS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")


def deliver_due(now: datetime | None = None, limit: int = 500) -> int:
    """Send the subscriber mail that is due; return how many messages went out."""
    if not current_app.config["SMTP_HOST"]:
        return 0  # nothing can be sent: the rows wait until SMTP is set up
    return outbox.drain(MAIL, now, limit=limit)


def _send(row: MailDelivery) -> outbox.Attempt | None:
    """Build and send one claimed message; tell a temporary failure (4xx) from a permanent one (5xx)."""
    error, permanent = "", False
    try:
        message = build(row)
        if message is None:
            error, permanent = "the recipient is gone", True
        elif not headers.safe_address(str(message["To"])):
            error, permanent = "the recipient's address is not valid", True
        else:
            notify.smtp_send(message)
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _text in refused.recipients.values()]
        error = "refused: " + ", ".join(
            f"{c} {t.decode(errors='replace')}" for c, t in refused.recipients.values()
        )
        permanent = all(code >= 500 for code in codes)
    except smtplib.SMTPResponseException as failure:
        error = f"{failure.smtp_code} {failure.smtp_error.decode(errors='replace')}"
        permanent = failure.smtp_code >= 500
    except Exception as failure:  # connection trouble and the like: try again later
        error = f"{type(failure).__name__}: {failure}"
    if not error:
        return None
    # Servers echo addresses: keep them out of records (so this sender catches everything itself).
    return outbox.Attempt(_ADDRESS.sub("<recipient>", error), permanent)


def _on_marked(row: MailDelivery, attempt: outbox.Attempt, state: str, now: datetime) -> None:
    """Log a failed attempt (free of addresses): a warning while retried, an error once given up."""
    if attempt.error:
        level = logging.ERROR if state == "failed" else logging.WARNING
        log.log(level, "mail %s (%s) %s: %s", row.id, row.kind, state, attempt.error)


def build(row: MailDelivery) -> EmailMessage | None:
    """Build the message a delivery row stands for (None when its recipient is gone); the same
    row always gets the same Message-ID, so a repeat after a crash can be recognised."""
    message = _build(row)
    if message is not None:
        message["Message-ID"] = headers.message_id(row.key)
    return message


def _build(row: MailDelivery) -> EmailMessage | None:
    """Build a row's message without its Message-ID."""
    if row.kind == "test":
        user = db.session.get(User, row.payload.get("user_id"))
        lang = row.payload.get("language") or (user.language if user else None) or "en"
        return _test_message(user.email, lang) if user else None
    if row.kind == "invite":
        return team_mail.build(row, _message)
    subscriber = db.session.get(Subscriber, row.subscriber_id) if row.subscriber_id else None
    if subscriber is None:
        return None
    if row.kind == "confirm":
        return _confirm_message(subscriber, row.payload)
    if row.kind == "reminder":
        incident = db.session.get(Incident, row.payload.get("incident_id"))
        if incident is None or subscriber.confirmed_at is None or incident.status != "scheduled":
            return None  # gone, or started meanwhile: a late reminder would mislead
        return _reminder_message(subscriber, incident, row.payload.get("minutes"), row.key)
    update = db.session.get(IncidentUpdate, row.update_id) if row.update_id else None
    if update is None or subscriber.confirmed_at is None:
        return None
    return _update_message(subscriber, update, row.key)


def _message(to: str, subject: str, text: str, html: str, key: str) -> EmailMessage:
    """Assemble a multipart message with the headers every message carries."""
    message = EmailMessage()
    message["Subject"] = headers.one_line(subject)  # titles and names never break a header
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = to
    message["Auto-Submitted"] = "auto-generated"
    message["X-Candor-Event-Id"] = headers.event_id(key)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _update_message(subscriber: Subscriber, update: IncidentUpdate, key: str) -> EmailMessage:
    """Render an incident update for one subscriber, in their language, with one-click unsubscribe."""
    lang, shop, incident = subscriber.language, get_shop(), update.incident
    unsubscribe = public_url(f"/unsubscribe/{unsubscribe_token(subscriber)}")
    context = {
        "shop": shop, "incident": incident, "update": update, "lang": lang,
        "html_body": update.html_for(lang), "text_body": plain_text(update.body_for(lang)),
        "incident_url": incident_url(incident), "unsubscribe_url": unsubscribe,
    }  # fmt: skip
    title = incident.title_in(lang, shop.default_language).text
    with force_locale(lang):
        status = label(update.status)
        subject = isolate_text(f"[{shop.name}] {title}: {status}", lang)
        text = render_template("email/update.txt", status=status, **context)
        html = render_template("email/update.html", status=status, **context)
    message = _message(subscriber.email, subject, text, html, key)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"{headers.one_line(shop.name)} status <status.{shop.public_id}.candor>"
    return message


def _reminder_message(
    subscriber: Subscriber, incident: Incident, minutes: int | None, key: str
) -> EmailMessage:
    """Render "planned maintenance starts soon" for one subscriber, in their language."""
    lang, shop = subscriber.language, get_shop()
    latest = next(iter(visible_updates(incident, utcnow())), None)
    unsubscribe = public_url(f"/unsubscribe/{unsubscribe_token(subscriber)}")
    window = (
        format_value(as_utc(incident.scheduled_for), lang, shop.timezone),
        format_value(as_utc(incident.scheduled_until), lang, shop.timezone),
    )
    context = {
        "shop": shop, "incident": incident, "lang": lang, "window": window, "minutes": minutes,
        "html_body": latest.html_for(lang) if latest else "",
        "text_body": plain_text(latest.body_for(lang)) if latest else "",
        "incident_url": incident_url(incident), "unsubscribe_url": unsubscribe,
    }  # fmt: skip
    with force_locale(lang):
        subject = _("Reminder: planned maintenance from %(start)s", start=window[0])
        text = render_template("email/reminder.txt", **context)
        html = render_template("email/reminder.html", **context)
    title = incident.title_in(lang, shop.default_language).text
    message = _message(
        subscriber.email, isolate_text(f"[{shop.name}] {subject} · {title}", lang), text, html, key
    )
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def _confirm_message(subscriber: Subscriber, payload: dict) -> EmailMessage:
    """Render the double opt-in message with its signed, expiring confirmation link."""
    lang, shop = payload.get("language") or subscriber.language, get_shop()
    context = {
        "shop": shop, "lang": lang, "hours": current_app.config["SUBSCRIBE_CONFIRM_HOURS"],
        "confirm_url": public_url(f"/subscribe/confirm/{payload['token']}"),
    }  # fmt: skip
    with force_locale(lang):
        subject = _("Confirm your subscription to %(shop)s status updates", shop=shop.name)
        text = render_template("email/confirm.txt", **context)
        html = render_template("email/confirm.html", **context)
    return _message(subscriber.email, subject, text, html, f"confirm:{subscriber.public_id}")


def _test_message(address: str, lang: str) -> EmailMessage:
    """Render the test message an owner sends from the admin, in the language their admin speaks."""
    shop = get_shop()
    with force_locale(lang):
        text = _(
            "This is a test message from the status page of %(shop)s (Candor). "
            "E-mail delivery works.",
            shop=shop.name,
        )
        subject = _("[%(shop)s] Test message", shop=shop.name)
        html = render_template("email/test.html", shop=shop, text=text, lang=lang)
    return _message(address, isolate_text(subject, lang), text, html, "test")


MAIL = outbox.Outbox(MailDelivery, _send, _on_marked)
