"""APScheduler wiring. Started in ONE place only: `flask --app wsgi scheduler run` (never by the web app).

Running two by mistake (or one per gunicorn worker) is harmless: every job claims its work with a
conditional UPDATE, so each effect still happens once. It is just wasted work.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from statuspage import jobs
from statuspage.extensions import db

log = logging.getLogger("statuspage.plan")


def run_tick(app: Flask) -> dict[str, int]:
    """Run every job once inside an app context; never let one failure stop the scheduler."""
    with app.app_context():
        try:
            done = dict(jobs.tick())
        except Exception:  # the next tick tries again
            log.exception("scheduler tick failed")
            return {}
        finally:
            db.session.remove()
    if any(done.values()):
        log.info("scheduler tick: %s", ", ".join(f"{k} {v}" for k, v in done.items() if v))
    return done


def build(app: Flask) -> BlockingScheduler:
    """Build the scheduler: one job, the tick, every SCHEDULER_INTERVAL_SECONDS, starting now."""
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        run_tick,
        "interval",
        seconds=int(app.config["SCHEDULER_INTERVAL_SECONDS"]),
        args=[app],
        id="candor-tick",
        next_run_time=datetime.now(UTC),
        max_instances=1,  # a slow tick is never overlapped by the next one
        coalesce=True,  # ticks missed while busy or asleep run once, not once each
        misfire_grace_time=None,
    )
    return scheduler


@click.group("scheduler")
def scheduler_cli() -> None:
    """Run the communication plan's jobs: scheduled updates, reminders, deadlines, maintenance."""


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Run every job once and exit (cron, or a check).")
@with_appcontext
def run_command(once: bool) -> None:
    """Run the jobs every SCHEDULER_INTERVAL_SECONDS until stopped (Ctrl-C or SIGTERM)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    if once:
        done = run_tick(app)
        did = ", ".join(f"{k} {v}" for k, v in done.items() if v)  # job names: for the log's reader
        click.echo(_("Done: %(jobs)s.", jobs=did) if did else _("Done: nothing due."))
        return
    scheduler = build(app)
    interval = app.config["SCHEDULER_INTERVAL_SECONDS"]
    try:
        signal.signal(signal.SIGTERM, _stop)
        click.echo(
            _("Scheduler running every %(seconds)s s. Stop it with Ctrl-C.", seconds=interval)
        )
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a tick in progress finish its transaction
    click.echo(_("Scheduler stopped."))


def _stop(signum, frame) -> None:
    """Stop on SIGTERM the way Ctrl-C does."""
    raise KeyboardInterrupt
