"""The field test: exactly once under a slow mail server, with two schedulers and a crash.

As a busy shop runs it: two `flask --app wsgi scheduler run` processes on one database (a SQLite file,
or PostgreSQL when DATABASE_URL is set), a real SMTP server (aiosmtpd) that takes 100 ms — and, in a
second case, a whole second — to accept each message, a real HTTP webhook receiver, dozens of updates
for dozens of subscribers and a maintenance window that starts and ends during the run. Mid-batch one
scheduler is killed with SIGKILL and a new one takes its place.

Leases are short (4 s) so that a batch lasts many leases: a sender whose claim covered its batch
rather than each message would see its own rows taken over by the other scheduler (the duplicates seen
in the field). Asserted: no message twice except the ones in flight at the kill (and those at most
twice, with the same Message-ID); no message lost; no "overdue" alarm from the maintenance's own steps.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.models.delivery import MailDelivery, Notification, WebhookDelivery
from statuspage.models.subscribers import Fanout, Subscriber, WebhookEndpoint
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import maintenance
from tests.helpers import component, incident
from tests.servers import Inbox, Receiver

ROOT = Path(__file__).resolve().parent.parent
OUTBOXES = (MailDelivery, WebhookDelivery, Notification)


@dataclass(frozen=True)
class Case:
    """One field situation: how slow the servers are, how much to send, how long a lease lasts."""

    delay: float
    updates: int
    subscribers: int
    lease: int
    timeout: int
    window: bool  # a maintenance starts and ends during the run


CASES = {
    "100ms": Case(delay=0.1, updates=12, subscribers=16, lease=4, timeout=1, window=True),
    "1s": Case(delay=1.0, updates=4, subscribers=4, lease=4, timeout=2, window=False),
}


def _env(app, case: Case, inbox: Inbox, receiver: Receiver, tmp_path: Path) -> dict:
    """Configure a scheduler process: the test's database, the slow servers, short leases."""
    return {
        **os.environ,
        "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "scheduler-instance"),
        "STATUSPAGE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "STATUSPAGE_SECRET_KEY": "test",
        "STATUSPAGE_BASE_URL": "http://status.test",
        "STATUSPAGE_SMTP_HOST": "127.0.0.1",
        "STATUSPAGE_SMTP_PORT": str(inbox.port),
        "STATUSPAGE_SMTP_SECURITY": "none",
        "STATUSPAGE_SMTP_FROM": "status@shop.test",
        "STATUSPAGE_REMINDER_EMAILS": "team@shop.test",
        "STATUSPAGE_WEBHOOK_URL": receiver.url + "?team",
        "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on 127.0.0.1, as allowed here
        "STATUSPAGE_WEBHOOK_TIMEOUT_SECONDS": str(case.timeout),
        "STATUSPAGE_JOB_LEASE_SECONDS": str(case.lease),
        "STATUSPAGE_SCHEDULER_INTERVAL_SECONDS": "1",
        "STATUSPAGE_MAINTENANCE_REMINDER_MINUTES": "0",
    }


def _start(env: dict, tmp_path: Path, name: str) -> subprocess.Popen:
    """Start one `flask --app wsgi scheduler run`, its output kept in a file."""
    with open(tmp_path / f"{name}.log", "w") as log:  # the child keeps its own copy open
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _fill(case: Case) -> int:
    """Subscribers, webhook endpoints, public updates (and a maintenance soon); return the updates."""
    checkout = component("Checkout")
    for n in range(case.subscribers):
        address = f"kunde{n}@shop.example"
        db.session.add(Subscriber(
            email=address, email_hash=email_hash(address), language="en", all_components=True,
            confirmed_at=utcnow() - timedelta(days=1), created_at=utcnow() - timedelta(days=1),
        ))  # fmt: skip
    db.session.commit()
    for n in range(case.updates):
        incident(title=f"Parcels late in region {n}", components={checkout: "degraded_performance"})
    if case.window:
        start = utcnow() + timedelta(seconds=6)
        maintenance.plan_maintenance(
            title="Database upgrade", body="Planned work on the database.", user=None,
            components=[checkout], scheduled_for=start, scheduled_until=start + timedelta(seconds=6),
        )  # fmt: skip
    db.session.commit()
    return case.updates + (3 if case.window else 0)  # a window: announced, started, ended


def _settled(updates: int, window: bool) -> bool:
    """Tell whether every update was fanned out and every message left its outbox."""
    db.session.expire_all()
    db.session.rollback()
    fanned = db.session.scalar(select(func.count()).select_from(Fanout))
    public = db.session.scalar(select(func.count()).select_from(IncidentUpdate))
    waiting = sum(
        db.session.scalar(
            select(func.count()).select_from(model).where(model.state.in_(("pending", "sending")))
        )
        for model in OUTBOXES
    )
    over = (
        not window
        or db.session.scalar(select(Incident.status).where(Incident.is_maintenance.is_(True)))
        == "completed"
    )
    return public >= updates and fanned == public and waiting == 0 and over


def _in_flight(pid: int) -> set[str]:
    """Return the keys of the messages a killed scheduler was sending."""
    db.session.expire_all()
    db.session.rollback()
    worker = f"{socket.gethostname()}:{pid}"
    keys = set()
    for model in OUTBOXES:
        rows = db.session.scalars(
            select(model).where(model.state == "sending", model.claimed_by == worker)
        )
        keys |= {row.key for row in rows}
    return keys


def _kill_mid_batch(victim: subprocess.Popen, inbox: Inbox, expected: int) -> set[str]:
    """Kill a scheduler with SIGKILL while it is sending; return what it had in flight."""
    deadline = time.monotonic() + 60
    while len(inbox.raw) < expected // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker = f"{socket.gethostname()}:{victim.pid}"
    sending = (
        select(func.count())
        .select_from(MailDelivery)
        .where(MailDelivery.state == "sending", MailDelivery.claimed_by == worker)
    )
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.scalar(sending):
            break
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    return _in_flight(victim.pid)


@pytest.mark.parametrize("name", sorted(CASES))
def test_exactly_once_under_a_slow_mail_server_with_a_crash(app, app_ctx, tmp_path, name):
    case = CASES[name]
    with Inbox(delay=case.delay) as inbox, Receiver(delay=case.delay) as receiver:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the endpoints below are the local receiver
        updates = _fill(case)
        for n in range(2):
            db.session.add(WebhookEndpoint(url=f"{receiver.url}?endpoint={n}", secret=f"s{n}",
                                           created_at=utcnow() - timedelta(days=1)))  # fmt: skip
        db.session.commit()
        env = _env(app, case, inbox, receiver, tmp_path)
        first, second = _start(env, tmp_path, "first"), _start(env, tmp_path, "second")
        replacement = None
        try:
            in_flight = _kill_mid_batch(first, inbox, updates * case.subscribers)
            replacement = _start(env, tmp_path, "replacement")
            deadline = time.monotonic() + 120
            while not _settled(updates, case.window) and time.monotonic() < deadline:
                time.sleep(0.25)
        finally:
            for process in (first, second, replacement):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(30)
        logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("*.log")))
        assert _settled(updates, case.window), f"not everything was sent in time:\n{logs[-3000:]}"
        _check(case, updates, inbox, receiver, in_flight, logs)


def _check(case: Case, updates: int, inbox: Inbox, receiver: Receiver, in_flight: set[str],
           logs: str) -> None:  # fmt: skip
    """Nothing twice but the messages in flight at the kill (those at most twice), nothing lost."""
    mails = [message_from_bytes(raw, policy=policy.default) for raw in inbox.raw]
    received = Counter(m["X-Candor-Event-Id"] for m in mails)
    received.update(d.id for d in receiver.accepted)
    repeated = {key: n for key, n in received.items() if n > 1}
    assert not set(repeated) - in_flight, (
        f"duplicates between live schedulers: {repeated}\n{logs[-2000:]}"
    )
    assert all(n <= 2 for n in repeated.values()), repeated
    for key in repeated:  # a repeat is recognisable: the same Message-ID
        ids = {m["Message-ID"] for m in mails if m["X-Candor-Event-Id"] == key}
        assert len(ids) <= 1, (key, ids)
    db.session.expire_all()
    keys = {model: set(db.session.scalars(select(model.key))) for model in OUTBOXES}
    update_mail = db.session.scalar(
        select(func.count()).select_from(MailDelivery).where(MailDelivery.kind == "update")
    )
    assert update_mail == updates * case.subscribers  # every update fanned out to everyone
    for model in (MailDelivery, WebhookDelivery):
        assert {row.state for row in db.session.scalars(select(model))} == {"sent"}, model
        lost = {key for key in keys[model] if received[key] == 0}
        assert not lost, f"{len(lost)} {model.__name__} lost: {sorted(lost)[:5]}"
    team = Counter(d.event for d in receiver.accepted if d.event.startswith(("reminder", "maint")))
    assert "reminder.overdue" not in team, team
    if case.window:
        assert team["maintenance.started"] == team["maintenance.ended"] == 1, team
