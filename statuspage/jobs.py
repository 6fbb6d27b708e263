"""The scheduler's work: side effects only (scheduled updates' effects, maintenance transitions and
reminders, team reminders, deadline alerts, fan-out to subscribers, team notifications, ending follows
of incidents that are over). Visibility never depends on them: it is decided at read time.

Each piece of work is found and done by a service (`STEPS`); here it runs in its own transaction, and a
broken item never stops the others (it is retried next tick). The services claim their work in that same
transaction, so any number of scheduler processes can run `tick()` at once and each effect happens once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services import reminders
from statuspage.services.delivery import (
    fanout,
    mailer,
    maintenance_reminders,
    notify,
    subscribers,
    webhooks,
)
from statuspage.services.delivery.claims import NotDue
from statuspage.services.incidents import maintenance, queue

log = logging.getLogger("statuspage.plan")

# (what is counted, find the due items, act on one item and return the team notices it queued)
STEPS: tuple[tuple[str, Callable, Callable], ...] = (
    ("published", queue.due_effects, queue.apply_due),
    ("maintenance_reminders", maintenance_reminders.due, maintenance_reminders.remind),
    ("maintenance", maintenance.due_transitions, maintenance.run_transition),
    ("reminders", reminders.open_incidents, reminders.remind_promise),
    ("deadlines", reminders.incidents_with_deadlines, reminders.alert_deadlines),
    ("follow_ups", reminders.due_follow_ups, reminders.remind_follow_up),
)


def tick(now: datetime | None = None) -> Counter:
    """Run every job once; return how many pieces of work each did."""
    now = now or utcnow()
    done: Counter = Counter()
    for name, find, run in STEPS:
        for item in find(now):
            did, sent = _once(run, item, now)
            done[name] += did
            done["sent"] += sent
    done["sent"] += notify.deliver_due()  # retries and leftovers, at the current time
    _push(now, done)
    return done


def _push(now: datetime, done: Counter) -> None:
    """Fan newly public updates and component changes out to subscribers and webhooks, then send."""
    for update_id in subscribers.due_fanouts(now):
        try:
            done["fanned_out"] += fanout.fan_out(update_id, now)
            db.session.commit()
        except Exception:  # retried next tick
            db.session.rollback()
            log.exception("fan-out of update %s failed; it will be retried", update_id)
    done["component_events"] += webhooks.report_component_changes(now)
    done["purged"] += subscribers.purge_unconfirmed(now)
    done["emailed"] += mailer.deliver_due()
    done["webhooks"] += webhooks.deliver_due()
    done["follows_ended"] += subscribers.end_follows(now)  # after their final update went out


def _once(run: Callable, item: int, now: datetime) -> tuple[int, int]:
    """Do one piece of work in its own transaction, then send what it queued: (done, sent)."""
    try:
        queued = run(item, now)
        db.session.commit()
    except NotDue:
        db.session.rollback()
        return 0, 0
    except Exception:  # one broken item must not stop the others; it is retried next tick
        db.session.rollback()
        log.exception("job %s failed for %s; it will be retried", run.__name__, item)
        return 0, 0
    if not queued:
        return 0, 0
    return 1, notify.deliver_due(ids=[n.id for n in queued])
