"""Tell the team: the log always, e-mail when SMTP is set, a Slack-compatible webhook when one is set.

Messages go through an outbox: `queue()` writes one Notification row per channel in the same
transaction as the event, and `deliver_due()` sends them through the engine in `outbox.py` (claimed once,
retried with backoff, given up after NOTIFY_MAX_ATTEMPTS, which the log reports). Every message carries a
stable X-Candor-Event-Id header so a receiver can drop the rare repeat.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow
from statuspage.models.delivery import Notification
from statuspage.services.delivery import egress, headers, outbox
from statuspage.services.delivery.team_text import TeamText, reader_language, render

log = logging.getLogger("statuspage.plan")
_LOUD = ("reminder.overdue", "deadline.passed", "deadline.soon", "alert.draft", "alert.published")


def channels() -> list[str]:
    """Return the channels configured: always the log, plus e-mail and webhook when set up."""
    config = current_app.config
    return (
        ["log"] + ["email"] * bool(config["SMTP_HOST"]) + ["webhook"] * bool(config["WEBHOOK_URL"])
    )


def queue(
    event: str,
    key: str,
    incident: Incident | None,
    subject: str | TeamText,
    text: str | TeamText,
) -> list[Notification]:
    """Add one outbox row per channel for an event, in the caller's transaction.

    A TeamText subject or text is e-mailed to each member in their language; plain strings as they are.
    """
    message = None
    if isinstance(subject, TeamText) or isinstance(text, TeamText):
        message = {
            part: value.stored() if isinstance(value, TeamText) else [value, {}]
            for part, value in (("subject", subject), ("text", text))
        }
        message["plain"] = [
            part for part, value in (("subject", subject), ("text", text))
            if not isinstance(value, TeamText)
        ]  # fmt: skip
    subject, text = str(subject), str(text)
    rows = [
        Notification(
            key=f"{key}:{channel}"[:200],
            event=event,
            channel=channel,
            incident_id=incident.id if incident else None,
            subject=subject[:300],
            text=text,
            message=message,
            next_try_at=utcnow(),
        )  # fmt: skip
        for channel in channels()
    ]
    db.session.add_all(rows)
    return rows


def recent(limit: int) -> list[Notification]:
    """Return the latest messages to the team (one per event: the log's copy), newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.channel == "log")
            .options(selectinload(Notification.incident))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def deliver_due(now: datetime | None = None, ids: list[int] | None = None, limit: int = 500) -> int:
    """Send the team messages that are due (or only these ids); return how many were sent."""
    return outbox.drain(TEAM, now, ids, limit)


def _send(row: Notification) -> outbox.Attempt | None:
    """Send one message on its channel; any exception is a failure the engine retries."""
    return SENDERS[row.channel](row)


def _on_marked(row: Notification, attempt: outbox.Attempt, state: str, now: datetime) -> None:
    """Log a failed attempt: a warning while it will be retried, an error once given up."""
    if state == "failed":
        log.error("giving up on %s notification %s: %s", row.channel, row.key, attempt.error)
    elif attempt.error:
        log.warning(
            "%s notification %s failed (will retry): %s", row.channel, row.key, attempt.error
        )


def _send_log(row: Notification) -> None:
    """Write the message to the application log."""
    log.log(logging.WARNING if row.event in _LOUD else logging.INFO, "%s", row.text)


def _send_email(row: Notification) -> None:
    """Send the message by e-mail to REMINDER_EMAILS, or to every current team member: one message per
    language, each member's in theirs. A retry after one language went out sends every language again;
    the shared X-Candor-Event-Id lets a mail filter drop the repeat."""
    config = current_app.config
    recipients = [a.strip() for a in config["REMINDER_EMAILS"].split(",") if a.strip()]
    members = {
        email: language
        for email, language in db.session.execute(
            select(User.email, User.language).where(User.removed_at.is_(None)).order_by(User.id)
        )
    }
    recipients = recipients or list(members)
    if not recipients:
        return
    # One message per language, to the members who read it (an address outside the team: the default).
    groups: dict[str, list[str]] = {}
    for address in recipients:
        lang = reader_language(members.get(address)) if row.message else "en"
        groups.setdefault(lang, []).append(address)
    for lang, addresses in groups.items():
        key = row.key if len(groups) == 1 else f"{row.key}:{lang}"
        message = EmailMessage()
        message["Subject"] = headers.one_line(written_in(row, "subject", lang))
        message["From"] = config["SMTP_FROM"]
        message["To"] = ", ".join(a for a in addresses if headers.safe_address(a))
        message["Message-ID"] = headers.message_id(key)
        message["X-Candor-Event-Id"] = headers.event_id(row.key)
        message.set_content(written_in(row, "text", lang))
        smtp_send(message)


def written_in(row: Notification, part: str, lang: str) -> str:
    """Return a notice's subject or text in a language (as queued when it has no catalog message);
    a page listing notices (e.g. the plan's recent reminders) can show them in the reader's language."""
    if not row.message or part in row.message.get("plain", []):
        return getattr(row, part)
    return render(row.message[part], lang)


def smtp_send(message: EmailMessage) -> None:
    """Send one message through the configured SMTP server (STARTTLS, TLS or plain; login if set)."""
    config = current_app.config
    timeout = config["WEBHOOK_TIMEOUT_SECONDS"]
    security = config["SMTP_SECURITY"]
    if security not in ("starttls", "tls", "none"):
        raise ValueError(f"SMTP_SECURITY must be starttls, tls or none, not “{security}”")
    if security == "tls":
        smtp = smtplib.SMTP_SSL(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def _send_webhook(row: Notification) -> outbox.Attempt | None:
    """POST the message as Slack-compatible JSON ({"text": …}) to WEBHOOK_URL.

    Like subscribers' webhooks, only to a public address (unless WEBHOOK_ALLOW_PRIVATE), to the address
    that was checked, and a redirect is a failure, never followed (egress.py).
    """
    url = current_app.config["WEBHOOK_URL"]
    body = json.dumps({"text": slack_escape(row.text)}).encode()
    fields = {
        "Content-Type": "application/json",
        "User-Agent": "Candor status page",
        "X-Candor-Event": row.event,
        "X-Candor-Event-Id": row.key,
    }
    try:
        status = egress.post(url, body, fields, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    except ValueError as bad:
        return outbox.Attempt(f"WEBHOOK_URL: {bad}", permanent=True)
    except egress.Refused as refused:  # said as such, never what answers at that address
        return outbox.Attempt(
            f"WEBHOOK_URL {refused}", permanent=str(refused).startswith(egress.PRIVATE)
        )
    if not 200 <= status < 300:
        more = " (redirects are not followed)" if 300 <= status < 400 else ""
        raise RuntimeError(f"HTTP {status}{more}")
    return None


def slack_escape(text: str) -> str:
    """Escape &, < and > so titles and bodies cannot smuggle Slack control sequences (<!channel>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SENDERS = {"log": _send_log, "email": _send_email, "webhook": _send_webhook}
TEAM = outbox.Outbox(Notification, _send, _on_marked)
