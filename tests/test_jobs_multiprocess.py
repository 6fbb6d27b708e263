"""Exactly once across processes: two schedulers at once, and a scheduler killed mid-run then restarted.

Both run against the test's own database: a SQLite file (WAL), or PostgreSQL when DATABASE_URL says so.
"""

import ast
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.models.delivery import Notification
from statuspage.models.jobs import JobClaim
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents import maintenance
from tests.helpers import component, incident
from tests.servers import Receiver

ROOT = Path(__file__).resolve().parent.parent
TICK_AFTER_BARRIER = """
import os, sys, time
from statuspage import create_app
from statuspage.scheduler import run_tick
app = create_app()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.002)
print(run_tick(app))
"""


def _env(app, receiver: Receiver) -> dict:
    """Configure a scheduler process for the test's database and webhook."""
    return {
        **os.environ,
        "STATUSPAGE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "STATUSPAGE_SECRET_KEY": "test",
        "STATUSPAGE_BASE_URL": "http://status.test",
        "STATUSPAGE_WEBHOOK_URL": receiver.url,
        "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on 127.0.0.1
    }


def _overdue_promises(count: int) -> list[Incident]:
    """Open incidents whose promised update is already late."""
    made = []
    for n in range(count):
        opened = incident(title=f"Late {n}")
        opened.updates[0].next_update_at = utcnow() - timedelta(minutes=1)
        made.append(opened)
    db.session.commit()
    return made


def _due_work() -> dict[str, int]:
    """Fill the database with dozens of due items of every kind; return how many events each makes."""
    _overdue_promises(20)
    checkout = component("Checkout")
    for n in range(8):
        window = maintenance.plan_maintenance(
            title=f"Work {n}", body="Planned work.", user=None, components=[checkout],
            scheduled_for=utcnow() + timedelta(hours=1), scheduled_until=utcnow() + timedelta(hours=2),
        )  # fmt: skip
        window.scheduled_for = utcnow() - timedelta(minutes=1)
    for n in range(8):
        opened = incident(title=f"Scheduled {n}")
        later = service.post_update(
            opened, status="identified", body="Later.", user=None,
            display_at=utcnow() + timedelta(hours=1),
        )  # fmt: skip
        later.display_at = utcnow() - timedelta(minutes=1)
    for n in range(4):
        breach = incident(title=f"Breach {n}", kind="data-breach")
        breach.started_at = breach.became_aware_at = utcnow() - timedelta(hours=71)
    db.session.commit()
    return {
        "reminder.overdue": 20,
        "maintenance.started": 8,
        "update.published": 8,
        "deadline.soon": 8,
    }


def _due_follow_ups() -> list[ChecklistEntry]:
    """Return the checklist items that have fallen due."""
    return db.session.query(ChecklistEntry).filter(ChecklistEntry.due_at <= utcnow()).all()


def test_two_schedulers_at_once_do_everything_exactly_once(app, app_ctx, tmp_path, receiver):
    expected = _due_work()
    barrier = tmp_path / "go"
    receiver.delay = 0.005
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", TICK_AFTER_BARRIER, str(barrier)],
            cwd=ROOT,
            env=_env(app, receiver),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    barrier.touch()
    outputs = [p.communicate(timeout=60) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err, err
    done = sum((Counter(ast.literal_eval(out.strip())) for out, _ in outputs), Counter())
    assert done["reminders"] == 20 and done["maintenance"] == done["published"] == 8
    assert done["deadlines"] == 4  # incidents, two deadlines each
    events = Counter(receiver.events())
    follow_ups = events.pop("follow_up.due", 0)  # the breaches' checklists fell due too
    assert events == expected and follow_ups == len(_due_follow_ups())
    assert set(receiver.ids().values()) == {1}  # every message exactly once
    db.session.expire_all()
    assert {n.state for n in db.session.query(Notification)} == {"sent"}
    for window in db.session.query(Incident).filter_by(is_maintenance=True):
        assert [u.status for u in window.updates] == ["in_progress", "scheduled"]
    published = db.session.query(AuditEntry).filter_by(action="update.published").count()
    assert published == 8


def test_a_scheduler_killed_mid_run_loses_and_doubles_nothing(app, app_ctx, time_machine, receiver):
    _overdue_promises(30)
    receiver.hold_at = 11
    first = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT, env=_env(app, receiver), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert receiver.arrived.wait(30), "the scheduler never got to the 11th reminder"
        first.send_signal(signal.SIGKILL)  # mid-run, while a delivery is in flight
        first.wait(10)
    finally:
        first.kill()
        receiver.release.set()
    db.session.expire_all()
    claims = db.session.query(JobClaim).filter(JobClaim.key.like("%:overdue")).count()
    assert claims == 11 and len(receiver.accepted) == 10  # ten done, one in flight, 19 untouched
    second = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run", "--once"],
        cwd=ROOT, env=_env(app, receiver), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert len(receiver.accepted) == 29  # the one in flight waits for its lease to expire
    app.config["WEBHOOK_URL"] = receiver.url
    time_machine.move_to(utcnow() + timedelta(minutes=10))
    jobs.tick()
    assert len(receiver.accepted) == 30
    assert set(receiver.ids().values()) == {1} and set(receiver.events()) == {"reminder.overdue"}
    db.session.expire_all()
    assert {n.state for n in db.session.query(Notification)} == {"sent"}
    assert db.session.query(JobClaim).filter(JobClaim.key.like("%:overdue")).count() == 30
