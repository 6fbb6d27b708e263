"""Reliability: WAL, no half-written changes after a crash, a public page that survives broken parts."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select, text

from statuspage import scheduler
from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, IncidentUpdate, utcnow
from statuspage.services.incidents.lifecycle import post_update
from tests.conftest import PASSWORD
from tests.helpers import incident
from tests.security.conftest import login

ROOT = Path(__file__).resolve().parents[2]

# Run in a child process: log in, open an incident through the real form, and stop inside the
# commit — after every row was written to the database, before COMMIT — until killed.
CHILD = """
import json, sys, time
from sqlalchemy import event, func, select
from statuspage import create_app
from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate

app = create_app(json.loads(sys.argv[1]))
armed = []

with app.app_context():
    @event.listens_for(db.session, "before_commit")
    def hang(session):
        if not armed:
            return
        session.flush()
        counts = [session.scalar(select(func.count()).select_from(m)) for m in (Incident, IncidentUpdate)]
        print("WRITTEN", json.dumps(counts), flush=True)
        time.sleep(120)

    client = app.test_client()
    assert client.post("/login", data={"email": "owner@shop.test", "password": sys.argv[2]}).status_code == 302
    armed.append(True)
    client.post("/admin/incidents/new", data={"title": "Half an incident", "body": "Never seen.",
                "status": "investigating", "impact": "major"})
    print("COMMITTED", flush=True)
"""


def _is_sqlite() -> bool:
    """Tell whether the tests run on SQLite."""
    return db.engine.dialect.name == "sqlite"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app, app_ctx):
    if not _is_sqlite():
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_process_killed_mid_write_leaves_no_half_state(app, owner):
    counts = lambda: [db.session.scalar(select(func.count()).select_from(m))  # noqa: E731
                      for m in (Incident, IncidentUpdate, AuditEntry)]  # fmt: skip
    before = counts()
    config = {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "WTF_CSRF_ENABLED": False,
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(config), PASSWORD],
        cwd=ROOT,
        env={**os.environ, "STATUSPAGE_INSTANCE_PATH": app.instance_path},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _read_line(child, timeout=30)
        assert line.startswith("WRITTEN"), line + child.stderr.read()
        assert json.loads(line.split(" ", 1)[1]) == [before[0] + 1, before[1] + 1]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    db.session.remove()
    assert counts() == before
    assert db.session.scalar(select(Incident).where(Incident.title == "Half an incident")) is None
    if _is_sqlite():
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    incident(title="Life goes on")  # the database takes writes again
    assert counts()[0] == before[0] + 1


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    """Read one line from a child's output, or give up after timeout seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return "TIMEOUT"
    return process.stdout.readline().strip() or "EOF"


def test_the_public_page_survives_a_broken_playbook_file(app, client, owner, tmp_path):
    folder = tmp_path / "incidents"
    shutil.copytree(app.config["PLAYBOOKS_DIR"], folder)
    (folder / "delivery-delay" / "playbook.yaml").write_text("title: [unclosed\n  : : :\n")
    (folder / "website-outage" / "investigating.en.md").write_bytes(b"\xff\xfe not utf-8")
    app.config["PLAYBOOKS_DIR"] = str(folder)
    incident(title="Checkout is down")
    assert client.get("/").status_code == 200
    assert client.get("/api/v2/summary.json").status_code == 200
    login(client)
    page = client.get("/admin/playbooks")
    assert page.status_code == 200
    listing = page.get_data(as_text=True)
    assert "delivery-delay" in listing and "payment-failure" in listing
    assert client.get("/admin/playbooks/delivery-delay/open").status_code == 404
    assert client.get("/admin/playbooks/payment-failure/open").status_code == 200


def test_the_public_page_does_not_need_the_scheduler(app, app_ctx, client, monkeypatch):
    opened = incident(title="Checkout is down")
    soon = utcnow() + timedelta(minutes=30)
    post_update(opened, status="identified", body="Found it: the payment provider.", user=None,
                display_at=soon)  # fmt: skip
    db.session.commit()
    assert "Found it" not in client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)

    def broken():
        raise RuntimeError("the scheduler's database connection is gone")

    monkeypatch.setattr(scheduler.jobs, "tick", broken)
    assert scheduler.run_tick(app) == {}  # a failing tick is logged, never raised
    with time_machine.travel(soon + timedelta(minutes=1), tick=False):
        page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
        summary = client.get("/api/v2/summary.json").json
    assert "Found it" in page
    assert summary["incidents"][0]["status"] == "identified"
