"""Tell the team: the log always, e-mail when SMTP is set, a Slack-compatible webhook when one is set.

Messages go through an outbox (Notification rows written in the same transaction as the event), so an
event is never lost and never sent twice: a sender claims each row with a conditional UPDATE (SELECT …
FOR UPDATE SKIP LOCKED on PostgreSQL), sends it, and marks it sent. A row claimed by a process that died
mid-send is tried again after JOB_LEASE_SECONDS; every message carries a stable X-Candor-Event-Id header
so a receiver can drop that rare repeat.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import ssl
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow
from statuspage.models.plan import Notification
from statuspage.site_version import private_write

log = logging.getLogger("statuspage.plan")
WORKER = f"{socket.gethostname()}:{os.getpid()}"
_LOUD = ("reminder.overdue", "deadline.passed", "deadline.soon")


def channels() -> list[str]:
    """Return the channels configured: always the log, plus e-mail and webhook when set up."""
    config = current_app.config
    return (
        ["log"] + ["email"] * bool(config["SMTP_HOST"]) + ["webhook"] * bool(config["WEBHOOK_URL"])
    )


def queue(
    event: str, key: str, incident: Incident | None, subject: str, text: str
) -> list[Notification]:
    """Add one outbox row per channel for an event, in the caller's transaction."""
    rows = [
        Notification(
            key=f"{key}:{channel}"[:200],
            event=event,
            channel=channel,
            incident_id=incident.id if incident else None,
            subject=subject[:300],
            text=text,
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
    """Send the outbox rows that are due (or only these ids); return how many were sent."""
    now = now or utcnow()
    sent = 0
    for _ in range(limit):
        row = _claim_next(now, ids)
        if row is None:
            break
        sent += _deliver(row, now)
    return sent


def _claimable(now: datetime, model=Notification):
    """Describe a row a sender may take: due and pending, or abandoned by a sender that died."""
    lease = now - timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    return or_(
        and_(model.state == "pending", model.next_try_at <= now),
        and_(model.state == "sending", model.claimed_at < lease),
    )


def _claim_next(now: datetime, ids: list[int] | None) -> Notification | None:
    """Claim the next team message to send."""
    return claim_next(Notification, now, ids)


def claim_next(model, now: datetime, ids: list[int] | None = None, where=None):
    """Claim the next due outbox row of a model with a conditional UPDATE, committed before sending.

    Works for any outbox model with state, next_try_at, claimed_at, claimed_by and attempts columns.
    """
    query = select(model.id).where(_claimable(now, model))
    if ids is not None:
        query = query.where(model.id.in_(ids))
    if where is not None:
        query = query.where(where)
    query = query.order_by(model.id).limit(1).with_for_update(skip_locked=True)
    while (row_id := db.session.scalar(query)) is not None:
        claimed = db.session.execute(
            sql_update(model)
            .where(model.id == row_id, _claimable(now, model))
            .values(state="sending", claimed_at=now, claimed_by=WORKER, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        private_write()  # outbox bookkeeping: the public pages stay cached
        db.session.commit()
        if claimed:
            row = db.session.get(model, row_id)
            db.session.refresh(row)
            return row
    db.session.rollback()
    return None


def finish(model, row, now: datetime, error: str, permanent: bool = False, **extra) -> str:
    """Record a claimed row's attempt: sent, retried with backoff (1, 2, 4 … min) or failed; commit."""
    values: dict = {"error": error[:300], **extra}
    if not error:
        values.update(state="sent", sent_at=utcnow())
    elif permanent or row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        values.update(state="failed")
    else:
        backoff = timedelta(minutes=min(2 ** (row.attempts - 1), 60))
        values.update(state="pending", next_try_at=now + backoff)
    db.session.execute(
        sql_update(model)
        .where(model.id == row.id, model.claimed_by == WORKER)
        .where(model.state == "sending", model.claimed_at == row.claimed_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    private_write()
    db.session.commit()
    return values["state"]


def _deliver(row: Notification, now: datetime) -> int:
    """Send one claimed row; on failure schedule a retry with backoff, or give up after the last."""
    error = ""
    try:
        SENDERS[row.channel](row)
    except Exception as failure:  # any failure of a channel is retried, never lost
        error = f"{type(failure).__name__}: {failure}"[:300]
    state = finish(Notification, row, now, error)
    if state == "failed":
        log.error("giving up on %s notification %s: %s", row.channel, row.key, error)
    elif error:
        log.warning("%s notification %s failed (will retry): %s", row.channel, row.key, error)
    return 0 if error else 1


def _send_log(row: Notification) -> None:
    """Write the message to the application log."""
    log.log(logging.WARNING if row.event in _LOUD else logging.INFO, "%s", row.text)


def _send_email(row: Notification) -> None:
    """Send the message by e-mail to REMINDER_EMAILS, or to every team member."""
    config = current_app.config
    recipients = [a.strip() for a in config["REMINDER_EMAILS"].split(",") if a.strip()]
    recipients = recipients or list(db.session.scalars(select(User.email).order_by(User.id)))
    if not recipients:
        return
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = config["SMTP_FROM"]
    message["To"] = ", ".join(recipients)
    message["X-Candor-Event-Id"] = row.key
    message.set_content(row.text)
    smtp_send(message)


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


def _send_webhook(row: Notification) -> None:
    """POST the message as Slack-compatible JSON ({"text": …}) to WEBHOOK_URL."""
    url = current_app.config["WEBHOOK_URL"]
    if not url.startswith(("https://", "http://")):
        raise ValueError("WEBHOOK_URL must start with https://")
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": slack_escape(row.text)}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Candor status page",
            "X-Candor-Event": row.event,
            "X-Candor-Event-Id": row.key,
        },
    )
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
        response.read()


def slack_escape(text: str) -> str:
    """Escape &, < and > so titles and bodies cannot smuggle Slack control sequences (<!channel>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SENDERS = {"log": _send_log, "email": _send_email, "webhook": _send_webhook}
