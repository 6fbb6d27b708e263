"""The scheduler: one CLI command runs it; the web app never does; SIGTERM stops it cleanly."""

import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from statuspage import jobs, scheduler
from statuspage.extensions import db
from statuspage.models import utcnow
from tests.helpers import incident

ROOT = Path(__file__).resolve().parent.parent


def test_run_once_runs_every_job_and_says_what_it_did(app_ctx, runner):
    assert runner.invoke(args=["scheduler", "run", "--once"]).output == "Done: nothing due.\n"
    opened = incident()
    opened.updates[0].next_update_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "reminders 1" in result.output and "sent 1" in result.output


def test_scheduler_command_has_help(runner):
    result = runner.invoke(args=["scheduler", "run", "--help"])
    assert result.exit_code == 0 and "--once" in result.output


def test_one_interval_job_that_never_overlaps_itself(app):
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 7
    job = scheduler.build(app).get_jobs()[0]
    assert job.trigger.interval == timedelta(seconds=7)
    assert job.max_instances == 1 and job.coalesce is True


def test_a_failing_tick_does_not_stop_the_scheduler(app, monkeypatch, caplog):
    caplog.set_level("INFO", logger="statuspage.plan")
    logging.getLogger("statuspage.plan").disabled = False  # alembic's fileConfig may have run

    def broken(now=None):
        raise RuntimeError("database away")

    monkeypatch.setattr(jobs, "tick", broken)
    assert scheduler.run_tick(app) == {}
    assert "scheduler tick failed" in caplog.text


def test_the_web_app_starts_no_scheduler(client):
    assert client.get("/").status_code == 200
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


def test_sigterm_stops_the_running_scheduler(app):
    env = {
        **os.environ,
        "STATUSPAGE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "STATUSPAGE_SECRET_KEY": "test",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert "Scheduler running every 30 s" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    assert process.returncode == 0, output
    assert "Scheduler stopped." in output
